"""Fraud scoring: a logistic regression over the features of `features.py`, fitted on the
labelled payments before a cut-off and evaluated on the payments after it.

The parameters are data, not code: `train()` fits them and they are kept as the artifact
`compliance/fraud-model` of the current data version (`shared.artifacts.cached`: on disk
locally, under `_artifacts/` of the curated bucket in AWS). The training command
(`python -m compliance_guardian.train`) writes it ahead of time and prints the evaluation; a
function that finds none for the current data fits it once on first use and stores it, so a new
dataset never meets a stale model. `model()` reads it once per container (cold start).

Scores are probabilities (the model is fitted on the real fraud rate, so it is calibrated):
decision approve < 0.5 <= review < 0.8 <= decline (the contract's bands). A reason is a
feature whose value raised the score: its contribution is the score minus the score with that
feature at its reference (no mismatch, USD 100, one attempt, a known device, card payment...),
largest first.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np

from compliance_guardian import features
from compliance_guardian.dynamo import iso, now

ARTIFACT = "compliance/fraud-model"
CUTOFF = date(2026, 1, 1)  # train on payments before, evaluate on payments from this day on
REVIEW, DECLINE = 0.5, 0.8
L2_C = 10.0  # weak ridge: keeps rare indicators (ring devices) finite, changes little else
REASONS = {
    "ship_mismatch": ("COUNTRY_MISMATCH", "Shipping country differs from the billing country"),
    "ip_mismatch": ("IP_COUNTRY_MISMATCH", "The client's IP is in another country than the billing address"),
    "age_lt_7d": ("NEW_ACCOUNT", "The account is less than 7 days old"),
    "age_7_30d": ("YOUNG_ACCOUNT", "The account is 7-30 days old"),
    "log_amount": ("HIGH_AMOUNT", "The amount is high"),
    "extra_attempts": ("MANY_ATTEMPTS", "Several authorisation attempts before this one"),
    "night": ("NIGHT_TIME", "Paid at night (00:00-05:59)"),
    "no_history": ("NO_HISTORY", "The customer's first payment"),
    "new_device": ("NEW_DEVICE", "A device this customer never paid from"),
    "shared_device": ("SHARED_DEVICE", "The device was used by other customers"),
    "new_card": ("NEW_CARD", "A card this customer never used before"),
    "first_card": ("FIRST_CARD", "The customer's first card payment"),
}
METHOD_REASON = ("RISKY_METHOD", "Payment method {method} is riskier than card")


def decision(score: float) -> str:
    return "decline" if score >= DECLINE else "review" if score >= REVIEW else "approve"


def risk_level(score: float) -> str:
    return "high" if score >= DECLINE else "medium" if score >= REVIEW else "low"


# ---- training ----------------------------------------------------------------------------------
def train(warehouse: Any, data_version: str = "", cutoff: date = CUTOFF) -> dict[str, Any]:
    """Fit on payments before `cutoff`, evaluate on the rest; the model document."""
    from shared.models.regression import LogisticRegression, roc_auc

    bounds = warehouse.query_one("SELECT MIN(created_ts) AS lo, MAX(created_ts) AS hi FROM payments")
    first, last = bounds["lo"].date(), bounds["hi"].date()
    columns, rows = features.payment_rows(warehouse, first, last)
    x = features.matrix(columns, rows)
    i_fraud, i_ts = columns.index("is_fraud"), columns.index("created_ts")
    y = np.array([bool(r[i_fraud]) for r in rows], dtype=float)
    held_out = np.array([r[i_ts].date() >= cutoff for r in rows])
    if held_out.all() or not held_out.any():
        raise ValueError(f"the cut-off {cutoff} leaves no training or no evaluation payments")
    fit = LogisticRegression(C=L2_C).fit(x[~held_out], y[~held_out])
    score = fit.predict_proba(x[held_out])
    y_test = y[held_out]
    flagged = score >= REVIEW
    doc = {
        "features": list(features.FEATURES),
        "coef": [float(c) for c in fit.coef_],
        "intercept": float(fit.intercept_),
        "thresholds": {"review": REVIEW, "decline": DECLINE},
        "dataVersion": data_version,
        "cutoff": cutoff.isoformat(),
        "trainedAt": iso(now()),
        "metrics": {
            "rocAuc": roc_auc(y_test, score),
            "trainPayments": int((~held_out).sum()),
            "trainFraud": int(y[~held_out].sum()),
            "testPayments": int(held_out.sum()),
            "testFraud": int(y_test.sum()),
            "flaggedRate": float(flagged.mean()),
            "precisionAtFlagged": float(y_test[flagged].mean()) if flagged.any() else None,
            "recallAtFlagged": float(flagged[y_test == 1].mean()) if y_test.any() else None,
        },
    }
    digest = hashlib.sha256(json.dumps([doc["coef"], doc["intercept"]]).encode()).hexdigest()[:8]
    doc["version"] = f"fraud-lr-{cutoff.isoformat()}-{digest}"
    return doc


_model: dict[str, Any] | None = None
_model_version: str | None = None


def model() -> dict[str, Any]:
    """The model of the current data version: read once per container, fitted if missing."""
    global _model, _model_version
    from shared import artifacts
    from shared.warehouse import get_warehouse

    version = artifacts.data_version()
    if _model is None or _model_version != version:
        _model = artifacts.cached(ARTIFACT, lambda: train(get_warehouse(), version))
        _model_version = version
    return _model


# ---- scoring -----------------------------------------------------------------------------------
def _sigmoid(z: np.ndarray | float) -> Any:
    return 1.0 / (1.0 + np.exp(-z))


def scores(doc: Mapping[str, Any], x: np.ndarray) -> np.ndarray:
    return _sigmoid(x @ np.asarray(doc["coef"]) + doc["intercept"])


def explain(
    doc: Mapping[str, Any], x: np.ndarray, method: str | None = None
) -> tuple[float, list[dict[str, Any]]]:
    """(score, reasons) of one feature vector: each feature that raised the score, by how much
    (the score minus the score with the feature at its reference value), largest first."""
    coef = np.asarray(doc["coef"])
    names = doc["features"]
    z = float(x @ coef + doc["intercept"])
    score = float(_sigmoid(z))
    reasons = []
    for i, name in enumerate(names):
        effect = coef[i] * x[i]  # the reference of every feature is 0
        if effect <= 0:
            continue
        contribution = score - float(_sigmoid(z - effect))
        if contribution < 0.0005:
            continue
        if name.startswith("method_"):
            code, message = METHOD_REASON[0], METHOD_REASON[1].format(method=name[len("method_") :])
        else:
            code, message = REASONS[name]
        reasons.append({"code": code, "message": message, "contribution": round(contribution, 4)})
    reasons.sort(key=lambda r: -r["contribution"])
    return score, reasons


# ---- one transaction: its facts from the data --------------------------------------------------
# One pass over payments (the customer's and the device's earlier ones), plus the customer's
# signup and the currency's rates: the facts are then counted here, in Python.
FACTS_SQL = """
SELECT 'p' AS k, customer_id AS a, device_id AS b, card_bin AS c,
       CAST(NULL AS DOUBLE) AS v, CAST(NULL AS DATE) AS d
FROM payments WHERE (customer_id = ? OR device_id = ?) AND created_ts < ?
UNION ALL
SELECT 'c' AS k, customer_id AS a, CAST(NULL AS VARCHAR) AS b, CAST(NULL AS VARCHAR) AS c,
       CAST(NULL AS DOUBLE) AS v, signup_date AS d
FROM customers WHERE customer_id = ?
UNION ALL
SELECT 'r' AS k, currency AS a, CAST(NULL AS VARCHAR) AS b, CAST(NULL AS VARCHAR) AS c,
       rate_to_usd AS v, rate_date AS d
FROM exchange_rates WHERE currency = ? AND rate_date <= ?
"""


def transaction_facts(warehouse: Any, request: Mapping[str, Any], today: date) -> dict[str, Any]:
    """What the data says about a scoring request: the customer's account age and history before
    the payment, the device's other customers, the amount in USD."""
    when = _when(request.get("timestamp"), today)
    customer = request.get("customerId") or ""
    device = request.get("deviceId") or ""
    card_bin = request.get("cardBin")
    currency = request["currency"]
    rows = warehouse.query(FACTS_SQL, [customer, device, when, customer, currency, when.date()])
    history = [r for r in rows if r["k"] == "p"]
    mine = [r for r in history if r["a"] == customer]
    signup = next((r["d"] for r in rows if r["k"] == "c"), None)
    rates = sorted((r["d"], r["v"]) for r in rows if r["k"] == "r")
    rate = 1.0 if currency == "USD" else (rates[-1][1] if rates else None)
    if rate is None:
        from shared.errors import BadRequest

        raise BadRequest.fields({"currency": f"no exchange rate for {currency}"})
    return {
        "method": request["paymentMethod"],
        "billing_country": request.get("billingCountry"),
        "shipping_country": request.get("shippingCountry"),
        "ip_country": request.get("ipCountry"),
        "age_days": (when.date() - signup).days if signup else None,
        "amount_usd": float(request["amount"]) * float(rate),
        "attempts": request.get("attempts") or 1,
        "hour": when.hour if request.get("timestamp") else None,
        "prior_payments": len(mine),
        "prior_card_payments": sum(1 for r in mine if r["c"] is not None),
        "device_id": request.get("deviceId"),
        "device_seen": bool(device) and any(r["b"] == device for r in mine),
        "device_other_customers": len(
            {r["a"] for r in history if device and r["b"] == device and r["a"] != customer}
        ),
        "card_bin": card_bin,
        "bin_seen": bool(card_bin) and any(r["c"] == card_bin for r in mine),
        "known_customer": signup is not None,
    }


def _when(timestamp: str | None, today: date) -> datetime:
    """The payment's moment as a naive local time (the dataset's convention); without one, the
    end of the data's last day."""
    if not timestamp:
        return datetime.combine(today + timedelta(days=1), datetime.min.time()) - timedelta(milliseconds=1)
    moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    return moment.replace(tzinfo=None)


def assess(warehouse: Any, request: Mapping[str, Any], today: date) -> dict[str, Any]:
    doc = model()
    facts = transaction_facts(warehouse, request, today)
    score, reasons = explain(doc, features.vector(facts), request["paymentMethod"])
    out: dict[str, Any] = {
        "score": round(score, 4),
        "decision": decision(score),
        "riskLevel": risk_level(score),
        "reasons": reasons,
        "modelVersion": doc["version"],
        "assessedAt": iso(now()),
    }
    if request.get("transactionId"):
        out = {"transactionId": request["transactionId"], **out}
    return out


def score_rows(columns: list[str], rows: list[tuple]) -> tuple[np.ndarray, list[list[str]]]:
    """Scores and reason codes (largest first) of `features.payment_rows` rows."""
    doc = model()
    x = features.matrix(columns, rows)
    s = scores(doc, x)
    i_method = columns.index("method")
    codes = []
    for k in range(len(rows)):
        if s[k] < 0.05:  # nothing worth explaining; keeps a period's scoring fast
            codes.append([])
            continue
        _, reasons = explain(doc, x[k], rows[k][i_method])
        codes.append([r["code"] for r in reasons])
    return s, codes


def finite(value: float) -> float:
    return value if math.isfinite(value) else 0.0
