"""Price elasticity and price optimisation.

Elasticity: the constant-elasticity demand model log E[units_pw] = a_p + d_w + e log(price_pw /
list_price_p) over a category's product-weeks (`data.category_panel`), with product and week
fixed effects, estimated by Poisson pseudo-maximum likelihood (shared.models.regression.PoissonFE).
Why not OLS of log units: at this catalogue's size most product-weeks sell nothing (log 0), and
OLS on the weeks that sold is biased towards 0 (measured on the generated data: -0.2 .. -1.0 for
true elasticities of -0.8 .. -2.5). The week effects absorb seasonality, trend, the flash sale and
the category's common price moves; the estimate comes from a product's price moving against its
category's in the same week. Standard errors are clustered by product; the interval is normal.
For one product, its own slope is estimated inside its category's panel (the other products
give the week effects). A category's fit over the whole history is the artifact
`demand-insights/elasticity-<category>` (once per data version); other windows and single
products are fitted per request (one query for the category's panel).

Optimisation: weekly units at price p are u0 * (p / p0)^e around the current price p0 (the
latest week's), with u0 the mean of the last 13 weeks' units, each moved to p0 by the same
model (52 weeks when 13 sold nothing). Revenue p*u and margin (p - cost)*u are evaluated on a
50-point grid over [minPrice, maxPrice]; the best grid point is recommended, the curve returned.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import numpy as np
from shared import artifacts
from shared.errors import BadRequest, NotFound, UnprocessableEntity
from shared.lake_schema import DATA_END, DATA_START
from shared.models.regression import PoissonFE

from demand_insights import data

MIN_WEEKS = 8
GRID_POINTS = 50
RECENT_WEEKS = 13
FALLBACK_WEEKS = 52
MAX_RATIO = 100.0


def _interpret(e: float, se: float) -> str:
    lo, hi = e - 1.96 * se, e + 1.96 * se
    if lo <= -1.0 <= hi:
        return "unit_elastic"
    return "elastic" if e < -1.0 else "inelastic"


def estimate(
    panel: dict[str, np.ndarray], *, focal: str | None = None, exclude_promotions: bool = False
) -> dict:
    """The elasticity of a panel (or of product `focal` inside it): estimate, standard error,
    95 % interval, pseudo R^2, observations used."""
    keep = panel["price"] > 0
    if exclude_promotions:
        keep &= ~panel["promo"]
    p = {k: v[keep] for k, v in panel.items()}
    log_rel = np.log(p["price"] / p["list_price"])
    if focal is not None:
        is_focal = p["product_id"] == focal
        if not is_focal.any() or p["units"][is_focal].sum() == 0:
            raise UnprocessableEntity(
                f"Product {focal} sold nothing in the period: no elasticity to estimate"
            )
        if is_focal.sum() < MIN_WEEKS:
            raise UnprocessableEntity(
                f"Product {focal} has {int(is_focal.sum())} weeks of prices, fewer than {MIN_WEEKS}"
            )
        if np.ptp(log_rel[is_focal]) == 0:
            raise UnprocessableEntity(f"Product {focal}'s price did not change in the period")
        X = np.column_stack([np.where(is_focal, log_rel, 0.0), np.where(is_focal, 0.0, log_rel)])  # noqa: N806
    else:
        X = log_rel[:, None]  # noqa: N806
    weeks = len(np.unique(p["week"]))
    if weeks < MIN_WEEKS:
        raise UnprocessableEntity(f"The period has {weeks} whole weeks of prices, fewer than {MIN_WEEKS}")
    try:
        fit = PoissonFE().fit(X, p["units"], p["product_id"], p["week"])
    except (ValueError, np.linalg.LinAlgError) as exc:
        raise UnprocessableEntity(
            f"Not enough price variation or sales to estimate an elasticity: {exc}"
        ) from None
    e, se = float(fit.coef_[0]), float(fit.bse_[0])
    if not (np.isfinite(e) and np.isfinite(se)):
        raise UnprocessableEntity("Not enough price variation or sales to estimate an elasticity")
    lo, hi = fit.conf_int(0.95)[0]
    return {
        "elasticity": round(e, 4),
        "standardError": round(se, 4),
        "confidenceInterval": {"lower": round(float(lo), 4), "upper": round(float(hi), 4)},
        "rSquared": round(float(fit.pseudo_r2_), 4),
        "observations": int(fit.nobs_) if focal is None else int((p["product_id"] == focal).sum()),
        "interpretation": _interpret(e, se),
    }


def category_elasticity(category_id: str, name: str = "") -> dict[str, Any]:
    """A category's elasticity over the whole history (cached per data version and category:
    one fit is a few seconds at scale 1.0, all twelve would not fit in one request)."""
    key = category_id.lower() if re.fullmatch(r"[A-Za-z0-9_-]+", category_id) else _digest(category_id)
    return artifacts.cached(f"demand-insights/elasticity-{key}", lambda: _compute_category(category_id, name))


def _digest(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _compute_category(category_id: str, name: str) -> dict[str, Any]:
    panel = data.category_panel(category_id, DATA_START, DATA_END)
    try:
        return {"categoryId": category_id, "name": name, **estimate(panel)}
    except UnprocessableEntity as exc:
        return {"categoryId": category_id, "name": name, "error": exc.message}


def price_elasticity(request: dict[str, Any]) -> dict[str, Any]:
    scope, scope_id = request["scope"], request["scopeId"]
    first = date.fromisoformat(request["from"]) if "from" in request else DATA_START
    last = date.fromisoformat(request["to"]) if "to" in request else DATA_END
    if first > last:
        raise BadRequest.fields({"from": "must not be after to"})
    first, last = max(first, DATA_START), min(last, DATA_END)
    exclude = bool(request.get("excludePromotions"))
    if scope == "category":
        known = {c["category_id"] for c in data.categories()}
        if scope_id not in known:
            raise NotFound(f"No category {scope_id}")
        category, focal = scope_id, None
    else:
        product = data.product(scope_id)
        if product is None:
            raise NotFound(f"No product {scope_id}")
        category, focal = product["category_id"], scope_id
    if first > last:
        raise UnprocessableEntity("The period is outside the data")
    default = (first, last) == (DATA_START, DATA_END) and not exclude
    if default and focal is None:
        found = category_elasticity(category)
        if "error" in found:
            raise UnprocessableEntity(found["error"])
        result = {k: v for k, v in found.items() if k not in ("name", "categoryId")}
    else:
        result = estimate(data.category_panel(category, first, last), focal=focal, exclude_promotions=exclude)
    return {
        "scope": scope,
        "scopeId": scope_id,
        **result,
        "period": {"from": first.isoformat(), "to": last.isoformat()},
    }


# ---- optimisation ----------------------------------------------------------------------------
def _baseline(product_id: str, elasticity: float) -> tuple[float, float]:
    """(current price USD, expected weekly units at it)."""
    for weeks in (RECENT_WEEKS, FALLBACK_WEEKS):
        rows = data.recent_weeks(product_id, DATA_END, weeks)
        if not rows:
            continue
        price = np.array([r["price"] for r in rows], dtype=float)
        units = np.array([r["units"] for r in rows], dtype=float)
        current = float(price[-1])
        if units.sum() > 0 and current > 0:
            moved = units * (current / price) ** elasticity
            return current, float(moved.mean())
    raise UnprocessableEntity(
        f"Product {product_id} sold nothing in the last {FALLBACK_WEEKS} weeks: no demand to optimise"
    )


def price_optimization(request: dict[str, Any]) -> dict[str, Any]:
    product_id = request["productId"]
    product = data.product(product_id)
    if product is None:
        raise NotFound(f"No product {product_id}")
    currency = request.get("currency", "USD")
    rate = data.rate_to_usd(currency, DATA_END)
    if rate is None or rate <= 0:
        raise UnprocessableEntity(f"No exchange rate for {currency}")
    if "elasticity" in request:
        e = float(request["elasticity"])
    else:
        found = category_elasticity(product["category_id"])
        if "elasticity" not in found:
            raise UnprocessableEntity(found.get("error", "No elasticity for the product's category"))
        e = float(found["elasticity"])
    current_usd, units0 = _baseline(product_id, e)
    current = current_usd / rate  # in the request's currency
    cost = float(request["unitCost"]) if "unitCost" in request else float(product["unit_cost"]) / rate
    lo = float(request.get("minPrice", 0.5 * current))
    hi = float(request.get("maxPrice", 1.5 * current))
    if lo <= 0:
        raise BadRequest.fields({"minPrice": "must be greater than 0"})
    if hi <= lo:
        raise BadRequest.fields({"maxPrice": "must be greater than minPrice"})
    # constant elasticity is a local model: a grid over 1/100..100x the current price is already
    # far outside what the history can say (and beyond it the numbers overflow)
    if lo < current / MAX_RATIO or hi > current * MAX_RATIO:
        raise BadRequest.fields(
            {
                "minPrice"
                if lo < current / MAX_RATIO
                else "maxPrice": f"must be within 1/{MAX_RATIO:g} and {MAX_RATIO:g} times the current price ({current:.2f})"
            }
        )
    if cost > current * MAX_RATIO:
        raise BadRequest.fields({"unitCost": f"must be at most {MAX_RATIO:g} times the current price"})

    def point(p: float) -> dict[str, float]:
        units = units0 * (p / current) ** e
        return {
            "price": round(p, 2),
            "units": round(units, 3),
            "revenue": round(p * units, 2),
            "margin": round((p - cost) * units, 2),
        }

    objective = request.get("objective", "revenue")
    grid = np.linspace(lo, hi, GRID_POINTS)
    curve = [point(float(p)) for p in grid]
    if not all(np.isfinite(v) for c in curve for v in c.values()):
        raise UnprocessableEntity("The demand model overflows over these bounds")
    best = max(curve, key=lambda c: (c[objective], -abs(c["price"] - current)))
    now = point(current)
    base = now[objective]
    uplift = 100.0 * (best[objective] - base) / abs(base) if base else 0.0
    return {
        "productId": product_id,
        "objective": objective,
        "currency": currency,
        "elasticity": round(e, 4),
        "currentPrice": round(current, 2),
        "recommendedPrice": best["price"],
        "bounds": {"minPrice": round(lo, 2), "maxPrice": round(hi, 2)},
        "current": now,
        "expected": best,
        "upliftPct": round(uplift, 2),
        "curve": curve,
    }
