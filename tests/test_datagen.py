"""The dataset: deterministic, shaped exactly like the schema, referentially whole, and carrying
the signal the analytics services are meant to find (checked against truth.json)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from datagen.generate import MANIFEST_FILE, TRUTH_DIR, TRUTH_FILE, Manifest, generate
from datagen.schema import ARROW_TYPES, DATA_END, DATA_START, LOCATION_TEMPLATE, TABLES, schema_hash, table

SCALE = 0.1  # ~10k orders: the signal tests need some volume; generation takes ~0.3 s
SMALL = 0.05


@pytest.fixture(scope="session")
def dataset(tmp_path_factory) -> Manifest:
    return generate(tmp_path_factory.mktemp("datagen") / "data", scale=SCALE, seed=42)


@pytest.fixture(scope="session")
def data(dataset):
    """Every table as one Arrow table (partitioned ones with their year/month columns)."""
    tables = {}
    for t in TABLES:
        path = dataset.out_dir / t.name
        tables[t.name] = ds.dataset(
            path, format="parquet", partitioning="hive" if t.partitioned else None
        ).to_table()
    return tables


@pytest.fixture(scope="session")
def truth(dataset) -> dict:
    return json.loads((dataset.out_dir / TRUTH_FILE).read_text())


def col(tbl: pa.Table, name: str) -> np.ndarray:
    return tbl.column(name).to_numpy(zero_copy_only=False)


def days(tbl: pa.Table, name: str) -> np.ndarray:
    """A date column as day offsets from DATA_START."""
    return col(tbl, name).astype("datetime64[D]").astype(np.int64) - (DATA_START - dt.date(1970, 1, 1)).days


def file_digest(manifest: Manifest, name: str) -> str:
    h = hashlib.sha256()
    for rel in manifest.tables[name].files:
        h.update(rel.encode())
        h.update((manifest.out_dir / rel).read_bytes())
    return h.hexdigest()


# ---- determinism ---------------------------------------------------------------------------
def test_same_seed_gives_identical_files_and_another_seed_does_not(tmp_path):
    a = generate(tmp_path / "a", scale=SMALL, seed=7)
    b = generate(tmp_path / "b", scale=SMALL, seed=7)
    c = generate(tmp_path / "c", scale=SMALL, seed=8)
    assert {n: t.rows for n, t in a.tables.items()} == {n: t.rows for n, t in b.tables.items()}
    for name in ("orders", "order_items", "payments", "customers", "price_history"):
        assert file_digest(a, name) == file_digest(b, name), name
        assert file_digest(a, name) != file_digest(c, name), name
    assert (tmp_path / "a" / TRUTH_FILE).read_bytes() == (tmp_path / "b" / TRUTH_FILE).read_bytes()
    assert (tmp_path / "a" / MANIFEST_FILE).read_text() == (tmp_path / "b" / MANIFEST_FILE).read_text()


def test_regenerating_into_the_same_directory_replaces_stale_partitions(tmp_path):
    stale = tmp_path / "orders" / "year=1999" / "month=01"
    stale.mkdir(parents=True)
    (stale / "part-00000.parquet").write_bytes(b"old")
    generate(tmp_path, scale=SMALL, seed=1)
    assert not stale.exists()


def test_manifest_records_run_files_and_rows(dataset):
    on_disk = json.loads((dataset.out_dir / MANIFEST_FILE).read_text())
    assert on_disk["seed"] == 42 and on_disk["scale"] == SCALE
    assert on_disk["schema_hash"] == schema_hash()
    assert set(on_disk["tables"]) == {t.name for t in TABLES}
    for name, info in on_disk["tables"].items():
        assert info["files"], name
        rows = sum(pq.ParquetFile(dataset.out_dir / f).metadata.num_rows for f in info["files"])
        assert rows == info["rows"] > 0, name
    assert Manifest.load(dataset.out_dir).to_dict() == dataset.to_dict()


def test_scale_sets_the_size(dataset):
    assert 8_000 <= dataset.rows("orders") <= 12_000
    assert dataset.rows("customers") == 1_000
    assert dataset.rows("products") == 500
    assert dataset.rows("categories") == 12
    assert 1.5 <= dataset.rows("order_items") / dataset.rows("orders") <= 3.5
    assert dataset.rows("payments") == dataset.rows("orders")


# ---- schema conformance --------------------------------------------------------------------
@pytest.mark.parametrize("t", TABLES, ids=lambda t: t.name)
def test_parquet_files_match_the_schema_exactly(dataset, t):
    expected = [(c.name, ARROW_TYPES[c.type]) for c in t.columns]
    for rel in dataset.tables[t.name].files:
        schema = pq.read_schema(dataset.out_dir / rel)
        assert [(f.name, str(f.type)) for f in schema] == expected, rel
        assert pq.ParquetFile(dataset.out_dir / rel).metadata.row_group(0).column(0).compression == "SNAPPY"


@pytest.mark.parametrize("t", [t for t in TABLES if t.partitioned], ids=lambda t: t.name)
def test_partitioned_tables_are_hive_laid_out_by_year_and_month(dataset, data, t):
    assert [c.name for c in t.partition_keys] == ["year", "month"]
    months = set()
    for rel in dataset.tables[t.name].files:
        m = re.fullmatch(rf"{t.name}/year=(\d{{4}})/month=(\d{{2}})/part-00000\.parquet", rel)
        assert m, rel
        months.add((int(m.group(1)), int(m.group(2))))
    assert len(months) == 24  # two years of months, none missing
    # the partition a row sits in is its order's month
    if "order_date" in data[t.name].column_names:  # payments: see the next test
        d = col(data[t.name], "order_date").astype("datetime64[D]")
        assert np.array_equal(col(data[t.name], "year"), d.astype("datetime64[Y]").astype(int) + 1970)
        assert np.array_equal(col(data[t.name], "month"), d.astype("datetime64[M]").astype(int) % 12 + 1)


def test_payments_partition_follows_its_order(data):
    orders = dict(
        zip(
            data["orders"]["order_id"].to_pylist(),
            zip(col(data["orders"], "year").tolist(), col(data["orders"], "month").tolist(), strict=False),
            strict=False,
        )
    )
    pay = data["payments"]
    got = list(
        zip(pay["order_id"].to_pylist(), col(pay, "year").tolist(), col(pay, "month").tolist(), strict=False)
    )
    assert all(orders[o] == (y, m) for o, y, m in got)


def test_partition_projection_parameters_for_athena():
    orders = table("orders")
    params = orders.glue_parameters("s3://curated-bucket/orders/")
    assert params["classification"] == "parquet"
    assert params["projection.enabled"] == "true"
    assert params["projection.year.type"] == "integer"
    assert params["projection.year.range"] == f"{DATA_START.year},{DATA_END.year}"
    assert params["projection.month.type"] == "integer"
    assert params["projection.month.range"] == "1,12"
    assert params["projection.month.digits"] == "2"
    assert params[LOCATION_TEMPLATE] == "s3://curated-bucket/orders/year=${year}/month=${month}/"
    # without a location the template is left out (Athena then assumes this Hive layout)
    assert LOCATION_TEMPLATE not in orders.glue_parameters()
    assert "projection.enabled" not in table("products").glue_parameters()
    assert all(t.zone == "curated" for t in TABLES)


# ---- integrity -----------------------------------------------------------------------------
def _subset(child: pa.Array | pa.ChunkedArray, parent: pa.Array | pa.ChunkedArray) -> bool:
    return bool(pc.all(pc.is_in(pc.drop_null(child), value_set=pc.unique(parent))).as_py())


def test_referential_integrity(data):
    d = data
    assert _subset(d["order_items"]["product_id"], d["products"]["product_id"])
    assert _subset(d["order_items"]["order_id"], d["orders"]["order_id"])
    assert _subset(d["orders"]["customer_id"], d["customers"]["customer_id"])
    assert _subset(d["payments"]["order_id"], d["orders"]["order_id"])
    assert _subset(d["payments"]["customer_id"], d["customers"]["customer_id"])
    assert _subset(d["products"]["category_id"], d["categories"]["category_id"])
    assert _subset(d["price_history"]["product_id"], d["products"]["product_id"])
    assert _subset(d["competitor_prices"]["product_id"], d["products"]["product_id"])
    assert _subset(d["inventory"]["product_id"], d["products"]["product_id"])
    assert _subset(d["customers"]["country"], d["regions"]["country"])
    assert _subset(d["orders"]["currency"], d["exchange_rates"]["currency"])
    assert _subset(d["regions"]["currency"], d["exchange_rates"]["currency"])
    # keys are unique; one payment per order; every order has its lines
    for name, key in (
        ("orders", "order_id"),
        ("payments", "payment_id"),
        ("customers", "customer_id"),
        ("products", "product_id"),
        ("categories", "category_id"),
        ("regions", "country"),
    ):
        assert pc.count_distinct(d[name][key]).as_py() == d[name].num_rows, name
    assert pc.count_distinct(d["payments"]["order_id"]).as_py() == d["orders"].num_rows
    items_per_order = d["order_items"].group_by("order_id").aggregate([("line_no", "count")])
    counts = dict(
        zip(
            items_per_order["order_id"].to_pylist(),
            items_per_order["line_no_count"].to_pylist(),
            strict=False,
        )
    )
    assert [counts[o] for o in d["orders"]["order_id"].to_pylist()] == d["orders"]["item_count"].to_pylist()


def test_orders_happen_after_signup_and_product_launch(data):
    o, c = data["orders"], data["customers"]
    signup = dict(zip(c["customer_id"].to_pylist(), days(c, "signup_date").tolist(), strict=False))
    od = days(o, "order_date")
    assert od.min() >= 0 and od.max() <= (DATA_END - DATA_START).days
    assert all(
        day >= signup[cid] for cid, day in zip(o["customer_id"].to_pylist(), od.tolist(), strict=False)
    )
    launched = dict(
        zip(
            data["products"]["product_id"].to_pylist(),
            days(data["products"], "launched_date").tolist(),
            strict=False,
        )
    )
    oi = data["order_items"]
    assert all(
        day >= launched[p]
        for p, day in zip(oi["product_id"].to_pylist(), days(oi, "order_date").tolist(), strict=False)
    )


def test_money_adds_up(data):
    o = data["orders"]
    dec = np.where(np.isin(col(o, "currency"), ["JPY", "CLP"]), 1.0, 0.011)
    recomputed = col(o, "subtotal") - col(o, "discount") + col(o, "shipping") + col(o, "tax")
    assert np.all(np.abs(recomputed - col(o, "total")) <= dec)
    oi = data["order_items"]
    line = col(oi, "quantity") * col(oi, "unit_price") - col(oi, "discount")
    assert np.allclose(line, col(oi, "line_total"), atol=1.0)
    by_order = oi.group_by("order_id").aggregate([("line_total", "sum")])
    net = dict(
        zip(o["order_id"].to_pylist(), (col(o, "subtotal") - col(o, "discount")).tolist(), strict=False)
    )
    assert all(
        abs(net[k] - v) <= 1.0 + 1e-6 * abs(v)
        for k, v in zip(
            by_order["order_id"].to_pylist(), by_order["line_total_sum"].to_pylist(), strict=False
        )
    )
    # USD amounts use the day's rate
    fx = data["exchange_rates"]
    rate = {
        (cur, d): r
        for cur, d, r in zip(
            fx["currency"].to_pylist(),
            fx["rate_date"].to_pylist(),
            fx["rate_to_usd"].to_pylist(),
            strict=False,
        )
    }
    for cur, d, total, usd in list(
        zip(
            o["currency"].to_pylist(),
            o["order_date"].to_pylist(),
            o["total"].to_pylist(),
            o["total_usd"].to_pylist(),
            strict=False,
        )
    )[:2000]:
        assert abs(total * rate[(cur, d)] - usd) <= 0.011
    assert np.all(col(o, "total_usd") > 0)
    assert set(o["status"].to_pylist()) == {"completed", "cancelled", "returned"}


def test_payments_hold_no_full_card_numbers(data):
    p = data["payments"]
    card = pc.is_in(p["method"], value_set=pa.array(["card", "apple_pay", "google_pay"]))
    assert pc.all(pc.equal(pc.is_valid(p["card_bin"]), card)).as_py()
    assert all(re.fullmatch(r"\d{6}", b) for b in pc.drop_null(p["card_bin"]).to_pylist())
    assert all(re.fullmatch(r"\d{4}", b) for b in pc.drop_null(p["card_last4"]).to_pylist())
    for name in p.column_names:
        if p.schema.field(name).type == pa.string():
            assert not pc.any(pc.match_substring_regex(p[name], r"\d{13,19}")).as_py(), name


# ---- signal --------------------------------------------------------------------------------
def test_orders_grow_year_over_year_as_truth_says(data, truth):
    od = days(data["orders"], "order_date")
    y1, y2 = (od < 365).sum(), (od >= 365).sum()
    growth = y2 / y1 - 1
    assert growth > 0.1
    assert abs(growth - truth["trend"]["expected_orders_yoy_growth"]) < 0.08
    assert truth["trend"]["realised_orders_yoy_growth"] == pytest.approx(growth, abs=1e-3)


def test_faster_growing_regions_grow_faster(data, truth):
    o = data["orders"]
    od, region = days(o, "order_date"), col(o, "region")

    def growth(r):
        sel = region == r
        return (sel & (od >= 365)).sum() / (sel & (od < 365)).sum() - 1

    rates = truth["trend"]["region_annual_growth"]
    fast, slow = max(rates, key=rates.get), min(rates, key=rates.get)
    assert growth(fast) > growth(slow) + 0.2


def test_december_revenue_beats_the_average_month(data):
    """Each December against the average month of its own July-June year (so growth does not
    blur the comparison); January dips after the peak."""
    o = data["orders"]
    done = col(o, "status") != "cancelled"
    od = days(o, "order_date")[done]
    key = col(o, "year")[done] * 100 + col(o, "month")[done]
    months, inv = np.unique(key, return_inverse=True)
    revenue = np.bincount(inv, col(o, "total_usd")[done])
    orders = np.bincount(inv)
    assert len(months) == 24
    for dec, window in ((202412, slice(0, 12)), (202512, slice(12, 24))):
        i = int(np.nonzero(months == dec)[0][0])
        assert revenue[i] > 1.15 * revenue[window].mean()
        assert orders[i] > 1.25 * orders[window].mean()
        assert orders[i + 1] < 0.85 * orders[i]  # January
    assert od.max() > 700


def test_weekends_carry_more_than_their_share(data, truth):
    od = days(data["orders"], "order_date")
    weekday = (od + DATA_START.weekday()) % 7
    share = np.isin(weekday, [5, 6]).mean()
    assert share > 2 / 7 + 0.02
    assert truth["seasonality"]["weekday_factors"]["Sat"] > truth["seasonality"]["weekday_factors"]["Tue"]


def _same_weekday_median(counts: np.ndarray, day: int) -> float:
    around = [day + 7 * k for k in (-4, -3, -2, -1, 1, 2, 3, 4) if 0 <= day + 7 * k < len(counts)]
    return float(np.median(counts[around]))


def test_injected_anomaly_days_stand_out(data, truth):
    od = days(data["orders"], "order_date")
    counts = np.bincount(od, minlength=(DATA_END - DATA_START).days + 1)
    kinds = {a["kind"]: a for a in truth["anomalies"]}
    outage = (dt.date.fromisoformat(kinds["outage"]["date"]) - DATA_START).days
    flash = (dt.date.fromisoformat(kinds["promo_spike"]["date"]) - DATA_START).days
    assert counts[outage] < 0.4 * _same_weekday_median(counts, outage)
    assert counts[flash] > 2.0 * _same_weekday_median(counts, flash)
    # the flash sale's coupon is on that day's orders
    o = data["orders"]
    coupons = pc.filter(
        o["coupon_code"], pc.equal(o["order_date"], pa.scalar(DATA_START + dt.timedelta(days=flash)))
    )
    assert set(coupons.to_pylist()) == {kinds["promo_spike"]["coupon_code"]}
    # the fraud attack day
    attack = dt.date.fromisoformat(kinds["fraud_attack"]["date"])
    p = data["payments"]
    order_day = dict(zip(o["order_id"].to_pylist(), o["order_date"].to_pylist(), strict=False))
    on_day = np.array([order_day[x] == attack for x in p["order_id"].to_pylist()])
    fraud = col(p, "is_fraud")
    assert fraud[on_day].mean() > 4 * fraud.mean()


def test_fraud_follows_its_drivers(data, truth):
    p = data["payments"]
    fraud = col(p, "is_fraud")
    assert 0.008 <= fraud.mean() <= 0.03
    assert truth["fraud"]["realised_rate"] == pytest.approx(fraud.mean(), abs=1e-4)
    mismatch = (col(p, "billing_country") != col(p, "shipping_country")) | (
        col(p, "ip_country") != col(p, "billing_country")
    )
    assert fraud[mismatch].mean() > 2.5 * fraud[~mismatch].mean()
    method = col(p, "method")
    assert fraud[method == "gift_card"].mean() > fraud[method == "bank_transfer"].mean()
    attempts = col(p, "attempts")
    hour = col(p, "created_ts").astype("datetime64[h]").astype(np.int64) % 24
    risky = (attempts > 1) | (hour < 6)
    assert fraud[risky].mean() > 1.5 * fraud[(attempts == 1) & (hour >= 8)].mean()
    usd = col(p, "amount_usd")
    assert fraud[usd > np.quantile(usd, 0.9)].mean() > fraud[usd < np.median(usd)].mean()
    # chargebacks mostly follow fraud
    cb = col(p, "chargeback")
    assert cb[fraud].mean() > 0.4 > 0.02 > cb[~fraud].mean()


def _poisson_fe(y: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Poisson regression of counts y[week, cat] on log price x[week, cat] with category and week
    fixed effects and a per-category trend; returns (per-category slopes, standard errors)."""
    n_weeks, n_cats = y.shape
    wk, cat = np.meshgrid(np.arange(n_weeks), np.arange(n_cats), indexing="ij")
    wk, cat = wk.ravel(), cat.ravel()
    design = np.zeros((n_weeks * n_cats, n_cats + (n_weeks - 1) + 2 * n_cats))
    design[np.arange(n_weeks * n_cats), cat] = 1
    has_week = wk > 0
    design[np.nonzero(has_week)[0], n_cats + wk[has_week] - 1] = 1
    design[np.arange(n_weeks * n_cats), n_cats + n_weeks - 1 + cat] = x.ravel()
    design[np.arange(n_weeks * n_cats), n_cats + n_weeks - 1 + n_cats + cat] = wk / 52
    counts = y.ravel().astype(float)
    beta = np.zeros(design.shape[1])
    beta[:n_cats] = np.log(counts.mean() + 1)
    for _ in range(50):
        eta = design @ beta
        mu = np.exp(eta)
        z = eta + (counts - mu) / mu
        sw = np.sqrt(mu)
        new = np.linalg.lstsq(design * sw[:, None], z * sw, rcond=None)[0]
        done = np.max(np.abs(new - beta)) < 1e-9
        beta = new
        if done:
            break
    mu = np.exp(design @ beta)
    dispersion = max(1.0, float(np.sum((counts - mu) ** 2 / mu) / (len(counts) - design.shape[1])))
    cov = np.linalg.pinv((design * mu[:, None]).T @ design) * dispersion
    sl = slice(n_cats + n_weeks - 1, n_cats + n_weeks - 1 + n_cats)
    return beta[sl], np.sqrt(np.diag(cov))[sl]


def test_price_elasticity_is_recoverable_per_category(data, truth):
    """Weekly lines per category vs the category's mean log price (price_history / list price),
    with week fixed effects: the slope is the category's elasticity."""
    products = data["products"]
    cats = sorted(truth["elasticity"])
    cat_of = dict(
        zip(
            products["product_id"].to_pylist(),
            [cats.index(c) for c in products["category_id"].to_pylist()],
            strict=False,
        )
    )
    list_price = dict(
        zip(products["product_id"].to_pylist(), products["list_price"].to_pylist(), strict=False)
    )
    n_weeks = (DATA_END - DATA_START).days // 7  # full weeks only
    ph = data["price_history"]
    pw = days(ph, "week_start") // 7
    pc_ = np.array([cat_of[p] for p in ph["product_id"].to_pylist()])
    rel = np.log(col(ph, "price") / np.array([list_price[p] for p in ph["product_id"].to_pylist()]))
    keep = pw < n_weeks
    log_price = np.zeros((n_weeks, len(cats)))
    n = np.zeros((n_weeks, len(cats)))
    np.add.at(log_price, (pw[keep], pc_[keep]), rel[keep])
    np.add.at(n, (pw[keep], pc_[keep]), 1)
    log_price /= n
    oi = data["order_items"]
    lw = days(oi, "order_date") // 7
    lc = np.array([cat_of[p] for p in oi["product_id"].to_pylist()])
    keep = lw < n_weeks
    lines = np.zeros((n_weeks, len(cats)))
    np.add.at(lines, (lw[keep], lc[keep]), 1)

    est, se = _poisson_fe(lines, log_price)
    true = np.array([truth["elasticity"][c]["elasticity"] for c in cats])
    assert np.all((-2.5 <= true) & (true <= -0.8))
    z = (est - true) / se
    assert np.all(np.abs(z) < 3.5), dict(zip(cats, np.round(est, 2), strict=False))
    assert np.mean(np.abs(est - true)) < 0.35
    assert np.corrcoef(est, true)[0, 1] > 0.75  # the categories' differences are real


def test_promotions_lift_a_products_units(data):
    """Within one product, promo weeks sell more than its other weeks (pooled over products)."""
    ph, oi = data["price_history"], data["order_items"]
    sold: dict[tuple[str, int], int] = {}
    for pid, week, q in zip(
        oi["product_id"].to_pylist(),
        (days(oi, "order_date") // 7).tolist(),
        oi["quantity"].to_pylist(),
        strict=False,
    ):
        sold[(pid, week)] = sold.get((pid, week), 0) + q
    q = np.array(
        [
            sold.get(k, 0)
            for k in zip(ph["product_id"].to_pylist(), (days(ph, "week_start") // 7).tolist(), strict=False)
        ],
        dtype=float,
    )
    promo = col(ph, "is_promo")
    _, product = np.unique(col(ph, "product_id").astype(str), return_inverse=True)
    usual = np.bincount(product[~promo], q[~promo], product.max() + 1) / np.maximum(
        np.bincount(product[~promo], minlength=product.max() + 1), 1
    )
    lift = q[promo].sum() / usual[product[promo]].sum()  # promo-week units vs the same products' usual
    assert lift > 1.25


def test_customers_differ_in_value_and_churners_go_quiet(dataset, data, truth):
    o = data["orders"]
    per_customer = o.group_by("customer_id").aggregate([("order_id", "count"), ("order_date", "max")])
    n = col(per_customer, "order_id_count")
    assert np.quantile(n, 0.9) >= 3 * np.quantile(n, 0.5)  # heavy tail: RFM segments exist
    churn = pq.read_table(dataset.out_dir / TRUTH_DIR / "customers.parquet")
    churned = dict(zip(churn["customer_id"].to_pylist(), churn["churned"].to_pylist(), strict=False))
    recency = (DATA_END - DATA_START).days - days(per_customer, "order_date_max")
    flag = np.array([churned[c] for c in per_customer["customer_id"].to_pylist()])
    assert 0.2 < flag.mean() < 0.7
    assert np.median(recency[flag]) > 3 * np.median(recency[~flag])
    assert "churned" not in data["customers"].column_names and "segment" not in data["customers"].column_names


def test_co_purchase_pairs_have_lift(data, truth):
    """A product's co-purchase partner shows up in its baskets far more often than in baskets at
    large (lift = P(partner | product) / P(partner))."""
    oi = data["order_items"]
    baskets: dict[str, set] = {}
    for o, p in zip(oi["order_id"].to_pylist(), oi["product_id"].to_pylist(), strict=False):
        baskets.setdefault(o, set()).add(p)
    contains: dict[str, int] = {}
    for items in baskets.values():
        for p in items:
            contains[p] = contains.get(p, 0) + 1
    lifts = []
    for pair in truth["co_purchase"]["top_pairs"]:
        a, b = pair["product_id"], pair["partner_id"]
        both = sum(1 for items in baskets.values() if a in items and b in items)
        lifts.append((both / contains[a]) / (contains[b] / len(baskets)))
    assert len(lifts) >= 10
    assert np.median(lifts) > 3


def test_truth_documents_what_services_must_recover(truth):
    assert {
        "trend",
        "seasonality",
        "elasticity",
        "anomalies",
        "fraud",
        "churn",
        "co_purchase",
        "regional_price_factors",
        "category_relative_growth",
    } <= set(truth)
    assert {a["kind"] for a in truth["anomalies"]} == {"outage", "promo_spike", "fraud_attack"}
    assert len(truth["elasticity"]) == 12
    assert truth["seasonality"]["black_friday"] == ["2024-11-29", "2025-11-28"]
