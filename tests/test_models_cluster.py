# ruff: noqa: N806 - X: the name of the math and of scikit-learn's API
"""Reference tests of shared.models.cluster against scikit-learn (KMeans inertia within 1 % and
no more than 2x its time; silhouette_score and StandardScaler to 1e-9)."""

from __future__ import annotations

import time

import numpy as np
import pytest
from shared.models.cluster import KMeans, StandardScaler, silhouette_score


@pytest.fixture(scope="module")
def blobs():
    rng = np.random.default_rng(42)
    centres = rng.normal(0, 4, (5, 3))
    X = np.vstack([c + rng.normal(0, 1.0, (800, 3)) for c in centres])
    # an RFM-like skewed block as well
    skew = np.column_stack([rng.gamma(0.8, 1, 4000), rng.exponential(1, 4000), rng.lognormal(0, 1, 4000)])
    return X, StandardScaler().fit_transform(np.log1p(skew))


@pytest.mark.parametrize("which", [0, 1])
def test_kmeans_inertia_within_1pct_of_sklearn_and_time_at_most_2x(blobs, which):
    from sklearn.cluster import KMeans as SkKMeans

    X = blobs[which]
    SkKMeans(n_clusters=5, n_init=1, random_state=0).fit(X[:100])  # warm sklearn's imports/threads
    t0 = time.perf_counter()
    ref = SkKMeans(n_clusters=5, n_init=10, random_state=42).fit(X)
    t_ref = time.perf_counter() - t0
    t0 = time.perf_counter()
    ours = KMeans(k=5, n_init=10, seed=42).fit(X)
    t_ours = time.perf_counter() - t0
    assert ours.inertia_ <= ref.inertia_ * 1.01
    assert t_ours <= 2 * t_ref + 0.05, (t_ours, t_ref)  # + 50 ms: scheduler noise on a shared box
    # the inertia is what it says: the sum of squared distances to the assigned centroid
    d = ((X - ours.centroids_[ours.labels_]) ** 2).sum()
    assert ours.inertia_ == pytest.approx(d, rel=1e-9)
    np.testing.assert_array_equal(ours.predict(X), ours.labels_)


def test_kmeans_is_deterministic_for_a_seed_and_finds_planted_blobs(blobs):
    X = blobs[0]
    a, b = KMeans(k=5, seed=7).fit(X), KMeans(k=5, seed=7).fit(X)
    np.testing.assert_array_equal(a.labels_, b.labels_)
    planted = np.repeat(np.arange(5), 800)
    # every planted blob maps to one cluster (allowing a few overlap points)
    for c in range(5):
        assert np.bincount(a.labels_[planted == c]).max() >= 0.95 * 800


def test_kmeans_refuses_fewer_points_than_clusters():
    with pytest.raises(ValueError):
        KMeans(k=5).fit(np.zeros((3, 2)))


def test_silhouette_matches_sklearn(blobs):
    from sklearn.metrics import silhouette_score as sk_silhouette

    X = blobs[1][:1500]
    labels = KMeans(k=4, seed=1).fit(X).labels_
    assert silhouette_score(X, labels) == pytest.approx(sk_silhouette(X, labels), abs=1e-9)
    with pytest.raises(ValueError):
        silhouette_score(X, np.zeros(len(X)))


def test_scaler_matches_sklearn(blobs):
    from sklearn.preprocessing import StandardScaler as SkScaler

    X = blobs[0]
    np.testing.assert_allclose(StandardScaler().fit_transform(X), SkScaler().fit_transform(X), atol=1e-9)
    s = StandardScaler().fit(X)
    np.testing.assert_allclose(s.inverse_transform(s.transform(X)), X, atol=1e-9)
