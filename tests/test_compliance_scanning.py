"""PCI and PII scanning (lambdas/compliance_guardian/scanning.py), pure: card numbers and CVVs,
Luhn and the IBAN checksum against independent computations, and a labelled corpus of personal
data with look-alike negatives, for which precision and recall are measured and printed."""

from __future__ import annotations

import json
import random

import pytest
from compliance_guardian import scanning

# Test card numbers the schemes publish (all Luhn-valid), one per brand.
TEST_CARDS = {
    "4111111111111111": "visa",
    "4012888888881881": "visa",
    "5555555555554444": "mastercard",
    "2223003122003222": "mastercard",
    "378282246310005": "amex",
    "6011111111111117": "discover",
    "3530111333300000": "jcb",
    "36227206271667": "diners",
    "6200000000000005": "unionpay",
}


def luhn_reference(number: str) -> bool:
    """An independent Luhn: double every second digit from the right via the digit-sum table."""
    table = [0, 2, 4, 6, 8, 1, 3, 5, 7, 9]
    digits = [int(d) for d in number]
    odd = digits[-1::-2]
    even = [table[d] for d in digits[-2::-2]]
    return (sum(odd) + sum(even)) % 10 == 0


def test_luhn_agrees_with_an_independent_implementation():
    rng = random.Random(5)
    for _ in range(5000):
        number = "".join(rng.choice("0123456789") for _ in range(rng.randint(13, 19)))
        assert scanning.luhn_valid(number) == luhn_reference(number), number
    for pan in TEST_CARDS:
        assert scanning.luhn_valid(pan)
        # any single-digit change breaks the check (the property Luhn guarantees)
        for i in range(len(pan)):
            changed = pan[:i] + str((int(pan[i]) + 1) % 10) + pan[i + 1 :]
            assert not scanning.luhn_valid(changed)


@pytest.mark.parametrize(("pan", "brand"), TEST_CARDS.items())
def test_brands_and_masking(pan, brand):
    spaced = " ".join(pan[i : i + 4] for i in range(0, len(pan), 4))
    result = scanning.scan_pci({"a": f"card {spaced} ok"})
    (finding,) = result["findings"]
    assert (finding["type"], finding["brand"], finding["path"]) == ("card_number", brand, "/a")
    assert finding["start"] == 5 and finding["length"] == len(spaced)
    assert finding["masked"].replace(" ", "").endswith(pan[-4:])
    assert pan[:-4] not in json.dumps(result).replace(" ", "")


def test_keep_last_and_json_pointer_escaping():
    result = scanning.scan_pci({"a/b": ["x", {"c~d": "4111-1111-1111-1111"}]}, keep_last=0)
    (finding,) = result["findings"]
    assert finding["path"] == "/a~1b/1/c~0d"
    assert result["masked"]["a/b"][1]["c~d"] == "****-****-****-****"


def test_cvv_by_key_label_and_dump_format():
    result = scanning.scan_pci(
        {
            "card": {"number": 4111111111111111, "securityCode": "1234", "CVC2": 321, "zip": "123"},
            "dump": "4012888888881881|11/28|987",
            "chat": "the cvv: 555 please",
        }
    )
    cvvs = {(f["path"], f["masked"]) for f in result["findings"] if f["type"] == "cvv"}
    assert cvvs == {("/card/securityCode", "****"), ("/card/CVC2", "***"), ("/dump", "***"), ("/chat", "***")}
    assert result["masked"]["card"]["zip"] == "123"  # not a CVV key
    assert result["masked"]["card"]["number"] == "************1111"  # a number became a masked string
    assert result["masked"]["dump"] == "************1881|11/28|***"


def test_a_card_and_a_cvv_in_one_digit_run_are_split():
    result = scanning.scan_pci("4111 1111 1111 1111 123")
    assert [f["type"] for f in result["findings"]] == ["card_number", "cvv"]
    assert result["masked"] == "**** **** **** 1111 ***"


def test_not_cards():
    for text in (
        "1234567812345678",
        "order 2026-01-15 10:00",
        "tel +44 20 7946 0958",
        "4111 1111",
        "41111111111111111111111",
    ):
        assert scanning.scan_pci(text)["compliant"], text


def test_too_deep_is_refused():
    deep: object = "x"
    for _ in range(scanning.MAX_DEPTH + 2):
        deep = [deep]
    with pytest.raises(scanning.PayloadError):
        scanning.scan_pci(deep)


def iban_reference(iban: str) -> bool:
    """ISO 7064 MOD 97-10 computed piecewise (the way the standard describes it by hand)."""
    s = iban.replace(" ", "")
    rearranged = s[4:] + s[:4]
    remainder = 0
    for ch in rearranged:
        value = str(ord(ch) - 55) if ch.isalpha() else ch
        for d in value:
            remainder = (remainder * 10 + int(d)) % 97
    return remainder == 1


# IBAN examples of the ISO 13616 registry (SWIFT's IBAN registry), valid
IBANS = [
    "GB82 WEST 1234 5698 7654 32",
    "DE89 3704 0044 0532 0130 00",
    "FR14 2004 1010 0505 0001 3M02 606",
    "NL91 ABNA 0417 1643 00",
    "ES91 2100 0418 4502 0005 1332",
    "IT60 X054 2811 1010 0000 0123 456",
    "BE68 5390 0754 7034",
    "CH93 0076 2011 6238 5295 7",
    "NO93 8601 1117 947",
    "SE45 5000 0000 0583 9825 7466",
]


def test_iban_checksum_agrees_with_the_reference():
    for iban in IBANS:
        assert scanning.iban_valid(iban) and iban_reference(iban), iban
        broken = iban[:-1] + str((int(iban[-1]) + 1) % 10)
        assert not scanning.iban_valid(broken) and not iban_reference(broken)


# ---- the PII corpus ------------------------------------------------------------------------------
# (text, expected findings as (type, matched text)); the negatives are look-alikes.
CORPUS: list[tuple[str, set[tuple[str, str]]]] = [
    ("Contact jane.doe@example.com for details", {("email", "jane.doe@example.com")}),
    ("Send to A.B-C+tag@mail.example.co.uk, thanks", {("email", "A.B-C+tag@mail.example.co.uk")}),
    ("support@shop.io", {("email", "support@shop.io")}),
    ("Reply-To: <ops_team@internal.example.org>", {("email", "ops_team@internal.example.org")}),
    ("Call +44 20 7946 0958 today", {("phone", "+44 20 7946 0958")}),
    ("mobile: +1 (415) 555-2671", {("phone", "+1 (415) 555-2671")}),
    ("+49 30 901820", {("phone", "+49 30 901820")}),
    ("Tel. +33 1 42 68 53 00 (Paris)", {("phone", "+33 1 42 68 53 00")}),
    ("+91 98765 43210", {("phone", "+91 98765 43210")}),
    ("office (212) 555-0142 ext", {("phone", "(212) 555-0142")}),
    ("call 415-555-2671 or", {("phone", "415-555-2671")}),
    ("uk landline 020 7946 0958", {("phone", "020 7946 0958")}),
    ("mobile 07700 900123", {("phone", "07700 900123")}),
    ("Berlin 030 1234 5678", {("phone", "030 1234 5678")}),
    ("SSN 123-45-6789 on file", {("national_id", "123-45-6789")}),
    ("ssn: 078 05 1120", {("national_id", "078 05 1120")}),
    ("NINO AB123456C", {("national_id", "AB123456C")}),
    ("NI number: JG 10 37 23 B", {("national_id", "JG 10 37 23 B")}),
    ("NINO-like QQ 12 34 56 A (QQ is never issued)", set()),
    ("IBAN GB82 WEST 1234 5698 7654 32 please", {("iban", "GB82 WEST 1234 5698 7654 32")}),
    ("pay DE89370400440532013000", {("iban", "DE89370400440532013000")}),
    (
        "Ada (ada@example.org, +44 7700 900077) paid from NL91ABNA0417164300",
        {("email", "ada@example.org"), ("phone", "+44 7700 900077"), ("iban", "NL91ABNA0417164300")},
    ),
    # added after the scanner was written (not tuned against)
    (
        "write to max.mustermann@beispiel.de oder anrufen +49 (0)30 12345678",
        {("email", "max.mustermann@beispiel.de"), ("phone", "+49 (0)30 12345678")},
    ),
    ("Madrid: +34 912 345 678", {("phone", "+34 912 345 678")}),
    ("toll free 1-800-555-0199", {("phone", "1-800-555-0199")}),
    ("fax 0161 496 0000", {("phone", "0161 496 0000")}),
    ("IBAN: FR76 3000 6000 0112 3456 7890 189", {("iban", "FR76 3000 6000 0112 3456 7890 189")}),
    ("ssn 219-09-9999 (sample)", {("national_id", "219-09-9999")}),
    ("ids: 2026-0115-0042, ref 00123 45678", set()),
    ("see RFC 5322 section 3.4.1", set()),
    ("lot 12-34-5678 expired", set()),
    ("call me at noon, my id is 7", set()),
    # look-alikes: nothing to find
    ("Order O0001234 shipped on 2026-01-15 at 10:32", set()),
    ("Invoice 2026-000123, total $1,234.56", set()),
    ("Server 192.168.10.254 port 8080", set()),
    ("version 1.2.3, build 20260115", set()),
    ("ISBN 978-3-16-148410-0", set()),
    ("card 4111 1111 1111 1111", set()),
    ("not an email: user@localhost or @handle or a@b", set()),
    ("file name report@2x.png", set()),
    ("SSN-like 000-12-3456 and 666-12-3456 and 900-12-3456", set()),
    ("123-45-67890 is too long", set()),
    ("NINO-like BG123456C and AB123456E", set()),
    ("IBAN-like GB00 WEST 1234 5698 7654 32", set()),
    ("date 15.01.2026 and time 10.32.45", set()),
    ("price 4,500.00 EUR for 12 units", set()),
    ("coordinates 52.5200, 13.4050", set()),
    ("tracking 1Z999AA10123456784", set()),
    ("sku P00042-XL-2026", set()),
    ("temperature -12 to +35 degrees", set()),
    ("ratio 3:4, period 2024-07-01..2026-06-30", set()),
]


def test_pii_precision_and_recall_on_the_corpus(capsys):
    tp = fp = fn = 0
    by_type: dict[str, list[int]] = {}
    misses = []
    for text, expected in CORPUS:
        found = set(scanning.find_pii(text))
        for kind, value in found | expected:
            counts = by_type.setdefault(kind, [0, 0, 0])
            if (kind, value) in found and (kind, value) in expected:
                tp += 1
                counts[0] += 1
            elif (kind, value) in found:
                fp += 1
                counts[1] += 1
                misses.append(("false positive", text, kind, value))
            else:
                fn += 1
                counts[2] += 1
                misses.append(("missed", text, kind, value))
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    with capsys.disabled():
        print(f"\nPII corpus: {len(CORPUS)} texts, precision {precision:.3f}, recall {recall:.3f}")
        for kind, (t, f, n) in sorted(by_type.items()):
            print(f"  {kind:12s} tp {t:2d} fp {f:2d} fn {n:2d}")
    assert precision >= 0.95 and recall >= 0.95, misses


def test_redaction_modes():
    text = "mail ada@example.org or +44 20 7946 0958"
    masked = scanning.scan_pii(text)["redacted"]
    assert masked == "mail a**@example.org or +** ** **** **58"
    removed = scanning.scan_pii(text, redaction="remove")
    assert removed["redacted"] == "mail [EMAIL] or [PHONE]"
    hashed = scanning.scan_pii({"a": text, "b": "ada@example.org"}, redaction="hash")["redacted"]
    token = hashed["b"]
    assert token.startswith("[EMAIL:") and token in hashed["a"]  # the same value, the same token
    only = scanning.scan_pii(text, types=["phone"])
    assert only["countsByType"] == {"email": 0, "phone": 1, "nationalId": 0, "iban": 0}
    assert only["findings"][0]["subtype"] == "international"
