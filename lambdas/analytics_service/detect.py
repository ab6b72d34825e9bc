"""Days that break their weekday's pattern: a robust, centred same-weekday baseline.

For day t of a daily series y, the expected value is the median of the same weekday in the
`weeks` weeks before and after it (y[t +- 7k], k = 1..weeks, the days that exist), and the
scale is 1.4826 x their median absolute deviation (a robust standard deviation; Rousseeuw &
Croux 1993), floored at sqrt(max(expected, 1)) (the Poisson noise of a count) and at
`floor_fraction` of the expected value. Meant for counts (orders per day): with two weeks
either side it finds the planted outage, flash sale and fraud attack of the scale-1 dataset and
otherwise only Black Friday and Cyber Monday (`tests/test_analytics_service.py`). A day is an outlier when |y - expected| / scale >= `threshold`.

Centred, not trailing, so that a seasonal ramp (December) moves the baseline with it; the
median and MAD ignore the other outliers in the window (the day after a flash sale is not
judged against the flash sale). Tested against the same computation in pandas
(`Series.shift` + row-wise `median`), exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAD_TO_SD = 1.4826


@dataclass(frozen=True)
class Baseline:
    expected: np.ndarray  # per day; NaN where fewer than `min_neighbours` neighbours exist
    scale: np.ndarray
    z: np.ndarray


def same_weekday_baseline(
    y: np.ndarray, *, weeks: int = 2, min_neighbours: int = 3, floor_fraction: float = 0.05
) -> Baseline:
    y = np.asarray(y, dtype=float)
    n = len(y)
    neighbours = np.full((n, 2 * weeks), np.nan)
    for j, k in enumerate([k for w in range(1, weeks + 1) for k in (-7 * w, 7 * w)]):
        idx = np.arange(n) + k
        ok = (idx >= 0) & (idx < n)
        neighbours[ok, j] = y[idx[ok]]
    count = np.sum(~np.isnan(neighbours), axis=1)
    enough = count >= min_neighbours
    expected = np.full(n, np.nan)
    scale = np.full(n, np.nan)
    if enough.any():
        rows = neighbours[enough]
        med = np.nanmedian(rows, axis=1)
        mad = np.nanmedian(np.abs(rows - med[:, None]), axis=1)
        expected[enough] = med
        scale[enough] = np.maximum.reduce(
            [
                MAD_TO_SD * mad,
                np.sqrt(np.maximum(med, 0.0)),
                floor_fraction * np.abs(med),
                np.full(len(med), 1e-9),
            ]
        )
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (y - expected) / scale
    return Baseline(expected, scale, z)
