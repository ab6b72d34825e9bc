"""The customer models' rows of SERVICES.md's accuracy table, measured in one run on the generated
data (seed 42, scale 1.0; generated into .local/data first when missing), with held-out
evaluation, ours beside the reference, and the "must" column checked:

- k-means on RFM (k=5, 10 restarts): inertia and time, ours vs scikit-learn KMeans (must: inertia
  within 1 %, time <= 2x);
- price elasticity per category: estimate and 95 % interval vs truth.json (must: within +-0.3 for
  >= 10 of 12 categories, the right sign for all);
- churn (90 days, held-out customers): ROC-AUC of ours vs scikit-learn LogisticRegression on the
  same features and split, on behaviour after the cut-off; also against the exact labels of
  `_truth/customers.parquet` (must: >= 0.80 and within 0.02 of the reference);
- CLV (BG/NBD + Gamma-Gamma fitted at DATA_END - 180 days): Spearman rho and MAE against the
  spend realised in the 180 days after (must: rho >= 0.5).

    .venv/bin/python benchmarks/bench_models_customers.py [--markdown]

The models run in this process over the Parquet files (DuckDB through shared.warehouse, the same
queries the service runs); nothing is cached between runs.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "lambdas")]
DATA = ROOT / ".local" / "data"


def ensure_data() -> None:
    manifest = DATA / "manifest.json"
    if manifest.is_file():
        info = json.loads(manifest.read_text())
        if info.get("seed") == 42 and float(info.get("scale", 0)) == 1.0:
            return
    print(f"(generating the scale 1.0 dataset into {DATA} first, untimed)", flush=True)
    subprocess.run(
        [sys.executable, "-m", "datagen", "generate", "--out", str(DATA), "--scale", "1.0", "--seed", "42"],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def best_of(fn, repeats: int = 3) -> tuple[object, float]:
    out, best = None, float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - started)
    return out, best * 1000


def kmeans_row() -> tuple[list[str], bool]:
    from demand_insights import data, segments
    from shared.models.cluster import KMeans, StandardScaler
    from shared.models.customers import rfm_features
    from sklearn.cluster import KMeans as SkKMeans

    first, last = segments.default_window()
    rows = data.rfm(first, last)
    recency = np.array([(last - r["last_order"]).days for r in rows], dtype=float)
    z = StandardScaler().fit_transform(
        rfm_features(recency, [r["orders"] for r in rows], [r["spend"] or 0 for r in rows])
    )
    SkKMeans(n_clusters=5, n_init=1, random_state=0).fit(z[:200])  # warm scikit-learn up
    ours, t_ours = best_of(lambda: KMeans(k=5, n_init=10, seed=42).fit(z))
    ref, t_ref = best_of(lambda: SkKMeans(n_clusters=5, n_init=10, random_state=42).fit(z))
    gap = 100 * (ours.inertia_ / ref.inertia_ - 1)
    ok = ours.inertia_ <= 1.01 * ref.inertia_ and t_ours <= 2 * t_ref
    return [
        f"k-means on RFM ({len(z)} customers, k=5, 10 restarts)",
        f"inertia {ours.inertia_:.1f} ({gap:+.2f} %), {t_ours:.0f} ms",
        f"scikit-learn KMeans: inertia {ref.inertia_:.1f}, {t_ref:.0f} ms",
        "inertia within 1 %; time <= 2x",
        "met" if ok else "NOT MET",
    ], ok


def elasticity_rows(truth: dict) -> tuple[list[list[str]], bool]:
    from demand_insights import pricing

    rows, close, signs = [], 0, 0
    for cid, planted in truth["elasticity"].items():
        est = pricing._compute_category(cid, planted["name"])
        e, ci = est["elasticity"], est["confidenceInterval"]
        within = abs(e - planted["elasticity"]) <= 0.3
        close += within
        signs += e < 0
        rows.append(
            [
                f"elasticity {cid} {planted['name']}",
                f"{e:.2f} [{ci['lower']:.2f}, {ci['upper']:.2f}]",
                f"truth {planted['elasticity']:.2f}",
                "+-0.3",
                "within" if within else "outside",
            ]
        )
    ok = close >= 10 and signs == len(truth["elasticity"])
    rows.append(
        [
            "price elasticity, 12 categories",
            f"{close} of 12 within +-0.3; {signs} of 12 negative",
            "truth.json",
            ">= 10 of 12 within +-0.3; right sign for all",
            "met" if ok else "NOT MET",
        ]
    )
    return rows, ok


def churn_row() -> tuple[list[str], bool]:
    import pyarrow.parquet as pq
    from demand_insights import customers, data
    from shared.lake_schema import DATA_END
    from shared.models.customers import churn_design
    from shared.models.regression import roc_auc
    from sklearn.linear_model import LogisticRegression as SkLogit

    doc = customers._fit_churn(90)
    model = customers.ChurnModel.from_dict(doc["model"])
    f = data.customer_features(DATA_END - timedelta(days=90), DATA_END)
    x = customers.churn_features(f)
    y = (f["orders_after"] == 0).astype(int)
    test = customers._held_out(f["customer_id"])
    X = (churn_design(x) - model.mean_) / model.scale_  # noqa: N806
    ref = SkLogit(C=1.0).fit(X[~test], y[~test])
    ref_auc = roc_auc(y[test], ref.predict_proba(X[test])[:, 1])
    ours = doc["heldOutAuc"]
    # against the planted churn: today's scores of the held-out customers vs `churned`
    labels = pq.read_table(DATA / "_truth" / "customers.parquet").to_pydict()
    planted = dict(zip(labels["customer_id"], labels["churned"], strict=True))
    now = data.customer_features(DATA_END)
    held = customers._held_out(now["customer_id"])
    p_now = model.predict_proba({k: v[held] for k, v in customers.churn_features(now).items()})
    truth_auc = roc_auc(np.array([planted[c] for c in now["customer_id"][held]], dtype=float), p_now)
    ok = ours >= 0.80 and abs(ours - ref_auc) <= 0.02 and truth_auc >= 0.80
    return [
        f"churn, 90 days ({int(test.sum())} held-out customers)",
        f"ROC-AUC {ours:.3f} (after the cut-off); {truth_auc:.3f} vs the planted labels",
        f"scikit-learn LogisticRegression: {ref_auc:.3f}",
        ">= 0.80 and within 0.02 of the reference",
        "met" if ok else "NOT MET",
    ], ok


def clv_row() -> tuple[list[str], bool]:
    from demand_insights import customers, data
    from shared.lake_schema import DATA_END
    from shared.models.clv import BGNBD, GammaGamma, discounted_value
    from shared.models.regression import spearman

    f = data.customer_features(DATA_END - timedelta(days=180), DATA_END)
    i = customers.clv_inputs(f)
    ok_rows = i["ordered"]
    sub = {k: v[ok_rows] for k, v in i.items()}
    started = time.perf_counter()
    bg = BGNBD().fit(sub["x"], sub["t_x"], sub["T"])
    gg = GammaGamma().fit(sub["n"], sub["m"])
    fit_ms = (time.perf_counter() - started) * 1000
    value, _, _ = discounted_value(
        bg, gg, months=6, annual_rate=0.0, x=sub["x"], t_x=sub["t_x"], T=sub["T"], n=sub["n"], m=sub["m"]
    )
    realised = f["spend_after"][ok_rows]
    rho = spearman(value, realised)
    mae = float(np.mean(np.abs(value - realised)))
    ok = rho >= 0.5
    return [
        f"CLV, next 180 days ({len(realised)} customers, held out in time)",
        f"Spearman rho {rho:.3f}, MAE {mae:.0f} USD (mean predicted {value.mean():.0f}, realised "
        f"{realised.mean():.0f}); fit {fit_ms:.0f} ms",
        "realised spend",
        "rho >= 0.5",
        "met" if ok else "NOT MET",
    ], ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--markdown", action="store_true", help="print a README table")
    args = parser.parse_args(argv)
    ensure_data()
    from shared.warehouse import DuckDBWarehouse, set_warehouse

    set_warehouse(DuckDBWarehouse(DATA))
    truth = json.loads((DATA / "truth.json").read_text())
    rows: list[list[str]] = []
    verdicts = []
    for make in (kmeans_row, lambda: elasticity_rows(truth), churn_row, clv_row):
        made, ok = make()
        rows.extend(made if isinstance(made[0], list) else [made])
        verdicts.append(ok)
    head = ["model", "ours", "reference", "must", "verdict"]
    if args.markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for r in rows:
            print("| " + " | ".join(r) + " |")
    else:
        widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
        for r in [head, *rows]:
            print("  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)))
    print("customer models:", "every must met" if all(verdicts) else "SOME MUST NOT MET")
    return 0 if all(verdicts) else 1


if __name__ == "__main__":
    raise SystemExit(main())
