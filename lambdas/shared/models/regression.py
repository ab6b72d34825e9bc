# ruff: noqa: N803, N806 - X, C, H: the names of the math and of scikit-learn's API
"""Regressions and rank statistics: OLS with inference, L2 logistic regression, Poisson regression
with two-way fixed effects, ROC-AUC and Spearman's rho. numpy only.

    from shared.models.regression import OLS, LogisticRegression, roc_auc, spearman
    fit = OLS().fit(X, y)               # params_ (intercept first), bse_, conf_int(0.95), rsquared_
    clf = LogisticRegression(C=1.0).fit(X, y)     # coef_, intercept_, predict_proba(X)
    auc = roc_auc(y_true, scores)

Methods and references (each has a reference test in tests/test_models_regression.py):
- `OLS`: least squares by QR; classical standard errors sigma^2 (X'X)^-1 and Student-t intervals
  (Greene, *Econometric Analysis*, ch. 4). Tested against numpy.linalg.lstsq and statsmodels OLS.
- `LogisticRegression`: Newton-Raphson / IRLS on the L2-penalised log-likelihood
  (Hastie, Tibshirani & Friedman, ESL 4.4.1), scikit-learn's objective:
  0.5 ||w||^2 + C * sum(logloss), intercept not penalised. Tested against scikit-learn's
  LogisticRegression (lbfgs): coefficients and AUC.
- `PoissonFE`: Poisson pseudo-maximum likelihood (Santos Silva & Tenreyro 2006) with group and
  period fixed effects, the group effects concentrated out (Hausman, Hall & Griliches 1984);
  cluster-robust (sandwich) standard errors. The model is log-linear in
  the expected count, so with log regressors the slope is a constant elasticity, and weeks
  without sales (log 0) need no special treatment. Tested against statsmodels GLM Poisson with
  explicit dummies.
- `roc_auc`: the Mann-Whitney U statistic with average ranks for ties (Hanley & McNeil 1982);
  tested against scikit-learn's roc_auc_score. `spearman`: Pearson correlation of average ranks;
  tested against scipy.stats.spearmanr.
- `t_quantile`: Student-t quantile by the Cornish-Fisher expansion of Abramowitz & Stegun 26.7.5
  (error < 1e-4 for df >= 10, < 5e-3 at 5); tested against scipy.stats.t.ppf.
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np

__all__ = [
    "OLS",
    "LogisticRegression",
    "PoissonFE",
    "normal_quantile",
    "rankdata",
    "roc_auc",
    "sigmoid",
    "spearman",
    "t_quantile",
]


# ---- distributions -------------------------------------------------------------------------
def normal_quantile(p: float) -> float:
    """The standard normal quantile (statistics.NormalDist: Wichura's AS241, exact to 1e-15)."""
    return NormalDist().inv_cdf(p)


def t_quantile(p: float, df: float) -> float:
    """The Student-t quantile with `df` degrees of freedom (Abramowitz & Stegun 26.7.5)."""
    z = normal_quantile(p)
    if not np.isfinite(df) or df > 1e7:
        return z
    z2 = z * z
    g1 = (z2 + 1) * z / 4
    g2 = ((5 * z2 + 16) * z2 + 3) * z / 96
    g3 = (((3 * z2 + 19) * z2 + 17) * z2 - 15) * z / 384
    g4 = ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945) * z / 92160
    return z + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4


def sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-x)) without overflow."""
    x = np.asarray(x, dtype=float)
    out = np.empty_like(x)
    pos = x >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-x[pos]))
    ex = np.exp(x[~pos])
    out[~pos] = ex / (1.0 + ex)
    return out


def _design(X: np.ndarray, fit_intercept: bool) -> np.ndarray:
    X = np.asarray(X, dtype=float)
    if X.ndim == 1:
        X = X[:, None]
    return np.column_stack([np.ones(len(X)), X]) if fit_intercept else X


# ---- OLS -----------------------------------------------------------------------------------
class OLS:
    """Ordinary least squares with classical inference.

    After `fit`: `params_` (intercept first when `fit_intercept`), `bse_` (standard errors),
    `tvalues_`, `cov_params_`, `sigma2_`, `df_resid_`, `rsquared_`, `nobs_`; `conf_int(level)`
    gives an (n_params, 2) array of Student-t intervals."""

    def __init__(self, fit_intercept: bool = True) -> None:
        self.fit_intercept = fit_intercept

    def fit(self, X: np.ndarray, y: np.ndarray) -> OLS:
        A = _design(X, self.fit_intercept)
        y = np.asarray(y, dtype=float)
        n, k = A.shape
        if n <= k:
            raise ValueError(f"OLS needs more observations ({n}) than parameters ({k})")
        q, r = np.linalg.qr(A)
        if np.min(np.abs(np.diag(r))) < 1e-10 * max(1.0, np.max(np.abs(np.diag(r)))):
            raise ValueError("the design matrix is rank deficient")
        beta = np.linalg.solve(r, q.T @ y)
        resid = y - A @ beta
        df = n - k
        sigma2 = float(resid @ resid) / df
        r_inv = np.linalg.inv(r)
        cov = sigma2 * (r_inv @ r_inv.T)
        self.params_ = beta
        self.cov_params_ = cov
        self.bse_ = np.sqrt(np.diag(cov))
        self.tvalues_ = beta / self.bse_
        self.sigma2_ = sigma2
        self.df_resid_ = df
        self.nobs_ = n
        centre = y - y.mean() if self.fit_intercept else y
        tss = float(centre @ centre)
        self.rsquared_ = 1.0 - float(resid @ resid) / tss if tss > 0 else 0.0
        self.resid_ = resid
        return self

    def conf_int(self, level: float = 0.95) -> np.ndarray:
        t = t_quantile(0.5 + level / 2, self.df_resid_)
        return np.column_stack([self.params_ - t * self.bse_, self.params_ + t * self.bse_])

    def predict(self, X: np.ndarray) -> np.ndarray:
        return _design(X, self.fit_intercept) @ self.params_


# ---- logistic regression -------------------------------------------------------------------
class LogisticRegression:
    """Binary logistic regression with an L2 penalty, fitted by Newton-Raphson (IRLS).

    Objective (scikit-learn's): 0.5 * ||coef||^2 + C * sum_i logloss_i; the intercept is not
    penalised. `C=np.inf` fits the unpenalised maximum-likelihood model. After `fit`: `coef_`
    (n_features,), `intercept_` (float), `n_iter_`; `decision_function`, `predict_proba` (the
    probability of class 1, one value per row) and `predict`."""

    def __init__(
        self, C: float = 1.0, fit_intercept: bool = True, max_iter: int = 100, tol: float = 1e-10
    ) -> None:
        self.C = C
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol

    def fit(
        self, X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None
    ) -> LogisticRegression:
        A = _design(X, self.fit_intercept)
        y = np.asarray(y, dtype=float)
        if not np.all((y == 0) | (y == 1)):
            raise ValueError("y must be 0/1")
        sw = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        k = A.shape[1]
        penalty = np.full(k, 0.0 if not np.isfinite(self.C) else 1.0 / self.C)
        if self.fit_intercept:
            penalty[0] = 0.0
        beta = np.zeros(k)
        if self.fit_intercept:
            p0 = np.clip(np.average(y, weights=sw), 1e-6, 1 - 1e-6)
            beta[0] = np.log(p0 / (1 - p0))

        def objective(b: np.ndarray) -> float:
            eta = A @ b
            # logloss = log(1 + exp(eta)) - y * eta, stably
            ll = np.logaddexp(0.0, eta) - y * eta
            return float(sw @ ll) + 0.5 * float(penalty @ (b * b))

        current = objective(beta)
        it = 0
        for it in range(1, self.max_iter + 1):  # noqa: B007 - the count is kept
            p = sigmoid(A @ beta)
            grad = A.T @ (sw * (p - y)) + penalty * beta
            w = sw * p * (1 - p)
            hess = (A * w[:, None]).T @ A + np.diag(penalty) + 1e-12 * np.eye(k)
            step = np.linalg.solve(hess, grad)
            # step halving keeps Newton monotone when the start is far (separable-ish data)
            t = 1.0
            while True:
                candidate = beta - t * step
                value = objective(candidate)
                if value <= current + 1e-12 or t < 1e-8:
                    break
                t *= 0.5
            beta, change = candidate, current - value
            current = value
            if np.max(np.abs(t * step)) < self.tol or abs(change) < self.tol * max(1.0, abs(current)):
                break
        self.n_iter_ = it
        self.intercept_ = float(beta[0]) if self.fit_intercept else 0.0
        self.coef_ = beta[1:] if self.fit_intercept else beta
        return self

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=float)
        if X.ndim == 1:
            X = X[:, None]
        return X @ self.coef_ + self.intercept_

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return sigmoid(self.decision_function(X))

    def predict(self, X: np.ndarray) -> np.ndarray:
        return (self.predict_proba(X) >= 0.5).astype(int)


# ---- Poisson regression with two-way fixed effects ----------------------------------------
class PoissonFE:
    """Poisson pseudo-maximum likelihood with two sets of fixed effects:
    E[y] = exp(x'beta + a[group] + d[period]).

    The many `group` effects (e.g. products) are concentrated out exactly: given beta and d, the
    Poisson MLE of a[g] makes each group's fitted total equal its observed total, which turns the
    likelihood into one multinomial logit per group over its periods (Hausman, Hall & Griliches
    1984; the same beta as the dummy-variable Poisson fit). The few `period` effects (e.g. weeks)
    are estimated with beta by Newton-Raphson (the first period is the reference).

    After `fit`: `coef_` (n_features,), `bse_` (standard errors clustered by group, with the
    G/(G-1) small-sample factor), `cov_params_`, `conf_int(level)` (normal), `nobs_`
    (observations used: groups that never sell carry no information and are dropped),
    `n_groups_`, `n_iter_`, `mu_` (fitted means of the used rows, in the order given), and
    `pseudo_r2_`: 1 - deviance / deviance of the fixed-effects-only model (the share of the
    deviance left by the fixed effects that the regressors explain)."""

    def __init__(self, max_iter: int = 50, tol: float = 1e-10) -> None:
        self.max_iter = max_iter
        self.tol = tol

    def fit(self, X: np.ndarray, y: np.ndarray, group: np.ndarray, period: np.ndarray) -> PoissonFE:
        X = np.asarray(X, dtype=float)
        if X.ndim == 1:
            X = X[:, None]
        y = np.asarray(y, dtype=float)
        g = np.unique(np.asarray(group), return_inverse=True)[1]
        keep = np.bincount(g, y)[g] > 0
        X, y, g = X[keep], y[keep], g[keep]
        t = np.unique(np.asarray(period)[keep], return_inverse=True)[1]
        g = np.unique(g, return_inverse=True)[1]
        order = np.argsort(g, kind="stable")
        X, y, g, t = X[order], y[order], g[order], t[order]
        n, k = X.shape
        n_t = int(t.max()) + 1 if n else 0
        if n <= k + n_t or np.all(y == y[0]):
            raise ValueError("too few informative observations for the Poisson fit")
        starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
        totals = np.add.reduceat(y, starts)
        data = _Panel(X, y, g, t, starts, totals, n_t)
        theta, n_iter, H, pi = _multinomial_newton(data, k, self.max_iter, self.tol)
        mu = totals[g] * pi
        # the fixed-effects-only model: the same fit without the regressors
        _, _, _, pi0 = _multinomial_newton(
            _Panel(X[:, :0], y, g, t, starts, totals, n_t), 0, self.max_iter, self.tol
        )
        mu0 = totals[g] * pi0
        bread = np.linalg.inv(H)
        resid = y - mu
        n_g = len(starts)
        scores = np.zeros((n_g, k + n_t - 1))
        scores[:, :k] = np.add.reduceat(X * resid[:, None], starts, axis=0)
        per_period = np.bincount(g * n_t + t, resid, minlength=n_g * n_t).reshape(n_g, n_t)
        scores[:, k:] = per_period[:, 1:]
        cov = bread @ (scores.T @ scores) @ bread * (n_g / (n_g - 1.0))
        self.coef_ = theta[:k]
        self.period_effects_ = np.r_[0.0, theta[k:]]
        self.cov_params_ = cov[:k, :k]
        self.bse_ = np.sqrt(np.diag(self.cov_params_))
        self.nobs_ = n
        self.n_groups_ = n_g
        self.n_iter_ = n_iter
        back = np.empty(n)
        back[order] = mu
        self.mu_ = back
        dev, dev0 = _poisson_deviance(y, mu), _poisson_deviance(y, mu0)
        self.deviance_ = dev
        self.pseudo_r2_ = float(min(1.0, max(0.0, 1.0 - dev / dev0))) if dev0 > 0 else 0.0
        return self

    def conf_int(self, level: float = 0.95) -> np.ndarray:
        z = normal_quantile(0.5 + level / 2)
        return np.column_stack([self.coef_ - z * self.bse_, self.coef_ + z * self.bse_])


class _Panel:
    """Rows sorted by group: regressors X, counts y, group g, period t (0..n_t-1), the first
    row of each group and each group's total."""

    def __init__(self, X, y, g, t, starts, totals, n_t) -> None:
        self.X, self.y, self.g, self.t, self.starts, self.totals, self.n_t = X, y, g, t, starts, totals, n_t

    def eta(self, theta: np.ndarray, k: int) -> np.ndarray:
        return self.X @ theta[:k] + np.r_[0.0, theta[k:]][self.t]


def _group_softmax(eta: np.ndarray, g: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Within-group softmax of `eta` (rows sorted by group) and each group's log-sum-exp."""
    peak = np.maximum.reduceat(eta, starts)
    e = np.exp(eta - peak[g])
    sums = np.add.reduceat(e, starts)
    return e / sums[g], peak + np.log(sums)


def _multinomial_newton(
    p: _Panel, k: int, max_iter: int, tol: float
) -> tuple[np.ndarray, int, np.ndarray, np.ndarray]:
    """Newton-Raphson on sum_g [sum_i y_i eta_i - Y_g log sum_i exp(eta_i)], eta = X b + d[t]
    (d[0] = 0): returns theta = (b, d[1:]), iterations, the negative Hessian and the
    within-group shares. The period dummies are never materialised."""
    n_t, n_g = p.n_t, len(p.starts)
    m = k + n_t - 1
    theta = np.zeros(m)

    def loglik(th: np.ndarray) -> tuple[float, np.ndarray]:
        eta = p.eta(th, k)
        pi, lse = _group_softmax(eta, p.g, p.starts)
        return float(p.y @ eta - p.totals @ lse), pi

    current, pi = loglik(theta)
    H = np.zeros((m, m))
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007 - the count is returned
        w = p.totals[p.g] * pi
        r = p.y - w
        grad = np.r_[p.X.T @ r, np.bincount(p.t, r, minlength=n_t)[1:]]
        # E[z z'] per row minus the per-group means' outer products, block by block
        mx = np.add.reduceat(p.X * pi[:, None], p.starts, axis=0) if k else np.zeros((n_g, 0))
        mt = np.bincount(p.g * n_t + p.t, pi, minlength=n_g * n_t).reshape(n_g, n_t)[:, 1:]
        H = np.empty((m, m))
        H[:k, :k] = (p.X * w[:, None]).T @ p.X - (mx * p.totals[:, None]).T @ mx
        xt = np.zeros((k, n_t - 1))
        for j in range(k):
            xt[j] = np.bincount(p.t, w * p.X[:, j], minlength=n_t)[1:]
        H[:k, k:] = xt - (mx * p.totals[:, None]).T @ mt
        H[k:, :k] = H[:k, k:].T
        H[k:, k:] = np.diag(np.bincount(p.t, w, minlength=n_t)[1:]) - (mt * p.totals[:, None]).T @ mt
        step = np.linalg.solve(H + 1e-12 * np.eye(m), grad)
        size = 1.0
        while True:
            candidate = theta + size * step
            value, cand_pi = loglik(candidate)
            if value >= current - 1e-12 * abs(current) or size < 1e-6:
                break
            size *= 0.5
        theta, pi, current = candidate, cand_pi, value
        if np.max(np.abs(size * step)) < tol:
            break
    return theta, it, H, pi


def _poisson_deviance(y: np.ndarray, mu: np.ndarray) -> float:
    ratio = np.where(y > 0, y / np.maximum(mu, 1e-300), 1.0)
    return float(2.0 * np.sum(np.where(y > 0, y * np.log(ratio), 0.0) - (y - mu)))


# ---- ranks ---------------------------------------------------------------------------------
def rankdata(a: np.ndarray) -> np.ndarray:
    """Ranks from 1, ties get their average rank (scipy.stats.rankdata's default)."""
    a = np.asarray(a, dtype=float)
    order = np.argsort(a, kind="mergesort")
    sorted_a = a[order]
    starts = np.r_[True, sorted_a[1:] != sorted_a[:-1]]
    group = np.cumsum(starts) - 1
    first = np.flatnonzero(starts)
    sizes = np.diff(np.r_[first, len(a)])
    avg = first + (sizes + 1) / 2.0
    ranks = np.empty(len(a))
    ranks[order] = avg[group]
    return ranks


def roc_auc(y_true: np.ndarray, score: np.ndarray) -> float:
    """Area under the ROC curve: P(score of a positive > score of a negative), ties count half."""
    y = np.asarray(y_true).astype(bool)
    n_pos = int(y.sum())
    n_neg = len(y) - n_pos
    if n_pos == 0 or n_neg == 0:
        raise ValueError("ROC-AUC needs both classes")
    ranks = rankdata(score)
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    """Spearman's rank correlation (average ranks for ties)."""
    rx, ry = rankdata(x), rankdata(y)
    rx -= rx.mean()
    ry -= ry.mean()
    denom = np.sqrt((rx @ rx) * (ry @ ry))
    return float(rx @ ry / denom) if denom > 0 else 0.0
