"""Region x category opportunity scores.

Each cell's components over the period (default: the last 12 months of data), from the daily
cube and the competitor observations:

- growth: revenue against the period of the same length before it, annualised, percent;
- size: revenue over the period, USD;
- margin: (revenue - cost) / revenue, percent (cost = units x unit cost);
- competition: `competition.competition_index` (0 none .. 1 intense) at the region's prices.

Each component is min-max normalised over the cells scored (0 worst .. 1 best; size on a log
scale, competition inverted: low pressure is attractive), and the score is
`100 x sum(weight_i x component_i) / sum(weight_i)` with the request's weights (defaults in the
contract). The answer carries the normalised components, so every score can be recomputed.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from shared.errors import BadRequest

from global_market_pulse import competition, prices
from global_market_pulse.cube import Cube
from global_market_pulse.periods import days_between, window_values

DEFAULT_WEIGHTS = {"growth": 0.35, "size": 0.25, "margin": 0.2, "competition": 0.2}


def _normalise(values: list[float]) -> list[float]:
    lo, hi = min(values), max(values)
    return [0.5 if hi == lo else (v - lo) / (hi - lo) for v in values]


def score(
    cube: Cube,
    first: date,
    last: date,
    regions: list[str] | None,
    categories: list[str] | None,
    weights: dict[str, float],
    limit: int,
) -> dict[str, Any]:
    from datetime import timedelta

    ref = cube.ref
    w = {k: float(weights.get(k, v)) for k, v in DEFAULT_WEIGHTS.items()}
    total_weight = sum(w.values())
    if total_weight <= 0:
        raise BadRequest.fields({"weights": "at least one weight must be above 0"})
    n = days_between(first, last)
    prev_first, prev_last = first - timedelta(days=n), first - timedelta(days=1)
    now_rev = window_values(cube.revenue, ref.first, first, last).sum(axis=0)
    now_cost = window_values(cube.cost, ref.first, first, last).sum(axis=0)
    old_rev = window_values(cube.revenue, ref.first, prev_first, prev_last).sum(axis=0)
    pressure = competition.pressure(ref, last)
    names = ref.category_names()
    cells = []
    for r, region in enumerate(cube.regions):
        if regions and region not in regions:
            continue
        factor = prices.region_factor(ref, region)
        for c, cid in enumerate(cube.categories):
            if categories and cid not in categories:
                continue
            size, old = float(now_rev[r, c]), float(old_rev[r, c])
            if size <= 0:
                continue  # nothing sold: no market to score
            growth = ((size / old) ** (365.0 / n) - 1.0) * 100.0 if old > 0 else None
            cells.append(
                {
                    "region": region,
                    "categoryId": cid,
                    "category": names.get(cid, cid),
                    "growthPct": round(max(min(growth, 1e6), -100.0), 2) if growth is not None else None,
                    "marketSize": round(size, 2),
                    "marginPct": round((size - float(now_cost[r, c])) / size * 100.0, 2),
                    "competitionIndex": competition.competition_index(pressure.get(cid), factor),
                }
            )
    if cells:
        growths = [c["growthPct"] if c["growthPct"] is not None else 0.0 for c in cells]
        parts = {
            "growth": _normalise(growths),
            "size": _normalise([math.log(c["marketSize"]) for c in cells]),
            "margin": _normalise([c["marginPct"] for c in cells]),
            "competition": [1.0 - v for v in _normalise([c["competitionIndex"] for c in cells])],
        }
        for i, cell in enumerate(cells):
            comps = {k: round(parts[k][i], 4) for k in DEFAULT_WEIGHTS}
            cell["components"] = comps
            cell["score"] = round(
                min(max(100.0 * sum(w[k] * comps[k] for k in comps) / total_weight, 0.0), 100.0), 2
            )
            cell["drivers"] = _drivers(cell, comps)
            if cell["growthPct"] is None:
                del cell["growthPct"]
    cells.sort(key=lambda c: (-c["score"], c["region"], c["categoryId"]))
    ranked = [{"rank": i + 1, **c} for i, c in enumerate(cells[:limit])]
    return {
        "period": {"from": first.isoformat(), "to": last.isoformat()},
        "weights": {k: round(v / total_weight, 4) for k, v in w.items()},
        "opportunities": ranked,
    }


def _drivers(cell: dict[str, Any], comps: dict[str, float]) -> list[str]:
    """The components in the top third of the cells scored, in words."""
    words = []
    if comps["growth"] >= 2 / 3 and "growthPct" in cell and cell["growthPct"] is not None:
        words.append(f"revenue growing {cell['growthPct']:.1f} % a year")
    if comps["size"] >= 2 / 3:
        words.append(f"large market: {cell['marketSize']:,.0f} USD in the period")
    if comps["margin"] >= 2 / 3:
        words.append(f"high margin: {cell['marginPct']:.1f} %")
    if comps["competition"] >= 2 / 3:
        words.append(f"low competitive pressure (index {cell['competitionIndex']:.2f})")
    return words
