"""Trend and seasonality strength of a series, from a classical additive decomposition.

    from shared.models.decompose import Decomposition
    d = Decomposition(period=7).fit(daily_revenue)
    d.trend_strength_, d.seasonal_strength_, d.seasonal_profile_

The decomposition is the classical additive one (Hyndman & Athanasopoulos, FPP3 §3.4;
`statsmodels.tsa.seasonal.seasonal_decompose(model="additive")` computes the same):

- trend T: the centred moving average of order `period` (a 2 x m-MA when m is even), defined
  where the window fits;
- seasonal S: the mean of the detrended values y - T at each position of the season, shifted
  to sum to zero, repeated over the series;
- remainder R = y - T - S.

Strengths (Wang, Smith & Hyndman 2006, "Characteristic-based clustering for time series
data"; FPP3 §4.3), over the points where T is defined:

    F_T = max(0, 1 - Var(R) / Var(T + R))      F_S = max(0, 1 - Var(R) / Var(S + R))

0 means no trend (or season) beyond the noise, 1 a pure trend (season). The trend's slope is
the least-squares slope of T per step. Reference tests: statsmodels seasonal_decompose for the
components, the formulas above on its components for the strengths
(tests/test_models_decompose.py).
"""

from __future__ import annotations

from typing import Any

import numpy as np


class Decomposition:
    """Classical additive decomposition with the strength measures F_T and F_S."""

    def __init__(self, period: int = 7) -> None:
        if period < 2:
            raise ValueError("period must be >= 2")
        self.period = int(period)

    def min_length(self) -> int:
        return 2 * self.period

    def fit(self, y: Any) -> Decomposition:
        y = np.asarray(y, dtype=float).ravel()
        m, n = self.period, len(y)
        if n < self.min_length():
            raise ValueError(
                f"the decomposition needs at least {self.min_length()} points, the series has {n}"
            )
        if not np.all(np.isfinite(y)):
            raise ValueError("the series has missing or non-finite values")
        weights = np.r_[0.5, np.ones(m - 1), 0.5] / m if m % 2 == 0 else np.ones(m) / m
        half = (len(weights) - 1) // 2
        trend = np.full(n, np.nan)
        trend[half : n - half] = np.convolve(y, weights, mode="valid")
        detrended = y - trend
        pos = np.arange(n) % m
        profile = np.array([np.nanmean(detrended[pos == i]) for i in range(m)])
        profile -= profile.mean()
        seasonal = profile[pos]
        remainder = y - trend - seasonal
        ok = np.isfinite(trend)
        var_r = float(np.var(remainder[ok], ddof=1))
        var_tr = float(np.var(trend[ok] + remainder[ok], ddof=1))
        var_sr = float(np.var(seasonal[ok] + remainder[ok], ddof=1))
        self.trend_, self.seasonal_, self.remainder_ = trend, seasonal, remainder
        self.seasonal_profile_ = profile  # position 0 = the first point's position in the season
        self.trend_strength_ = max(0.0, 1.0 - var_r / var_tr) if var_tr > 0 else 0.0
        self.seasonal_strength_ = max(0.0, 1.0 - var_r / var_sr) if var_sr > 0 else 0.0
        t = np.arange(n)[ok].astype(float)
        tt = trend[ok]
        self.slope_ = float(np.polyfit(t, tt, 1)[0]) if len(tt) >= 2 else 0.0
        self.trend_mean_ = float(tt.mean())
        return self
