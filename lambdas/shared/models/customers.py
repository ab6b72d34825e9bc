"""Customer models: RFM features and scores, readable segment names from k-means centroids, and
the churn model (logistic regression on recency, frequency, monetary value, tenure and trend).
numpy only, no I/O: the service passes arrays in and gets arrays or dicts out.

    feats = rfm_features(recency_days, orders, spend)         # log1p, for k-means after scaling
    names = name_segments(centroid_recency, centroid_frequency, centroid_monetary)
    model = ChurnModel(C=1.0).fit(features_dict, churned)     # features at a cut-off, labels after it
    p = model.predict_proba(features_dict); drivers = model.drivers(features_dict)

Segment naming (after the RFM grid of Hughes 1994 and the usual marketing labels): each
segment's centroid is placed in a quadrant by its recency and its value (frequency and monetary)
relative to the average customer (the standardised log-RFM space is centred on it), and named
within its quadrant by rank: recent + valuable -> Champions, Loyal customers, Potential
loyalists; recent + low value -> New customers, Promising; lapsed + valuable -> At risk (the
most valuable of several: Can't lose them); lapsed + low value -> Hibernating (About to sleep if
more recent, Lost if less). Names follow the data, never the cluster index.

The churn model is `shared.models.regression.LogisticRegression` on standardised features; its
reference test (scikit-learn on the same features) is in tests/test_models_customers.py.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from shared.models.regression import LogisticRegression

__all__ = [
    "CHURN_FEATURES",
    "ChurnModel",
    "name_segments",
    "quintile_scores",
    "rfm_features",
    "risk_band",
]


def rfm_features(recency_days: np.ndarray, frequency: np.ndarray, monetary: np.ndarray) -> np.ndarray:
    """(n, 3) log1p(recency), log1p(frequency), log1p(max(monetary, 0)): RFM values are heavily
    skewed, the logs make k-means' squared distances meaningful."""
    return np.column_stack(
        [
            np.log1p(np.maximum(np.asarray(recency_days, dtype=float), 0.0)),
            np.log1p(np.maximum(np.asarray(frequency, dtype=float), 0.0)),
            np.log1p(np.maximum(np.asarray(monetary, dtype=float), 0.0)),
        ]
    )


def quintile_scores(
    reference: np.ndarray, values: np.ndarray, *, higher_is_better: bool = True
) -> np.ndarray:
    """1..5 quintile scores of `values` within the distribution `reference` (5 = best: the
    highest values, or the lowest when `higher_is_better` is False, e.g. recency)."""
    ref = np.sort(np.asarray(reference, dtype=float))
    values = np.asarray(values, dtype=float)
    if len(ref) == 0:
        return np.full(len(values), 3, dtype=int)
    # share of the reference strictly below (mid-rank for ties) -> quintile
    below = np.searchsorted(ref, values, side="left")
    upto = np.searchsorted(ref, values, side="right")
    share = (below + upto) / 2.0 / len(ref)
    score = np.clip(np.floor(share * 5).astype(int) + 1, 1, 5)
    return score if higher_is_better else 6 - score


_RECENT_HIGH = ("Champions", "Loyal customers", "Potential loyalists")
_RECENT_LOW = ("New customers", "Promising", "Recent low spenders")
_LAPSED_HIGH_ONE = ("At risk",)
_LAPSED_HIGH = ("Can't lose them", "At risk", "Need attention")
_LAPSED_LOW = ("About to sleep", "Hibernating", "Lost")


def name_segments(
    recency_z: Sequence[float], frequency_z: Sequence[float], monetary_z: Sequence[float]
) -> list[str]:
    """A readable, unique name per segment from its centroid in the standardised log-RFM space
    (0 = the average customer; recency in days, so below 0 is more recent). See the module
    docstring for the rules."""
    r = -np.asarray(recency_z, dtype=float)  # higher = more recent
    value = (np.asarray(frequency_z, dtype=float) + np.asarray(monetary_z, dtype=float)) / 2.0
    names: list[str] = [""] * len(r)
    quadrants = {
        "recent_high": [i for i in range(len(r)) if r[i] > 0 and value[i] > 0],
        "recent_low": [i for i in range(len(r)) if r[i] > 0 and value[i] <= 0],
        "lapsed_high": [i for i in range(len(r)) if r[i] <= 0 and value[i] > 0],
        "lapsed_low": [i for i in range(len(r)) if r[i] <= 0 and value[i] <= 0],
    }
    for quadrant, members in quadrants.items():
        if quadrant == "lapsed_low":  # most recent first: about to sleep -> hibernating -> lost
            members = sorted(members, key=lambda i: -r[i])
            labels = ("Hibernating",) if len(members) == 1 else _LAPSED_LOW
            if len(members) == 2:
                labels = ("About to sleep", "Hibernating")
        elif quadrant == "lapsed_high":
            members = sorted(members, key=lambda i: -value[i])
            labels = _LAPSED_HIGH_ONE if len(members) == 1 else _LAPSED_HIGH
        elif quadrant == "recent_high":
            members = sorted(members, key=lambda i: -value[i])
            labels = _RECENT_HIGH
        else:
            members = sorted(members, key=lambda i: -value[i])
            labels = (
                ("New customers",)
                if len(members) == 1
                else ("Promising", "New customers", "Recent low spenders")
            )
        for rank, i in enumerate(members):
            names[i] = labels[rank] if rank < len(labels) else f"{labels[-1]} ({rank - len(labels) + 2})"
    return names


def risk_band(probability: np.ndarray | float) -> np.ndarray | str:
    """The contract's bands: low < 0.3 <= medium < 0.6 <= high."""
    p = np.asarray(probability, dtype=float)
    band = np.where(p >= 0.6, "high", np.where(p >= 0.3, "medium", "low"))
    return str(band) if band.ndim == 0 else band


# The churn model's features, computed by the service at a cut-off date from the history before it.
CHURN_FEATURES = ("recency", "frequency", "monetary", "tenure", "trend")
# What a driver means when a feature pushes the probability up (its standardised value times its
# coefficient is positive): the name the contract's `drivers` lists.
_DRIVER_NAMES = {
    ("recency", 1): "recency",
    ("frequency", -1): "low_frequency",
    ("monetary", -1): "low_spend",
    ("tenure", -1): "short_tenure",
    ("tenure", 1): "long_tenure",
    ("trend", -1): "declining_frequency",
    ("trend", 1): "rising_frequency",
    ("frequency", 1): "high_frequency",
    ("monetary", 1): "high_spend",
    ("recency", -1): "recent_order",
}


def churn_design(features: Mapping[str, np.ndarray]) -> np.ndarray:
    """The model's input columns from raw features: log1p of recency days, orders in the last
    365 days, spend in the last 365 days (USD) and tenure days; the trend is the change in
    orders between the last 90 days and the 90 before, as is."""
    return np.column_stack(
        [
            np.log1p(np.maximum(np.asarray(features["recency"], dtype=float), 0)),
            np.log1p(np.maximum(np.asarray(features["frequency"], dtype=float), 0)),
            np.log1p(np.maximum(np.asarray(features["monetary"], dtype=float), 0)),
            np.log1p(np.maximum(np.asarray(features["tenure"], dtype=float), 0)),
            np.asarray(features["trend"], dtype=float),
        ]
    )


class ChurnModel:
    """P(no order within the horizon) = logistic(standardised churn_design(features)).

    Fitted on the features at a cut-off and whether the customer ordered in the horizon after
    it. After `fit`: `mean_`, `scale_`, `coef_`, `intercept_`; `to_dict()` / `from_dict()`
    (the cached artifact); `predict_proba(features)`; `drivers(features, top)`."""

    def __init__(self, C: float = 1.0) -> None:  # noqa: N803 - scikit-learn's name
        self.C = C

    def fit(self, features: Mapping[str, np.ndarray], churned: np.ndarray) -> ChurnModel:
        X = churn_design(features)  # noqa: N806 - the math's name
        self.mean_ = X.mean(axis=0)
        std = X.std(axis=0)
        self.scale_ = np.where(std > 0, std, 1.0)
        clf = LogisticRegression(C=self.C).fit(
            (X - self.mean_) / self.scale_, np.asarray(churned, dtype=float)
        )
        self.coef_, self.intercept_ = clf.coef_, clf.intercept_
        return self

    def standardised(self, features: Mapping[str, np.ndarray]) -> np.ndarray:
        return (churn_design(features) - self.mean_) / self.scale_

    def predict_proba(self, features: Mapping[str, np.ndarray]) -> np.ndarray:
        from shared.models.regression import sigmoid

        return sigmoid(self.standardised(features) @ self.coef_ + self.intercept_)

    def drivers(self, features: Mapping[str, np.ndarray], top: int = 3) -> list[list[str]]:
        """Per customer, the features pushing the probability up most (positive contributions
        coef x standardised value, largest first), by name."""
        contrib = self.standardised(features) * self.coef_[None, :]
        out: list[list[str]] = []
        for row in contrib:
            order = np.argsort(-row)
            names = []
            for j in order[:top]:
                if row[j] <= 0:
                    break
                direction = 1 if self.standardised_sign(j, row[j]) > 0 else -1
                names.append(_DRIVER_NAMES[(CHURN_FEATURES[j], direction)])
            out.append(names)
        return out

    def standardised_sign(self, j: int, contribution: float) -> int:
        """+1 when feature j is above average (its contribution has the coefficient's sign)."""
        return 1 if (contribution > 0) == (self.coef_[j] > 0) else -1

    def to_dict(self) -> dict:
        return {
            "features": list(CHURN_FEATURES),
            "C": self.C,
            "mean": self.mean_.tolist(),
            "scale": self.scale_.tolist(),
            "coef": self.coef_.tolist(),
            "intercept": float(self.intercept_),
        }

    @classmethod
    def from_dict(cls, doc: Mapping) -> ChurnModel:
        model = cls(C=doc["C"])
        model.mean_ = np.asarray(doc["mean"], dtype=float)
        model.scale_ = np.asarray(doc["scale"], dtype=float)
        model.coef_ = np.asarray(doc["coef"], dtype=float)
        model.intercept_ = float(doc["intercept"])
        return model
