"""Reference tests of shared.models.forecast: each model against the library (or the direct
computation) it replaces, on the same input, with the tolerance stated beside each assert.

- Holt-Winters: statsmodels ExponentialSmoothing(trend="add", seasonal="add") with the same
  parameters and initial states (the recursion), with our initial states and its own
  optimiser (the fit), and statsforecast AutoETS(model="AAA") (the forecasts).
- Seasonal naive and linear trend: a direct computation, numpy lstsq, statsmodels OLS.
- The bounded optimiser: scipy.optimize.minimize(method="L-BFGS-B") on the same box.
- Accuracy measures: scikit-learn's metrics.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from shared.models.forecast import (
    HistoryTooShortError,
    HoltWinters,
    LinearTrend,
    SeasonalNaive,
    accuracy,
    backtest,
    forecast,
    initial_states,
    nelder_mead_box,
)

M = 7


def seasonal_series(n: int = 420, seed: int = 1, noise: float = 2.0) -> np.ndarray:
    """Level 100, trend 0.15/step, a weekly pattern, gaussian noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    pattern = np.array([-6.0, -5.0, -4.0, -2.0, 3.0, 8.0, 6.0])
    return 100.0 + 0.15 * t + pattern[t % M] + rng.normal(0.0, noise, n)


def statsmodels_hw(y, **fit_kwargs):
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    init = fit_kwargs.pop("init", None)
    kwargs = {}
    if init is not None:
        kwargs = {
            "initialization_method": "known",
            "initial_level": init[0],
            "initial_trend": init[1],
            "initial_seasonal": init[2],
        }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ExponentialSmoothing(y, trend="add", seasonal="add", seasonal_periods=M, **kwargs)
        return model.fit(**fit_kwargs)


# ---- Holt-Winters ------------------------------------------------------------------------
def test_the_recursion_matches_statsmodels_with_the_same_parameters_and_states():
    y = seasonal_series()
    init = initial_states(y, M)
    ours = HoltWinters(M, alpha=0.3, beta=0.1, gamma=0.2).fit(y)
    ref = statsmodels_hw(
        y, init=init, smoothing_level=0.3, smoothing_trend=0.1, smoothing_seasonal=0.2, optimized=False
    )
    # identical arithmetic: equal to rounding (1e-9 relative)
    np.testing.assert_allclose(ours.fitted_, ref.fittedvalues, rtol=1e-9)
    assert ours.level_ == pytest.approx(ref.level[-1], rel=1e-9)
    assert ours.trend_ == pytest.approx(ref.trend[-1], rel=1e-9)
    np.testing.assert_allclose(ours.season_, ref.season[-M:], rtol=1e-9, atol=1e-9)
    # Forecasts: equal for every horizon except h = m, 2m, ...: there statsmodels 0.15 takes
    # the slot's seasonal state from before its last update (`s[(nobs - 1) + j % m]` in
    # holtwinters/model.py); FPP3 §8.3 (k = floor((h - 1) / m)) and statsforecast use the
    # updated state, as we do. The difference there is exactly gamma x the last error.
    h = 3 * M
    diff = ref.forecast(h) - ours.predict(h)
    steps = np.arange(1, h + 1)
    np.testing.assert_allclose(diff[steps % M != 0], 0.0, atol=1e-9)
    expected_gap = -0.2 * ours.residuals_[-1]
    np.testing.assert_allclose(diff[steps % M == 0], expected_gap, rtol=1e-9, atol=1e-9)


def test_the_fit_finds_parameters_as_good_as_statsmodels_optimiser():
    """Same initial states, both optimisers free: our one-step SSE within 0.5 % of statsmodels'
    (it may be lower); the 4-week forecasts within 1 % of each other."""
    for seed in (1, 2, 3):
        y = seasonal_series(seed=seed)
        ours = HoltWinters(M).fit(y)
        init = (ours.initial_level_, ours.initial_trend_, ours.initial_season_)
        ref = statsmodels_hw(y, init=init)
        assert ours.sse_ <= ref.sse * 1.005, (seed, ours.sse_, ref.sse)
        rel = np.abs(ours.predict(28) - ref.forecast(28)) / np.abs(ref.forecast(28))
        assert rel.mean() < 0.01, (seed, rel.mean())


def test_the_fit_is_close_to_statsmodels_with_its_own_initial_states():
    """statsmodels also estimates the initial states (m + 2 more parameters): our SSE within 1 %."""
    for seed in (4, 5):
        y = seasonal_series(seed=seed)
        ours = HoltWinters(M).fit(y)
        ref = statsmodels_hw(y)
        assert ours.sse_ <= ref.sse * 1.01, (seed, ours.sse_ / ref.sse)


def test_forecasts_agree_with_statsforecast_autoets_aaa():
    from statsforecast.models import AutoETS

    y = seasonal_series(seed=5)
    ours = HoltWinters(M).fit(y).predict(28)
    ref = AutoETS(season_length=M, model="AAA").fit(y).predict(28)["mean"]
    # both fit ETS(A,A,A) by least squares / likelihood with their own initialisation:
    # the 4-week forecasts agree within 1.5 % on average
    assert np.mean(np.abs(ours - ref) / np.abs(ref)) < 0.015


def test_prediction_interval_uses_the_ets_aaa_variance():
    """var(h) = sigma^2 [1 + sum_{j<h} (alpha + alpha beta* j + gamma 1{j mod m = 0})^2]
    (Hyndman et al. 2008 table 6.1 / FPP3 §8.7), checked against the closed form
    sigma^2 [1 + (h-1){a^2 + a b h + b^2 h (2h-1)/6} + g k {2a + g + b m (k+1)}] (b = alpha beta*)."""
    y = seasonal_series(seed=6)
    model = HoltWinters(M).fit(y)
    h = 30
    mean, lower, upper = model.predict_interval(h, level=0.9)
    a, b, g = model.alpha_, model.alpha_ * model.beta_, model.gamma_
    steps = np.arange(1, h + 1)
    k = (steps - 1) // M
    closed = model.sigma2_ * (
        1
        + (steps - 1) * (a * a + a * b * steps + b * b * steps * (2 * steps - 1) / 6.0)
        + g * k * (2 * a + g + b * M * (k + 1))
    )
    z90 = 1.6448536269514722
    np.testing.assert_allclose((upper - mean) / z90, np.sqrt(closed), rtol=1e-9)
    np.testing.assert_allclose(mean - lower, upper - mean, rtol=1e-12)


def test_too_short_a_history_is_a_clear_error():
    with pytest.raises(HistoryTooShortError) as err:
        HoltWinters(M).fit(np.arange(10.0))
    assert (err.value.needed, err.value.got) == (14, 10)
    assert isinstance(err.value, ValueError) and "at least 14" in str(err.value)
    with pytest.raises(HistoryTooShortError):
        SeasonalNaive(M).fit(np.arange(5.0))
    with pytest.raises(HistoryTooShortError):
        LinearTrend().fit([1.0, 2.0])
    with pytest.raises(ValueError):
        HoltWinters(M).fit([1.0, float("nan")] * 20)


# ---- seasonal naive and linear trend -----------------------------------------------------
def test_seasonal_naive_against_a_direct_computation():
    y = seasonal_series(n=100, seed=7)
    model = SeasonalNaive(M).fit(y)
    h = 17
    expected = np.array([y[len(y) - M + ((i - 1) % M)] for i in range(1, h + 1)])
    np.testing.assert_array_equal(model.predict(h), expected)
    diffs = y[M:] - y[:-M]
    sigma = np.sqrt(np.mean(diffs**2))
    mean, _, upper = model.predict_interval(h, level=0.95)
    k = np.arange(h) // M
    np.testing.assert_allclose(upper - mean, 1.959963984540054 * sigma * np.sqrt(k + 1), rtol=1e-9)


def test_linear_trend_against_lstsq_and_statsmodels_ols():
    import statsmodels.api as sm

    rng = np.random.default_rng(8)
    y = 20.0 + 0.7 * np.arange(60) + rng.normal(0, 3.0, 60)
    model = LinearTrend().fit(y)
    design = np.c_[np.ones(60), np.arange(60.0)]
    coef = np.linalg.lstsq(design, y, rcond=None)[0]
    assert (model.intercept_, model.slope_) == pytest.approx(tuple(coef), rel=1e-10)
    mean, _, upper = model.predict_interval(5, level=0.95)
    pred = sm.OLS(y, design).fit().get_prediction(np.c_[np.ones(5), np.arange(60.0, 65.0)])
    frame = pred.summary_frame(alpha=0.05)
    np.testing.assert_allclose(mean, frame["mean"], rtol=1e-10)
    # statsmodels uses Student's t (58 df), we use the normal quantile: 1.96 / 2.0017 -> 2.1 %
    np.testing.assert_allclose(upper - mean, frame["obs_ci_upper"] - frame["mean"], rtol=0.025)


# ---- optimiser, accuracy, backtests, auto ------------------------------------------------
def test_bounded_nelder_mead_against_scipy():
    from scipy.optimize import minimize

    def f(x):
        return (x[0] - 0.3) ** 2 + 2 * (x[1] + 0.2) ** 2 + (x[2] - 0.8) ** 2 + 0.5 * x[0] * x[2]

    ours, value, evals = nelder_mead_box(f, [0.5, 0.5, 0.5], xtol=1e-6, ftol=1e-12, max_evals=2000)
    ref = minimize(f, [0.5, 0.5, 0.5], method="L-BFGS-B", bounds=[(0, 1)] * 3)
    # x[1] sits on its bound (0); the others inside: same point to 1e-4
    np.testing.assert_allclose(ours, ref.x, atol=1e-4)
    assert value == pytest.approx(ref.fun, abs=1e-8)
    assert evals < 2000


def test_accuracy_measures_against_scikit_learn():
    from sklearn.metrics import mean_absolute_error, mean_absolute_percentage_error, mean_squared_error

    a = np.array([10.0, 12.0, 9.0, 15.0, 11.0])
    f = np.array([11.0, 10.0, 9.5, 13.0, 12.5])
    got = accuracy(a, f)
    assert got["mae"] == pytest.approx(mean_absolute_error(a, f), rel=1e-12)
    assert got["rmse"] == pytest.approx(np.sqrt(mean_squared_error(a, f)), rel=1e-12)
    assert got["mape"] == pytest.approx(100 * mean_absolute_percentage_error(a, f), rel=1e-12)
    assert got["smape"] == pytest.approx(
        100 * np.mean(2 * np.abs(a - f) / (np.abs(a) + np.abs(f))), rel=1e-12
    )
    zero = accuracy([0.0, 1.0], [0.0, 2.0])
    assert zero["mape"] is None and zero["smape"] == pytest.approx(100 * (0 + 2 / 3) / 2)


def test_backtest_pools_rolling_origins():
    y = seasonal_series(n=200, seed=9)
    result = backtest(y, "seasonal_naive", M, 10, origins=3)
    errors = np.concatenate(
        [
            y[200 - 10 * k : 210 - 10 * k] - SeasonalNaive(M).fit(y[: 200 - 10 * k]).predict(10)
            for k in (1, 2, 3)
        ]
    )
    assert result["n"] == 30 and result["origins"] == 3
    assert result["mae"] == pytest.approx(np.mean(np.abs(errors)), rel=1e-12)


def test_auto_picks_the_model_the_backtest_favours():
    seasonal = seasonal_series(n=300, seed=11)
    result = forecast(seasonal, horizon=14)
    assert result.model == "holt_winters"  # trend + season + noise
    assert set(result.scores) == {"holt_winters", "seasonal_naive", "linear_trend"}
    assert result.metrics["smape"] == min(s["smape"] for s in result.scores.values())
    assert (
        len(result.mean) == 14 and np.all(result.lower < result.mean) and np.all(result.mean < result.upper)
    )
    # without Holt-Winters, the season decides: seasonal naive beats a straight line
    assert (
        forecast(seasonal, horizon=14, candidates=("seasonal_naive", "linear_trend")).model
        == "seasonal_naive"
    )
    # without a season, a straight line beats last week repeated
    line = 5.0 + 0.5 * np.arange(300.0) + np.random.default_rng(10).normal(0, 0.5, 300)
    assert forecast(line, horizon=14, candidates=("seasonal_naive", "linear_trend")).model == "linear_trend"
