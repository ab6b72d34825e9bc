# ruff: noqa: N803, N806 - X, C, H: the names of the math and of scikit-learn's API
"""Reference tests of shared.models.regression against the libraries it replaces (numpy lstsq,
statsmodels OLS and GLM, scikit-learn LogisticRegression and roc_auc_score, scipy), on the same
inputs, with the tolerance stated in each test."""

from __future__ import annotations

import numpy as np
import pytest
from shared.models.regression import (
    OLS,
    LogisticRegression,
    PoissonFE,
    rankdata,
    roc_auc,
    spearman,
    t_quantile,
)


@pytest.fixture(scope="module")
def rng():
    return np.random.default_rng(42)


def test_t_quantile_matches_scipy_within_1e_4_from_10_df():
    from scipy import stats

    for df in (5, 10, 30, 100, 1000):
        for p in (0.9, 0.95, 0.975, 0.995, 0.025):
            assert t_quantile(p, df) == pytest.approx(stats.t.ppf(p, df), abs=5e-3 if df == 5 else 1e-4)


def test_ols_matches_lstsq_and_statsmodels(rng):
    import statsmodels.api as sm

    n = 500
    X = rng.normal(size=(n, 3))
    y = 1.5 + X @ np.array([2.0, -1.0, 0.5]) + rng.normal(0, 1.3, n)
    fit = OLS().fit(X, y)
    A = np.column_stack([np.ones(n), X])
    beta, *_ = np.linalg.lstsq(A, y, rcond=None)
    np.testing.assert_allclose(fit.params_, beta, rtol=1e-10)
    ref = sm.OLS(y, A).fit()
    np.testing.assert_allclose(fit.bse_, ref.bse, rtol=1e-8)
    np.testing.assert_allclose(fit.conf_int(0.95), ref.conf_int(0.05), rtol=1e-5)
    np.testing.assert_allclose(fit.conf_int(0.90), ref.conf_int(0.10), rtol=1e-5)
    assert fit.rsquared_ == pytest.approx(ref.rsquared, rel=1e-10)
    np.testing.assert_allclose(fit.predict(X[:5]), ref.predict(A[:5]), rtol=1e-10)


def test_ols_refuses_rank_deficient_and_tiny_designs():
    X = np.column_stack([np.arange(10.0), 2 * np.arange(10.0)])
    with pytest.raises(ValueError):
        OLS().fit(X, np.arange(10.0))
    with pytest.raises(ValueError):
        OLS().fit(np.arange(2.0), np.arange(2.0))


@pytest.mark.parametrize("C", [0.01, 1.0, 100.0])
def test_logistic_matches_sklearn_coefficients_and_auc(rng, C):
    from sklearn.linear_model import LogisticRegression as SkLogit
    from sklearn.metrics import roc_auc_score

    n = 3000
    X = rng.normal(size=(n, 4)) * np.array([1.0, 2.0, 0.5, 1.0])
    logit = -1.0 + X @ np.array([1.2, -0.6, 2.0, 0.0])
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    ours = LogisticRegression(C=C).fit(X, y)
    ref = SkLogit(C=C, tol=1e-12, max_iter=10_000).fit(X, y)
    # same objective, both converged: coefficients within 1e-4 (absolute)
    np.testing.assert_allclose(ours.coef_, ref.coef_[0], atol=1e-4)
    assert ours.intercept_ == pytest.approx(ref.intercept_[0], abs=1e-4)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X)[:, 1], atol=1e-5)
    assert roc_auc(y, ours.predict_proba(X)) == pytest.approx(
        roc_auc_score(y, ref.predict_proba(X)[:, 1]), abs=1e-4
    )


def test_logistic_unpenalised_matches_statsmodels_logit(rng):
    import statsmodels.api as sm

    n = 2000
    X = rng.normal(size=(n, 2))
    y = (rng.random(n) < 1 / (1 + np.exp(-(0.3 + X @ np.array([1.0, -2.0]))))).astype(int)
    ours = LogisticRegression(C=np.inf).fit(X, y)
    ref = sm.Logit(y, sm.add_constant(X)).fit(disp=0)
    np.testing.assert_allclose(np.r_[ours.intercept_, ours.coef_], ref.params, atol=1e-6)


def test_logistic_survives_separable_data():
    X = np.r_[np.linspace(-3, -1, 20), np.linspace(1, 3, 20)][:, None]
    y = np.r_[np.zeros(20), np.ones(20)]
    clf = LogisticRegression(C=1.0).fit(X, y)
    assert np.isfinite(clf.coef_).all() and clf.coef_[0] > 0
    assert roc_auc(y, clf.predict_proba(X)) == 1.0


def test_roc_auc_matches_sklearn_with_ties(rng):
    from sklearn.metrics import roc_auc_score

    y = rng.integers(0, 2, 1000)
    score = np.round(rng.normal(size=1000) + y, 1)  # rounding makes many ties
    assert roc_auc(y, score) == pytest.approx(roc_auc_score(y, score), abs=1e-12)
    with pytest.raises(ValueError):
        roc_auc(np.ones(5), np.arange(5))


def test_rankdata_and_spearman_match_scipy(rng):
    from scipy import stats

    x = rng.integers(0, 20, 300).astype(float)
    y = x + rng.normal(0, 5, 300)
    np.testing.assert_allclose(rankdata(x), stats.rankdata(x))
    assert spearman(x, y) == pytest.approx(stats.spearmanr(x, y).statistic, abs=1e-12)


def _panel(rng, n_groups=120, n_periods=30, elasticity=-1.7):
    g = np.repeat(np.arange(n_groups), n_periods)
    t = np.tile(np.arange(n_periods), n_groups)
    a = rng.normal(0, 1.0, n_groups) - 1.0
    d = rng.normal(0, 0.3, n_periods)
    lx = rng.normal(0, 0.15, len(g)) + 0.1 * d[t]  # prices correlated with the period effects
    y = rng.poisson(np.exp(a[g] + d[t] + elasticity * lx))
    return lx, y, g, t


def test_poisson_fe_matches_statsmodels_glm_with_dummies(rng):
    import statsmodels.api as sm

    lx, y, g, t = _panel(rng, n_groups=60, n_periods=20)
    ours = PoissonFE().fit(lx, y, g, t)
    keep = np.bincount(g, y)[g] > 0
    G = (g[keep][:, None] == np.unique(g[keep])[None, :]).astype(float)
    T = (t[keep][:, None] == np.arange(1, t.max() + 1)[None, :]).astype(float)
    A = np.column_stack([lx[keep], G, T])
    ref = sm.GLM(y[keep], A, family=sm.families.Poisson()).fit(
        cov_type="cluster", cov_kwds={"groups": g[keep], "use_correction": False}
    )
    # the same estimator: the slope to 1e-6; the clustered standard error within 1 % (ours
    # applies the G/(G-1) factor, statsmodels without its correction does not)
    assert ours.coef_[0] == pytest.approx(ref.params[0], abs=1e-6)
    n_g = len(np.unique(g[keep]))
    assert ours.bse_[0] == pytest.approx(ref.bse[0] * np.sqrt(n_g / (n_g - 1)), rel=1e-2)
    np.testing.assert_allclose(ours.mu_, ref.fittedvalues, rtol=1e-5)


def test_poisson_fe_recovers_a_planted_elasticity(rng):
    lx, y, g, t = _panel(rng, n_groups=400, n_periods=52, elasticity=-2.2)
    fit = PoissonFE().fit(lx, y, g, t)
    lo, hi = fit.conf_int(0.95)[0]
    assert lo < -2.2 < hi and hi - lo < 0.6
    assert 0 < fit.pseudo_r2_ < 1
