# ruff: noqa: N803, N806 - X: the name of the math and of scikit-learn's API
"""k-means clustering with k-means++ seeding and restarts, the silhouette score, and scaling.

    from shared.models.cluster import KMeans, StandardScaler, silhouette_score
    Z = StandardScaler().fit_transform(np.log1p(rfm))
    km = KMeans(k=5, n_init=10, seed=42).fit(Z)        # centroids_, labels_, inertia_
    s = silhouette_score(Z, km.labels_, sample_size=2000, seed=42)

Methods and references (tests/test_models_cluster.py):
- `KMeans`: Lloyd's algorithm (Lloyd 1982) from k-means++ seeds (Arthur & Vassilvitskii 2007,
  "greedy" variant with 2 + log k candidates per step, as scikit-learn does), `n_init` restarts,
  the fit with the lowest inertia kept. Tested against scikit-learn's KMeans: inertia within 1 %.
- `silhouette_score`: the mean silhouette (Rousseeuw 1987), optionally on a seeded sample;
  tested against scikit-learn's silhouette_score.
- `StandardScaler`: centre and scale to unit (population) variance, as scikit-learn's.
"""

from __future__ import annotations

import numpy as np

__all__ = ["KMeans", "StandardScaler", "silhouette_score"]


class StandardScaler:
    """(x - mean) / std per column (std with ddof=0; a constant column is left at 0)."""

    def fit(self, X: np.ndarray) -> StandardScaler:
        X = np.asarray(X, dtype=float)
        self.mean_ = X.mean(axis=0)
        std = X.std(axis=0)
        self.scale_ = np.where(std > 0, std, 1.0)
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        return (np.asarray(X, dtype=float) - self.mean_) / self.scale_

    def inverse_transform(self, Z: np.ndarray) -> np.ndarray:
        return np.asarray(Z, dtype=float) * self.scale_ + self.mean_

    def fit_transform(self, X: np.ndarray) -> np.ndarray:
        return self.fit(X).transform(X)


def _sq_distances(X: np.ndarray, C: np.ndarray, x_sq: np.ndarray) -> np.ndarray:
    """Squared Euclidean distances (n, k), by the expansion |x|^2 - 2 x.c + |c|^2."""
    d = x_sq[:, None] - 2.0 * (X @ C.T) + np.einsum("ij,ij->i", C, C)[None, :]
    return np.maximum(d, 0.0)


def _kmeans_pp(X: np.ndarray, k: int, rng: np.random.Generator, x_sq: np.ndarray) -> np.ndarray:
    n = len(X)
    trials = 2 + int(np.log(k))
    centres = np.empty((k, X.shape[1]))
    centres[0] = X[rng.integers(n)]
    closest = _sq_distances(X, centres[:1], x_sq)[:, 0]
    for c in range(1, k):
        total = closest.sum()
        if total <= 0:  # fewer distinct points than clusters: repeat one
            centres[c:] = centres[0]
            break
        candidates = np.searchsorted(np.cumsum(closest), rng.random(trials) * total)
        candidates = np.minimum(candidates, n - 1)
        dist = np.minimum(closest[:, None], _sq_distances(X, X[candidates], x_sq))
        best = int(np.argmin(dist.sum(axis=0)))
        centres[c] = X[candidates[best]]
        closest = dist[:, best]
    return centres


def _lloyd(
    X: np.ndarray, centres: np.ndarray, x_sq: np.ndarray, max_iter: int, tol: float
) -> tuple[np.ndarray, np.ndarray, float, int]:
    k = len(centres)
    labels = np.zeros(len(X), dtype=np.int64)
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007 - the count is returned
        d = _sq_distances(X, centres, x_sq)
        labels = np.argmin(d, axis=1)
        counts = np.bincount(labels, minlength=k)
        sums = np.column_stack([np.bincount(labels, X[:, j], minlength=k) for j in range(X.shape[1])])
        new = centres.copy()
        filled = counts > 0
        new[filled] = sums[filled] / counts[filled, None]
        if not filled.all():  # an empty cluster takes the point farthest from its centre
            far = np.argsort(-d[np.arange(len(X)), labels])[: int((~filled).sum())]
            new[~filled] = X[far]
        shift = float(((new - centres) ** 2).sum())
        centres = new
        if shift <= tol:
            break
    d = _sq_distances(X, centres, x_sq)
    labels = np.argmin(d, axis=1)
    inertia = float(d[np.arange(len(X)), labels].sum())
    return centres, labels, inertia, it


class KMeans:
    """k-means: `n_init` runs of Lloyd's algorithm from k-means++ seeds, the lowest inertia kept.

    After `fit`: `centroids_` (k, d), `labels_` (n,), `inertia_` (sum of squared distances to
    the closest centroid), `n_iter_`. `predict(X)` assigns new points. `seed` makes the restarts
    deterministic. `tol` is relative to the data's mean variance, as in scikit-learn."""

    def __init__(self, k: int = 8, n_init: int = 10, max_iter: int = 300, tol: float = 1e-4, seed: int = 0):
        if k < 1:
            raise ValueError("k must be at least 1")
        self.k = k
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.seed = seed

    def fit(self, X: np.ndarray) -> KMeans:
        X = np.asarray(X, dtype=float)
        if len(X) < self.k:
            raise ValueError(f"k-means needs at least k={self.k} points, got {len(X)}")
        rng = np.random.default_rng(self.seed)
        x_sq = np.einsum("ij,ij->i", X, X)
        tol = self.tol * float(np.mean(X.var(axis=0)))
        best = None
        for _ in range(self.n_init):
            seeds = _kmeans_pp(X, self.k, rng, x_sq)
            run = _lloyd(X, seeds, x_sq, self.max_iter, tol)
            if best is None or run[2] < best[2]:
                best = run
        self.centroids_, self.labels_, self.inertia_, self.n_iter_ = best
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=float)
        return np.argmin(_sq_distances(X, self.centroids_, np.einsum("ij,ij->i", X, X)), axis=1)


def silhouette_score(
    X: np.ndarray, labels: np.ndarray, *, sample_size: int | None = None, seed: int = 0
) -> float:
    """Mean silhouette coefficient (b - a) / max(a, b) over the points (or a seeded sample of
    `sample_size` points, which scikit-learn's `sample_size`/`random_state` also do). Points alone
    in their cluster score 0."""
    X = np.asarray(X, dtype=float)
    labels = np.asarray(labels)
    if sample_size is not None and sample_size < len(X):
        idx = np.random.default_rng(seed).choice(len(X), sample_size, replace=False)
        X, labels = X[idx], labels[idx]
    uniq, lab = np.unique(labels, return_inverse=True)
    k = len(uniq)
    if not 2 <= k <= len(X) - 1:
        raise ValueError("the silhouette needs 2 <= clusters <= points - 1")
    counts = np.bincount(lab, minlength=k).astype(float)
    x_sq = np.einsum("ij,ij->i", X, X)
    sums = np.zeros((len(X), k))
    for start in range(0, len(X), 1024):  # distance blocks keep memory at ~1024 x n
        block = slice(start, start + 1024)
        d = np.sqrt(_sq_distances(X[block], X, x_sq[block]))
        for c in range(k):
            sums[block, c] = d[:, lab == c].sum(axis=1)
    own = counts[lab]
    a = sums[np.arange(len(X)), lab] / np.maximum(own - 1, 1)
    means = sums / counts[None, :]
    means[np.arange(len(X)), lab] = np.inf
    b = means.min(axis=1)
    s = np.where(own > 1, (b - a) / np.maximum(np.maximum(a, b), 1e-300), 0.0)
    return float(s.mean())
