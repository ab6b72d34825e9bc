"""The fraud row of the accuracy table: held-out payments of the scale 1.0 dataset (seed 42).

Fits compliance-guardian's model (`compliance_guardian.fraud.train`: logistic regression in
numpy on the history features of `features.py`, payments before 2026-01-01) and, on the very
same features and split, scikit-learn's LogisticRegression (same L2 objective); scores the
planted logistic too (truth's coefficients from datagen/reference.py on the features a service
can observe: the ring and new-device flags are only approximated by the device history). Prints
ROC-AUC, precision and recall at the flagged rate (score >= 0.5, the review band), and fit times.

    .venv/bin/python benchmarks/bench_fraud.py            # the local platform's dataset (.local/data)
    .venv/bin/python benchmarks/bench_fraud.py --data /tmp/data --markdown
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "lambdas")]

from compliance_guardian import features, fraud  # noqa: E402
from shared.models.regression import LogisticRegression, roc_auc  # noqa: E402
from shared.warehouse import DuckDBWarehouse  # noqa: E402

AUC_BUDGET = 0.85


def planted_scores(x: np.ndarray) -> np.ndarray:
    from datagen import reference as ref

    names = list(features.FEATURES)
    co = ref.FRAUD_COEFFICIENTS
    z = (
        co["billing_shipping_mismatch"] * x[:, names.index("ship_mismatch")]
        + co["ip_billing_mismatch"] * x[:, names.index("ip_mismatch")]
        + co["account_age_lt_7d"] * x[:, names.index("age_lt_7d")]
        + co["account_age_7_30d"] * x[:, names.index("age_7_30d")]
        + co["log_amount_usd_over_100"] * x[:, names.index("log_amount")]
        + co["extra_attempts"] * x[:, names.index("extra_attempts")]
        + co["night_hour_0_5"] * x[:, names.index("night")]
        + co["new_device"] * x[:, names.index("new_device")]
        + co["shared_ring_device"] * (x[:, names.index("shared_device")] > 0)
    )
    for i, method in enumerate(features.METHODS[1:]):
        z = (
            z
            + (ref.FRAUD_METHOD_EFFECTS[method] - ref.FRAUD_METHOD_EFFECTS["card"])
            * x[:, len(features.BASE_FEATURES) + i]
        )
    return z


def at_flagged(y: np.ndarray, s: np.ndarray, threshold: float = fraud.REVIEW) -> tuple[float, float, float]:
    flagged = s >= threshold
    precision = float(y[flagged].mean()) if flagged.any() else float("nan")
    return float(flagged.mean()), precision, float(flagged[y == 1].mean())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=str(ROOT / ".local" / "data"))
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    data = Path(args.data)
    if not (data / "manifest.json").exists():
        print(f"(generating the scale 1.0 dataset into {data} first, untimed)", flush=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "datagen",
                "generate",
                "--out",
                str(data),
                "--scale",
                "1.0",
                "--seed",
                "42",
            ],
            cwd=ROOT,
            check=True,
        )
    warehouse = DuckDBWarehouse(data)
    t = time.perf_counter()
    columns, rows = features.payment_rows(warehouse, date(2024, 7, 1), date(2026, 6, 30))
    feature_s = time.perf_counter() - t
    x = features.matrix(columns, rows)
    y = np.array([bool(r[columns.index("is_fraud")]) for r in rows], dtype=float)
    test = np.array([r[columns.index("created_ts")].date() >= fraud.CUTOFF for r in rows])

    t = time.perf_counter()
    ours = LogisticRegression(C=fraud.L2_C).fit(x[~test], y[~test])
    ours_ms = (time.perf_counter() - t) * 1000
    s_ours = ours.predict_proba(x[test])

    results = {"ours (numpy IRLS)": (roc_auc(y[test], s_ours), *at_flagged(y[test], s_ours), ours_ms)}
    try:
        from sklearn.linear_model import LogisticRegression as SkLogistic

        t = time.perf_counter()
        ref = SkLogistic(C=fraud.L2_C, max_iter=5000, tol=1e-10).fit(x[~test], y[~test])
        sk_ms = (time.perf_counter() - t) * 1000
        s_ref = ref.predict_proba(x[test])[:, 1]
        results["scikit-learn (lbfgs)"] = (roc_auc(y[test], s_ref), *at_flagged(y[test], s_ref), sk_ms)
        coef_gap = float(np.max(np.abs(ours.coef_ - ref.coef_[0])))
    except ImportError:
        coef_gap = float("nan")
    z = planted_scores(x[test])
    results["planted logistic (truth coefficients)"] = (
        roc_auc(y[test], z),
        float("nan"),
        float("nan"),
        float("nan"),
        float("nan"),
    )

    n_test, n_fraud = int(test.sum()), int(y[test].sum())
    print(
        f"fraud, held-out payments from {fraud.CUTOFF} ({n_test} payments, {n_fraud} fraud; "
        f"trained on {int((~test).sum())}); features computed in {feature_s:.1f} s"
    )
    if args.markdown:
        print("| model | ROC-AUC | flagged | precision | recall | fit ms |")
        print("|---|---|---|---|---|---|")
    for name, (auc, rate, precision, recall, ms) in results.items():
        if args.markdown:
            cells = [f"{auc:.3f}"] + [
                "-" if v != v else f"{v:.2%}" if i < 3 else f"{v:.0f}"
                for i, v in enumerate((rate, precision, recall, ms))
            ]
            print(f"| {name} | " + " | ".join(cells) + " |")
        else:
            extra = (
                ""
                if rate != rate
                else f"  flagged {rate:.2%}  precision {precision:.2f}  recall {recall:.2f}  fit {ms:.0f} ms"
            )
            print(f"  {name:40s} ROC-AUC {auc:.3f}{extra}")
    print(f"  largest coefficient gap ours vs scikit-learn: {coef_gap:.4f}")
    ok = results["ours (numpy IRLS)"][0] >= AUC_BUDGET
    print(f"  budget: ROC-AUC >= {AUC_BUDGET}: {'OK' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
