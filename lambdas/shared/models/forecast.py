"""Forecasting: additive Holt-Winters, seasonal naive, linear trend, and `auto` selection by a
rolling-origin backtest. numpy + the standard library only (no scipy in the zips).

    from shared.models.forecast import HoltWinters, forecast
    model = HoltWinters(season_length=7).fit(daily_revenue)
    mean, lower, upper = model.predict_interval(28, level=0.95)
    result = forecast(daily_revenue, model="auto", season_length=7, horizon=28, level=0.95)

Every model follows the scikit-learn / statsforecast shape: `fit(y)` returns the fitted model,
fitted attributes end in `_`, `predict(h)` gives the point forecasts and
`predict_interval(h, level)` the point forecasts with a prediction interval at `level` (0..1).
A history shorter than a model needs raises `HistoryTooShortError` (a ValueError; the services
answer 422).

References (test-only, `tests/test_models_forecast.py`): statsmodels `ExponentialSmoothing`
(trend="add", seasonal="add") and statsforecast `AutoETS(model="AAA")` for Holt-Winters; a
direct computation for seasonal naive and the linear trend.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any

import numpy as np

MODELS = ("holt_winters", "seasonal_naive", "linear_trend")


class HistoryTooShortError(ValueError):
    """The series is shorter than the model needs (`needed` points, `got` points)."""

    def __init__(self, model: str, needed: int, got: int, what: str = "fit") -> None:
        self.model, self.needed, self.got = model, needed, got
        super().__init__(f"{model} needs at least {needed} points to {what}, the history has {got}")


def _series(y: Any) -> np.ndarray:
    arr = np.asarray(y, dtype=float).ravel()
    if not np.all(np.isfinite(arr)):
        raise ValueError("the series has missing or non-finite values")
    return arr


def _z(level: float) -> float:
    """Two-sided normal quantile for a central interval of coverage `level` (0.5..0.999)."""
    if not 0.0 < level < 1.0:
        raise ValueError("level must be between 0 and 1 (e.g. 0.95)")
    return NormalDist().inv_cdf(0.5 + level / 2.0)


# ---- a small bounded optimiser ---------------------------------------------------------------
def nelder_mead_box(
    f: Callable[[list[float]], float],
    x0: Sequence[float],
    *,
    step: float = 0.1,
    xtol: float = 1e-3,
    ftol: float = 1e-7,
    max_evals: int = 200,
    restarts: int = 2,
) -> tuple[list[float], float, int]:
    """Minimise `f` over the unit cube [0, 1]^d with the Nelder-Mead simplex method (Nelder &
    Mead 1965; the standard coefficients 1, 2, 0.5, 0.5 as in Lagarias et al. 1998), every
    trial point projected onto the cube. A run stops when the simplex is smaller than `xtol`
    in every coordinate and its values differ by less than `ftol` (relative); it is then
    restarted from its best point with a fresh simplex (up to `restarts` times, while a restart
    still improves by more than `ftol`), the usual remedy for a simplex that collapsed onto a
    face of the box. At most `max_evals` evaluations in all. Returns (x, f(x), evaluations)."""
    evals = 0

    def call(x: list[float]) -> float:
        nonlocal evals
        evals += 1
        value = f(x)
        return value if math.isfinite(value) else math.inf

    best_x = [min(1.0, max(0.0, v)) for v in x0]
    best_f = call(best_x)
    for _ in range(restarts + 1):
        x, fx = _nelder_mead_run(call, best_x, best_f, step, xtol, ftol, lambda: evals < max_evals)
        improved = fx < best_f - ftol * (abs(best_f) + 1e-12)
        if fx < best_f:
            best_x, best_f = x, fx
        if not improved or evals >= max_evals:
            break
    return best_x, best_f, evals


def _nelder_mead_run(
    call: Callable[[list[float]], float],
    start: list[float],
    f_start: float,
    step: float,
    xtol: float,
    ftol: float,
    budget: Callable[[], bool],
) -> tuple[list[float], float]:
    d = len(start)

    def clip(x: Sequence[float]) -> list[float]:
        return [min(1.0, max(0.0, v)) for v in x]

    simplex = [list(start)]
    values = [f_start]
    for i in range(d):
        p = list(start)
        p[i] = p[i] + step if p[i] + step <= 1.0 else p[i] - step
        simplex.append(clip(p))
        values.append(call(simplex[-1]))
    while budget():
        order = sorted(range(d + 1), key=values.__getitem__)
        simplex = [simplex[i] for i in order]
        values = [values[i] for i in order]
        best, worst = values[0], values[-1]
        spread = max(abs(simplex[i][k] - simplex[0][k]) for i in range(1, d + 1) for k in range(d))
        if spread < xtol and abs(worst - best) <= ftol * (abs(best) + 1e-12):
            break
        centroid = [sum(simplex[i][k] for i in range(d)) / d for k in range(d)]
        xw = simplex[-1]
        xr = clip([c + (c - w) for c, w in zip(centroid, xw, strict=True)])
        fr = call(xr)
        if fr < best:
            xe = clip([c + 2.0 * (c - w) for c, w in zip(centroid, xw, strict=True)])
            fe = call(xe)
            simplex[-1], values[-1] = (xe, fe) if fe < fr else (xr, fr)
            continue
        if fr < values[-2]:
            simplex[-1], values[-1] = xr, fr
            continue
        if fr < worst:  # outside contraction
            xc = clip([c + 0.5 * (r - c) for c, r in zip(centroid, xr, strict=True)])
            fc = call(xc)
            if fc <= fr:
                simplex[-1], values[-1] = xc, fc
                continue
        else:  # inside contraction
            xc = clip([c + 0.5 * (w - c) for c, w in zip(centroid, xw, strict=True)])
            fc = call(xc)
            if fc < worst:
                simplex[-1], values[-1] = xc, fc
                continue
        for i in range(1, d + 1):  # shrink towards the best point
            simplex[i] = [b + 0.5 * (p - b) for b, p in zip(simplex[0], simplex[i], strict=True)]
            values[i] = call(simplex[i])
    i = min(range(d + 1), key=values.__getitem__)
    return simplex[i], values[i]


# ---- Holt-Winters ----------------------------------------------------------------------------
_SSE_FUNCTIONS: dict[int, Callable[..., float]] = {}


def _hw_sse_function(m: int) -> Callable[..., float]:
    """`sse(y, alpha, beta, gamma, level, trend, season)`: the one-step sum of squared errors
    of additive Holt-Winters in error-correction form (`beta` is alpha * beta*), for season
    length `m`. Pure Python with the season loop unrolled into local variables (generated once
    per `m`): ~0.15 ms for 730 points, faster than numpy for a sequential recursion and what
    makes the fit >= 10x faster than statsmodels."""
    fn = _SSE_FUNCTIONS.get(m)
    if fn is not None:
        return fn
    names = [f"s{i}" for i in range(m)]
    body = "\n".join(
        f"        e = next(it) - level - trend - {s}\n"
        f"        total += e * e\n"
        f"        level += trend + alpha * e\n"
        f"        trend += beta * e\n"
        f"        {s} += gamma * e"
        for s in names
    )
    source = (
        "def sse(y, alpha, beta, gamma, level, trend, season):\n"
        f"    {', '.join(names)}, = season\n"
        "    total = 0.0\n"
        "    it = iter(y)\n"
        f"    for _ in range(len(y) // {m}):\n"
        f"{body}\n"
        f"    s = [{', '.join(names)}]\n"
        "    for j, v in enumerate(it):\n"
        "        e = v - level - trend - s[j]\n"
        "        total += e * e\n"
        "        level += trend + alpha * e\n"
        "        trend += beta * e\n"
        "        s[j] += gamma * e\n"
        "    return total\n"
    )
    namespace: dict[str, Any] = {}
    exec(compile(source, f"<holt-winters sse m={m}>", "exec"), namespace)  # noqa: S102 - generated above
    fn = _SSE_FUNCTIONS[m] = namespace["sse"]
    return fn


def _hw_filter(
    y: np.ndarray, alpha: float, beta: float, gamma: float, level: float, trend: float, season: np.ndarray
) -> tuple[np.ndarray, float, float, np.ndarray]:
    """(one-step fitted values, final level, final trend, season rotated so that index k is the
    seasonal state of the (k+1)-step-ahead forecast)."""
    s = [float(v) for v in season]
    m = len(s)
    fitted = np.empty(len(y))
    ab = alpha * beta
    j = 0
    for t, v in enumerate(y.tolist()):
        f = level + trend + s[j]
        fitted[t] = f
        e = v - f
        level = level + trend + alpha * e
        trend = trend + ab * e
        s[j] += gamma * e
        j = (j + 1) % m
    n = len(y)
    return fitted, level, trend, np.array([s[(n + k) % m] for k in range(m)])


def initial_states(y: np.ndarray, m: int) -> tuple[float, float, np.ndarray]:
    """Initial level, trend and seasonal states from a classical decomposition (FPP3 §3.4;
    the heuristic of Hyndman et al. 2008 §2.6.1, over every whole season rather than the first
    few): seasonal indices = the mean detrended value (centred 2xm moving average) at each
    position, normalised to sum 0; trend = the least-squares slope of the series; level = the
    seasonally adjusted first seasons' mean, moved back to before the first observation. With a
    small gamma or beta* these states are what the forecasts keep, so they come from all the
    data, not from a few noisy weeks at the start."""
    n = len(y)
    if m <= 1:
        k = min(n, 10)
        t = np.arange(1, k + 1, dtype=float)
        slope, intercept = np.polyfit(t, y[:k], 1)
        return float(intercept), float(slope), np.zeros(1)
    cycles = max(2, n // m)
    head = y[: cycles * m]
    if m % 2 == 0:
        weights = np.r_[0.5, np.ones(m - 1), 0.5] / m
    else:
        weights = np.ones(m) / m
    trend_ma = np.convolve(head, weights, mode="valid")
    offset = (len(weights) - 1) // 2
    detrended = head[offset : offset + len(trend_ma)] - trend_ma
    pos = (np.arange(len(trend_ma)) + offset) % m
    season = np.array([detrended[pos == i].mean() for i in range(m)])
    season -= season.mean()
    adjusted = head - season[np.arange(len(head)) % m]
    t = np.arange(1, len(head) + 1, dtype=float)
    # The trend is the slope of the whole series (whole seasons of it): a few seasons at the
    # start are too short to tell a trend from noise, and with a small beta* the initial
    # trend is what a long forecast extrapolates.
    whole = (n // m) * m
    tw = np.arange(1, whole + 1, dtype=float)
    slope = float(np.polyfit(tw, y[:whole], 1)[0])
    intercept = float(adjusted.mean() - slope * t.mean())
    return intercept, slope, season


class HoltWinters:
    """Additive Holt-Winters (ETS(A,A,A)): level, trend and a season of `season_length`
    (Hyndman & Athanasopoulos, *Forecasting: Principles and Practice*, 3rd ed., §8.3):

        l_t = alpha (y_t - s_{t-m}) + (1 - alpha)(l_{t-1} + b_{t-1})
        b_t = beta* (l_t - l_{t-1}) + (1 - beta*) b_{t-1}
        s_t = gamma (y_t - l_{t-1} - b_{t-1}) + (1 - gamma) s_{t-m}
        y_{t+h|t} = l_t + h b_t + s_{t+h-m(k+1)}

    The smoothing parameters (0 <= alpha, beta* <= 1, 0 <= gamma <= 1 - alpha, the bounds of
    statsmodels) minimise the one-step sum of squared errors, found by a bounded Nelder-Mead
    search on the unit cube (`nelder_mead_box`); initial states by the heuristic of
    `initial_states`. With `season_length=1` it is Holt's linear method (no season).

    Prediction intervals use the model's variance (FPP3 §8.7, Hyndman et al. 2008 ch. 6):
    var(h) = sigma^2 (1 + sum_{j<h} c_j^2), c_j the state-space impulse response.

    Reference tests: statsmodels ExponentialSmoothing(trend="add", seasonal="add") and
    statsforecast AutoETS(model="AAA") (tests/test_models_forecast.py).
    """

    name = "holt_winters"

    def __init__(
        self,
        season_length: int = 7,
        *,
        alpha: float | None = None,
        beta: float | None = None,
        gamma: float | None = None,
        xtol: float = 2e-2,
        ftol: float = 1e-5,
        max_evals: int = 100,
        start: tuple[float, float, float] | None = None,
    ) -> None:
        if season_length < 1:
            raise ValueError("season_length must be >= 1")
        self.season_length = int(season_length)
        self.alpha, self.beta, self.gamma = alpha, beta, gamma
        self.xtol, self.ftol, self.max_evals = xtol, ftol, max_evals
        # (alpha, beta*, gamma) to start the search from, e.g. the fit of an overlapping
        # history (rolling-origin backtests): the search then starts near its optimum.
        self.start = start

    def min_length(self) -> int:
        return 2 * self.season_length if self.season_length > 1 else 4

    def fit(self, y: Any) -> HoltWinters:
        y = _series(y)
        m = self.season_length
        if len(y) < self.min_length():
            raise HistoryTooShortError(self.name, self.min_length(), len(y))
        l0, b0, s0 = initial_states(y, m)
        seasonal = m > 1
        ys = y.tolist()
        s0l = s0.tolist()
        fixed = (self.alpha, self.beta, self.gamma if seasonal else 0.0)
        free = [i for i, v in enumerate(fixed) if v is None]

        def params(u: Sequence[float]) -> tuple[float, float, float]:
            """(alpha, beta*, gamma) of a point of the search cube. With alpha and beta* both
            free, the cube's first two coordinates are folded onto the triangle
            0 <= alpha * beta* <= alpha <= 1: alpha = max(u1, u2), alpha * beta* = min(u1, u2).
            Searching the two gains of the error-correction form, rather than beta* whose
            effect vanishes as alpha -> 0, keeps the simplex off that degenerate face."""
            vals = list(fixed)
            it = iter(u)
            if self.alpha is None and self.beta is None:
                u1, u2 = next(it), next(it)
                vals[0] = a = max(u1, u2)
                vals[1] = min(u1, u2) / a if a > 0 else 0.0
            else:
                for i in free:
                    if i < 2:
                        vals[i] = next(it)
            if self.gamma is None and seasonal:  # search gamma on [0, 1 - alpha]
                vals[2] = next(it) * (1.0 - float(vals[0]))
            a, b, g = (float(v) for v in vals)
            return a, b, g

        self.evaluations_ = 0
        sse = _hw_sse_function(m)
        if free:

            def objective(u: list[float]) -> float:
                a, b, g = params(u)
                return sse(ys, a, a * b, g, l0, b0, s0l)

            a0, b0_, g0 = self.start or (0.3, 0.05, 0.07)  # gamma 0.07 = 0.1 of its range 1 - alpha
            start = {0: a0, 1: a0 * b0_ if self.alpha is None else b0_, 2: g0 / max(1e-9, 1.0 - a0)}
            u, _, self.evaluations_ = nelder_mead_box(
                objective,
                [min(1.0, start[i]) for i in free],
                step=0.05 if self.start else 0.1,
                xtol=self.xtol,
                ftol=self.ftol,
                max_evals=self.max_evals,
            )
            alpha, beta, gamma = params(u)
        else:
            alpha, beta, gamma = params([])
        fitted, level, trend, season = _hw_filter(y, alpha, beta, gamma, l0, b0, s0)
        self.alpha_, self.beta_, self.gamma_ = alpha, beta, gamma
        self.initial_level_, self.initial_trend_, self.initial_season_ = l0, b0, s0
        self.level_, self.trend_, self.season_ = level, trend, season
        self.fitted_ = fitted
        self.residuals_ = y - fitted
        self.sse_ = float(self.residuals_ @ self.residuals_)
        self.n_obs_ = len(y)
        k = len(free)
        self.sigma2_ = self.sse_ / max(1, len(y) - k)
        return self

    def predict(self, h: int) -> np.ndarray:
        steps = np.arange(1, h + 1)
        m = self.season_length
        return self.level_ + steps * self.trend_ + self.season_[(steps - 1) % m]

    def _psi(self, h: int) -> np.ndarray:
        """c_1..c_{h-1}: the effect of an error at T+1 on the forecast of T+1+j (state space
        form x_t = F x_{t-1} + g e_t, y_t = w' x_{t-1} + e_t)."""
        m = self.season_length
        a, b, g = self.alpha_, self.alpha_ * self.beta_, self.gamma_
        j = np.arange(1, h)
        seasonal = (j % m == 0).astype(float) if m > 1 else np.zeros(len(j))
        return a + b * j + g * seasonal

    def predict_interval(self, h: int, level: float = 0.95) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        mean = self.predict(h)
        c = self._psi(h)
        var = self.sigma2_ * (1.0 + np.r_[0.0, np.cumsum(c * c)])
        half = _z(level) * np.sqrt(var)
        return mean, mean - half, mean + half


# ---- seasonal naive --------------------------------------------------------------------------
class SeasonalNaive:
    """Seasonal naive: each forecast is the last observed value of the same season,
    y_{T+h|T} = y_{T+h-m(k+1)}, k = floor((h-1)/m) (FPP3 §5.2). Intervals from the residual
    standard deviation of the in-sample seasonal differences, sigma_h = sigma sqrt(k+1)
    (FPP3 §5.5). Reference: a direct computation (tests)."""

    name = "seasonal_naive"

    def __init__(self, season_length: int = 7) -> None:
        self.season_length = max(1, int(season_length))

    def min_length(self) -> int:
        return self.season_length + 1

    def fit(self, y: Any) -> SeasonalNaive:
        y = _series(y)
        m = self.season_length
        if len(y) < self.min_length():
            raise HistoryTooShortError(self.name, self.min_length(), len(y))
        self.last_season_ = y[-m:].copy()
        self.fitted_ = np.r_[np.full(m, np.nan), y[:-m]]
        self.residuals_ = y - self.fitted_
        res = self.residuals_[m:]
        self.sigma2_ = float(res @ res / len(res))
        self.n_obs_ = len(y)
        return self

    def predict(self, h: int) -> np.ndarray:
        m = self.season_length
        return self.last_season_[np.arange(h) % m]

    def predict_interval(self, h: int, level: float = 0.95) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        mean = self.predict(h)
        k = np.arange(h) // self.season_length
        half = _z(level) * math.sqrt(self.sigma2_) * np.sqrt(k + 1.0)
        return mean, mean - half, mean + half


# ---- linear trend ----------------------------------------------------------------------------
class LinearTrend:
    """A straight line fitted by ordinary least squares, y_t = a + b t + e_t (FPP3 §7.1, §7.6),
    extrapolated; prediction intervals of the regression (normal quantiles):
    sigma sqrt(1 + 1/n + (t - mean t)^2 / sum (t_i - mean t)^2). Reference: numpy lstsq."""

    name = "linear_trend"

    def __init__(self, season_length: int = 1) -> None:
        self.season_length = season_length  # accepted for a uniform interface; unused

    def min_length(self) -> int:
        return 3

    def fit(self, y: Any) -> LinearTrend:
        y = _series(y)
        n = len(y)
        if n < self.min_length():
            raise HistoryTooShortError(self.name, self.min_length(), n)
        t = np.arange(n, dtype=float)
        tm = t.mean()
        sxx = float(((t - tm) ** 2).sum())
        self.slope_ = float(((t - tm) * (y - y.mean())).sum() / sxx)
        self.intercept_ = float(y.mean() - self.slope_ * tm)
        self.fitted_ = self.intercept_ + self.slope_ * t
        self.residuals_ = y - self.fitted_
        self.sigma2_ = float(self.residuals_ @ self.residuals_ / (n - 2))
        self.n_obs_, self._tm, self._sxx = n, tm, sxx
        return self

    def predict(self, h: int) -> np.ndarray:
        t = self.n_obs_ + np.arange(h, dtype=float)
        return self.intercept_ + self.slope_ * t

    def predict_interval(self, h: int, level: float = 0.95) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        mean = self.predict(h)
        t = self.n_obs_ + np.arange(h, dtype=float)
        se = np.sqrt(self.sigma2_ * (1.0 + 1.0 / self.n_obs_ + (t - self._tm) ** 2 / self._sxx))
        half = _z(level) * se
        return mean, mean - half, mean + half


def make_model(name: str, season_length: int = 7) -> HoltWinters | SeasonalNaive | LinearTrend:
    """A new, unfitted model by its contract name."""
    if name == "holt_winters":
        return HoltWinters(season_length)
    if name == "seasonal_naive":
        return SeasonalNaive(season_length)
    if name == "linear_trend":
        return LinearTrend(season_length)
    raise ValueError(f"unknown model {name!r}; one of {', '.join(MODELS)}")


# ---- accuracy and backtests ------------------------------------------------------------------
def accuracy(actual: Any, predicted: Any) -> dict[str, Any]:
    """MAE, RMSE, MAPE (percent; None when an actual is 0), sMAPE (percent, 0..200; a term whose
    actual and forecast are both 0 counts 0) and the number of points (FPP3 §5.8)."""
    a = np.asarray(actual, dtype=float)
    f = np.asarray(predicted, dtype=float)
    err = a - f
    denom = np.abs(a) + np.abs(f)
    terms = np.divide(2.0 * np.abs(err), denom, out=np.zeros_like(denom), where=denom > 0)
    return {
        "mae": float(np.mean(np.abs(err))),
        "rmse": float(np.sqrt(np.mean(err * err))),
        "mape": None if np.any(a == 0) else float(100.0 * np.mean(np.abs(err / a))),
        "smape": float(100.0 * np.mean(terms)),
        "n": len(a),
    }


def backtest(y: Any, name: str, season_length: int, horizon: int, *, origins: int = 3) -> dict[str, Any]:
    """Rolling-origin evaluation (FPP3 §5.10, "evaluation on a rolling forecasting origin"):
    the last `origins` windows of `horizon` points are each forecast from the history before
    them; the errors are pooled. Origins that leave too little history for the model are
    skipped; none left raises HistoryTooShortError."""
    y = _series(y)
    n = len(y)
    needed = make_model(name, season_length).min_length()
    actual: list[np.ndarray] = []
    predicted: list[np.ndarray] = []
    previous: Any = None
    first: Any = None
    for k in range(1, origins + 1):
        origin = n - k * horizon
        if origin < needed:
            break
        model = make_model(name, season_length)
        if previous is not None and isinstance(model, HoltWinters):  # warm start (same model)
            model.start = (previous.alpha_, previous.beta_, previous.gamma_)
        model = previous = model.fit(y[:origin])
        first = first or model
        actual.append(y[origin : origin + horizon])
        predicted.append(model.predict(horizon))
    if not actual:
        raise HistoryTooShortError(name, needed + horizon, n, what="backtest")
    result = accuracy(np.concatenate(actual), np.concatenate(predicted))
    result["origins"] = len(actual)
    if isinstance(first, HoltWinters):  # the latest origin's parameters: a warm start for a refit
        result["start"] = (first.alpha_, first.beta_, first.gamma_)
    return result


def backtest_horizon(n: int, horizon: int) -> int:
    """The window a forecast of `horizon` is backtested on: the horizon, at most a fifth of the
    history (so three origins still leave most of it to fit on)."""
    return max(1, min(horizon, n // 5))


@dataclass
class ForecastResult:
    model: str
    mean: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    metrics: dict[str, Any]
    fitted: Any = None
    scores: dict[str, dict[str, Any]] = field(default_factory=dict)


def forecast(
    y: Any,
    *,
    model: str = "auto",
    season_length: int = 7,
    horizon: int = 30,
    level: float = 0.95,
    origins: int = 3,
    candidates: Sequence[str] = MODELS,
) -> ForecastResult:
    """Fit `model` (or, with "auto", the candidate with the lowest rolling-origin sMAPE; ties
    by MAE) on the whole series and forecast `horizon` points with a `level` interval. The
    result's `metrics` are the chosen model's backtest errors."""
    y = _series(y)
    hb = backtest_horizon(len(y), horizon)
    names = list(candidates) if model == "auto" else [model]
    scores: dict[str, dict[str, Any]] = {}
    short: HistoryTooShortError | None = None
    for name in names:
        try:
            scores[name] = backtest(y, name, season_length, hb, origins=origins)
        except HistoryTooShortError as exc:
            short = short or exc
    if not scores:
        raise short or HistoryTooShortError(model, 1, len(y))
    chosen = min(scores, key=lambda k: (scores[k]["smape"], scores[k]["mae"]))
    fitted = make_model(chosen, season_length)
    if isinstance(fitted, HoltWinters) and "start" in scores[chosen]:
        fitted.start = scores[chosen]["start"]
    fitted = fitted.fit(y)
    mean, lower, upper = fitted.predict_interval(horizon, level)
    return ForecastResult(chosen, mean, lower, upper, scores[chosen], fitted, scores)
