"""Reference tests of the customer models (shared.models.customers, shared.models.clv) against
the libraries they replace, on the same inputs, with the tolerances stated in each test:
scikit-learn for the churn logistic regression, scipy.special / scipy.optimize for the BG/NBD
and Gamma-Gamma formulas and fits (the `lifetimes` package is not installed: its formulas are
written here with scipy's gammaln and hyp2f1, independently of ours)."""

from __future__ import annotations

import numpy as np
import pytest
from shared.models.clv import BGNBD, GammaGamma, discounted_value, hyp2f1
from shared.models.customers import ChurnModel, churn_design, name_segments, quintile_scores, risk_band


# ---- segment names ---------------------------------------------------------------------------
def test_segment_names_follow_the_centroids_not_the_index():
    # recency z (lower = more recent), frequency z, monetary z
    centroids = [(-1.0, 1.2, 1.1), (1.2, -0.8, -0.9), (-0.8, -0.9, -0.5), (0.9, 0.6, 0.8)]
    names = name_segments(*zip(*centroids, strict=True))
    assert names == ["Champions", "Hibernating", "New customers", "At risk"]
    order = [2, 0, 3, 1]
    shuffled = name_segments(*zip(*[centroids[i] for i in order], strict=True))
    assert shuffled == [names[i] for i in order]


def test_segment_names_are_unique_and_ranked_within_a_quadrant():
    names = name_segments(
        [-1, -0.5, 1.0, 0.5, 1.5, 0.2], [2, 0.5, -1, 1, -1.5, 0.5], [2, 0.6, -1, 1.2, -1.4, 0.1]
    )
    assert len(set(names)) == 6
    assert names[0] == "Champions" and names[1] == "Loyal customers"
    assert names[3] == "Can't lose them" and names[5] == "At risk"
    assert names[2] == "About to sleep" and names[4] == "Hibernating"


def test_quintile_scores_match_pandas_qcut_on_distinct_values():
    import pandas as pd

    rng = np.random.default_rng(3)
    values = rng.permutation(1000).astype(float)
    expected = pd.qcut(values, 5, labels=False) + 1
    np.testing.assert_array_equal(quintile_scores(values, values), expected)
    np.testing.assert_array_equal(quintile_scores(values, values, higher_is_better=False), 6 - expected)


def test_risk_bands():
    assert list(risk_band(np.array([0.0, 0.29, 0.3, 0.59, 0.6, 1.0]))) == [
        "low",
        "low",
        "medium",
        "medium",
        "high",
        "high",
    ]
    assert risk_band(0.65) == "high"


# ---- churn -----------------------------------------------------------------------------------
def _customers(rng, n=4000):
    recency = rng.exponential(60, n)
    frequency = rng.poisson(4, n)
    features = {
        "recency": recency,
        "frequency": frequency,
        "monetary": frequency * rng.gamma(2, 60, n),
        "tenure": rng.uniform(30, 1500, n),
        "trend": rng.integers(-3, 4, n).astype(float),
    }
    logit = -1 + 1.5 * (np.log1p(recency) - 3.5) - 0.8 * (np.log1p(frequency) - 1.5) - 0.2 * features["trend"]
    churned = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return features, churned


def test_churn_model_matches_sklearn_on_the_same_features():
    from sklearn.linear_model import LogisticRegression as SkLogit
    from sklearn.metrics import roc_auc_score

    features, churned = _customers(np.random.default_rng(42))
    model = ChurnModel(C=1.0).fit(features, churned)
    X = (churn_design(features) - model.mean_) / model.scale_  # noqa: N806
    ref = SkLogit(C=1.0, tol=1e-12, max_iter=10_000).fit(X, churned)
    np.testing.assert_allclose(model.coef_, ref.coef_[0], atol=1e-4)
    p = model.predict_proba(features)
    assert roc_auc_score(churned, p) == pytest.approx(
        roc_auc_score(churned, ref.predict_proba(X)[:, 1]), abs=1e-6
    )
    assert roc_auc_score(churned, p) > 0.75
    again = ChurnModel.from_dict(model.to_dict())
    np.testing.assert_allclose(again.predict_proba(features), p)


def test_churn_drivers_name_what_pushes_the_probability_up():
    features, churned = _customers(np.random.default_rng(1))
    model = ChurnModel().fit(features, churned)
    lapsed = {
        k: np.array([v])
        for k, v in {"recency": 400.0, "frequency": 4, "monetary": 500, "tenure": 700, "trend": 0}.items()
    }
    assert model.drivers(lapsed)[0][0] == "recency"
    fading = {
        k: np.array([v])
        for k, v in {"recency": 60.0, "frequency": 0, "monetary": 0, "tenure": 700, "trend": -3}.items()
    }
    assert "low_frequency" in model.drivers(fading)[0]


# ---- BG/NBD and Gamma-Gamma ------------------------------------------------------------------
def _scipy_bgnbd_loglik(params, x, t_x, T):  # noqa: N803 - the paper's names
    from scipy.special import betaln, gammaln

    r, alpha, a, b = params
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = betaln(a, b + x) - betaln(a, b)
    a3 = -(r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore"):
        a4 = np.where(
            x > 0,
            np.log(a) - np.log(np.where(x > 0, b + x - 1, 1.0)) - (r + x) * np.log(alpha + t_x),
            -np.inf,
        )
    return a1 + a2 + np.logaddexp(a3, a4)


def _scipy_expected(params, t, x, t_x, T):  # noqa: N803
    from scipy.special import hyp2f1 as sp_hyp2f1

    r, alpha, a, b = params
    hyp = sp_hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t))
    first = (a + b + x - 1) / (a - 1) * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp)
    second = 1 + (x > 0) * a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x)
    return first / second


@pytest.fixture(scope="module")
def bgnbd_data():
    """Simulated BG/NBD customers (r=0.8, alpha=4, a=0.6, b=3; weeks), 52 weeks observed."""
    rng = np.random.default_rng(7)
    n = 3000
    lam = rng.gamma(0.8, 1 / 4.0, n)
    p = rng.beta(0.6, 3.0, n)
    T = rng.uniform(10, 52, n)  # noqa: N806
    x = np.zeros(n)
    t_x = np.zeros(n)
    for i in range(n):
        t = 0.0
        while True:
            t += rng.exponential(1 / lam[i])
            if t > T[i]:
                break
            x[i] += 1
            t_x[i] = t
            if rng.random() < p[i]:
                break
    return x, t_x, T


def test_bgnbd_loglik_and_expectations_match_scipy(bgnbd_data):
    x, t_x, T = bgnbd_data  # noqa: N806
    model = BGNBD.from_dict({"r": 0.8, "alpha": 4.0, "a": 0.6, "b": 3.0})
    params = (0.8, 4.0, 0.6, 3.0)
    np.testing.assert_allclose(model.loglik(x, t_x, T), _scipy_bgnbd_loglik(params, x, t_x, T), rtol=1e-10)
    for t in (4.0, 26.0, 52.0):
        np.testing.assert_allclose(
            model.expected_orders(t, x, t_x, T), _scipy_expected(params, t, x, t_x, T), rtol=1e-8
        )
    alive = model.probability_alive(x, t_x, T)
    assert np.all((alive > 0) & (alive <= 1)) and np.all(alive[x == 0] == 1)


def test_hyp2f1_matches_scipy():
    from scipy.special import hyp2f1 as sp_hyp2f1

    a, b, c, z = (
        np.array([1.5, 3.0, 10.0]),
        np.array([4.0, 2.5, 12.0]),
        np.array([5.0, 3.7, 20.0]),
        np.array([0.3, 0.7, 0.9]),
    )
    np.testing.assert_allclose(hyp2f1(a, b, c, z), sp_hyp2f1(a, b, c, z), rtol=1e-9)


def test_bgnbd_fit_matches_scipy_optimize_and_recovers_the_parameters(bgnbd_data):
    from scipy.optimize import minimize

    x, t_x, T = bgnbd_data  # noqa: N806
    ours = BGNBD().fit(x, t_x, T)
    ref = minimize(
        lambda logs: -np.sum(_scipy_bgnbd_loglik(np.exp(logs), x, t_x, T)), np.log([1, 1, 1, 1]), method="Nelder-Mead",
        options={"xatol": 1e-8, "fatol": 1e-10, "maxiter": 20_000, "maxfev": 20_000},
    )  # fmt: skip
    # the same maximum: log-likelihood within 0.01 (of ~ -10^4), parameters within 2 %
    assert ours.loglik_ == pytest.approx(-ref.fun, abs=1e-2)
    np.testing.assert_allclose([ours.r_, ours.alpha_, ours.a_, ours.b_], np.exp(ref.x), rtol=2e-2)
    # and close to the simulation's truth
    assert ours.r_ == pytest.approx(0.8, rel=0.2) and ours.alpha_ == pytest.approx(4.0, rel=0.3)


def test_gamma_gamma_matches_scipy():
    from scipy.optimize import minimize
    from scipy.special import gammaln

    rng = np.random.default_rng(11)
    n_cust = 2000
    nu = rng.gamma(4.0, 1 / 300.0, n_cust)  # q = 4, gamma = 300
    n = rng.integers(1, 12, n_cust).astype(float)
    m = np.array([rng.gamma(2.0, 1 / nu[i], int(n[i])).mean() for i in range(n_cust)])  # p = 2

    def loglik(params):
        p, q, g = params
        return (
            gammaln(p * n + q) - gammaln(p * n) - gammaln(q) + q * np.log(g)
            + (p * n - 1) * np.log(m) + p * n * np.log(n) - (p * n + q) * np.log(g + n * m)
        )  # fmt: skip

    ours = GammaGamma().fit(n, m)
    ref = minimize(lambda logs: -np.sum(loglik(np.exp(logs))), np.log([1, 1, 100]), method="Nelder-Mead",
                   options={"xatol": 1e-9, "fatol": 1e-10, "maxiter": 20_000})  # fmt: skip
    assert ours.loglik_ == pytest.approx(-ref.fun, abs=1e-2)
    np.testing.assert_allclose([ours.p_, ours.q_, ours.gamma_], np.exp(ref.x), rtol=2e-2)
    p, q, g = np.exp(ref.x)
    np.testing.assert_allclose(
        ours.expected_value(n[:5], m[:5]), (g + n[:5] * m[:5]) * p / (p * n[:5] + q - 1), rtol=3e-2
    )


def test_undiscounted_value_is_orders_times_order_value(bgnbd_data):
    x, t_x, T = bgnbd_data  # noqa: N806
    bg = BGNBD.from_dict({"r": 0.8, "alpha": 4.0, "a": 0.6, "b": 3.0})
    gg = GammaGamma.from_dict({"p": 2.0, "q": 4.0, "gamma": 300.0})
    n, m = x + 1, np.full(len(x), 100.0)
    value, orders, aov = discounted_value(bg, gg, months=12, annual_rate=0.0, x=x, t_x=t_x, T=T, n=n, m=m)
    np.testing.assert_allclose(value, orders * aov, rtol=1e-9)
    discounted, _, _ = discounted_value(bg, gg, months=12, annual_rate=0.2, x=x, t_x=t_x, T=T, n=n, m=m)
    assert np.all(discounted <= value + 1e-9) and discounted.sum() < value.sum()
