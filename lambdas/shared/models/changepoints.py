"""Change points in a series: where its level (mean) or its trend (slope) changes.

Three methods over one segment cost, numpy only, no I/O:

- **PELT** (Killick, Fearnhead & Eckley 2012, "Optimal detection of changepoints with a linear
  computational cost", JASA 107(500):1590-1598): the exact minimiser of
  `sum(segment costs) + penalty * number of change points`, with the pruning rule that drops a
  candidate start once it can no longer be optimal.
- **Binary segmentation** (Scott & Knott 1974; Vostrikova 1981): split the segment whose best
  split reduces the cost most, while that reduction exceeds the penalty (greedy, approximate).
- **CUSUM** (Page 1954; the standardised CUSUM statistic of binary segmentation for a change in
  mean, as in Fryzlewicz 2014, "Wild binary segmentation", Ann. Statist. 42(6)): each segment
  splits at the maximum of `sqrt(k (n-k) / n) * |mean(left) - mean(right)|` while its square
  exceeds the penalty; segments are split independently (depth first). Mean model only.

Segment costs (the same as `ruptures`' `CostL2` and `CostLinear` with covariates `[t, 1]`; see
Truong, Oudre & Vayatis 2020, "Selective review of offline change point detection methods",
Signal Processing 167):

- `model="mean"`: the sum of squared deviations from the segment's mean (a change in level);
- `model="linear"`: the residual sum of squares of the segment's least-squares line in time
  (a change in level and/or slope).

Both are computed in O(1) per segment from prefix sums.

The penalty defaults to the BIC (Schwarz 1978) in cost units: `p * sigma^2 * ln(n)`, with
`p = 2` for the mean model (a location and a mean per change) and `p = 3` for the linear one
(a location, a level and a slope), and `sigma` the noise level estimated robustly from the
first differences (`1.4826 * MAD(diff(y)) / sqrt(2)`, which a trend does not inflate).
Callers may set their own penalty: higher finds fewer changes.

Each change point's `confidence` is the chi-square probability of its cost reduction (the cost
of the merged neighbouring segments minus the two segments' costs) in units of `sigma^2`, with
1 (mean) or 2 (linear) degrees of freedom. It ignores the search over positions, so it
overstates the evidence for small shifts; it orders change points by strength.

Reference: `tests/test_models_changepoints.py` checks the breakpoints against `ruptures`
(Pelt and Binseg, same cost, penalty and minimum segment length) and against planted shifts.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np

METHODS = ("pelt", "binary_segmentation", "cusum")
MODELS = ("mean", "linear")
_PARAMS = {"mean": 2, "linear": 3}  # parameters a change adds: location + level (+ slope)
_DOF = {"mean": 1, "linear": 2}  # parameters of the segment fit a change adds


class _Cost:
    """Segment costs of `y` in O(1) from prefix sums; segments are half-open [a, b)."""

    def __init__(self, y: np.ndarray, model: str) -> None:
        self.model = model
        n = len(y)
        y = y - y.mean()  # both costs are shift invariant; centring keeps the sums small
        t = np.arange(n, dtype=np.float64) - (n - 1) / 2.0
        zero = np.zeros(1)
        self.c_y = np.concatenate([zero, np.cumsum(y)])
        self.c_yy = np.concatenate([zero, np.cumsum(y * y)])
        if model == "linear":
            self.c_t = np.concatenate([zero, np.cumsum(t)])
            self.c_tt = np.concatenate([zero, np.cumsum(t * t)])
            self.c_ty = np.concatenate([zero, np.cumsum(t * y)])

    def __call__(self, a, b):
        """Cost of [a, b) with b - a >= 1 (>= 2 for the linear model); `a`, `b` may be arrays."""
        n = b - a
        s_y = self.c_y[b] - self.c_y[a]
        rss = self.c_yy[b] - self.c_yy[a] - s_y * s_y / n
        if self.model == "linear":
            s_t = self.c_t[b] - self.c_t[a]
            sxx = self.c_tt[b] - self.c_tt[a] - s_t * s_t / n  # > 0 for two or more points
            sxy = self.c_ty[b] - self.c_ty[a] - s_t * s_y / n
            rss = rss - sxy * sxy / sxx
        return np.maximum(rss, 0.0)


def noise_sigma(y: np.ndarray) -> float:
    """Robust noise level from first differences: 1.4826 * MAD(diff(y)) / sqrt(2)."""
    y = np.asarray(y, dtype=np.float64)
    if len(y) < 3:
        return float(np.std(y))
    d = np.diff(y)
    mad = float(np.median(np.abs(d - np.median(d))))
    sigma = 1.4826 * mad / math.sqrt(2.0)
    if sigma <= 0:  # mostly flat with a few jumps: fall back to the plain spread of the steps
        sigma = float(np.std(d)) / math.sqrt(2.0)
    return sigma


def bic_penalty(y: np.ndarray, model: str = "mean", sigma: float | None = None) -> float:
    """The default penalty: p * sigma^2 * ln(n) (see the module docstring)."""
    sigma = noise_sigma(y) if sigma is None else sigma
    return _PARAMS[model] * sigma * sigma * math.log(max(len(y), 2))


def pelt(y: np.ndarray, penalty: float, *, model: str = "mean", min_size: int = 2) -> list[int]:
    """PELT: the starts of the new regimes (0 < index < n) minimising cost + penalty per change."""
    y = np.asarray(y, dtype=np.float64)
    n = len(y)
    min_size = max(min_size, 2 if model == "linear" else 1)
    if n < 2 * min_size:
        return []
    cost = _Cost(y, model)
    best = np.full(n + 1, np.inf)
    best[0] = -penalty
    last = np.zeros(n + 1, dtype=np.int64)
    candidates = np.empty(n + 1, dtype=np.int64)  # the first `m` entries are live
    m = 0
    for t in range(min_size, n + 1):
        new = t - min_size
        if new == 0 or new >= min_size:  # a start is admissible once a first segment fits before it
            candidates[m] = new
            m += 1
        live = candidates[:m]
        total = best[live] + cost(live, t)
        k = int(total.argmin())
        best[t] = total[k] + penalty
        last[t] = live[k]
        keep = live[total <= best[t]]  # pruning (cost additivity, K = 0)
        m = len(keep)
        candidates[:m] = keep
    breaks = []
    t = n
    while t > 0:
        t = int(last[t])
        if t > 0:
            breaks.append(t)
    return sorted(breaks)


def _best_split(cost: _Cost, a: int, b: int, min_size: int) -> tuple[float, int]:
    """(cost reduction, position) of the best single split of [a, b), or (-inf, -1)."""
    if b - a < 2 * min_size:
        return -math.inf, -1
    ks = np.arange(a + min_size, b - min_size + 1)
    gains = cost(a, b) - cost(np.full(len(ks), a), ks) - cost(ks, np.full(len(ks), b))
    i = int(np.argmax(gains))
    return float(gains[i]), int(ks[i])


def binary_segmentation(
    y: np.ndarray,
    penalty: float,
    *,
    model: str = "mean",
    min_size: int = 2,
    max_changes: int | None = None,
) -> list[int]:
    """Greedy binary segmentation: best split anywhere first, while its gain exceeds `penalty`."""
    y = np.asarray(y, dtype=np.float64)
    n = len(y)
    min_size = max(min_size, 2 if model == "linear" else 1)
    cost = _Cost(y, model)
    segments = {(0, n): _best_split(cost, 0, n, min_size)}
    breaks: list[int] = []
    while segments and (max_changes is None or len(breaks) < max_changes):
        (a, b), (gain, k) = max(segments.items(), key=lambda item: item[1][0])
        if k < 0 or gain <= penalty:
            break
        del segments[(a, b)]
        breaks.append(k)
        segments[(a, k)] = _best_split(cost, a, k, min_size)
        segments[(k, b)] = _best_split(cost, k, b, min_size)
    return sorted(breaks)


def cusum(y: np.ndarray, penalty: float, *, min_size: int = 2) -> list[int]:
    """CUSUM binary segmentation (mean model): a segment splits at its maximal standardised
    CUSUM while the statistic's square (the split's cost reduction) exceeds `penalty`."""
    y = np.asarray(y, dtype=np.float64)
    n = len(y)
    min_size = max(min_size, 1)
    c = np.concatenate([np.zeros(1), np.cumsum(y - y.mean())])
    breaks: list[int] = []
    stack = [(0, n)]
    while stack:
        a, b = stack.pop()
        m = b - a
        if m < 2 * min_size:
            continue
        ks = np.arange(min_size, m - min_size + 1)
        left = (c[a + ks] - c[a]) / ks
        right = (c[b] - c[a + ks]) / (m - ks)
        stat = np.sqrt(ks * (m - ks) / m) * np.abs(left - right)
        i = int(np.argmax(stat))
        if stat[i] ** 2 <= penalty:
            continue
        k = a + int(ks[i])
        breaks.append(k)
        stack += [(a, k), (k, b)]
    return sorted(breaks)


@dataclass
class ChangePoints:
    """Detect change points, scikit-learn style.

        cp = ChangePoints(method="pelt", model="mean").fit(y)
        cp.breakpoints_   # starts of the new regimes, ascending
        cp.penalty_, cp.sigma_, cp.confidence_, cp.segments_

    `max_changes`: when more are found, the penalty is multiplied by 1.5 until at most that many
    remain (`penalty_` is the one finally used)."""

    method: str = "pelt"
    model: str = "mean"
    penalty: float | None = None
    min_size: int = 2
    max_changes: int | None = None
    breakpoints_: list[int] = field(default_factory=list, init=False)
    penalty_: float = field(default=0.0, init=False)
    sigma_: float = field(default=0.0, init=False)
    confidence_: list[float] = field(default_factory=list, init=False)
    segments_: list[dict[str, float]] = field(default_factory=list, init=False)

    def _detect(self, y: np.ndarray, penalty: float) -> list[int]:
        if self.method == "pelt":
            return pelt(y, penalty, model=self.model, min_size=self.min_size)
        if self.method == "binary_segmentation":
            return binary_segmentation(
                y, penalty, model=self.model, min_size=self.min_size, max_changes=self.max_changes
            )
        return cusum(y, penalty, min_size=self.min_size)

    def fit(self, y: np.ndarray) -> ChangePoints:
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}")
        if self.model not in MODELS:
            raise ValueError(f"model must be one of {MODELS}")
        if self.method == "cusum" and self.model != "mean":
            raise ValueError("the CUSUM method detects changes in mean only")
        if self.penalty is not None and not (math.isfinite(self.penalty) and self.penalty >= 0):
            raise ValueError("penalty must be a finite number >= 0")
        y = np.asarray(y, dtype=np.float64)
        if y.ndim != 1 or not np.all(np.isfinite(y)):
            raise ValueError("y must be a one-dimensional series of finite numbers")
        self.sigma_ = noise_sigma(y)
        penalty = bic_penalty(y, self.model, self.sigma_) if self.penalty is None else float(self.penalty)
        breaks = self._detect(y, penalty)
        if self.max_changes is not None and len(breaks) > self.max_changes:
            penalty, breaks = self._fewer(y, penalty)
        self.penalty_ = penalty
        self.breakpoints_ = breaks
        self._describe(y)
        return self

    def _fewer(self, y: np.ndarray, penalty: float) -> tuple[float, list[int]]:
        """The smallest penalty (to within a factor 1.2) above `penalty` that leaves at most
        `max_changes` change points: grow it 4x at a time (from at least a quarter of the
        BIC), then bisect in log space. A dozen fits at most for any series."""
        assert self.max_changes is not None
        low = penalty
        high = max(penalty, 0.25 * bic_penalty(y, self.model, self.sigma_), 1e-12 * float(np.var(y)) * len(y))
        breaks = self._detect(y, high)
        while len(breaks) > self.max_changes:
            if high > 1e300:  # pragma: no cover - costs are finite, so one segment is reached first
                break
            low, high = high, high * 4.0
            breaks = self._detect(y, high)
        if low <= 0:
            return high, breaks
        while high / low > 1.2:
            mid = math.sqrt(low * high)
            found = self._detect(y, mid)
            if len(found) > self.max_changes:
                low = mid
            else:
                high, breaks = mid, found
        return high, breaks

    def _describe(self, y: np.ndarray) -> None:
        cost = _Cost(y, self.model)
        bounds = [0, *self.breakpoints_, len(y)]
        var = self.sigma_**2
        self.confidence_ = []
        for i, k in enumerate(self.breakpoints_):
            a, b = bounds[i], bounds[i + 2]
            gain = float(cost(a, b) - cost(a, k) - cost(k, b))
            if var <= 0:
                self.confidence_.append(1.0 if gain > 0 else 0.0)
            elif _DOF[self.model] == 1:
                self.confidence_.append(math.erf(math.sqrt(max(gain, 0.0) / (2.0 * var))))
            else:
                self.confidence_.append(1.0 - math.exp(-max(gain, 0.0) / (2.0 * var)))
        self.segments_ = []
        for a, b in itertools.pairwise(bounds):
            seg = y[a:b]
            slope = 0.0
            if b - a >= 2:
                t = np.arange(b - a, dtype=np.float64)
                t -= t.mean()
                slope = float(np.dot(t, seg - seg.mean()) / np.dot(t, t))
            self.segments_.append({"start": a, "end": b, "mean": float(seg.mean()), "slope": slope})
