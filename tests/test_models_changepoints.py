"""shared.models.changepoints against ruptures (test-only reference) and against planted shifts.

Tolerance (SERVICES.md, change points): every breakpoint within 3 points of ruptures' answer on
the same series, cost, penalty and minimum segment length, and within 3 points of the planted
change. PELT is exact, so in practice the answers are identical; binary segmentation is greedy
in both implementations.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from shared.models.changepoints import (
    ChangePoints,
    bic_penalty,
    binary_segmentation,
    cusum,
    noise_sigma,
    pelt,
)

rpt = pytest.importorskip("ruptures")

TOLERANCE = 3


def level_series(seed: int, shifts: list[int], levels: list[float], n: int, sd: float = 1.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    y = np.empty(n)
    bounds = [0, *shifts, n]
    for (a, b), level in zip(itertools.pairwise(bounds), levels, strict=True):
        y[a:b] = level
    return y + rng.normal(0.0, sd, n)


def slope_series(seed: int, kink: int, n: int, sd: float = 0.5) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(n, dtype=float)
    y = np.where(t < kink, 0.05 * t, 0.05 * kink + 3.0 - 0.08 * (t - kink))
    return y + rng.normal(0.0, sd, n)


def close(ours: list[int], ref: list[int], tol: int = TOLERANCE) -> bool:
    return len(ours) == len(ref) and all(abs(a - b) <= tol for a, b in zip(ours, ref, strict=True))


def finds(ours: list[int], planted: list[int], tol: int = TOLERANCE) -> bool:
    """Every planted change has a breakpoint within `tol` points, with at most one extra
    breakpoint (the BIC penalty lets noise through now and then, in ruptures too)."""
    return all(any(abs(k - p) <= tol for k in ours) for p in planted) and len(ours) <= len(planted) + 1


CASES = [
    (seed, shifts, levels)
    for seed in range(4)
    for shifts, levels in (
        ([100, 180], [0.0, 2.0, -1.0]),
        ([60], [10.0, 12.5]),
        ([40, 90, 150], [0.0, 3.0, 1.0, 4.0]),
    )
]


@pytest.mark.parametrize(("seed", "shifts", "levels"), CASES)
def test_pelt_on_mean_matches_ruptures_and_the_planted_shifts(seed, shifts, levels):
    y = level_series(seed, shifts, levels, 240)
    penalty = bic_penalty(y, "mean")
    ours = pelt(y, penalty, model="mean", min_size=5)
    ref = rpt.Pelt(model="l2", min_size=5, jump=1).fit(y).predict(pen=penalty)[:-1]
    assert close(ours, ref), (ours, ref)
    assert finds(ours, shifts), (ours, shifts)


@pytest.mark.parametrize(("seed", "shifts", "levels"), CASES)
def test_binary_segmentation_on_mean_matches_ruptures_and_the_planted_shifts(seed, shifts, levels):
    y = level_series(seed, shifts, levels, 240)
    penalty = bic_penalty(y, "mean")
    ours = binary_segmentation(y, penalty, model="mean", min_size=5)
    ref = rpt.Binseg(model="l2", min_size=5, jump=1).fit(y).predict(pen=penalty)[:-1]
    assert close(ours, ref), (ours, ref)
    assert finds(ours, shifts), (ours, shifts)


@pytest.mark.parametrize(("seed", "shifts", "levels"), CASES)
def test_cusum_finds_the_planted_shifts(seed, shifts, levels):
    y = level_series(seed, shifts, levels, 240)
    found = cusum(y, bic_penalty(y, "mean"), min_size=5)
    assert finds(found, shifts), (found, shifts)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("kink", [70, 130])
def test_pelt_on_slope_matches_ruptures_linear_cost_and_the_planted_kink(seed, kink):
    n = 200
    y = slope_series(seed, kink, n)
    penalty = bic_penalty(y, "linear")
    ours = pelt(y, penalty, model="linear", min_size=5)
    t = np.arange(n, dtype=float)
    signal = np.column_stack([y, t, np.ones(n)])  # CostLinear regresses column 0 on the others
    ref = (
        rpt.Pelt(custom_cost=rpt.costs.CostLinear(), min_size=5, jump=1).fit(signal).predict(pen=penalty)[:-1]
    )
    assert close(ours, ref), (ours, ref)
    assert finds(ours, [kink]), ours
    binseg = binary_segmentation(y, penalty, model="linear", min_size=5)
    ref_binseg = (
        rpt.Binseg(custom_cost=rpt.costs.CostLinear(), min_size=5, jump=1)
        .fit(signal)
        .predict(pen=penalty)[:-1]
    )
    assert close(binseg, ref_binseg), (binseg, ref_binseg)


def test_a_slope_change_without_a_level_jump_is_found_by_the_linear_model_only():
    rng = np.random.default_rng(3)
    t = np.arange(160, dtype=float)
    y = np.where(t < 80, 0.1 * t, 8.0 - 0.1 * (t - 80)) + rng.normal(0, 0.3, 160)  # continuous kink
    linear = ChangePoints(model="linear", min_size=5).fit(y)
    assert close(linear.breakpoints_, [80])
    assert linear.segments_[0]["slope"] == pytest.approx(0.1, abs=0.02)
    assert linear.segments_[1]["slope"] == pytest.approx(-0.1, abs=0.02)


def test_noise_only_gives_no_change_points_and_the_penalty_controls_how_many():
    y = np.random.default_rng(11).normal(5.0, 1.0, 300)
    assert ChangePoints().fit(y).breakpoints_ == []
    assert len(pelt(y, 0.5, min_size=2)) > 10  # a tiny penalty over-segments
    stepped = level_series(1, [50, 100, 150, 200], [0, 1.5, 0, 1.5, 0], 250)
    counts = [len(pelt(stepped, p, min_size=5)) for p in (1.0, 10.0, 100.0, 1000.0)]
    assert counts == sorted(counts, reverse=True) and counts[-1] < counts[0]


def test_max_changes_raises_the_penalty_until_that_many_remain():
    y = level_series(2, [40, 80, 120, 160], [0, 4, 0, 4, 0], 200)
    free = ChangePoints(min_size=5).fit(y)
    assert close(free.breakpoints_, [40, 80, 120, 160])
    capped = ChangePoints(min_size=5, max_changes=2).fit(y)
    assert len(capped.breakpoints_) <= 2 and capped.penalty_ > free.penalty_
    greedy = ChangePoints(method="binary_segmentation", min_size=5, max_changes=2).fit(y)
    assert len(greedy.breakpoints_) == 2


def test_segments_and_confidence_describe_the_fit():
    y = level_series(5, [100], [0.0, 3.0], 200)
    fit = ChangePoints(min_size=5).fit(y)
    assert close(fit.breakpoints_, [100])
    (k,) = fit.breakpoints_
    assert [s["start"] for s in fit.segments_] == [0, k] and fit.segments_[-1]["end"] == 200
    assert fit.segments_[0]["mean"] == pytest.approx(float(y[:k].mean()))
    assert fit.segments_[1]["mean"] == pytest.approx(float(y[k:].mean()))
    assert fit.confidence_[0] > 0.99
    weak = level_series(5, [100], [0.0, 0.3], 200)
    forced = ChangePoints(min_size=5, penalty=0.0, max_changes=1).fit(weak)
    assert forced.confidence_[0] < fit.confidence_[0]


def test_default_penalty_is_the_bic_with_a_robust_noise_level():
    rng = np.random.default_rng(0)
    y = np.r_[rng.normal(0, 2.0, 500), rng.normal(50, 2.0, 500)]  # a huge shift barely moves it
    assert noise_sigma(y) == pytest.approx(2.0, rel=0.1)
    assert bic_penalty(y, "mean") == pytest.approx(2 * noise_sigma(y) ** 2 * math.log(1000))
    assert bic_penalty(y, "linear") == pytest.approx(3 * noise_sigma(y) ** 2 * math.log(1000))


def test_bad_arguments_are_refused():
    y = np.arange(20.0)
    with pytest.raises(ValueError):
        ChangePoints(method="magic").fit(y)
    with pytest.raises(ValueError):
        ChangePoints(method="cusum", model="linear").fit(y)
    with pytest.raises(ValueError):
        ChangePoints(penalty=-1.0).fit(y)
    with pytest.raises(ValueError):
        ChangePoints().fit(np.array([1.0, np.nan, 2.0]))
    assert pelt(np.arange(3.0), 1.0, min_size=2) == []  # too short for two segments
