"""compliance-guardian end to end through the local platform (one platform for the module, a
small dataset): scanning without leaking, cases with their rules and optimistic concurrency,
the audit log (complete, admin-only, filtered, paged), fraud scoring and statistics checked
against the data, risk scores and the compliance report."""

from __future__ import annotations

import json
import re
import threading
import urllib.error
import urllib.request
import uuid
from datetime import date, timedelta
from typing import Any

import pytest

from tests.helpers import local_platform

pytestmark = pytest.mark.slow

PASSWORD = "Correct-Horse-Battery-9"
PANS = ("4111111111111111", "5500005555555559", "378282246310005", "6011000990139424")


class Response:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    def __repr__(self) -> str:
        return f"<{self.status} {self.body[:400]!r}>"


def call(platform, method: str, path: str, body: Any = None, token: str | None = None) -> Response:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(platform.api_url + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=60) as resp:
            return Response(resp.status, dict(resp.headers), resp.read())
    except urllib.error.HTTPError as exc:
        return Response(exc.code, dict(exc.headers), exc.read())


def sign_in(platform, email: str) -> dict[str, Any]:
    login = call(platform, "POST", "/auth/login", {"email": email, "password": PASSWORD})
    assert login.status == 200, login
    return login.json()


def new_user(platform, prefix: str) -> tuple[str, str, str]:
    email = f"{prefix}-{uuid.uuid4().hex[:8]}@example.com"
    reg = call(platform, "POST", "/auth/register", {"email": email, "password": PASSWORD, "name": prefix})
    assert reg.status == 201, reg
    tokens = sign_in(platform, email)
    me = call(platform, "GET", "/auth/me", token=tokens["accessToken"]).json()
    return email, tokens["accessToken"], me["userId"]


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    home = tmp_path_factory.mktemp("compliance-platform")
    with local_platform(home, build_frontend=False, scale=0.05, seed=11) as p:
        p.test_home = home
        yield p


@pytest.fixture(scope="module")
def users(platform):
    """A plain user, another plain user, and an admin made with the deploy command."""
    from deploy import admin

    alice = new_user(platform, "alice")
    bob = new_user(platform, "bob")
    carol_email, _, carol_id = new_user(platform, "carol")
    assert (
        admin.main(
            ["grant", carol_email, "--stack", "dev"],
            dynamodb=platform.clients.dynamodb,
        )
        == 0
    )
    carol = (carol_email, sign_in(platform, carol_email)["accessToken"], carol_id)
    return {"alice": alice, "bob": bob, "carol": carol}


def token(users, who: str) -> str:
    return users[who][1]


# ---- PCI and PII ---------------------------------------------------------------------------------
def test_pci_scan_masks_cards_and_cvvs_everywhere(platform, users):
    payload = {
        "order": {"card": "4111 1111 1111 1111", "cvv": "123", "memo": "backup 5500-0055-5555-5559 cvc 987"},
        "lines": [{"note": "amex 378282246310005"}, 6011000990139424],
        "text": "not a card: 1234567812345678, order O0001234",
    }
    resp = call(platform, "POST", "/compliance/pci-compliance", {"payload": payload}, token(users, "alice"))
    assert resp.status == 200, resp
    result = resp.json()
    assert result["compliant"] is False
    by_path = {(f["path"], f["type"]) for f in result["findings"]}
    assert {
        ("/order/card", "card_number"),
        ("/order/cvv", "cvv"),
        ("/order/memo", "card_number"),
        ("/order/memo", "cvv"),
        ("/lines/0/note", "card_number"),
        ("/lines/1", "card_number"),
    } == by_path
    assert result["findingCount"] == 6
    assert result["masked"]["order"]["card"] == "**** **** **** 1111"
    assert result["masked"]["order"]["cvv"] == "***"
    assert result["masked"]["order"]["memo"] == "backup ****-****-****-5559 cvc ***"
    assert result["masked"]["lines"][1] == "************9424"
    assert result["masked"]["text"] == payload["text"]  # Luhn-invalid: left alone
    brands = {f["path"]: f.get("brand") for f in result["findings"] if f["type"] == "card_number"}
    assert brands["/order/card"] == "visa" and brands["/lines/0/note"] == "amex"
    assert not any(pan in resp.body.decode() for pan in PANS)


def test_pci_clean_payload_is_compliant(platform, users):
    resp = call(
        platform, "POST", "/compliance/pci-compliance", {"payload": "nothing here 12/27"}, token(users, "bob")
    )
    assert resp.status == 200 and resp.json() == {
        "compliant": True,
        "findingCount": 0,
        "findings": [],
        "masked": "nothing here 12/27",
    }


def test_pci_errors_never_echo_a_card_number(platform, users):
    # a card number as an unknown top-level property: the validation error names the field
    resp = call(
        platform,
        "POST",
        "/compliance/pci-compliance",
        {"payload": "x", "4111111111111111": 1, "keepLast": 9},
        token(users, "alice"),
    )
    assert resp.status == 400
    assert "4111111111111111" not in resp.body.decode()


def test_pii_scan_finds_and_redacts(platform, users):
    text = (
        "Ada <ada.lovelace@example.org>, +44 20 7946 0958, (212) 555-0142, SSN 123-45-6789, "
        "NINO AB 12 34 56 C, IBAN GB82 WEST 1234 5698 7654 32; order O0001234 on 2026-01-15 at 10.0.0.1"
    )
    resp = call(platform, "POST", "/compliance/pii-scan", {"payload": {"note": text}}, token(users, "alice"))
    assert resp.status == 200, resp
    result = resp.json()
    assert result["countsByType"] == {"email": 1, "phone": 2, "nationalId": 2, "iban": 1}
    redacted = result["redacted"]["note"]
    for secret in ("ada.lovelace", "7946 0958", "555-0142", "123-45-6789", "AB 12 34 56", "WEST 1234"):
        assert secret not in redacted
    assert "O0001234" in redacted and "2026-01-15" in redacted and "10.0.0.1" in redacted
    removed = call(
        platform,
        "POST",
        "/compliance/pii-scan",
        {"payload": text, "types": ["email"], "redaction": "remove"},
        token(users, "alice"),
    ).json()
    assert removed["findingCount"] == 1 and removed["redacted"].startswith("Ada <[EMAIL]>, +44 20 7946 0958")


# ---- cases ---------------------------------------------------------------------------------------
def test_case_lifecycle_and_rules(platform, users):
    alice, bob = token(users, "alice"), token(users, "bob")
    made = call(
        platform,
        "POST",
        "/compliance/cases",
        {
            "title": "Ring device",
            "severity": "high",
            "entityType": "customer",
            "entityId": "C000001",
            "tags": ["ring"],
        },
        alice,
    )
    assert made.status == 201, made
    case = made.json()
    assert case["status"] == "open" and case["version"] == 1 and case["createdBy"] == users["alice"][2]
    case_id = case["caseId"]

    # bob is neither creator, assignee nor admin
    assert call(platform, "PATCH", f"/compliance/cases/{case_id}", {"note": "mine?"}, bob).status == 403
    assert case_id not in [
        c["caseId"] for c in call(platform, "GET", "/compliance/cases", token=bob).json()["items"]
    ]
    assert call(platform, "PATCH", "/compliance/cases/CASE-NOPE", {"note": "x"}, alice).status == 404

    step = call(
        platform, "PATCH", f"/compliance/cases/{case_id}", {"status": "investigating", "version": 1}, alice
    )
    assert step.status == 200 and step.json()["version"] == 2
    # resolving needs a resolution
    assert (
        call(platform, "PATCH", f"/compliance/cases/{case_id}", {"status": "resolved"}, alice).status == 400
    )
    done = call(
        platform,
        "PATCH",
        f"/compliance/cases/{case_id}",
        {"status": "resolved", "resolution": "Chargeback filed"},
        alice,
    )
    assert done.status == 200 and done.json()["resolvedAt"] and done.json()["status"] == "resolved"
    # a resolved case cannot be reopened or changed, only annotated
    reopen = call(platform, "PATCH", f"/compliance/cases/{case_id}", {"status": "open"}, alice)
    assert reopen.status == 409 and reopen.json()["error"]["code"] == "CASE_CLOSED"
    assert call(platform, "PATCH", f"/compliance/cases/{case_id}", {"severity": "low"}, alice).status == 409
    noted = call(platform, "PATCH", f"/compliance/cases/{case_id}", {"note": "Customer informed"}, alice)
    assert noted.status == 200 and noted.json()["notes"][-1]["text"] == "Customer informed"
    # the admin sees it; filters apply
    listed = call(
        platform, "GET", "/compliance/cases?status=resolved&severity=high", token=token(users, "carol")
    )
    assert case_id in [c["caseId"] for c in listed.json()["items"]]
    assert case_id not in [
        c["caseId"]
        for c in call(platform, "GET", "/compliance/cases?status=open", token=token(users, "carol")).json()[
            "items"
        ]
    ]


def test_two_edits_of_the_same_version_one_wins(platform, users):
    alice = token(users, "alice")
    case = call(platform, "POST", "/compliance/cases", {"title": "Race", "severity": "low"}, alice).json()
    results: list[Response] = []
    barrier = threading.Barrier(2)

    def edit(severity: str) -> None:
        barrier.wait()
        results.append(
            call(
                platform,
                "PATCH",
                f"/compliance/cases/{case['caseId']}",
                {"severity": severity, "version": 1},
                alice,
            )
        )

    threads = [threading.Thread(target=edit, args=(s,)) for s in ("medium", "critical")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.status for r in results) == [200, 409], results
    loser = next(r for r in results if r.status == 409)
    assert loser.json()["error"]["code"] == "VERSION_CONFLICT"
    winner = next(r for r in results if r.status == 200).json()
    # the stored case is the winner's, at version 2
    page = call(platform, "GET", "/compliance/cases?limit=200", token=alice).json()["items"]
    stored = next(c for c in page if c["caseId"] == case["caseId"])
    assert stored["severity"] == winner["severity"] and stored["version"] == 2


def test_case_listing_pages_without_overlap(platform, users):
    bob = token(users, "bob")
    made = [
        call(platform, "POST", "/compliance/cases", {"title": f"P{i}", "severity": "medium"}, bob).json()[
            "caseId"
        ]
        for i in range(5)
    ]
    seen, cursor = [], None
    for _ in range(5):
        page = call(
            platform, "GET", "/compliance/cases?limit=2" + (f"&cursor={cursor}" if cursor else ""), token=bob
        ).json()
        assert page["count"] == len(page["items"]) <= 2
        seen += [c["caseId"] for c in page["items"]]
        cursor = page.get("nextCursor")
        if not cursor:
            break
    assert sorted(seen) == sorted(made)  # bob sees exactly his cases, newest first, once each
    assert seen == list(reversed(made))
    assert call(platform, "GET", "/compliance/cases?cursor=bm9wZQ", token=bob).status == 400


# ---- fraud ----------------------------------------------------------------------------------------
def test_fraud_detection_scores_with_reasons(platform, users):
    alice = token(users, "alice")
    safe = call(
        platform,
        "POST",
        "/compliance/fraud-detection",
        {"amount": 40, "currency": "USD", "paymentMethod": "paypal", "billingCountry": "US", "shippingCountry": "US",
         "ipCountry": "US", "attempts": 1, "timestamp": "2026-06-30T14:00:00Z"},
        alice,
    )  # fmt: skip
    risky = call(
        platform,
        "POST",
        "/compliance/fraud-detection",
        {"transactionId": "T-1", "amount": 2500, "currency": "USD", "paymentMethod": "gift_card", "billingCountry": "US",
         "shippingCountry": "NG", "ipCountry": "RU", "attempts": 4, "timestamp": "2026-06-30T03:00:00+01:00"},
        alice,
    )  # fmt: skip
    assert safe.status == 200 and risky.status == 200, (safe, risky)
    s, r = safe.json(), risky.json()
    assert r["score"] > 0.8 > 0.5 > s["score"]
    assert (s["decision"], r["decision"], r["riskLevel"]) == ("approve", "decline", "high")
    assert r["transactionId"] == "T-1" and r["modelVersion"].startswith("fraud-lr-")
    codes = [x["code"] for x in r["reasons"]]
    assert {"COUNTRY_MISMATCH", "IP_COUNTRY_MISMATCH", "MANY_ATTEMPTS", "NIGHT_TIME", "HIGH_AMOUNT"} <= set(
        codes
    )
    contributions = [x["contribution"] for x in r["reasons"]]
    assert contributions == sorted(contributions, reverse=True) and all(0 < c <= 1 for c in contributions)
    bad = call(
        platform,
        "POST",
        "/compliance/fraud-detection",
        {"amount": 1, "currency": "XXX", "paymentMethod": "card"},
        alice,
    )
    assert bad.status == 400


def _duckdb(platform):
    import duckdb

    con = duckdb.connect()
    con.execute(
        f"CREATE VIEW payments AS SELECT * FROM read_parquet('{platform.data_dir}/payments/**/*.parquet', hive_partitioning=true)"  # noqa: S608
    )
    return con


def test_fraud_statistics_match_the_data(platform, users):
    resp = call(
        platform,
        "GET",
        "/compliance/fraud-statistics?from=2026-01-01&to=2026-03-31",
        token=token(users, "alice"),
    )
    assert resp.status == 200, resp
    stats = resp.json()
    con = _duckdb(platform)
    n, fraud, cb = con.execute(
        "SELECT COUNT(*), SUM(CASE WHEN is_fraud THEN 1 ELSE 0 END), SUM(CASE WHEN chargeback THEN 1 ELSE 0 END) "
        "FROM payments WHERE created_ts >= '2026-01-01' AND created_ts < '2026-04-01'"
    ).fetchone()
    assert (stats["transactions"], stats["fraudulent"], stats["chargebacks"]) == (n, fraud, cb)
    assert sum(b["transactions"] for b in stats["byMethod"]) == n
    assert sum(b["fraudulent"] for b in stats["byCountry"]) == fraud
    assert sum(b["transactions"] for b in stats["byAmountBand"]) == n
    gift = dict(con.execute(
        "SELECT method, COUNT(*) FROM payments WHERE created_ts >= '2026-01-01' AND created_ts < '2026-04-01' GROUP BY 1"
    ).fetchall())  # fmt: skip
    assert {b["key"]: b["transactions"] for b in stats["byMethod"]} == gift
    rates = [b["fraudRate"] for b in stats["byCountry"]]
    assert rates == sorted(rates, reverse=True)
    lows = [b["minAmountUsd"] for b in stats["byAmountBand"]]
    assert lows == sorted(lows)


def test_high_risk_transactions_are_mostly_fraud(platform, users):
    alice = token(users, "alice")
    resp = call(
        platform,
        "GET",
        "/compliance/high-risk-transactions?from=2024-07-01&to=2026-06-30&minScore=0.5&limit=200",
        token=alice,
    )
    assert resp.status == 200, resp
    page = resp.json()
    items = page["items"]
    assert items, page
    scores = [i["score"] for i in items]
    assert scores == sorted(scores, reverse=True) and min(scores) >= 0.5
    con = _duckdb(platform)
    ids = [i["paymentId"] for i in items]
    fraud = con.execute(
        f"SELECT SUM(CASE WHEN is_fraud THEN 1 ELSE 0 END) FROM payments WHERE payment_id IN ({','.join('?' * len(ids))})",  # noqa: S608
        ids,
    ).fetchone()[0]
    assert fraud / len(ids) >= 0.5  # what the model flags is mostly real fraud (base rate ~1.5 %)
    only = call(
        platform,
        "GET",
        "/compliance/high-risk-transactions?from=2024-07-01&to=2026-06-30&minScore=0.3&paymentMethod=gift_card",
        token=alice,
    ).json()
    assert all(i["paymentMethod"] == "gift_card" for i in only["items"])
    # paging: two pages of 3 do not overlap and continue the order
    first = call(
        platform,
        "GET",
        "/compliance/high-risk-transactions?from=2024-07-01&to=2026-06-30&minScore=0.2&limit=3",
        token=alice,
    ).json()
    second = call(
        platform,
        "GET",
        f"/compliance/high-risk-transactions?from=2024-07-01&to=2026-06-30&minScore=0.2&limit=3&cursor={first['nextCursor']}",
        token=alice,
    ).json()
    assert not {i["paymentId"] for i in first["items"]} & {i["paymentId"] for i in second["items"]}
    assert first["items"][-1]["score"] >= second["items"][0]["score"]


def test_risk_scores_of_customers_and_orders(platform, users):
    alice = token(users, "alice")
    con = _duckdb(platform)
    fraudster, order = con.execute(
        "SELECT customer_id, order_id FROM payments WHERE is_fraud AND chargeback ORDER BY payment_id LIMIT 1"
    ).fetchone()
    clean = con.execute(
        "SELECT customer_id FROM payments GROUP BY 1 HAVING COUNT(*) >= 5 AND SUM(CASE WHEN is_fraud OR chargeback THEN 1 ELSE 0 END) = 0 "
        "ORDER BY 1 LIMIT 1"
    ).fetchone()[0]
    bad = call(
        platform, "POST", "/compliance/risk-score", {"entityType": "customer", "entityId": fraudster}, alice
    ).json()
    good = call(
        platform, "POST", "/compliance/risk-score", {"entityType": "customer", "entityId": clean}, alice
    ).json()
    assert bad["score"] > good["score"]
    assert {"CONFIRMED_FRAUD", "CHARGEBACKS"} <= {f["code"] for f in bad["factors"]}
    assert "CONFIRMED_FRAUD" not in {f["code"] for f in good["factors"]}
    o = call(platform, "POST", "/compliance/risk-score", {"entityType": "order", "entityId": order}, alice)
    assert o.status == 200 and o.json()["entityType"] == "order" and o.json()["factors"]
    assert (
        call(
            platform, "POST", "/compliance/risk-score", {"entityType": "order", "entityId": "O9999999"}, alice
        ).status
        == 404
    )
    assert (
        call(
            platform,
            "POST",
            "/compliance/risk-score",
            {"entityType": "customer", "entityId": "C9999999"},
            alice,
        ).status
        == 404
    )


# ---- admin-only: the audit log and the report ------------------------------------------------------
def _audit(platform, users, query: str = "") -> Response:
    platform.audit.flush()
    return call(platform, "GET", "/compliance/audit-log" + query, token=token(users, "carol"))


def test_audit_log_is_admin_only(platform, users):
    for who in ("alice", "bob"):
        resp = call(platform, "GET", "/compliance/audit-log", token=token(users, who))
        assert resp.status == 403 and resp.json()["error"]["code"] == "FORBIDDEN"
    assert call(platform, "GET", "/compliance/compliance-report", token=token(users, "alice")).status == 403
    assert call(platform, "GET", "/compliance/audit-log").status == 401


def test_audit_log_records_every_call(platform, users):
    alice_id = users["alice"][2]
    marker = call(platform, "GET", "/compliance/cases?severity=critical", token=token(users, "alice"))
    refused = call(platform, "GET", "/compliance/cases")  # no token: refused by the gateway
    request_id = marker.headers.get("x-amzn-RequestId") or marker.headers.get("X-Amzn-Requestid")
    resp = _audit(platform, users, f"?userId={alice_id}&limit=200")
    assert resp.status == 200, resp
    events = resp.json()["items"]
    mine = next(e for e in events if e["requestId"] == request_id)
    assert mine["userId"] == alice_id and mine["email"] == users["alice"][0]
    assert (mine["method"], mine["path"], mine["status"]) == ("GET", "/compliance/cases", 200)
    assert mine["sourceIp"] == "127.0.0.1" and mine["latencyMs"] >= 0
    assert all(e["userId"] == alice_id for e in events)
    stamps = [e["timestamp"] for e in events]
    assert stamps == sorted(stamps, reverse=True)
    # the gateway's own refusals are audited too
    denied = _audit(platform, users, "?status=401&limit=200").json()["items"]
    refused_id = refused.headers.get("x-amzn-RequestId") or refused.headers.get("X-Amzn-Requestid")
    assert refused.status == 401 and refused_id in {e["requestId"] for e in denied}
    assert all(e["status"] == 401 for e in denied)
    posts = _audit(platform, users, "?method=POST&limit=200").json()["items"]
    assert posts and all(e["method"] == "POST" for e in posts)


def test_audit_log_pages(platform, users):
    for _ in range(3):
        call(platform, "GET", "/compliance/cases", token=token(users, "bob"))
    first = _audit(platform, users, "?limit=2").json()
    assert first["count"] == 2 and first["nextCursor"]
    second = _audit(platform, users, f"?limit=2&cursor={first['nextCursor']}").json()
    assert not {e["eventId"] for e in first["items"]} & {e["eventId"] for e in second["items"]}
    assert first["items"][-1]["timestamp"] >= second["items"][0]["timestamp"]
    today = date.today()
    old = _audit(
        platform, users, f"?from={today - timedelta(days=40)}&to={today - timedelta(days=35)}"
    ).json()
    assert old["items"] == [] and "nextCursor" not in old


def test_compliance_report(platform, users):
    today = date.today()
    resp = call(
        platform,
        "GET",
        f"/compliance/compliance-report?from={today - timedelta(days=365)}&to={today}",
        token=token(users, "carol"),
    )
    assert resp.status == 200, resp
    report = resp.json()
    assert report["cases"]["opened"] >= 7 and report["cases"]["resolved"] >= 1
    assert report["cases"]["bySeverity"]["high"] >= 1
    assert report["dataProtection"]["pciScans"] >= 2 and report["dataProtection"]["pciFindings"] >= 6
    assert report["dataProtection"]["piiScans"] >= 2
    assert report["access"]["requests"] > 10 and report["access"]["deniedRequests"] >= 3
    assert report["access"]["distinctUsers"] >= 3
    assert report["highlights"]
    # a period of the dataset: fraud figures from the payments
    fraud = call(
        platform,
        "GET",
        "/compliance/compliance-report?from=2026-01-01&to=2026-03-31",
        token=token(users, "carol"),
    ).json()
    stats = call(
        platform,
        "GET",
        "/compliance/fraud-statistics?from=2026-01-01&to=2026-03-31",
        token=token(users, "carol"),
    ).json()
    assert (
        fraud["fraud"]["transactions"] == stats["transactions"]
        and fraud["fraud"]["fraudRate"] == stats["fraudRate"]
    )


def test_no_card_number_in_any_log_line(platform, users):
    """Everything the functions and the gateway logged during this module: no full PAN."""
    platform.audit.flush()
    log = (platform.test_home / "functions.log").read_text()
    assert "compliance-guardian" in log  # the log is the one the functions write
    for pan in PANS:
        assert pan not in log and re.sub(r"(\d{4})", r"\1 ", pan).strip() not in log
