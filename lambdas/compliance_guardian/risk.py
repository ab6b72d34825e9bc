"""Fraud statistics, high-risk transactions and the risk of a customer or an order, from the
payments in the warehouse (`shared.warehouse`, `?` parameters only).

- `fraud_statistics`: payments, confirmed fraud and chargebacks of a period, broken down by
  method, billing country and USD amount band: one query (four GROUP BYs in a UNION ALL).
- `high_risk`: every payment of the period scored by the fraud model (`fraud.py`), those at or
  above `minScore`, highest first. Scoring a period needs each payment's history (window
  functions over all earlier payments), so a period's scores are computed once per data version
  and kept as an artifact (`compliance/scored/<from>_<to>`): the dashboard's default period
  costs one scoring per dataset, then a file read.
- `customer_risk`: the share of the customer's history that carries each red flag (confirmed
  fraud, chargebacks, country mismatches, returned orders), each shrunk towards the population's
  rate by `PRIOR_PAYMENTS` pseudo-payments (empirical Bayes: a customer with one payment is not
  100 % anything), combined as independent risks: 1 - prod(1 - rate).
- `order_risk`: the fraud model's score of the order's payment (as it was known when it was
  made) combined with its customer's risk the same way.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from shared.errors import NotFound
from shared.lake_schema import DATA_END, DATA_START

from compliance_guardian import features, fraud

AMOUNT_BANDS = (0, 25, 50, 100, 250, 500, 1000)  # USD lower bounds; the last band is open
PRIOR_PAYMENTS = 5


def _band_sql() -> str:
    cases = " ".join(
        f"WHEN amount_usd < {hi} THEN {i}" for i, hi in enumerate(AMOUNT_BANDS[1:])
    )  # constants of this module, not input
    return f"CASE {cases} ELSE {len(AMOUNT_BANDS) - 1} END"


def _period_where() -> str:
    return "created_ts >= ? AND created_ts < ? AND year BETWEEN ? AND ?"


def _period_params(first: date, last: date) -> list[Any]:
    return [
        datetime.combine(first, time()),
        datetime.combine(last + timedelta(days=1), time()),
        first.year,
        last.year,
    ]


def fraud_statistics(warehouse: Any, first: date, last: date) -> dict[str, Any]:
    """The statistics of a period: computed once per data version and period, then read."""
    from shared import artifacts

    if last < DATA_START or first > DATA_END:  # no payment can be there: nothing to scan
        return _statistics([], first, last)
    return artifacts.cached(
        f"compliance/fraud-stats/{first.isoformat()}_{last.isoformat()}",
        lambda: _statistics(_statistics_rows(warehouse, first, last), first, last),
    )


def _statistics_rows(warehouse: Any, first: date, last: date) -> list[dict[str, Any]]:
    agg = (
        "COUNT(*) AS transactions, SUM(CASE WHEN is_fraud THEN 1 ELSE 0 END) AS fraudulent, "
        "SUM(CASE WHEN chargeback THEN 1 ELSE 0 END) AS chargebacks, "
        "SUM(CASE WHEN is_fraud THEN amount_usd ELSE 0 END) AS fraud_usd"
    )
    band = _band_sql()
    where = _period_where()
    # Only this module's constants are formatted in; every value is a ? parameter.
    sql = (
        f"WITH p AS (SELECT method, billing_country, amount_usd, is_fraud, chargeback, {band} AS band "  # noqa: S608
        f"FROM payments WHERE {where}) "
        f"SELECT 'total' AS dim, 'all' AS k, {agg} FROM p "
        f"UNION ALL SELECT 'method' AS dim, method AS k, {agg} FROM p GROUP BY method "
        f"UNION ALL SELECT 'country' AS dim, billing_country AS k, {agg} FROM p GROUP BY billing_country "
        f"UNION ALL SELECT 'band' AS dim, CAST(band AS VARCHAR) AS k, {agg} FROM p GROUP BY band"
    )
    return warehouse.query(sql, _period_params(first, last))


def _statistics(rows: list[dict[str, Any]], first: date, last: date) -> dict[str, Any]:
    def breakdown(row: dict[str, Any], key: str) -> dict[str, Any]:
        n = int(row["transactions"] or 0)
        fraudulent = int(row["fraudulent"] or 0)
        return {
            "key": key,
            "transactions": n,
            "fraudulent": fraudulent,
            "fraudRate": round(fraudulent / n, 6) if n else 0.0,
            "fraudAmountUsd": round(float(row["fraud_usd"] or 0.0), 2),
            "chargebackRate": round(int(row["chargebacks"] or 0) / n, 6) if n else 0.0,
        }

    total = next((r for r in rows if r["dim"] == "total"), None) or {
        "transactions": 0,
        "fraudulent": 0,
        "chargebacks": 0,
        "fraud_usd": 0.0,
    }
    by_method = sorted(
        (breakdown(r, r["k"]) for r in rows if r["dim"] == "method"), key=lambda b: -b["transactions"]
    )
    by_country = sorted(
        (breakdown(r, r["k"]) for r in rows if r["dim"] == "country"),
        key=lambda b: (-b["fraudRate"], -b["transactions"], b["key"]),
    )
    by_band = []
    for r in sorted((r for r in rows if r["dim"] == "band"), key=lambda r: int(r["k"])):
        i = int(r["k"])
        lo = AMOUNT_BANDS[i]
        hi = AMOUNT_BANDS[i + 1] if i + 1 < len(AMOUNT_BANDS) else None
        item = breakdown(r, f"{lo}-{hi}" if hi is not None else f"{lo}+")
        item["minAmountUsd"] = float(lo)
        if hi is not None:
            item["maxAmountUsd"] = float(hi)
        by_band.append(item)
    n = int(total["transactions"] or 0)
    return {
        "period": {"from": first.isoformat(), "to": last.isoformat()},
        "transactions": n,
        "fraudulent": int(total["fraudulent"] or 0),
        "fraudRate": round(int(total["fraudulent"] or 0) / n, 6) if n else 0.0,
        "chargebacks": int(total["chargebacks"] or 0),
        "chargebackRate": round(int(total["chargebacks"] or 0) / n, 6) if n else 0.0,
        "fraudAmountUsd": round(float(total["fraud_usd"] or 0.0), 2),
        "byMethod": by_method,
        "byCountry": by_country,
        "byAmountBand": by_band,
    }


# ---- scored periods -----------------------------------------------------------------------------
def scored_period(warehouse: Any, first: date, last: date) -> list[dict[str, Any]]:
    """Every payment of the period with its fraud score and reason codes, highest score first
    (computed once per data version and period)."""
    from shared import artifacts

    if last < DATA_START or first > DATA_END:
        return []

    def compute() -> list[dict[str, Any]]:
        columns, rows = features.payment_rows(warehouse, first, last)
        scores, codes = fraud.score_rows(columns, rows)
        col = {name: i for i, name in enumerate(columns)}
        out = []
        for k, row in enumerate(rows):
            out.append(
                {
                    "paymentId": row[col["payment_id"]],
                    "orderId": row[col["order_id"]],
                    "customerId": row[col["customer_id"]],
                    "amount": round(float(row[col["amount"]]), 2),
                    "currency": row[col["currency"]],
                    "amountUsd": round(float(row[col["amount_usd"]]), 2),
                    "paymentMethod": row[col["method"]],
                    "billingCountry": row[col["billing_country"]],
                    "ipCountry": row[col["ip_country"]],
                    "score": round(float(scores[k]), 4),
                    "decision": fraud.decision(float(scores[k])),
                    "reasons": codes[k],
                    "createdAt": row[col["created_ts"]].isoformat(timespec="seconds"),
                    "isFraud": bool(row[col["is_fraud"]]),
                }
            )
        out.sort(key=lambda p: (-p["score"], p["paymentId"]))
        return out

    version = fraud.model()["version"]
    return artifacts.cached(f"compliance/scored/{version}/{first.isoformat()}_{last.isoformat()}", compute)


def high_risk(
    warehouse: Any,
    first: date,
    last: date,
    *,
    min_score: float,
    method: str | None = None,
    country: str | None = None,
) -> list[dict[str, Any]]:
    out = []
    for p in scored_period(warehouse, first, last):
        if p["score"] < min_score:
            break  # sorted by score
        if (method and p["paymentMethod"] != method) or (country and p["billingCountry"] != country):
            continue
        out.append({k: v for k, v in p.items() if k != "isFraud"})
    return out


# ---- customers and orders ----------------------------------------------------------------------
CUSTOMER_SQL = """
SELECT 'c' AS k, COUNT(*) AS n, 0 AS fraud, 0 AS chargebacks, 0 AS mismatches, 0 AS returned
FROM customers WHERE customer_id = ?
UNION ALL
SELECT 'p' AS k, COUNT(*) AS n,
       SUM(CASE WHEN is_fraud THEN 1 ELSE 0 END) AS fraud,
       SUM(CASE WHEN chargeback THEN 1 ELSE 0 END) AS chargebacks,
       SUM(CASE WHEN billing_country <> shipping_country OR billing_country <> ip_country THEN 1 ELSE 0 END)
           AS mismatches,
       0 AS returned
FROM payments WHERE customer_id = ?
UNION ALL
SELECT 'o' AS k, COUNT(*) AS n, 0 AS fraud, 0 AS chargebacks, 0 AS mismatches,
       SUM(CASE WHEN status = 'returned' THEN 1 ELSE 0 END) AS returned
FROM orders WHERE customer_id = ?
"""
POPULATION_SQL = """
SELECT 'p' AS k, COUNT(*) AS n,
       SUM(CASE WHEN is_fraud THEN 1 ELSE 0 END) AS fraud,
       SUM(CASE WHEN chargeback THEN 1 ELSE 0 END) AS chargebacks,
       SUM(CASE WHEN billing_country <> shipping_country OR billing_country <> ip_country THEN 1 ELSE 0 END)
           AS mismatches,
       0 AS returned
FROM payments
UNION ALL
SELECT 'o' AS k, COUNT(*) AS n, 0 AS fraud, 0 AS chargebacks, 0 AS mismatches,
       SUM(CASE WHEN status = 'returned' THEN 1 ELSE 0 END) AS returned
FROM orders
"""


def population_rates(warehouse: Any) -> dict[str, float]:
    """The population's rate of each red flag (the prior of `customer_risk`), once per data version."""
    from shared import artifacts

    def compute() -> dict[str, float]:
        rows = {r["k"]: r for r in warehouse.query(POPULATION_SQL)}
        payments, orders = rows["p"], rows["o"]
        n, m = max(int(payments["n"] or 0), 1), max(int(orders["n"] or 0), 1)
        return {
            "fraud": int(payments["fraud"] or 0) / n,
            "chargebacks": int(payments["chargebacks"] or 0) / n,
            "mismatches": int(payments["mismatches"] or 0) / n,
            "returned": int(orders["returned"] or 0) / m,
        }

    return artifacts.cached("compliance/population-rates", compute)


FACTORS = {
    "fraud": ("CONFIRMED_FRAUD", "payments", "of the customer's payments were confirmed fraud"),
    "chargebacks": ("CHARGEBACKS", "payments", "of the customer's payments ended in a chargeback"),
    "mismatches": ("COUNTRY_MISMATCH", "payments", "of the customer's payments had mismatched countries"),
    "returned": ("RETURNS", "orders", "of the customer's orders were returned"),
}
POPULATION = {
    "fraud": "fraud_rate",
    "chargebacks": "chargeback_rate",
    "mismatches": "mismatch_rate",
    "returned": "return_rate",
}


def level(score: float) -> str:
    return "critical" if score >= 0.8 else "high" if score >= 0.5 else "medium" if score >= 0.2 else "low"


def _combine(risks: dict[str, float]) -> tuple[float, dict[str, float]]:
    """1 - prod(1 - r) and each risk's share of it (its marginal: the score minus the score
    without it)."""
    total = 1.0
    for r in risks.values():
        total *= 1.0 - r
    score = 1.0 - total
    marginal = {}
    for name, r in risks.items():
        without = 1.0 - (total / (1.0 - r) if r < 1.0 else 0.0)
        marginal[name] = max(score - without, 0.0)
    return score, marginal


def customer_risk(warehouse: Any, customer_id: str) -> dict[str, Any]:
    rows = {r["k"]: r for r in warehouse.query(CUSTOMER_SQL, [customer_id, customer_id, customer_id])}
    if not int(rows["c"]["n"] or 0):
        raise NotFound(f"No customer {customer_id}")
    population = population_rates(warehouse)
    risks, factors = {}, {}
    for key, (code, base, _) in FACTORS.items():
        row = rows["p" if base == "payments" else "o"]
        count, n = int(row[key] or 0), int(row["n"] or 0)
        risks[key] = (count + PRIOR_PAYMENTS * population[key]) / (n + PRIOR_PAYMENTS)
        factors[key] = (code, count, n)
    score, marginal = _combine(risks)
    out = []
    for key, (code, count, n) in factors.items():
        if count == 0 or marginal[key] < 0.0005:
            continue
        out.append(
            {
                "code": code,
                "message": f"{count} of {n} {FACTORS[key][2]}",
                "contribution": round(marginal[key], 4),
            }
        )
    out.sort(key=lambda f: -f["contribution"])
    return {
        "entityType": "customer",
        "entityId": customer_id,
        "score": round(score, 4),
        "level": level(score),
        "factors": out,
    }


ORDER_SQL = """
SELECT p.payment_id, p.customer_id, p.method, p.card_bin, p.amount, p.currency, p.billing_country,
       p.shipping_country, p.ip_country, p.device_id, p.attempts, p.created_ts
FROM payments p WHERE p.order_id = ?
"""


def order_risk(warehouse: Any, order_id: str, today: date) -> dict[str, Any]:
    row = warehouse.query_one(ORDER_SQL, [order_id])
    if row is None:
        raise NotFound(f"No order {order_id}")
    request = {
        "customerId": row["customer_id"],
        "amount": float(row["amount"]),
        "currency": row["currency"],
        "paymentMethod": row["method"],
        "cardBin": row["card_bin"],
        "billingCountry": row["billing_country"],
        "shippingCountry": row["shipping_country"],
        "ipCountry": row["ip_country"],
        "deviceId": row["device_id"],
        "attempts": int(row["attempts"]),
        "timestamp": row["created_ts"].isoformat(),
    }
    doc = fraud.model()
    facts = fraud.transaction_facts(warehouse, request, today)
    payment_score, reasons = fraud.explain(doc, features.vector(facts), row["method"])
    customer = customer_risk(warehouse, row["customer_id"])
    score, marginal = _combine({"payment": payment_score, "customer": customer["score"]})
    factors = []
    # the payment's reasons share the payment's part of the score in proportion
    reason_total = sum(r["contribution"] for r in reasons) or 1.0
    for r in reasons:
        factors.append(
            {**r, "contribution": round(marginal["payment"] * r["contribution"] / reason_total, 4)}
        )
    if marginal["customer"] >= 0.0005:
        factors.append(
            {
                "code": "CUSTOMER_RISK",
                "message": f"The customer's history scores {customer['score']:.2f}",
                "contribution": round(marginal["customer"], 4),
            }
        )
    factors = [f for f in factors if f["contribution"] > 0]
    factors.sort(key=lambda f: -f["contribution"])
    return {
        "entityType": "order",
        "entityId": order_id,
        "score": round(score, 4),
        "level": level(score),
        "factors": factors,
    }
