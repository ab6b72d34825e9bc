"""PCI and PII scanning of JSON payloads: find, classify and mask; pure functions, no I/O.

    result = scan_pci(payload, keep_last=4)   # {"compliant", "findingCount", "findings", "masked"}
    result = scan_pii(payload, types={"email", "phone", "national_id", "iban"}, redaction="mask")

Every string of the payload (object keys included, numbers too for card data) is searched; each
finding names the JSON pointer (RFC 6901) of the value holding it, its offset and length in
that string, and what the match looks like now (masked). The payload comes back with the same
shape, every finding masked. Nothing here logs: the caller must never log a payload either.

Card numbers (PCI DSS 3.4: render the PAN unreadable; the last four may stay): runs of 13-19
digits, spaces or dashes between any of them, passing the Luhn check (ISO/IEC 7812-1). A run that
holds more (a card and a CVV in one line) is split at its separators into the longest Luhn-valid
part. CVVs: 3-4 digits under a cvv/cvc/securityCode-like key, after a CVV label in text, or just
after a card number (optionally after an expiry), as card dumps write them (`PAN|MM/YY|CVV`).

Personal data: e-mail addresses (RFC 5322 dot-atom subset), phone numbers (E.164 `+` numbers of
8-15 digits with common separators, and national formats: North American `(555) 123-4567`,
UK/European trunk-prefixed `020 7946 0958`), national ids (US SSN with its issuance rules, UK
NINO with its prefix rules) and IBANs (ISO 13616: per-country length and the mod-97 check).
Look-alikes are rejected by those rules: dates, times, IP addresses, prices, order ids, version
numbers, ISBNs and card numbers are not phones; `000-12-3456` is not an SSN; `QQ123456C`'s
prefix is; an IBAN with a wrong check digit is not one (tests/test_compliance_scanning.py
measures precision and recall on a labelled corpus).
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from collections.abc import Callable, Iterable
from typing import Any

MAX_DEPTH = 64
CARD_TYPES = ("card_number", "cvv")
PII_TYPES = ("email", "phone", "national_id", "iban")
COUNT_KEYS = {"email": "email", "phone": "phone", "national_id": "nationalId", "iban": "iban"}


class PayloadError(ValueError):
    """The payload cannot be scanned (nested too deeply)."""


# ---- walking JSON ----------------------------------------------------------------------------
def _pointer(path: tuple[str, ...]) -> str:
    return "".join("/" + p.replace("~", "~0").replace("/", "~1") for p in path)


def _walk(
    value: Any,
    visit: Callable[[str, tuple[str, ...], str | None], str],
    path: tuple[str, ...] = (),
    depth: int = 0,
) -> Any:
    """A copy of `value` with every string (and key) replaced by `visit(text, path, parentkey)`;
    numbers go through `visit` as text only when it changes them (card numbers in numbers)."""
    if depth > MAX_DEPTH:
        raise PayloadError(f"the payload is nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            new_key = visit(str(key), (*path, str(key)), "#key")
            out[new_key] = (
                _walk(item, visit, (*path, str(key)), depth + 1)
                if not _is_scalar(item)
                else _scalar(item, visit, (*path, str(key)), str(key))
            )
        return out
    if isinstance(value, list):
        return [
            _walk(item, visit, (*path, str(i)), depth + 1)
            if not _is_scalar(item)
            else _scalar(item, visit, (*path, str(i)), None)
            for i, item in enumerate(value)
        ]
    return _scalar(value, visit, path, None)


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, (dict, list))


def _scalar(
    value: Any,
    visit: Callable[[str, tuple[str, ...], str | None], str],
    path: tuple[str, ...],
    key: str | None,
) -> Any:
    if isinstance(value, str):
        return visit(value, path, key)
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
        new = visit(text, path, key)
        return value if new == text else new
    return value


# ---- card numbers ----------------------------------------------------------------------------
_CARD_RUN = re.compile(r"(?<![0-9])[0-9](?:[ -]?[0-9]){12,}(?![0-9])")
_CVV_KEY = re.compile(
    r"^(cvv2?|cvc2?|cvn|csc|cid|cav2?|securitycode|cardsecuritycode|cardverificationvalue|cardcode)$"
)
_CVV_LABEL = re.compile(r"(?i)\b(?:cvv2?|cvc2?|csc|cid|security\s*code)\b\s*[:=#]?\s*([0-9]{3,4})(?![0-9])")
_AFTER_CARD = re.compile(
    r"^\s*[|,;/ ]\s*(?:(?:0[1-9]|1[0-2])\s*/\s*(?:[0-9]{4}|[0-9]{2})\s*[|,;/ ]\s*)?([0-9]{3,4})(?![0-9/])"
)


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) check of ISO/IEC 7812-1."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def card_brand(digits: str) -> str:
    """The scheme by IIN range (ISO/IEC 7812 prefixes the schemes publish)."""
    two, three, four, six = int(digits[:2]), int(digits[:3]), int(digits[:4]), int(digits[:6])
    if digits[0] == "4":
        return "visa"
    if 51 <= two <= 55 or 222100 <= six <= 272099:
        return "mastercard"
    if two in (34, 37):
        return "amex"
    if four == 6011 or two == 65 or 644 <= three <= 649 or 622126 <= six <= 622925:
        return "discover"
    if 3528 <= four <= 3589:
        return "jcb"
    if two in (36, 38, 39) or 300 <= three <= 305:
        return "diners"
    if two == 62:
        return "unionpay"
    return "unknown"


def _card_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, digits) of every Luhn-valid 13-19 digit card number in `text`."""
    found = []
    for run in _CARD_RUN.finditer(text):
        # digit groups of the run: (start, end) offsets in text
        groups = [
            (m.start() + run.start(), m.end() + run.start()) for m in re.finditer(r"[0-9]+", run.group())
        ]
        i = 0
        while i < len(groups):
            best = None
            digits = ""
            for j in range(i, len(groups)):
                digits += text[groups[j][0] : groups[j][1]]
                if len(digits) > 19:
                    break
                if len(digits) >= 13 and luhn_valid(digits):
                    best = (j, digits)
            if best is None and len(text[groups[i][0] : groups[i][1]]) > 19:
                # one long group: look for a card inside it only at its start (rare; bounded)
                best = None
            if best is not None:
                j, digits = best
                found.append((groups[i][0], groups[j][1], digits))
                i = j + 1
            else:
                i += 1
    return found


def mask_digits(text: str, keep_last: int) -> str:
    """Every digit of `text` as `*` except the last `keep_last`; separators stay."""
    digits = sum(ch.isdigit() for ch in text)
    keep_from = digits - keep_last
    out, seen = [], 0
    for ch in text:
        if ch.isdigit():
            out.append(ch if seen >= keep_from else "*")
            seen += 1
        else:
            out.append(ch)
    return "".join(out)


def scan_pci(payload: Any, keep_last: int = 4) -> dict[str, Any]:
    findings: list[dict[str, Any]] = []

    def visit(text: str, path: tuple[str, ...], key: str | None) -> str:
        pointer = _pointer(path)
        edits: list[tuple[int, int, str, dict[str, Any]]] = []
        normal_key = re.sub(r"[^a-z0-9]", "", key.lower()) if key and key != "#key" else ""
        if normal_key and _CVV_KEY.match(normal_key) and re.fullmatch(r"\s*[0-9]{3,4}\s*", text):
            m = re.search(r"[0-9]{3,4}", text)
            assert m is not None
            edits.append((m.start(), m.end(), "*" * (m.end() - m.start()), {"type": "cvv"}))
        else:
            for start, end, digits in _card_spans(text):
                masked = mask_digits(text[start:end], min(keep_last, 4))
                edits.append((start, end, masked, {"type": "card_number", "brand": card_brand(digits)}))
                after = _AFTER_CARD.match(text[end : end + 24])
                if after:
                    s, e = end + after.start(1), end + after.end(1)
                    edits.append((s, e, "*" * (e - s), {"type": "cvv"}))
            for m in _CVV_LABEL.finditer(text):
                s, e = m.start(1), m.end(1)
                if not any(a < e and s < b for a, b, _, _ in edits):
                    edits.append((s, e, "*" * (e - s), {"type": "cvv"}))
        return _apply(text, edits, pointer + ("#key" if key == "#key" else ""), findings)

    masked = _walk(payload, visit)
    findings.sort(key=lambda f: (f["path"], f.get("start", 0)))
    return {"compliant": not findings, "findingCount": len(findings), "findings": findings, "masked": masked}


def _apply(
    text: str, edits: list[tuple[int, int, str, dict[str, Any]]], pointer: str, findings: list[dict[str, Any]]
) -> str:
    if not edits:
        return text
    edits.sort(key=lambda e: e[0])
    out, last = [], 0
    for start, end, replacement, info in edits:
        if start < last:  # overlaps an earlier finding: already masked
            continue
        out.append(text[last:start])
        out.append(replacement)
        last = end
        findings.append(
            {**info, "path": pointer, "start": start, "length": end - start, "masked": replacement}
        )
    out.append(text[last:])
    return "".join(out)


# ---- personal data ---------------------------------------------------------------------------
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-@])[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![A-Za-z0-9-]|\.[A-Za-z0-9])"
)
FILE_EXTENSIONS = frozenset(
    {
        "png",
        "jpg",
        "jpeg",
        "gif",
        "svg",
        "webp",
        "pdf",
        "txt",
        "csv",
        "json",
        "js",
        "css",
        "html",
        "zip",
        "ico",
    }
)
_SSN = re.compile(
    r"(?<![0-9-])(?!000|666|9[0-9]{2})([0-9]{3})([- ])(?!00)([0-9]{2})\2(?!0000)([0-9]{4})(?![0-9-])"
)
_NINO = re.compile(
    r"(?<![A-Za-z0-9])(?!BG|GB|KN|NK|NT|TN|ZZ)[ABCEGHJ-PRSTW-Z][ABCEGHJ-NPRSTW-Z]"
    r" ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-D](?![A-Za-z0-9])"
)
_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,30}(?![A-Za-z0-9])")
# ISO 13616 registry: IBAN length per country (the SEPA area and common others).
IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29,
    "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24,
    "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HR": 21,
    "HU": 28, "IE": 22, "IL": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LI": 21,
    "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30,
    "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24,
    "SE": 24, "SI": 19, "SK": 24, "SM": 27, "TN": 24, "TR": 26, "UA": 29, "VG": 24, "XK": 20,
}  # fmt: skip
# Phones. International: + then 8-15 digits in groups. National: NANP (area code, exchange,
# line) and trunk-prefixed numbers (0 then 9-10 digits) in groups, as people write them.
_PHONE_INTL = re.compile(r"(?<![\w+])\+[1-9][0-9]{0,2}(?:[ .\-]?\(?[0-9]{1,5}\)?){2,6}(?![\w])")
_PHONE_NANP = re.compile(
    r"(?<![\w\-.])(?:\(([2-9][0-9]{2})\) ?|([2-9][0-9]{2})[ .\-])([0-9]{3})[ .\-]([0-9]{4})(?![\w]|[.\-][0-9])"
)
_PHONE_TRUNK = re.compile(
    r"(?<![\w\-.+/])(?:\(0[0-9]{1,4}\)|0[0-9]{1,4})(?:[ \-][0-9]{2,6}){1,3}(?![\w]|[.\-/:][0-9])"
)


def _digits(text: str) -> str:
    return re.sub(r"[^0-9]", "", text)


def iban_valid(text: str) -> bool:
    """ISO 13616 / ISO 7064 mod 97-10: move the first four characters to the end, letters to
    numbers (A=10..Z=35); the number mod 97 is 1. Plus the country's registered length."""
    iban = text.replace(" ", "")
    if IBAN_LENGTHS.get(iban[:2]) != len(iban):
        return False
    rearranged = iban[4:] + iban[:4]
    number = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(number) % 97 == 1


def _phone_spans(text: str) -> list[tuple[int, int, str]]:
    spans: list[tuple[int, int, str]] = []
    for m in _PHONE_INTL.finditer(text):
        raw = m.group().rstrip(") ")
        n = len(_digits(raw))
        if 8 <= n <= 15 and not raw.endswith(("-", ".")):
            spans.append((m.start(), m.start() + len(raw), "international"))
    for m in _PHONE_NANP.finditer(text):
        spans.append((m.start(), m.end(), "nanp"))
    for m in _PHONE_TRUNK.finditer(text):
        n = len(_digits(m.group()))
        if 10 <= n <= 11:
            spans.append((m.start(), m.end(), "national"))
    return spans


def _pii_spans(text: str, types: Iterable[str]) -> list[tuple[int, int, str, str | None]]:
    """(start, end, type, subtype) of every finding, earlier and longer first, no overlaps."""
    types = set(types)
    found: list[tuple[int, int, str, str | None]] = []
    if "email" in types:
        found += [
            (m.start(), m.end(), "email", None)
            for m in _EMAIL.finditer(text)
            if m.group().rsplit(".", 1)[-1].lower() not in FILE_EXTENSIONS  # `icon@2x.png`
        ]
    if "iban" in types:
        found += [
            (m.start(), m.end(), "iban", m.group()[:2]) for m in _IBAN.finditer(text) if iban_valid(m.group())
        ]
    if "national_id" in types:
        found += [(m.start(), m.end(), "national_id", "us_ssn") for m in _SSN.finditer(text)]
        found += [(m.start(), m.end(), "national_id", "uk_nino") for m in _NINO.finditer(text)]
    if "phone" in types:
        # A card number is not a phone number, whatever its grouping.
        cards = _card_spans(text)
        for start, end, sub in _phone_spans(text):
            if not any(a < end and start < b for a, b, _ in cards):
                found.append((start, end, "phone", sub))
    found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
    kept: list[tuple[int, int, str, str | None]] = []
    for f in found:
        if not kept or f[0] >= kept[-1][1]:
            kept.append(f)
    return kept


_SALT = os.environ.get("PII_HASH_SALT") or secrets.token_hex(16)


def redact(value: str, kind: str, redaction: str) -> str:
    """`value` (a finding of `kind`) redacted: `mask` keeps only what identifies nobody (an
    e-mail's first letter and domain, the last two digits of a phone or id, an IBAN's country
    and last four), `remove` writes `[EMAIL]`..., `hash` a salted SHA-256 (the same value gives
    the same token within one deployment: records can still be joined, not read)."""
    if redaction == "remove":
        return f"[{kind.upper()}]"
    if redaction == "hash":
        digest = hashlib.sha256((_SALT + value).encode()).hexdigest()[:16]
        return f"[{kind.upper()}:{digest}]"
    if kind == "email":
        local, _, domain = value.partition("@")
        return local[:1] + "*" * (len(local) - 1) + "@" + domain
    if kind == "iban":
        alnum = [i for i, ch in enumerate(value) if ch.isalnum()]
        keep = set(alnum[:2]) | set(alnum[-4:])
        return "".join(ch if (i in keep or not ch.isalnum()) else "*" for i, ch in enumerate(value))
    return mask_digits_and_letters(value, keep_last=2)


def mask_digits_and_letters(text: str, keep_last: int) -> str:
    positions = [i for i, ch in enumerate(text) if ch.isalnum()]
    keep = set(positions[-keep_last:]) if keep_last else set()
    return "".join(ch if (i in keep or not ch.isalnum()) else "*" for i, ch in enumerate(text))


def scan_pii(payload: Any, types: Iterable[str] = PII_TYPES, redaction: str = "mask") -> dict[str, Any]:
    wanted = tuple(t for t in PII_TYPES if t in set(types))
    findings: list[dict[str, Any]] = []

    def visit(text: str, path: tuple[str, ...], key: str | None) -> str:
        edits = []
        for start, end, kind, sub in _pii_spans(text, wanted):
            info: dict[str, Any] = {"type": kind}
            if sub:
                info["subtype"] = sub
            edits.append((start, end, redact(text[start:end], kind, redaction), info))
        return _apply(text, edits, _pointer(path) + ("#key" if key == "#key" else ""), findings)

    redacted = _walk(payload, visit)
    findings.sort(key=lambda f: (f["path"], f.get("start", 0)))
    counts = {COUNT_KEYS[t]: 0 for t in PII_TYPES}
    for f in findings:
        counts[COUNT_KEYS[f["type"]]] += 1
    return {"findingCount": len(findings), "countsByType": counts, "findings": findings, "redacted": redacted}


def find_pii(text: str, types: Iterable[str] = PII_TYPES) -> list[tuple[str, str]]:
    """(type, matched text) of each finding in one string (for tests and corpus measurements)."""
    return [(kind, text[s:e]) for s, e, kind, _ in _pii_spans(text, types)]
