"""Reference tests of shared.models.decompose: the classical additive decomposition against
statsmodels' seasonal_decompose, and the Wang-Smith-Hyndman strengths against the formula
applied to statsmodels' components."""

from __future__ import annotations

import numpy as np
import pytest
from shared.models.decompose import Decomposition


def series(
    n: int, m: int, seed: int, trend: float = 0.2, season: float = 3.0, noise: float = 1.0
) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return 10.0 + trend * t + season * np.sin(2 * np.pi * t / m) + rng.normal(0.0, noise, n)


@pytest.mark.parametrize(("m", "n"), [(7, 120), (12, 61), (4, 30)])
def test_components_equal_statsmodels_seasonal_decompose(m, n):
    from statsmodels.tsa.seasonal import seasonal_decompose

    y = series(n, m, seed=m)
    ours = Decomposition(m).fit(y)
    ref = seasonal_decompose(y, model="additive", period=m)
    # the same arithmetic: equal to rounding (1e-10), NaN where the moving average is undefined
    np.testing.assert_allclose(ours.trend_, ref.trend, atol=1e-10, equal_nan=True)
    np.testing.assert_allclose(ours.seasonal_, ref.seasonal, atol=1e-10)
    np.testing.assert_allclose(ours.remainder_, ref.resid, atol=1e-10, equal_nan=True)


def test_strengths_follow_wang_smith_hyndman_on_statsmodels_components():
    from statsmodels.tsa.seasonal import seasonal_decompose

    y = series(200, 7, seed=1, trend=0.05, season=2.0, noise=1.5)
    ours = Decomposition(7).fit(y)
    ref = seasonal_decompose(y, model="additive", period=7)
    ok = ~np.isnan(ref.trend)
    r, t, s = ref.resid[ok], ref.trend[ok], ref.seasonal[ok]
    f_t = max(0.0, 1 - np.var(r, ddof=1) / np.var(t + r, ddof=1))
    f_s = max(0.0, 1 - np.var(r, ddof=1) / np.var(s + r, ddof=1))
    assert ours.trend_strength_ == pytest.approx(f_t, rel=1e-10)
    assert ours.seasonal_strength_ == pytest.approx(f_s, rel=1e-10)


def test_strengths_tell_trend_from_season():
    trending = Decomposition(7).fit(series(140, 7, seed=2, trend=0.5, season=0.0, noise=1.0))
    seasonal = Decomposition(7).fit(series(140, 7, seed=3, trend=0.0, season=5.0, noise=1.0))
    assert trending.trend_strength_ > 0.95 and trending.seasonal_strength_ < 0.2
    assert seasonal.seasonal_strength_ > 0.9 and seasonal.trend_strength_ < 0.3
    assert trending.slope_ == pytest.approx(0.5, abs=0.03)
    # the profile's peak is the sine's (position 2 of 7: sin(2 pi 2 / 7) is the largest)
    assert int(np.argmax(seasonal.seasonal_profile_)) == 2


def test_too_short_or_broken_series_are_refused():
    with pytest.raises(ValueError, match="at least 14"):
        Decomposition(7).fit(np.arange(10.0))
    with pytest.raises(ValueError):
        Decomposition(7).fit([1.0, np.inf] * 10)
    with pytest.raises(ValueError):
        Decomposition(1)
