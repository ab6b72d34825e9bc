"""RFM segments: k-means on the standardised log-RFM values of the customers active in a window.

One fit per (k, window) and data version, stored as the artifact
`demand-insights/segments-k<k>-<from>-<to>` (`shared.artifacts`): the segments and every
segmented customer's RFM values and segment, so listing a segment's customers, a customer's card
and the segment report need no new fit (one small query for the names on a page).

Segment ids are `k<k>-s<n>` for the default window (the 365 days up to DATA_END) and
`k<k>-<yyyymmdd>-<yyyymmdd>-s<n>` for another window; n = 1 is the segment with the highest mean
monetary value. Names come from the centroids (shared.models.customers.name_segments).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import numpy as np
from shared import artifacts
from shared.errors import BadRequest, NotFound
from shared.lake_schema import DATA_END
from shared.models.cluster import KMeans, StandardScaler, silhouette_score
from shared.models.customers import name_segments, quintile_scores, rfm_features

from demand_insights import data

DEFAULT_K = 4
DEFAULT_DAYS = 365
SEED = 42
RESTARTS = 10
SILHOUETTE_SAMPLE = 2000
_SEGMENT_ID = re.compile(r"^k(\d{1,2})(?:-(\d{8})-(\d{8}))?-s(\d{1,2})$")


def default_window() -> tuple[date, date]:
    return DATA_END - timedelta(days=DEFAULT_DAYS - 1), DATA_END


def _is_default(first: date, last: date) -> bool:
    return (first, last) == default_window()


def segment_id(k: int, first: date, last: date, n: int) -> str:
    if _is_default(first, last):
        return f"k{k}-s{n}"
    return f"k{k}-{first:%Y%m%d}-{last:%Y%m%d}-s{n}"


def parse_segment_id(value: str) -> tuple[int, date, date, int]:
    """(k, from, to, n) of a segment id, or 404 when it cannot name a segment."""
    m = _SEGMENT_ID.match(value)
    if not m:
        raise NotFound(f"No segment {value}")
    k, n = int(m.group(1)), int(m.group(4))
    try:
        first, last = (
            (
                date(int(m[2][:4]), int(m[2][4:6]), int(m[2][6:])),
                date(int(m[3][:4]), int(m[3][4:6]), int(m[3][6:])),
            )
            if m.group(2)
            else default_window()
        )
    except ValueError:
        raise NotFound(f"No segment {value}") from None
    if not 2 <= k <= 10 or not 1 <= n <= k or first > last or (m.group(2) and _is_default(first, last)):
        raise NotFound(f"No segment {value}")
    return k, first, last, n


def fit(k: int, first: date, last: date) -> dict[str, Any]:
    """The segmentation of the customers active in [first, last] into k segments (cached)."""
    name = f"demand-insights/segments-k{k}-{first:%Y%m%d}-{last:%Y%m%d}"
    return artifacts.cached(name, lambda: _compute(k, first, last))


def _compute(k: int, first: date, last: date) -> dict[str, Any]:
    rows = data.rfm(first, last)
    rows.sort(key=lambda r: r["customer_id"])
    n = len(rows)
    if n < max(k, 3) * 2:
        return {
            "k": k,
            "customers": n,
            "error": f"the period has {n} active customers, too few for {k} segments",
        }
    recency = np.array([(last - r["last_order"]).days for r in rows], dtype=float)
    frequency = np.array([r["orders"] for r in rows], dtype=float)
    monetary = np.array([r["spend"] or 0.0 for r in rows], dtype=float)
    scaler = StandardScaler()
    z = scaler.fit_transform(rfm_features(recency, frequency, monetary))
    km = KMeans(k=k, n_init=RESTARTS, seed=SEED).fit(z)
    try:
        silhouette = silhouette_score(z, km.labels_, sample_size=min(SILHOUETTE_SAMPLE, n), seed=SEED)
    except ValueError:  # fewer distinct clusters than 2 (identical customers): no silhouette
        silhouette = None
    # segments ordered by mean monetary value, highest first
    mean_m = np.array(
        [monetary[km.labels_ == c].mean() if np.any(km.labels_ == c) else 0.0 for c in range(k)]
    )
    order = np.argsort(-mean_m, kind="stable")
    rank = np.empty(k, dtype=int)
    rank[order] = np.arange(k)
    labels = rank[km.labels_]
    centroids = km.centroids_[order]
    names = name_segments(centroids[:, 0], centroids[:, 1], centroids[:, 2])
    total_revenue = float(monetary.sum())
    segments = []
    for s in range(k):
        members = labels == s
        size = int(members.sum())
        segments.append(
            {
                "segmentId": segment_id(k, first, last, s + 1),
                "label": names[s],
                "size": size,
                "sharePct": round(100.0 * size / n, 2),
                "profile": _profile(recency, frequency, monetary, members),
                "revenueSharePct": round(100.0 * float(monetary[members].sum()) / total_revenue, 2)
                if total_revenue > 0
                else 0.0,
                "centroid": {
                    "recency": centroids[s, 0],
                    "frequency": centroids[s, 1],
                    "monetary": centroids[s, 2],
                },
            }
        )
    return {
        "k": k,
        "from": first.isoformat(),
        "to": last.isoformat(),
        "customers": n,
        "silhouette": silhouette,
        "inertia": km.inertia_,
        "segments": segments,
        "ids": [r["customer_id"] for r in rows],
        "recency": recency.astype(int).tolist(),
        "frequency": frequency.astype(int).tolist(),
        "monetary": np.round(monetary, 2).tolist(),
        "lastOrder": [r["last_order"].isoformat() for r in rows],
        "segment": labels.tolist(),
    }


def _profile(recency: np.ndarray, frequency: np.ndarray, monetary: np.ndarray, members: np.ndarray) -> dict:
    r, f, m = (float(v[members].mean()) if members.any() else 0.0 for v in (recency, frequency, monetary))
    return {
        "recencyDays": round(r, 1),
        "frequency": round(f, 2),
        "monetary": round(m, 2),
        "recencyScore": int(quintile_scores(recency, [r], higher_is_better=False)[0]),
        "frequencyScore": int(quintile_scores(frequency, [f])[0]),
        "monetaryScore": int(quintile_scores(monetary, [m])[0]),
    }


def _fitted(k: int, first: date, last: date) -> dict[str, Any]:
    doc = fit(k, first, last)
    if "error" in doc:
        raise BadRequest.fields({"from": doc["error"]})
    return doc


def report(k: int, first: date, last: date) -> dict[str, Any]:
    doc = _fitted(k, first, last)
    return {
        "k": k,
        "period": {"from": first.isoformat(), "to": last.isoformat()},
        "currency": "USD",
        "customers": doc["customers"],
        "segments": [{key: v for key, v in s.items() if key != "centroid"} for s in doc["segments"]],
    } | ({"silhouette": round(float(doc["silhouette"]), 4)} if doc["silhouette"] is not None else {})


def rfm_of(doc: dict[str, Any], i: int) -> dict[str, Any]:
    """Customer i's RFM values with quintile scores within the segmented customers."""
    prepared = _prepare(doc)
    r, f, m = doc["recency"][i], doc["frequency"][i], doc["monetary"][i]
    return {
        "recencyDays": r,
        "frequency": f,
        "monetary": m,
        "recencyScore": int(quintile_scores(prepared["recency"], [r], higher_is_better=False)[0]),
        "frequencyScore": int(quintile_scores(prepared["frequency"], [f])[0]),
        "monetaryScore": int(quintile_scores(prepared["monetary"], [m])[0]),
    }


_prepared: list[tuple[dict[str, Any], dict[str, Any]]] = []


def _prepare(doc: dict[str, Any]) -> dict[str, Any]:
    """Once per fitted document: the RFM columns as sorted arrays (for quintile scores), each
    segment's members by monetary value, and customer id -> position."""
    if _prepared and _prepared[0][0] is doc:
        return _prepared[0][1]
    monetary = np.asarray(doc["monetary"], dtype=float)
    ids = np.asarray(doc["ids"], dtype=object)
    labels = np.asarray(doc["segment"], dtype=int)
    order = np.lexsort((ids, -monetary))
    prepared = {
        "recency": np.sort(np.asarray(doc["recency"], dtype=float)),
        "frequency": np.sort(np.asarray(doc["frequency"], dtype=float)),
        "monetary": np.sort(monetary),
        "members": {s: order[labels[order] == s] for s in range(len(doc["segments"]))},
        "index": {cid: i for i, cid in enumerate(doc["ids"])},
    }
    _prepared[:] = [(doc, prepared)]
    return prepared


def customers_of(segment: str, limit: int, offset: int) -> dict[str, Any]:
    k, first, last, n = parse_segment_id(segment)
    doc = fit(k, first, last)
    if "error" in doc:  # no segmentation of that window: no such segment
        raise NotFound(f"No segment {segment}: {doc['error']}")
    members = _prepare(doc)["members"][n - 1]
    page = [int(i) for i in members[offset : offset + limit]]
    info = data.customers_by_id([doc["ids"][i] for i in page]) if page else {}
    items = []
    for i in page:
        cid = doc["ids"][i]
        person = info.get(cid, {})
        item = {"customerId": cid, "rfm": rfm_of(doc, i), "lastOrderDate": doc["lastOrder"][i]}
        item.update({key: person[key] for key in ("name", "country", "region") if person.get(key)})
        items.append(item)
    out: dict[str, Any] = {
        "items": items,
        "count": len(items),
        "segmentId": segment,
        "label": doc["segments"][n - 1]["label"],
        "currency": "USD",
    }
    if offset + limit < len(members):
        from shared.pagination import encode_cursor

        out["nextCursor"] = encode_cursor({"offset": offset + limit})
    return out


def of_customer(customer_id: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """(segment {segmentId, label}, rfm or None) of a customer in the default segmentation."""
    first, last = default_window()
    doc = fit(DEFAULT_K, first, last)
    if "error" in doc:
        return {"segmentId": "none", "label": "No orders in the last 365 days"}, None
    i = _prepare(doc)["index"].get(customer_id)
    if i is None:
        return {"segmentId": "none", "label": "No orders in the last 365 days"}, None
    s = doc["segments"][doc["segment"][i]]
    return {"segmentId": s["segmentId"], "label": s["label"]}, rfm_of(doc, i)
