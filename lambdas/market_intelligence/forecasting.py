"""Forecasts and model comparisons (POST /market-intelligence/forecast, /compare-models).

The history comes from the daily cube (`series.py`; a product's from one query), summed into
the requested buckets; the models are `shared.models.forecast`. Seasons: weekly for days
(m = 7), yearly for weeks (m = 52) and months (m = 12). Sales cannot be negative, so point
forecasts and interval bounds are cut at 0.

Results are memoised per process for the data version and the request (a dashboard asks the
same question again and again; a Lambda container serves many requests).
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date
from typing import Any

import numpy as np
from shared import artifacts
from shared.errors import BadRequest, NotFound, UnprocessableEntity
from shared.models import forecast as fc

from market_intelligence import series

SEASON = {"day": 7, "week": 52, "month": 12}
HISTORY_HORIZONS = 3  # the answer's history: at most 3 horizons of the fitted series
MEMO_SIZE = 256

_memo: OrderedDict[str, Any] = OrderedDict()
_memo_lock = threading.Lock()


def memoised(kind: str, request: dict[str, Any], compute: Callable[[], Any]) -> Any:
    """`compute()` once per (data version, kind, request) in this process (LRU of MEMO_SIZE)."""
    key = json.dumps([artifacts.data_version(), kind, request], sort_keys=True, default=str)
    with _memo_lock:
        if key in _memo:
            _memo.move_to_end(key)
            return _memo[key]
    value = compute()
    with _memo_lock:
        _memo[key] = value
        while len(_memo) > MEMO_SIZE:
            _memo.popitem(last=False)
    return value


def _round(x: float) -> float:
    return round(float(x), 2)


def history(req: dict[str, Any]) -> tuple[list[date], np.ndarray, str | None]:
    """(bucket starts, bucket values, scopeId) of the request's metric, scope, region, period
    and granularity. 400 for a missing scopeId or a reversed period, 404 for an unknown
    category, product or region, 422 when the period has no data."""
    scope = req.get("scope", "all")
    scope_id = req.get("scopeId")
    if scope != "all" and not scope_id:
        raise BadRequest.fields({"scopeId": "is required when scope is category or product"})
    cube = series.cube()
    first = date.fromisoformat(req["from"]) if req.get("from") else cube.start
    last = date.fromisoformat(req["to"]) if req.get("to") else cube.end
    if first > last:
        raise BadRequest.fields({"from": "must not be after to"})
    first, last = max(first, cube.start), min(last, cube.end)
    if first > last:
        raise UnprocessableEntity(
            f"There is no data between the requested days (data covers {cube.start} .. {cube.end})",
            code="NO_DATA",
        )
    region = req.get("region")
    if region is not None and region not in cube.regions:
        raise NotFound(f"No region {region}", code="REGION_NOT_FOUND")
    metric = req["metric"]
    if scope == "product":
        series.product(scope_id)  # 404 when unknown
        daily = series.product_series(scope_id, metric, region, cube.start, cube.days)
    elif scope == "category":
        series.category(scope_id)  # 404 when unknown
        if scope_id in cube.categories:
            daily = cube.series(metric, scope_id, region)
        else:  # a category without sales
            daily = np.zeros(cube.days)
    else:
        scope_id = None
        daily = cube.series(metric, None, region)
    window = daily[cube.index(first) : cube.index(last) + 1]
    dates, values = series.buckets(window, first, req.get("granularity", "day"))
    return dates, values, scope_id


def _too_short(exc: fc.HistoryTooShortError, granularity: str) -> UnprocessableEntity:
    return UnprocessableEntity(
        f"The history is too short: {exc} ({granularity} buckets)",
        code="HISTORY_TOO_SHORT",
        details={"model": exc.model, "needed": exc.needed, "available": exc.got},
    )


def _metrics(scores: dict[str, Any]) -> dict[str, Any]:
    out = {
        "mae": _round(scores["mae"]),
        "rmse": _round(scores["rmse"]),
        "smape": round(min(200.0, scores["smape"]), 3),
        "holdoutPoints": int(scores["n"]),
    }
    if scores.get("mape") is not None:
        out["mape"] = round(scores["mape"], 3)
    return out


def forecast(req: dict[str, Any]) -> dict[str, Any]:
    return memoised("forecast", req, lambda: _forecast(req))


def _forecast(req: dict[str, Any]) -> dict[str, Any]:
    granularity = req.get("granularity", "day")
    horizon = int(req.get("horizon", 30))
    level = float(req.get("confidenceLevel", 0.95))
    dates, values, scope_id = history(req)
    try:
        result = fc.forecast(
            values,
            model=req.get("model", "auto"),
            season_length=SEASON[granularity],
            horizon=horizon,
            level=level,
        )
    except fc.HistoryTooShortError as exc:
        raise _too_short(exc, granularity) from None
    future = series.future_buckets(dates[-1], granularity, horizon)
    keep = min(len(values), HISTORY_HORIZONS * horizon)
    out: dict[str, Any] = {
        "metric": req["metric"],
        "scope": req.get("scope", "all"),
        "granularity": granularity,
        "model": result.model,
        "confidenceLevel": level,
        "history": [
            {"date": d.isoformat(), "value": _round(v)}
            for d, v in zip(dates[-keep:], values[-keep:], strict=True)
        ],
        "points": [
            {
                "date": d.isoformat(),
                "value": _round(max(0.0, m)),
                "lower": _round(max(0.0, lo)),
                "upper": _round(max(0.0, hi)),
            }
            for d, m, lo, hi in zip(future, result.mean, result.lower, result.upper, strict=True)
        ],
        "metrics": _metrics(result.metrics),
    }
    if scope_id is not None:
        out["scopeId"] = scope_id
    if req["metric"] == "revenue":
        out["currency"] = "USD"
    return out


def compare_models(req: dict[str, Any]) -> dict[str, Any]:
    return memoised("compare", req, lambda: _compare(req))


def _compare(req: dict[str, Any]) -> dict[str, Any]:
    granularity = req.get("granularity", "day")
    holdout = int(req.get("holdout", 28))
    explicit = req.get("models")
    names = list(explicit or fc.MODELS)
    _, values, scope_id = history(req)
    m = SEASON[granularity]
    train, test = values[:-holdout], values[-holdout:]
    scores: dict[str, dict[str, Any]] = {}
    first_short: fc.HistoryTooShortError | None = None
    for name in names:
        model = fc.make_model(name, m)
        if len(values) <= holdout or len(train) < model.min_length():
            exc = fc.HistoryTooShortError(name, model.min_length() + holdout, len(values), what="backtest")
            if explicit:
                raise _too_short(exc, granularity)
            first_short = first_short or exc
            continue
        scores[name] = fc.accuracy(test, model.fit(train).predict(holdout))
    if not scores:
        raise _too_short(
            first_short or fc.HistoryTooShortError("all models", holdout + 1, len(values)), granularity
        )
    ranked = sorted(scores, key=lambda k: (scores[k]["smape"], scores[k]["mae"]))
    models = []
    for rank, name in enumerate(ranked, start=1):
        entry = {"model": name, "rank": rank, **_metrics(scores[name])}
        entry.pop("holdoutPoints")
        models.append(entry)
    out: dict[str, Any] = {
        "metric": req["metric"],
        "scope": req.get("scope", "all"),
        "granularity": granularity,
        "holdout": holdout,
        "bestModel": ranked[0],
        "models": models,
    }
    if scope_id is not None:
        out["scopeId"] = scope_id
    return out
