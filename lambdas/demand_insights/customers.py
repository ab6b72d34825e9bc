"""Churn, lifetime value, a customer's card and the at-risk list.

Artifacts (`shared.artifacts`, once per data version):
- `demand-insights/customer-base`: every customer's history features at DATA_END (one query).
- `demand-insights/churn-h<days>`: the churn model for an inactivity horizon H: a logistic
  regression (shared.models.customers.ChurnModel) on recency, frequency (orders in 365 days),
  monetary (spend in 365 days), tenure and the 90-day order trend, measured at the cut-off
  DATA_END - H, with the label "no order in (cut-off, DATA_END]". It is fitted on 80 % of the
  customers; the other 20 % (customer number divisible by 5) are held out and its ROC-AUC on
  them is stored with it. Scores for today apply it to the features at DATA_END.
- `demand-insights/clv-model`: BG/NBD + Gamma-Gamma (shared.models.clv) fitted at DATA_END on
  the customers with an order (time in weeks since the first order); beyond 10,000 such
  customers on a seeded sample of 10,000 (the parameters describe the population).
- `demand-insights/customer-scores`: churn probability (H = 90) and discounted 12-month value
  (10 %/yr) of every customer, for the at-risk list and the customer card.
A customer who never ordered is scored from signup (BG/NBD: x = 0, T = weeks since signup).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np
from shared import artifacts
from shared.errors import NotFound
from shared.lake_schema import DATA_END
from shared.models.clv import BGNBD, GammaGamma, discounted_value
from shared.models.customers import ChurnModel, risk_band
from shared.models.regression import roc_auc
from shared.pagination import encode_cursor

from demand_insights import data, segments

DEFAULT_HORIZON = 90
CARD_MONTHS = 12
CARD_DISCOUNT = 0.10
HOLDOUT_EVERY = 5  # customers whose number is divisible by 5 are held out of the churn fit
WEEK = 7.0
CLV_FIT_SAMPLE = 10_000  # customers the BG/NBD and Gamma-Gamma parameters are fitted on, at most


# ---- features --------------------------------------------------------------------------------
def _features_doc(cutoff: date, label_end: date | None = None) -> dict[str, Any]:
    f = data.customer_features(cutoff, label_end)
    # JSON has no NaN: "never ordered" is stored as null (numpy reads it back as NaN)
    return {
        key: list(v) if v.dtype == object else [None if np.isnan(x) else float(x) for x in v]
        for key, v in f.items()
    }


def base() -> dict[str, Any]:
    """Every customer's history at DATA_END (cached)."""
    return artifacts.cached("demand-insights/customer-base", lambda: _features_doc(DATA_END))


def _arrays(doc: dict[str, Any]) -> dict[str, np.ndarray]:
    return {
        k: np.asarray(v, dtype=object if k in ("customer_id", "region") else float)
        for k, v in doc.items()
        if isinstance(v, list)
    }


_memo: dict[str, tuple[Any, Any]] = {}


def _once(name: str, doc: Any, make: Any) -> Any:
    """`make(doc)`, computed once per document (artifacts return the same object until the data
    version changes): arrays and indexes built from an artifact are not rebuilt per request."""
    held = _memo.get(name)
    if held is None or held[0] is not doc:
        held = _memo[name] = (doc, make(doc))
    return held[1]


def base_arrays() -> tuple[dict[str, np.ndarray], dict[str, int]]:
    """The customer base as arrays, and customer id -> row."""
    return _once(
        "base", base(), lambda doc: (_arrays(doc), {cid: i for i, cid in enumerate(doc["customer_id"])})
    )


def churn_features(f: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The churn model's raw features from the history features (recency falls back to the
    days since signup for customers who never ordered)."""
    recency = np.where(np.isnan(f["last_days"]), f["signup_days"], f["last_days"])
    return {
        "recency": recency,
        "frequency": f["orders_365"],
        "monetary": f["spend_365"],
        "tenure": f["signup_days"],
        "trend": f["orders_90"] - f["orders_90_180"],
    }


def _held_out(ids: np.ndarray) -> np.ndarray:
    return np.array([int(str(c).lstrip("C") or 0) % HOLDOUT_EVERY == 0 for c in ids], dtype=bool)


# ---- churn -----------------------------------------------------------------------------------
def churn_model(horizon: int) -> tuple[ChurnModel, dict[str, Any]]:
    doc = artifacts.cached(f"demand-insights/churn-h{horizon}", lambda: _fit_churn(horizon))
    return ChurnModel.from_dict(doc["model"]), doc


def _fit_churn(horizon: int) -> dict[str, Any]:
    cutoff = DATA_END - timedelta(days=horizon)
    f = {k: np.asarray(v) for k, v in data.customer_features(cutoff, DATA_END).items()}
    x = churn_features(f)
    churned = (f["orders_after"] == 0).astype(float)
    test = _held_out(f["customer_id"])
    train = {k: v[~test] for k, v in x.items()}
    model = ChurnModel(C=1.0).fit(train, churned[~test])
    auc = None
    if test.any() and 0 < churned[test].sum() < test.sum():
        auc = roc_auc(churned[test], model.predict_proba({k: v[test] for k, v in x.items()}))
    return {
        "model": model.to_dict(),
        "horizonDays": horizon,
        "cutoff": cutoff.isoformat(),
        "trained": int((~test).sum()),
        "heldOut": int(test.sum()),
        "churnRate": float(churned.mean()) if len(churned) else 0.0,
        "heldOutAuc": auc,
    }


def churn(customer_ids: list[str], horizon: int) -> dict[str, Any]:
    model, _ = churn_model(horizon)
    f, index = base_arrays()
    known = [c for c in customer_ids if c in index]
    rows = np.array([index[c] for c in known], dtype=int)
    sub = {k: v[rows] for k, v in f.items()}
    x = churn_features(sub)
    p = model.predict_proba(x) if len(rows) else np.zeros(0)
    drivers = model.drivers(x) if len(rows) else []
    out = []
    for j, cid in enumerate(known):
        item: dict[str, Any] = {
            "customerId": cid,
            "probability": round(float(p[j]), 4),
            "risk": str(risk_band(p[j])),
            "drivers": drivers[j],
        }
        if not np.isnan(sub["last_days"][j]):
            item["recencyDays"] = int(sub["last_days"][j])
        out.append(item)
    return {
        "inactivityDays": horizon,
        "customers": out,
        "notFound": [c for c in customer_ids if c not in index],
    }


# ---- lifetime value --------------------------------------------------------------------------
def clv_models() -> tuple[BGNBD, GammaGamma]:
    doc = artifacts.cached("demand-insights/clv-model", _fit_clv)
    return BGNBD.from_dict(doc["bgnbd"]), GammaGamma.from_dict(doc["gammaGamma"])


def clv_inputs(f: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """BG/NBD and Gamma-Gamma inputs (weeks) from history features at the reference date."""
    ordered = ~np.isnan(f["first_days"])
    n = f["orders_all"]
    x = np.where(ordered, np.maximum(n - 1, 0), 0.0)
    age = np.where(ordered, f["first_days"], f["signup_days"]) / WEEK
    t_x = np.where(ordered, (np.nan_to_num(f["first_days"]) - np.nan_to_num(f["last_days"])) / WEEK, 0.0)
    mean_value = np.where(n > 0, f["spend_all"] / np.maximum(n, 1), 0.0)
    return {"x": x, "t_x": t_x, "T": np.maximum(age, 0.0), "n": n, "m": mean_value, "ordered": ordered}


def _fit_clv() -> dict[str, Any]:
    f = _arrays(base())
    inputs = clv_inputs(f)
    rows = np.flatnonzero(inputs["ordered"])
    if len(rows) > CLV_FIT_SAMPLE:  # population parameters: a seeded sample bounds the fit's time
        rows = np.sort(np.random.default_rng(42).choice(rows, CLV_FIT_SAMPLE, replace=False))
    bg = BGNBD().fit(inputs["x"][rows], inputs["t_x"][rows], inputs["T"][rows])
    gg = GammaGamma().fit(inputs["n"][rows], inputs["m"][rows])
    return {"bgnbd": bg.to_dict(), "gammaGamma": gg.to_dict(), "customers": len(rows)}


def _value(f: dict[str, np.ndarray], months: int, rate: float) -> dict[str, np.ndarray]:
    bg, gg = clv_models()
    i = clv_inputs(f)
    value, orders, aov = discounted_value(
        bg, gg, months=months, annual_rate=rate, x=i["x"], t_x=i["t_x"], T=i["T"], n=i["n"], m=i["m"]
    )
    alive = bg.probability_alive(i["x"], i["t_x"], i["T"])
    return {"value": value, "orders": orders, "aov": aov, "alive": alive}


def clv(customer_ids: list[str], months: int, rate: float) -> dict[str, Any]:
    f, index = base_arrays()
    known = [c for c in customer_ids if c in index]
    rows = np.array([index[c] for c in known], dtype=int)
    sub = {k: v[rows] for k, v in f.items()}
    v = _value(sub, months, rate) if len(rows) else {}
    out = [
        {
            "customerId": cid,
            "historicalValue": round(float(sub["spend_all"][j]), 2),
            "predictedValue": round(float(v["value"][j]), 2),
            "expectedOrders": round(float(v["orders"][j]), 3),
            "averageOrderValue": round(float(v["aov"][j]), 2),
            "probabilityAlive": round(float(v["alive"][j]), 4),
        }
        for j, cid in enumerate(known)
    ]
    return {
        "horizonMonths": months,
        "currency": "USD",
        "customers": out,
        "notFound": [c for c in customer_ids if c not in index],
    }


# ---- every customer's scores -----------------------------------------------------------------
def scores() -> dict[str, Any]:
    return artifacts.cached("demand-insights/customer-scores", _compute_scores)


def _compute_scores() -> dict[str, Any]:
    f = _arrays(base())
    model, _ = churn_model(DEFAULT_HORIZON)
    p = model.predict_proba(churn_features(f))
    v = _value(f, CARD_MONTHS, CARD_DISCOUNT)
    return {
        "ids": list(f["customer_id"]),
        "region": list(f["region"]),
        "churn": np.round(p, 4).tolist(),
        "clv12": np.round(v["value"], 2).tolist(),
        "lastDays": [None if np.isnan(d) else int(d) for d in f["last_days"]],
    }


def card(customer_id: str) -> dict[str, Any]:
    person = data.customers_by_id([customer_id]).get(customer_id)
    if person is None:
        raise NotFound(f"No customer {customer_id}")
    history = data.customer_orders(customer_id, DATA_END)
    doc = scores()
    i = _once("scores-index", doc, lambda d: {cid: j for j, cid in enumerate(d["ids"])}).get(customer_id)
    segment, rfm = segments.of_customer(customer_id)
    last = history.get("last_order")
    if rfm is None:  # no order in the segmentation window: RFM from the whole history
        rfm = {
            "recencyDays": (DATA_END - last).days if last else (DATA_END - person["signup_date"]).days,
            "frequency": 0,
            "monetary": 0.0,
        }
    p = float(doc["churn"][i]) if i is not None else 0.0
    out: dict[str, Any] = {
        "customerId": customer_id,
        "name": person.get("name"),
        "country": person.get("country"),
        "region": person.get("region"),
        "signupDate": person["signup_date"].isoformat() if person.get("signup_date") else None,
        "currency": "USD",
        "orders": int(history.get("completed") or 0),
        "rfm": rfm,
        "segment": segment,
        "lifetimeValue": {
            "historical": round(float(history.get("spend") or 0.0), 2),
            "predicted12Months": float(doc["clv12"][i]) if i is not None else 0.0,
        },
        "churn": {"probability": round(p, 4), "risk": str(risk_band(p))},
    }
    if last:
        out["lastOrderDate"] = last.isoformat()
    return {k: v for k, v in out.items() if v is not None}


def at_risk(min_probability: float, region: str | None, limit: int, offset: int) -> dict[str, Any]:
    doc = scores()
    p, value, regions, ids = _once(
        "scores-arrays",
        doc,
        lambda d: (
            np.asarray(d["churn"], dtype=float),
            np.asarray(d["clv12"], dtype=float),
            np.asarray(d["region"], dtype=object),
            np.asarray(d["ids"], dtype=object),
        ),
    )
    keep = p >= min_probability
    if region:
        keep &= regions == region
    rows = np.flatnonzero(keep)
    at_stake = p[rows] * value[rows]
    rows = rows[np.lexsort((ids[rows], -at_stake))]
    page = rows[offset : offset + limit]
    info = data.customers_by_id([doc["ids"][i] for i in page]) if len(page) else {}
    items = []
    for i in page:
        cid = doc["ids"][i]
        item: dict[str, Any] = {
            "customerId": cid,
            "region": doc["region"][i],
            "churnProbability": float(p[i]),
            "risk": str(risk_band(p[i])),
            "lifetimeValue": float(value[i]),
            "valueAtRisk": round(float(p[i] * value[i]), 2),
        }
        if info.get(cid, {}).get("name"):
            item["name"] = info[cid]["name"]
        if doc["lastDays"][i] is not None:
            item["recencyDays"] = doc["lastDays"][i]
            item["lastOrderDate"] = (DATA_END - timedelta(days=doc["lastDays"][i])).isoformat()
        items.append(item)
    out: dict[str, Any] = {
        "items": items,
        "count": len(items),
        "currency": "USD",
        "totalValueAtRisk": round(float((p[keep] * value[keep]).sum()), 2),
    }
    if offset + limit < len(rows):
        out["nextCursor"] = encode_cursor({"offset": offset + limit})
    return out
