"""Anomalous days in a daily series: days whose value breaks the weekly pattern.

    from shared.models.anomalies import WeekdayBaseline, retail_holidays
    det = WeekdayBaseline(threshold=3.0).fit(values, first_day, holidays=retail_holidays(years))
    for i in det.anomalies_: ...   # det.expected_[i], det.z_[i], det.direction(i)

The method (robust statistics throughout, so the anomalies cannot hide themselves):

1. **Weekday profile.** Each value is divided by the centred 7-day mean around it; the
   weekday's factor is the median of those ratios over all ordinary days of that weekday.
2. **Local level.** The series divided by its weekday factors is the deseasonalised level; the
   expected level of a day is the median of the deseasonalised values of the `radius` days on
   either side (the day itself and known holidays excluded), which follows trends and the
   yearly season without being pulled by a single extreme day.
3. **Expected value** = local level x weekday factor. The relative residual
   r = (actual - expected) / expected is standardised by a robust scale: 1.4826 x the median
   absolute deviation (MAD) of r over the ordinary days, i.e. z = r / (1.4826 MAD) (1.2533 x the
   mean absolute deviation when the MAD is 0; expected values below a quarter of the series'
   mean count as that quarter, so sparse series do not divide by 0). A day with
   |z| > threshold is an anomaly: a spike above or a drop below the expected range
   expected x (1 +/- threshold x 1.4826 MAD).

Known retail holidays are **expected peaks, not anomalies**: they are handled explicitly by a
calendar (`retail_holidays`: Black Friday = the day after the fourth Thursday of November,
Cyber Monday = the Monday after it, Christmas Eve and Christmas Day). Those days are never
reported and never enter a baseline, a weekday factor or the scale.

Reference: Hampel's identifier (median/MAD outlier rule; Hampel 1974, Rousseeuw & Croux 1993
for the 1.4826 consistency constant) over a multiplicative weekday x level decomposition;
tested against a direct pandas computation and the planted anomalies of the generated data
(tests/test_models_anomalies.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

import numpy as np

MAD_TO_SD = 1.4826
MEANAD_TO_SD = 1.2533  # sqrt(pi / 2): mean absolute deviation -> sd (normal data)
FLOOR_OF_MEAN = 0.25


def retail_holidays(years: Iterable[int]) -> dict[date, str]:
    """The retail calendar's expected peaks and dips of `years`: day -> name."""
    out: dict[date, str] = {}
    for year in years:
        nov1 = date(year, 11, 1)
        thanksgiving = nov1 + timedelta(days=(3 - nov1.weekday()) % 7 + 21)
        out[thanksgiving + timedelta(days=1)] = "Black Friday"
        out[thanksgiving + timedelta(days=4)] = "Cyber Monday"
        out[date(year, 12, 24)] = "Christmas Eve"
        out[date(year, 12, 25)] = "Christmas Day"
    return out


def _median_ratio_to_weekly_mean(y: np.ndarray, ok: np.ndarray) -> np.ndarray:
    n = len(y)
    ratio = np.full(n, np.nan)
    if n >= 7:
        csum = np.r_[0.0, np.cumsum(y)]
        centre = np.arange(3, n - 3)
        mean7 = (csum[centre + 4] - csum[centre - 3]) / 7.0
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio[centre] = np.where(mean7 > 0, y[centre] / mean7, np.nan)
    ratio[~ok] = np.nan
    return ratio


class WeekdayBaseline:
    """Robust weekday x local-level baseline with a median/MAD anomaly rule (module docstring).

    Parameters: `threshold` (|z| above which a day is anomalous), `radius` (days on each side
    for the local level). Fitted attributes: `weekday_factors_` (Mon..Sun), `expected_`,
    `lower_`, `upper_`, `z_`, `scale_` (the robust relative standard deviation), `anomalies_`
    (indices, largest |z| first), `holiday_` (bool per day)."""

    def __init__(self, threshold: float = 3.0, *, radius: int = 7) -> None:
        if threshold <= 0:
            raise ValueError("threshold must be positive")
        self.threshold = float(threshold)
        self.radius = int(radius)

    def fit(self, y: Any, first_day: date, *, holidays: Iterable[date] = ()) -> WeekdayBaseline:
        y = np.asarray(y, dtype=float).ravel()
        n = len(y)
        if n < 14:
            raise ValueError(f"the anomaly baseline needs at least 14 days, the series has {n}")
        if not np.all(np.isfinite(y)):
            raise ValueError("the series has missing or non-finite values")
        hol = set(holidays)
        days = [first_day + timedelta(days=i) for i in range(n)]
        holiday = np.array([d in hol for d in days])
        ok = ~holiday
        weekday = (first_day.weekday() + np.arange(n)) % 7
        # 1. weekday profile
        ratio = _median_ratio_to_weekly_mean(y, ok)
        factors = np.ones(7)
        for d in range(7):
            vals = ratio[(weekday == d) & np.isfinite(ratio)]
            if len(vals):
                factors[d] = float(np.median(vals))
        factors = np.where(factors > 0, factors, 1.0)
        factors /= factors.mean()
        # 2. local level: median of the deseasonalised neighbours (self and holidays excluded)
        adjusted = y / factors[weekday]
        level = np.empty(n)
        r = self.radius
        for t in range(n):
            lo, hi = max(0, t - r), min(n, t + r + 1)
            window = adjusted[lo:hi]
            mask = ok[lo:hi].copy()
            mask[t - lo] = False
            level[t] = np.median(window[mask]) if mask.any() else adjusted[t]
        # 3. expected value, robust relative scale, z-scores
        expected = level * factors[weekday]
        # A sparse series (many empty days) has expected values of 0: deviations are then
        # measured against a quarter of the series' mean level instead.
        floor = max(1e-9, FLOOR_OF_MEAN * float(np.mean(np.abs(y[ok]))) if ok.any() else 1e-9)
        denom = np.maximum(expected, floor)
        rel = (y - expected) / denom
        base = rel[ok]
        centre = float(np.median(base)) if len(base) else 0.0
        scale = MAD_TO_SD * float(np.median(np.abs(base - centre))) if len(base) else 0.0
        if scale <= 0 and len(base):  # more than half the days exactly as expected
            scale = MEANAD_TO_SD * float(np.mean(np.abs(base - centre)))
        if scale <= 0:  # a flat series: any change is infinitely surprising; use a tiny scale
            scale = 1e-9
        z = rel / scale
        z[holiday] = 0.0
        self.weekday_factors_ = factors  # Monday first
        self.expected_ = expected
        self.lower_ = expected - self.threshold * scale * denom
        self.upper_ = expected + self.threshold * scale * denom
        self.z_ = z
        self.scale_ = scale
        self.holiday_ = holiday
        flagged = np.where((np.abs(z) > self.threshold) & ok)[0]
        self.anomalies_ = flagged[np.argsort(-np.abs(z[flagged]), kind="stable")]
        self.first_day_ = first_day
        return self

    def direction(self, i: int) -> str:
        return "spike" if self.z_[i] > 0 else "drop"
