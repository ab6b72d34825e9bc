"""Deterministic synthetic eCommerce dataset with real, recoverable signal.

`generate(out_dir, scale=1.0, seed=42)` writes every table of `datagen.schema.TABLES` as snappy
Parquet under `out_dir/<table>/` (Hive-partitioned by year/month for orders, order_items and
payments), plus `manifest.json` (files, row counts, seed, scale, schema hash), `truth.json`
(what the analytics should recover) and `_truth/customers.parquet` (per-customer latent churn and
value, for tests of the churn/CLV services; it is not a table and is never uploaded).

Determinism: the output depends on (seed, scale) only. Every component draws from its own
`numpy.random.Generator(PCG64)` stream seeded by (seed, component name), the calendar is the
fixed window `DATA_START..DATA_END`, and Parquet files carry no timestamps, so two runs write
byte-identical files.

The model, in short (constants in `datagen.reference`):
- Orders: per country and day an expected count = share x regional growth^t x weekday factor x
  month factor x holiday factor x daily noise (x3 on the flash-sale day). Customers carry that
  demand: each has a latent order rate (gamma-distributed value) and a churn hazard; a customer
  orders only between signup and churn, and the day's expected orders are spread over the active
  customers of the country in proportion to their rates. New accounts often order within days.
  On the outage day only 12 % of orders get through.
- Lines: 1-5 products per order. Each week a product's choice weight is popularity x
  (price / list price) ^ elasticity(category) x category trend; prices move weekly (category-wide
  index + product promotions + occasional permanent changes), so log-log regression of weekly
  units on weekly price recovers the category elasticity. Later lines are often the co-purchase
  partner of the previous line (complementary categories), or from the customer's favourite
  category.
- Payments: one per order; fraud is drawn from a logistic model of mismatched countries, account
  age, amount, attempts, method, night hours, new devices and shared "ring" devices, calibrated
  to ~1.5 %.
"""

from __future__ import annotations

import json
import math
import shutil
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from . import reference as ref
from .schema import ARROW_TYPES, DATA_END, DATA_START, TABLES, schema_hash
from .schema import table as schema_table

N_DAYS = (DATA_END - DATA_START).days + 1
N_WEEKS = (N_DAYS + 6) // 7
EPOCH = date(1970, 1, 1)
DAY0 = (DATA_START - EPOCH).days  # DATA_START as days since the Unix epoch
MANIFEST_FILE = "manifest.json"
TRUTH_FILE = "truth.json"
TRUTH_DIR = "_truth"

Progress = Callable[[str], None]


# ---- manifest -----------------------------------------------------------------------------
@dataclass
class TableFiles:
    rows: int
    files: list[str]
    partitioned: bool


@dataclass
class Manifest:
    """What one generator run wrote (paths relative to `out_dir`)."""

    out_dir: Path
    seed: int
    scale: float
    schema_hash: str
    start_date: str
    end_date: str
    tables: dict[str, TableFiles] = field(default_factory=dict)
    truth_file: str = TRUTH_FILE

    def rows(self, name: str) -> int:
        return self.tables[name].rows

    def to_dict(self) -> dict:
        return {
            "seed": self.seed,
            "scale": self.scale,
            "schema_hash": self.schema_hash,
            "start_date": self.start_date,
            "end_date": self.end_date,
            "truth_file": self.truth_file,
            "tables": {
                name: {"rows": t.rows, "partitioned": t.partitioned, "files": t.files}
                for name, t in self.tables.items()
            },
        }

    def write(self) -> Path:
        path = Path(self.out_dir) / MANIFEST_FILE
        path.write_text(json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n")
        return path

    @classmethod
    def load(cls, out_dir: str | Path) -> Manifest:
        out_dir = Path(out_dir)
        data = json.loads((out_dir / MANIFEST_FILE).read_text())
        return cls(
            out_dir=out_dir,
            seed=data["seed"],
            scale=data["scale"],
            schema_hash=data["schema_hash"],
            start_date=data["start_date"],
            end_date=data["end_date"],
            truth_file=data.get("truth_file", TRUTH_FILE),
            tables={
                name: TableFiles(rows=t["rows"], files=list(t["files"]), partitioned=t["partitioned"])
                for name, t in data["tables"].items()
            },
        )


# ---- public API ---------------------------------------------------------------------------
def generate(
    out_dir: str | Path, scale: float = 1.0, seed: int = 42, progress: Progress | None = None
) -> Manifest:
    """Generate the dataset into `out_dir` (tables this run owns are replaced) and return the
    manifest. `progress` receives one line per step."""
    if not (0 < scale <= 20):
        raise ValueError(f"scale must be in (0, 20], got {scale}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    say = progress or (lambda _msg: None)
    started = time.perf_counter()
    world = _World(seed=int(seed), scale=float(scale), say=say)
    tables = world.build()
    say(f"built {len(tables)} tables in {time.perf_counter() - started:.2f}s; writing Parquet")

    manifest = Manifest(
        out_dir=out,
        seed=int(seed),
        scale=float(scale),
        schema_hash=schema_hash(),
        start_date=DATA_START.isoformat(),
        end_date=DATA_END.isoformat(),
    )
    for t in TABLES:
        shutil.rmtree(out / t.name, ignore_errors=True)
    shutil.rmtree(out / TRUTH_DIR, ignore_errors=True)
    for t in TABLES:
        arrow, partition = tables[t.name]
        manifest.tables[t.name] = _write_table(out, t.name, arrow, partition)
        say(f"  {t.name:<18} {arrow.num_rows:>9,} rows  {len(manifest.tables[t.name].files)} file(s)")
    (out / TRUTH_DIR).mkdir()
    pq.write_table(world.truth_customers, out / TRUTH_DIR / "customers.parquet", compression="snappy")
    (out / TRUTH_FILE).write_text(json.dumps(world.truth, indent=2, sort_keys=True) + "\n")
    manifest.write()
    say(f"done in {time.perf_counter() - started:.2f}s -> {out}")
    return manifest


def arrow_schema(table_name: str) -> pa.Schema:
    """The Arrow schema of a table's Parquet files (partition keys excluded)."""
    return pa.schema([pa.field(c.name, _ARROW[c.type]) for c in schema_table(table_name).columns])


_ARROW = {
    "string": pa.string(),
    "int": pa.int32(),
    "bigint": pa.int64(),
    "double": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("ms"),
}
if {k: str(v) for k, v in _ARROW.items()} != ARROW_TYPES:  # the schema's promise to readers
    raise AssertionError("datagen.schema.ARROW_TYPES and the generator's Arrow types disagree")


# ---- writing ------------------------------------------------------------------------------
def _write_table(out: Path, name: str, arrow: pa.Table, partition: np.ndarray | None) -> TableFiles:
    """Write one table; `partition` (year*100+month per row, rows sorted by it) splits it."""
    base = out / name
    base.mkdir(parents=True)
    files: list[str] = []
    if partition is None:
        rel = f"{name}/part-00000.parquet"
        pq.write_table(arrow, out / rel, compression="snappy")
        files.append(rel)
    else:
        keys, starts = np.unique(partition, return_index=True)
        if np.any(np.diff(partition) < 0):
            raise AssertionError(f"{name}: rows are not sorted by partition")
        bounds = [*starts.tolist(), len(partition)]
        for i, key in enumerate(keys):
            year, month = divmod(int(key), 100)
            rel = f"{name}/year={year}/month={month:02d}/part-00000.parquet"
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            pq.write_table(arrow.slice(bounds[i], bounds[i + 1] - bounds[i]), out / rel, compression="snappy")
            files.append(rel)
    return TableFiles(rows=arrow.num_rows, files=files, partitioned=partition is not None)


# ---- arrow helpers ------------------------------------------------------------------------
def _ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """`prefix` + zero-padded numbers, vectorised in Arrow."""
    digits = pc.utf8_lpad(pc.cast(pa.array(np.asarray(numbers, dtype=np.int64)), pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, digits, "")


def _labels(codes: np.ndarray, labels: list[str] | tuple[str, ...]) -> pa.Array:
    """Strings from integer codes (negative code = null)."""
    codes = np.asarray(codes)
    indices = pa.array(codes.astype(np.int32), mask=codes < 0)
    return pa.DictionaryArray.from_arrays(indices, pa.array(list(labels), pa.string())).dictionary_decode()


def _dates(day_offsets: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    """Dates from day offsets relative to DATA_START (`mask` True = null)."""
    days = (np.asarray(day_offsets, dtype=np.int64) + DAY0).astype(np.int32)
    return pa.array(days, pa.int32(), mask=mask).cast(pa.date32())


def _table(name: str, columns: dict[str, object]) -> pa.Table:
    schema = arrow_schema(name)
    if list(columns) != schema.names:
        raise AssertionError(f"{name}: columns {list(columns)} != schema {schema.names}")
    arrays = []
    for fld in schema:
        value = columns[fld.name]
        if isinstance(value, pa.ChunkedArray):
            value = value.combine_chunks()
        if not isinstance(value, pa.Array):
            if isinstance(value, np.ndarray) and value.dtype == object:
                value = value.tolist()
            value = pa.array(value, type=fld.type)
        if value.type != fld.type:
            value = value.cast(fld.type)
        arrays.append(value)
    return pa.Table.from_arrays(arrays, schema=schema)


def _round(x: np.ndarray, decimals: np.ndarray | int) -> np.ndarray:
    factor = np.power(10.0, decimals)
    return np.round(np.asarray(x, dtype=np.float64) * factor) / factor


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


# ---- the model ----------------------------------------------------------------------------
class _World:
    """Builds every table in memory; one method per step, vectorised over rows."""

    def __init__(self, seed: int, scale: float, say: Progress):
        self.seed = seed
        self.scale = scale
        self.say = say
        self.truth: dict = {}
        self.out: dict[str, tuple[pa.Table, np.ndarray | None]] = {}

    def rng(self, stream: str) -> np.random.Generator:
        """An independent stream per component: changing one step never shifts another."""
        return np.random.Generator(
            np.random.PCG64(np.random.SeedSequence([self.seed, zlib.crc32(stream.encode())]))
        )

    def build(self) -> dict[str, tuple[pa.Table, np.ndarray | None]]:
        steps = (
            self._calendar,
            self._regions,
            self._catalogue,
            self._prices,
            self._customers,
            self._orders,
            self._lines,
            self._amounts,
            self._payments,
            self._competitors,
            self._inventory,
            self._truth,
        )
        for step in steps:
            t0 = time.perf_counter()
            step()
            self.say(f"  {step.__name__.strip('_'):<12} {time.perf_counter() - t0:6.2f}s")
        return self.out

    # -- calendar -------------------------------------------------------------------------
    def _calendar(self) -> None:
        days = np.arange(N_DAYS)
        d64 = np.datetime64(DATA_START, "D") + days
        self.dow = (days + DATA_START.weekday()) % 7
        self.month = (d64.astype("datetime64[M]").astype(np.int64) % 12 + 1).astype(np.int64)
        self.year = d64.astype("datetime64[Y]").astype(np.int64) + 1970
        doy = (d64 - d64.astype("datetime64[Y]")).astype(np.int64) + 1
        self.t_years = days / 365.25
        self.day_week = days // 7
        # smooth month profile: month factors anchored mid-month, interpolated periodically
        mids = np.array([15, 46, 74, 105, 135, 166, 196, 227, 258, 288, 319, 349], dtype=float)
        mf = np.array(ref.MONTH_FACTORS)
        season = np.interp(doy, np.r_[mids[-1] - 365, mids, mids[0] + 365], np.r_[mf[-1], mf, mf[0]])
        special = np.ones(N_DAYS)
        self.black_fridays, self.cyber_mondays = [], []
        for year in range(DATA_START.year, DATA_END.year + 1):
            nov1 = date(year, 11, 1)
            thanksgiving = nov1 + timedelta(days=(3 - nov1.weekday()) % 7 + 21)
            for day, factor, bucket in (
                (thanksgiving + timedelta(days=1), ref.BLACK_FRIDAY_FACTOR, self.black_fridays),
                (thanksgiving + timedelta(days=4), ref.CYBER_MONDAY_FACTOR, self.cyber_mondays),
            ):
                if DATA_START <= day <= DATA_END:
                    special[(day - DATA_START).days] *= factor
                    bucket.append(day.isoformat())
            for (m, dd), factor in ref.CHRISTMAS_FACTORS.items():
                day = date(year, m, dd)
                if DATA_START <= day <= DATA_END:
                    special[(day - DATA_START).days] *= factor
        self.flash_day = (ref.FLASH_SALE_DATE - DATA_START).days
        self.outage_day = (ref.OUTAGE_DATE - DATA_START).days
        self.attack_day = (ref.FRAUD_ATTACK_DATE - DATA_START).days
        special[self.flash_day] *= ref.FLASH_SALE_FACTOR
        noise = np.exp(self.rng("calendar").normal(0.0, 0.05, N_DAYS))
        self.day_factor = np.array(ref.WEEKDAY_FACTORS)[self.dow] * season * special * noise
        self.season = season

    # -- regions & exchange rates ---------------------------------------------------------
    def _regions(self) -> None:
        rows = ref.COUNTRIES
        self.countries = [r[0] for r in rows]
        self.country_region = [r[2] for r in rows]
        self.region_names = list(dict.fromkeys(self.country_region))
        self.country_region_idx = np.array([self.region_names.index(r) for r in self.country_region])
        self.currencies = list(ref.CURRENCIES)
        self.country_cur = np.array([self.currencies.index(r[3]) for r in rows])
        self.country_share = np.array([r[7] for r in rows]) / sum(r[7] for r in rows)
        self.country_price_factor = np.array([r[8] for r in rows])
        self.country_ship_usd = np.array([r[9] for r in rows])
        self.country_vat = np.array([r[6] for r in rows])
        self.country_cities = [r[10] for r in rows]
        self.country_growth = np.log([ref.REGION_GROWTH[r] for r in self.country_region])
        self.cur_decimals = np.array([ref.CURRENCIES[c][3] for c in self.currencies])

        self.out["regions"] = (
            _table(
                "regions",
                {
                    "country": self.countries,
                    "country_name": [r[1] for r in rows],
                    "region": self.country_region,
                    "currency": [r[3] for r in rows],
                    "population": [r[4] for r in rows],
                    "gdp_per_capita": [float(r[5]) for r in rows],
                    "vat_rate": [r[6] for r in rows],
                },
            ),
            None,
        )

        rng = self.rng("fx")
        fx = np.empty((len(self.currencies), N_DAYS))
        for k, cur in enumerate(self.currencies):
            start, drift, vol, _ = ref.CURRENCIES[cur]
            steps = rng.normal(drift / 365.25, vol, N_DAYS)
            steps[0] = 0.0
            fx[k] = start * np.exp(np.cumsum(steps))
        fx = np.round(fx, 6)
        fx[self.currencies.index("USD")] = 1.0
        self.fx = fx
        n_cur = len(self.currencies)
        self.out["exchange_rates"] = (
            _table(
                "exchange_rates",
                {
                    "currency": _labels(np.repeat(np.arange(n_cur), N_DAYS), self.currencies),
                    "rate_date": _dates(np.tile(np.arange(N_DAYS), n_cur)),
                    "rate_to_usd": fx.ravel(),
                },
            ),
            None,
        )

    # -- categories & products ------------------------------------------------------------
    def _catalogue(self) -> None:
        rng = self.rng("catalogue")
        cats = ref.CATEGORIES
        self.cat_ids = [c[0] for c in cats]
        self.cat_names = [c[1] for c in cats]
        self.cat_elasticity = np.array([c[5] for c in cats])
        self.cat_demand = np.array([c[6] for c in cats])
        self.cat_return = np.array([c[9] for c in cats])
        self.cat_growth = np.log([c[10] for c in cats])
        self.cat_complement = np.array([self.cat_ids.index(c[11]) for c in cats])
        self.cat_qty_extra = np.array([c[12] for c in cats])
        n_cat = len(cats)
        self.out["categories"] = (
            _table(
                "categories",
                {
                    "category_id": self.cat_ids,
                    "name": self.cat_names,
                    "parent": [c[2] for c in cats],
                    "margin_target": [c[3] for c in cats],
                    "return_window_days": [c[4] for c in cats],
                },
            ),
            None,
        )

        n_products = max(60, round(5000 * self.scale))
        share = np.array([c[7] for c in cats])
        counts = np.maximum(3, np.floor(share * n_products).astype(int))
        counts[np.argmax(share)] += n_products - counts.sum()
        self.n_products = n_products
        cat_of = np.repeat(np.arange(n_cat), counts)  # products are ordered by category
        self.prod_cat = cat_of
        self.cat_start = np.r_[0, np.cumsum(counts)[:-1]]
        self.cat_end = np.cumsum(counts)

        # brands: each category draws from a pool of 6 brands, each brand has one supplier
        brand_pool = np.array([rng.choice(len(ref.BRANDS), 6, replace=False) for _ in range(n_cat)])
        brand = brand_pool[cat_of, rng.integers(0, 6, n_products)]
        suppliers = list(ref.SUPPLIERS)
        self.brand_supplier = rng.integers(0, len(suppliers), len(ref.BRANDS))
        self.prod_brand = brand
        median_price = np.array([c[8] for c in cats])
        list_price = np.maximum(
            1.99, np.floor(median_price[cat_of] * np.exp(rng.normal(0, 0.5, n_products))) + 0.99
        )
        margin = np.clip(np.array([c[3] for c in cats])[cat_of] + rng.normal(0, 0.06, n_products), 0.05, 0.8)
        unit_cost = np.round(list_price * (1 - margin), 2)
        self.list_price = list_price
        self.unit_cost = unit_cost

        # launch and discontinuation (availability by week)
        launched_before = rng.random(n_products) < 0.78
        pre_span = (DATA_START - date(2019, 1, 1)).days
        launch_day = np.where(
            launched_before, -rng.integers(1, pre_span, n_products), rng.integers(0, N_DAYS - 90, n_products)
        )
        discontinued = rng.random(n_products) < 0.07
        end_day = np.full(n_products, N_DAYS + 7)
        lo = np.maximum(launch_day, 0) + 60
        end_day[discontinued] = lo[discontinued] + (
            rng.random(discontinued.sum()) * np.maximum(1, N_DAYS - lo[discontinued])
        ).astype(int)
        discontinued &= end_day < N_DAYS
        weeks = np.arange(N_WEEKS)
        launch_week = np.where(launch_day <= 0, 0, -(-launch_day // 7))  # first full week on sale
        self.avail = (weeks[:, None] >= launch_week[None, :]) & (weeks[:, None] * 7 < end_day[None, :])
        self.launch_day = launch_day
        self.is_active = ~discontinued

        # popularity: heavy-tailed within category, category totals follow demand shares
        pop = np.exp(rng.normal(0, 1.0, n_products))
        pop /= np.bincount(cat_of, pop)[cat_of]
        self.popularity = pop * self.cat_demand[cat_of]

        # co-purchase partner: a product of the complementary category, chosen by popularity
        partner = np.empty(n_products, dtype=np.int64)
        for c in range(n_cat):
            members = np.arange(self.cat_start[c], self.cat_end[c])
            comp = self.cat_complement[c]
            pool = np.arange(self.cat_start[comp], self.cat_end[comp])
            w = self.popularity[pool] / self.popularity[pool].sum()
            partner[members] = rng.choice(pool, size=len(members), p=w)
        self.partner = partner

        nouns = [c[13] for c in cats]
        noun_idx = rng.integers(0, 1_000_000, n_products)
        model = rng.integers(0, len(ref.MODEL_WORDS), n_products)
        model_no = rng.integers(1, 10, n_products)
        names = [
            f"{ref.BRANDS[brand[i]]} {nouns[cat_of[i]][noun_idx[i] % len(nouns[cat_of[i]])]} "
            f"{ref.MODEL_WORDS[model[i]]} {model_no[i]}"
            for i in range(n_products)
        ]
        skus = [
            f"{self.cat_ids[cat_of[i]][-2:]}-{ref.BRANDS[brand[i]][:3].upper()}-{i + 1:05d}"
            for i in range(n_products)
        ]
        self.product_ids = _ids("P", np.arange(1, n_products + 1), 5)
        self.out["products"] = (
            _table(
                "products",
                {
                    "product_id": self.product_ids,
                    "sku": skus,
                    "name": names,
                    "category_id": _labels(cat_of, self.cat_ids),
                    "category": _labels(cat_of, self.cat_names),
                    "brand": _labels(brand, ref.BRANDS),
                    "unit_cost": unit_cost,
                    "list_price": list_price,
                    "launched_date": _dates(launch_day),
                    "is_active": self.is_active,
                },
            ),
            None,
        )

    # -- weekly prices --------------------------------------------------------------------
    def _prices(self) -> None:
        rng = self.rng("prices")
        n_cat, n_p, n_weeks = len(self.cat_ids), self.n_products, N_WEEKS
        # category-wide price index: AR(1) in logs plus category promotions
        log_idx = np.zeros((n_weeks, n_cat))
        shocks = rng.normal(0, 0.10, (n_weeks, n_cat))
        for w in range(n_weeks):
            log_idx[w] = (0.6 * log_idx[w - 1] if w else 0.0) + shocks[w]
        cat_promo = rng.random((n_weeks, n_cat)) < 0.05
        log_idx += np.where(cat_promo, -0.15, 0.0)
        # product: permanent steps + one-week promotions
        steps = np.where(rng.random((n_weeks, n_p)) < 1.0 / n_weeks, rng.normal(0, 0.07, (n_weeks, n_p)), 0.0)
        perm = np.cumsum(steps, axis=0)
        promo = rng.random((n_weeks, n_p)) < 0.06
        depth = rng.uniform(0.10, 0.30, (n_weeks, n_p))
        log_m = log_idx[:, self.prod_cat] + perm + np.where(promo, np.log1p(-depth), 0.0)
        log_m = np.clip(log_m, -0.6, 0.35)
        price = np.round(self.list_price[None, :] * np.exp(log_m), 2)
        self.price_usd = price  # (weeks, products)
        self.is_promo = promo | cat_promo[:, self.prod_cat]
        rel = price / self.list_price[None, :]
        elasticity = self.cat_elasticity[self.prod_cat]
        self.price_effect = rel ** elasticity[None, :]

        week_t = np.arange(n_weeks) * 7 / 365.25
        self.cat_trend = np.exp(np.outer(week_t, self.cat_growth))  # (weeks, categories)
        base = self.popularity[None, :] * self.avail * self.cat_trend[:, self.prod_cat]
        weights = base * self.price_effect
        self.cum_weights = np.r_[0.0, np.cumsum(weights.ravel())]
        # acceptance for "favourite category" draws: the category's price pull vs its best week
        cat_base = np.add.reduceat(base, self.cat_start, axis=1)
        cat_weight = np.add.reduceat(weights, self.cat_start, axis=1)
        ratio = cat_weight / np.maximum(cat_base, 1e-12)
        self.cat_accept = ratio / ratio.max(axis=0, keepdims=True)
        # acceptance for co-purchase partner draws: the partner's own price pull vs its best week
        pe = self.price_effect * self.avail
        self.partner_accept = pe / np.maximum(pe.max(axis=0, keepdims=True), 1e-12)

        w_idx, p_idx = np.nonzero(self.avail)
        order = np.lexsort((w_idx, p_idx))  # by product, then week
        w_idx, p_idx = w_idx[order], p_idx[order]
        self.out["price_history"] = (
            _table(
                "price_history",
                {
                    "product_id": self.product_ids.take(pa.array(p_idx)),
                    "week_start": _dates(w_idx * 7),
                    "price": price[w_idx, p_idx],
                    "is_promo": self.is_promo[w_idx, p_idx],
                },
            ),
            None,
        )

    # -- customers ------------------------------------------------------------------------
    def _customers(self) -> None:
        rng = self.rng("customers")
        n = max(50, round(10_000 * self.scale))
        self.n_customers = n
        country = rng.choice(len(self.countries), size=n, p=self.country_share)
        channels = ref.ACQUISITION_CHANNELS
        ch = rng.choice(
            len(channels), size=n, p=np.array([c[1] for c in channels]) / sum(c[1] for c in channels)
        )
        # signups: 42 % before the window, the rest growing over it like the region
        pre = rng.random(n) < 0.42
        pre_span = (DATA_START - date(2021, 1, 1)).days
        g = self.country_growth[country] + 0.15
        span = (N_DAYS - 1) / 365.25
        u = rng.random(n)
        t_in = np.log1p(u * np.expm1(g * span)) / g
        signup = np.where(
            pre, -rng.integers(1, pre_span + 1, n), np.minimum((t_in * 365.25).astype(int), N_DAYS - 1)
        )
        # value: latent order rate (heavy tailed) and basket propensity
        rate = rng.gamma(0.8, 1 / 0.8, n) * np.array([c[3] for c in channels])[ch]
        rate = np.maximum(rate, 0.02)
        basket = rng.gamma(2.0, 0.7, n)
        # churn: monthly hazard, lower for valuable customers, higher for some channels
        hazard = np.exp(rng.normal(math.log(0.03), 0.6, n)) * np.array([c[2] for c in channels])[ch]
        hazard = np.clip(hazard * (rate / rate.mean()) ** -0.25, 0.002, 0.5)
        alive_from = np.maximum(signup, 0)
        churn_day = alive_from + rng.exponential(1.0, n) / hazard * 30.44
        self.cust_country = country
        self.cust_signup = signup
        self.cust_rate = rate
        self.cust_basket = basket
        self.cust_hazard = hazard
        self.cust_churn_day = churn_day
        self.cust_active_from = alive_from
        self.cust_active_to = np.minimum(np.floor(churn_day), N_DAYS).astype(np.int64)  # exclusive
        cat_p = self.cat_demand / self.cat_demand.sum()
        self.cust_fav_cat = rng.choice(len(self.cat_ids), size=n, p=cat_p)

        first = rng.integers(0, len(ref.FIRST_NAMES), n)
        last = rng.integers(0, len(ref.LAST_NAMES), n)
        dom = rng.integers(0, len(ref.EMAIL_DOMAINS), n)
        city_pick = rng.integers(0, 1_000_000, n)
        names = [f"{ref.FIRST_NAMES[first[i]]} {ref.LAST_NAMES[last[i]]}" for i in range(n)]
        emails = [
            f"{ref.FIRST_NAMES[first[i]].lower()}.{ref.LAST_NAMES[last[i]].lower().replace(' ', '')}"
            f"{i + 1}@{ref.EMAIL_DOMAINS[dom[i]]}"
            for i in range(n)
        ]
        cities = [
            self.country_cities[country[i]][city_pick[i] % len(self.country_cities[country[i]])]
            for i in range(n)
        ]
        birth = np.clip(np.round(rng.normal(1986, 13, n)), 1940, 2007).astype(np.int32)
        self.customer_ids = _ids("C", np.arange(1, n + 1), 6)
        self.out["customers"] = (
            _table(
                "customers",
                {
                    "customer_id": self.customer_ids,
                    "email": emails,
                    "name": names,
                    "country": _labels(country, self.countries),
                    "region": _labels(self.country_region_idx[country], self.region_names),
                    "city": cities,
                    "signup_date": _dates(signup),
                    "acquisition_channel": _labels(ch, [c[0] for c in channels]),
                    "birth_year": birth,
                    "marketing_opt_in": rng.random(n) < 0.55,
                },
            ),
            None,
        )
        self.truth_customers = pa.table(
            {
                "customer_id": self.customer_ids,
                "order_rate": rate,
                "churn_hazard_monthly": hazard,
                "churned": churn_day < N_DAYS,
                "churn_date": _dates(
                    np.minimum(np.floor(churn_day), N_DAYS).astype(np.int64), mask=churn_day >= N_DAYS
                ),
                "favourite_category_id": _labels(self.cust_fav_cat, self.cat_ids),
            }
        )

    # -- orders ---------------------------------------------------------------------------
    def _orders(self) -> None:
        rng = self.rng("orders")
        n_country = len(self.countries)
        target_total = 100_000 * self.scale
        new_signups = (self.cust_signup >= 0).sum()
        welcome_p = 0.45
        regular_total = max(target_total - welcome_p * new_signups, 0.5 * target_total)
        target = (
            self.country_share[:, None]
            * np.exp(self.country_growth[:, None] * self.t_years[None, :])
            * self.day_factor[None, :]
        )
        target *= regular_total / target.sum()
        self.target = target

        # the country's active "order capacity" per day: sum of active customers' rates
        c, a, b = self.cust_country, self.cust_active_from, self.cust_active_to
        ok = b > a
        diff = np.bincount(
            c[ok] * (N_DAYS + 1) + a[ok], self.cust_rate[ok], n_country * (N_DAYS + 1)
        ) - np.bincount(c[ok] * (N_DAYS + 1) + b[ok], self.cust_rate[ok], n_country * (N_DAYS + 1))
        capacity = np.cumsum(diff.reshape(n_country, N_DAYS + 1), axis=1)[:, :N_DAYS]
        floor = 0.5 * np.median(self.cust_rate)
        intensity = target / np.maximum(capacity, floor)  # orders per unit rate per day
        cum = np.zeros((n_country, N_DAYS + 1))
        cum[:, 1:] = np.cumsum(intensity, axis=1)
        offsets = np.r_[0.0, np.cumsum(cum[:, -1] + 1.0)[:-1]]
        flat = (cum + offsets[:, None]).ravel()

        expected = self.cust_rate * np.where(ok, cum[c, np.minimum(b, N_DAYS)] - cum[c, a], 0.0)
        n_orders = rng.poisson(expected)
        cust = np.repeat(np.arange(self.n_customers), n_orders)
        lo = cum[c[cust], a[cust]]
        hi = cum[c[cust], b[cust]]
        u = lo + rng.random(len(cust)) * (hi - lo) + offsets[c[cust]]
        pos = np.searchsorted(flat, u, side="right") - 1
        day = pos - c[cust] * (N_DAYS + 1)
        day = np.clip(day, a[cust], b[cust] - 1)

        # welcome orders: new accounts often buy within days of signing up
        new = np.nonzero((self.cust_signup >= 0) & (rng.random(self.n_customers) < welcome_p))[0]
        w_day = self.cust_signup[new] + np.floor(rng.exponential(1.5, len(new))).astype(np.int64)
        keep = (w_day < self.cust_active_to[new]) & (w_day < N_DAYS)
        cust = np.r_[cust, new[keep]]
        day = np.r_[day, w_day[keep]]
        welcome = np.r_[np.zeros(len(day) - keep.sum(), bool), np.ones(keep.sum(), bool)]

        # the outage: most of the day's orders never happened
        drop = (day == self.outage_day) & (rng.random(len(day)) > ref.OUTAGE_KEEP)
        cust, day, welcome = cust[~drop], day[~drop], welcome[~drop]

        hours = np.array(ref.HOUR_WEIGHTS) / sum(ref.HOUR_WEIGHTS)
        hour = rng.choice(24, size=len(day), p=hours)

        # the fraud attack: a ring takes over active accounts and places orders in the night
        active = np.nonzero((a <= self.attack_day) & (b > self.attack_day))[0]
        n_attack = max(25, round(ref.FRAUD_ATTACK_ORDERS * self.scale))
        self.n_attack = n_attack
        cust = np.r_[cust, rng.choice(active, n_attack)]
        day = np.r_[day, np.full(n_attack, self.attack_day)]
        welcome = np.r_[welcome, np.zeros(n_attack, bool)]
        hour = np.r_[hour, rng.integers(0, 6, n_attack)]
        attack = np.r_[np.zeros(len(day) - n_attack, bool), np.ones(n_attack, bool)]
        secs = day.astype(np.int64) * 86400 + hour * 3600 + rng.integers(0, 3600, len(day))
        order = np.lexsort((cust, secs))
        self.o_cust = cust[order]
        self.o_day = day[order].astype(np.int64)
        self.o_secs = secs[order]
        self.o_hour = hour[order]
        self.o_welcome = welcome[order]
        self.o_attack = attack[order]
        self.o_country = self.cust_country[self.o_cust]
        self.o_week = self.o_day // 7
        self.n_orders = len(self.o_day)

    # -- order lines ----------------------------------------------------------------------
    def _draw_global(self, rng: np.random.Generator, weeks: np.ndarray) -> np.ndarray:
        n_prod = self.n_products
        lo = self.cum_weights[weeks * n_prod]
        hi = self.cum_weights[(weeks + 1) * n_prod]
        return self._invert(rng, weeks, lo, hi)

    def _draw_category(self, rng: np.random.Generator, weeks: np.ndarray, cats: np.ndarray) -> np.ndarray:
        n_prod = self.n_products
        lo = self.cum_weights[weeks * n_prod + self.cat_start[cats]]
        hi = self.cum_weights[weeks * n_prod + self.cat_end[cats]]
        return self._invert(rng, weeks, lo, hi)

    def _invert(self, rng, weeks, lo, hi) -> np.ndarray:
        x = lo + rng.random(len(weeks)) * (hi - lo)
        idx = np.searchsorted(self.cum_weights, x, side="right") - 1
        return np.clip(idx - weeks * self.n_products, 0, self.n_products - 1)

    def _lines(self) -> None:
        rng = self.rng("lines")
        n = self.n_orders
        k = np.clip(1 + rng.poisson(self.cust_basket[self.o_cust]), 1, 5)
        weeks = self.o_week
        slots = np.full((n, 5), -1, dtype=np.int64)
        # first line: the customer's favourite category (if its prices appeal this week) or any
        fav = self.cust_fav_cat[self.o_cust]
        use_fav = (rng.random(n) < 0.35) & (rng.random(n) < self.cat_accept[weeks, fav])
        first = np.empty(n, dtype=np.int64)
        first[use_fav] = self._draw_category(rng, weeks[use_fav], fav[use_fav])
        first[~use_fav] = self._draw_global(rng, weeks[~use_fav])
        slots[:, 0] = first
        for j in range(1, 5):
            idx = np.nonzero(k > j)[0]
            prev = slots[idx, j - 1]
            partner = self.partner[prev]
            w = weeks[idx]
            take = (rng.random(len(idx)) < 0.45) & (rng.random(len(idx)) < self.partner_accept[w, partner])
            pick = np.empty(len(idx), dtype=np.int64)
            pick[take] = partner[take]
            pick[~take] = self._draw_global(rng, w[~take])
            slots[idx, j] = pick
        order_idx, slot = np.nonzero(slots >= 0)
        product = slots[order_idx, slot]
        # one line per product per order
        _, first_seen = np.unique(order_idx * self.n_products + product, return_index=True)
        first_seen.sort()
        order_idx, product = order_idx[first_seen], product[first_seen]
        line_no = (
            np.arange(len(order_idx))
            - np.r_[0, np.cumsum(np.bincount(order_idx, minlength=n))[:-1]][order_idx]
            + 1
        )
        qty = 1 + np.minimum(rng.poisson(0.3 + self.cat_qty_extra[self.prod_cat[product]]), 5)
        self.l_order, self.l_product, self.l_line_no, self.l_qty = order_idx, product, line_no, qty

    # -- money ----------------------------------------------------------------------------
    def _amounts(self) -> None:
        rng = self.rng("amounts")
        n = self.n_orders
        oc = self.o_country
        cur = self.country_cur[oc]
        dec = self.cur_decimals[cur]
        fx = self.fx[cur, self.o_day]

        # coupons: flash sale (everyone), welcome offer, occasional codes
        coupon_codes = ["SAVE10", "SAVE15", "VIP20", "WELCOME10", ref.FLASH_SALE_COUPON[0]]
        coupon_rates = np.array([0.10, 0.15, 0.20, 0.10, ref.FLASH_SALE_COUPON[1]])
        coupon = np.where(rng.random(n) < 0.08, rng.choice(3, size=n, p=[0.5, 0.35, 0.15]), -1)
        coupon[self.o_welcome] = 3
        coupon[self.o_day == self.flash_day] = 4
        rate = np.where(coupon >= 0, coupon_rates[np.maximum(coupon, 0)], 0.0)

        lo = self.l_order
        ldec = dec[lo]
        usd = self.price_usd[self.o_week[lo], self.l_product] * self.country_price_factor[oc[lo]]
        unit_price = _round(usd / fx[lo], ldec)
        gross = _round(unit_price * self.l_qty, ldec)
        disc = _round(gross * rate[lo], ldec)
        line_total = _round(gross - disc, ldec)
        line_total_usd = np.round(line_total * fx[lo], 2)

        subtotal = _round(np.bincount(lo, gross, n), dec)
        discount = _round(np.bincount(lo, disc, n), dec)
        net = subtotal - discount
        shipping = np.where(net * fx >= 50.0, 0.0, _round(self.country_ship_usd[oc] / fx, dec))
        tax = _round(net * self.country_vat[oc], dec)
        total = _round(net + shipping + tax, dec)
        total_usd = np.round(total * fx, 2)

        # status: returns depend on what was bought
        p_return = np.bincount(lo, self.cat_return[self.prod_cat[self.l_product]], n) / np.bincount(
            lo, minlength=n
        )
        u = rng.random(n)
        status = np.where(u < 0.03, 1, np.where(u < 0.03 + p_return, 2, 0))
        t = self.o_day / 365.25
        p_mobile = 0.33 + 0.075 * t
        v = rng.random(n)
        channel = np.where(v < p_mobile, 1, np.where(v < p_mobile + 0.14, 2, 0))
        self.o_total, self.o_total_usd, self.o_cur = total, total_usd, cur

        order_no = np.arange(1, n + 1)
        self.order_ids = _ids("O", order_no, 7)
        self.o_part = self.year[self.o_day] * 100 + self.month[self.o_day]
        ts = (np.datetime64(DATA_START, "s") + self.o_secs.astype("timedelta64[s]")).astype("datetime64[ms]")
        self.o_ts = ts
        self.out["orders"] = (
            _table(
                "orders",
                {
                    "order_id": self.order_ids,
                    "customer_id": self.customer_ids.take(pa.array(self.o_cust)),
                    "order_ts": pa.array(ts, pa.timestamp("ms")),
                    "order_date": _dates(self.o_day),
                    "status": _labels(status, ["completed", "cancelled", "returned"]),
                    "channel": _labels(channel, ["web", "mobile_app", "marketplace"]),
                    "region": _labels(self.country_region_idx[oc], self.region_names),
                    "country": _labels(oc, self.countries),
                    "currency": _labels(cur, self.currencies),
                    "item_count": np.bincount(lo, minlength=n).astype(np.int32),
                    "coupon_code": _labels(coupon, coupon_codes),
                    "subtotal": subtotal,
                    "discount": discount,
                    "shipping": shipping,
                    "tax": tax,
                    "total": total,
                    "total_usd": total_usd,
                },
            ),
            self.o_part,
        )
        self.out["order_items"] = (
            _table(
                "order_items",
                {
                    "order_id": self.order_ids.take(pa.array(lo)),
                    "line_no": self.l_line_no.astype(np.int32),
                    "product_id": self.product_ids.take(pa.array(self.l_product)),
                    "order_date": _dates(self.o_day[lo]),
                    "quantity": self.l_qty.astype(np.int32),
                    "unit_price": unit_price,
                    "discount": disc,
                    "line_total": line_total,
                    "line_total_usd": line_total_usd,
                },
            ),
            self.o_part[lo],
        )
        self.l_line_total_usd = line_total_usd

    # -- payments & fraud -----------------------------------------------------------------
    def _payments(self) -> None:
        rng = self.rng("payments")
        n = self.n_orders
        n_c = len(self.countries)
        oc = self.o_country
        region = self.country_region_idx[oc]
        mix = np.array([ref.METHOD_MIX[r] for r in self.region_names])
        mix /= mix.sum(axis=1, keepdims=True)
        cum = np.cumsum(mix, axis=1)[region]
        method = (rng.random(n)[:, None] > cum).sum(axis=1)
        method = np.minimum(method, len(ref.METHODS) - 1)

        def other_country(size: int) -> np.ndarray:
            return rng.choice(n_c, size=size, p=self.country_share)

        ship_mm = rng.random(n) < 0.05
        ship = np.where(ship_mm, other_country(n), oc)
        ship_mm = ship != oc
        ip_mm = rng.random(n) < 0.04
        ip = np.where(ip_mm, other_country(n), oc)
        ip_mm = ip != oc
        attempts = np.minimum(rng.geometric(0.85, n), 6)

        # devices: each customer has a usual device; some payments come from a new one, a few
        # from devices shared by a fraud ring
        n_cust = self.n_customers
        cust_device = rng.integers(0, 2**48, n_cust)
        new_device = rng.random(n) < 0.07
        ring_pool = rng.integers(0, 2**48, max(3, round(20 * self.scale)))
        ring = rng.random(n) < 0.003
        attack = self.o_attack
        ring |= attack
        ip_mm |= attack
        ip = np.where(attack & (ip == oc), (oc + 1 + rng.integers(0, n_c - 1, n)) % n_c, ip)
        attempts = np.where(attack, np.maximum(attempts, 2 + rng.integers(0, 3, n)), attempts)
        device_num = np.where(
            ring,
            ring_pool[rng.integers(0, len(ring_pool), n)],
            np.where(new_device, rng.integers(0, 2**48, n), cust_device[self.o_cust]),
        )
        new_device &= ~ring
        device_ids = [f"dev-{x:012x}" for x in device_num.tolist()]

        age_days = self.o_day - self.cust_signup[self.o_cust] + self.o_hour / 24.0
        amount_usd = self.o_total_usd
        night = self.o_hour < 6
        co = ref.FRAUD_COEFFICIENTS
        method_eff = np.array([ref.FRAUD_METHOD_EFFECTS[m] for m in ref.METHODS])[method]
        score = (
            co["billing_shipping_mismatch"] * ship_mm
            + co["ip_billing_mismatch"] * ip_mm
            + co["account_age_lt_7d"] * (age_days < 7)
            + co["account_age_7_30d"] * ((age_days >= 7) & (age_days < 30))
            + co["log_amount_usd_over_100"] * np.log(np.maximum(amount_usd, 1.0) / 100.0)
            + co["extra_attempts"] * (attempts - 1)
            + co["night_hour_0_5"] * night
            + co["new_device"] * new_device
            + co["shared_ring_device"] * ring
            + method_eff
        )
        lo, hi = -20.0, 5.0
        for _ in range(60):  # calibrate the intercept to the target fraud rate
            mid = (lo + hi) / 2
            if _sigmoid(mid + score).mean() > ref.FRAUD_TARGET_RATE:
                hi = mid
            else:
                lo = mid
        intercept = (lo + hi) / 2
        p = _sigmoid(intercept + score)
        fraud = rng.random(n) < p
        chargeback = rng.random(n) < np.where(fraud, ref.CHARGEBACK_RATE_FRAUD, ref.CHARGEBACK_RATE_LEGIT)
        self.fraud_intercept = intercept
        self.p_fraud, self.is_fraud, self.ship_mm, self.ip_mm = p, fraud, ship_mm, ip_mm

        # cards: a customer's own card, or a stolen one on risky payments
        is_card = np.isin(method, [ref.METHODS.index(m) for m in ref.CARD_METHODS])
        bins = np.array([4, 5, 37])[rng.integers(0, 3, 60)] * 10**4 + rng.integers(0, 10**4, 60)
        bins = np.where(bins < 10**5, bins * 10, bins)  # 6 digits
        cust_bin = rng.integers(0, len(bins), n_cust)
        cust_last4 = rng.integers(0, 10_000, n_cust)
        stolen = fraud & (rng.random(n) < 0.8)
        bin_code = np.where(stolen, rng.integers(0, len(bins), n), cust_bin[self.o_cust])
        last4 = np.where(stolen, rng.integers(0, 10_000, n), cust_last4[self.o_cust])
        bin_labels = [f"{b:06d}" for b in bins.tolist()]
        last4_labels = [f"{i:04d}" for i in range(10_000)]
        created = self.o_ts + (attempts * rng.integers(5, 60, n)).astype("timedelta64[s]").astype(
            "timedelta64[ms]"
        )
        amount = self.o_total
        self.out["payments"] = (
            _table(
                "payments",
                {
                    "payment_id": _ids("PAY", np.arange(1, n + 1), 7),
                    "order_id": self.order_ids,
                    "customer_id": self.customer_ids.take(pa.array(self.o_cust)),
                    "method": _labels(method, ref.METHODS),
                    "card_bin": _labels(np.where(is_card, bin_code, -1), bin_labels),
                    "card_last4": _labels(np.where(is_card, last4, -1), last4_labels),
                    "amount": amount,
                    "currency": _labels(self.o_cur, self.currencies),
                    "amount_usd": amount_usd,
                    "billing_country": _labels(oc, self.countries),
                    "shipping_country": _labels(ship, self.countries),
                    "ip_country": _labels(ip, self.countries),
                    "device_id": device_ids,
                    "attempts": attempts.astype(np.int32),
                    "created_ts": pa.array(created, pa.timestamp("ms")),
                    "is_fraud": fraud,
                    "chargeback": chargeback,
                },
            ),
            self.o_part,
        )
        self.p_method = method

    # -- competitors ----------------------------------------------------------------------
    def _competitors(self) -> None:
        rng = self.rng("competitors")
        n_weeks = N_WEEKS
        parts = []
        log_idx = np.log(self.price_usd / self.list_price[None, :]).mean(axis=1)  # market mood
        for k, (_name, level, coverage, weekday) in enumerate(ref.COMPETITORS):
            tracked = np.nonzero(rng.random(self.n_products) < coverage)[0]
            m = len(tracked)
            offset = rng.normal(0, 0.06, m)
            walk = np.zeros((n_weeks, m))
            shocks = rng.normal(0, 0.03, (n_weeks, m))
            for w in range(n_weeks):
                walk[w] = (0.8 * walk[w - 1] if w else 0.0) + shocks[w]
            promo = np.where(rng.random((n_weeks, m)) < 0.05, np.log(0.85), 0.0)
            price = (
                self.list_price[tracked][None, :]
                * level
                * np.exp(offset[None, :] + walk + promo + 0.5 * log_idx[:, None])
            )
            avail = self.avail[:, tracked]
            w_idx, j = np.nonzero(avail)
            obs_day = np.minimum(w_idx * 7 + weekday, N_DAYS - 1)
            parts.append(
                (
                    np.full(len(j), k),
                    tracked[j],
                    np.round(price[w_idx, j], 2),
                    rng.random(len(j)) < 0.95,
                    obs_day,
                )
            )
        comp, prod, price, stock, day = (np.concatenate(x) for x in zip(*parts, strict=False))
        order = np.lexsort((comp, day, prod))
        self.out["competitor_prices"] = (
            _table(
                "competitor_prices",
                {
                    "product_id": self.product_ids.take(pa.array(prod[order])),
                    "competitor": _labels(comp[order], [c[0] for c in ref.COMPETITORS]),
                    "price": price[order],
                    "currency": _labels(np.zeros(len(order), dtype=np.int64), ["USD"]),
                    "in_stock": stock[order],
                    "observed_date": _dates(day[order]),
                },
            ),
            None,
        )

    # -- inventory ------------------------------------------------------------------------
    def _inventory(self) -> None:
        rng = self.rng("inventory")
        recent = self.o_day[self.l_order] >= N_DAYS - 90
        daily = np.bincount(self.l_product[recent], self.l_qty[recent], self.n_products) / 90.0
        products = np.nonzero(self.is_active)[0]
        wh_share = np.array([w[1] for w in ref.WAREHOUSES])
        stocked = rng.random((len(products), len(wh_share))) < np.array([1.0, 0.5, 0.7, 0.35, 0.35])
        pi, wi = np.nonzero(stocked)
        prod = products[pi]
        share = wh_share[wi] / (stocked * wh_share[None, :]).sum(axis=1)[pi]
        rate = np.maximum(daily[prod] * share, 0.01)
        suppliers = list(ref.SUPPLIERS)
        sup = self.brand_supplier[self.prod_brand[prod]]
        lead_mean = np.array([ref.SUPPLIERS[s] for s in suppliers])[sup]
        lead = np.maximum(2, np.round(lead_mean * np.exp(rng.normal(0, 0.15, len(prod))))).astype(np.int32)
        # reorder point = demand over lead time + a week of safety stock; most items sit above it
        # (a month of cover beyond it), ~12 % have run low
        reorder_point = np.ceil(rate * (lead + 7)).astype(np.int32)
        low = rng.random(len(prod)) < 0.12
        cover = np.where(
            low,
            rng.uniform(0, 0.8, len(prod)) * (lead + 7),
            lead + 7 + np.exp(rng.normal(math.log(30), 0.5, len(prod))),
        )
        on_hand = np.maximum(np.round(rate * cover), np.where(low, 0, reorder_point + 1)).astype(np.int32)
        on_order = np.where(
            (on_hand < reorder_point) & (rng.random(len(prod)) < 0.5), np.ceil(rate * 30), 0
        ).astype(np.int32)
        restock = N_DAYS - 1 - rng.integers(1, 76, len(prod))
        self.out["inventory"] = (
            _table(
                "inventory",
                {
                    "product_id": self.product_ids.take(pa.array(prod)),
                    "warehouse": _labels(wi, [w[0] for w in ref.WAREHOUSES]),
                    "on_hand": on_hand,
                    "on_order": on_order,
                    "reorder_point": reorder_point,
                    "lead_time_days": lead,
                    "supplier": _labels(sup, suppliers),
                    "last_restock_date": _dates(restock),
                    "snapshot_date": _dates(np.full(len(prod), N_DAYS - 1)),
                },
            ),
            None,
        )

    # -- ground truth ---------------------------------------------------------------------
    def _truth(self) -> None:
        # expected (noise-free) orders per year of the window, from the model's own curves
        days_y1 = self.t_years < 1.0
        exp_y1 = self.target[:, days_y1].sum()
        exp_y2 = self.target[:, ~days_y1].sum()
        orders_y1 = int((self.o_day < 365).sum())
        orders_y2 = int((self.o_day >= 365).sum())
        co = self._co_purchase_sample()
        fraud_rate = float(self.is_fraud.mean())
        mm = self.ship_mm | self.ip_mm
        churned = self.cust_churn_day < N_DAYS
        self.truth = {
            "seed": self.seed,
            "scale": self.scale,
            "start_date": DATA_START.isoformat(),
            "end_date": DATA_END.isoformat(),
            "schema_hash": schema_hash(),
            "trend": {
                "region_annual_growth": dict(ref.REGION_GROWTH),
                "expected_orders_yoy_growth": round(float(exp_y2 / exp_y1 - 1), 4),
                "realised_orders_yoy_growth": round(orders_y2 / max(orders_y1, 1) - 1, 4),
                "note": "year 1 = first 365 days of the window; growth is multiplicative per region",
            },
            "seasonality": {
                "weekday_factors": dict(
                    zip(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], ref.WEEKDAY_FACTORS, strict=False)
                ),
                "month_factors": dict(zip(range(1, 13), ref.MONTH_FACTORS, strict=False)),
                "black_friday": self.black_fridays,
                "cyber_monday": self.cyber_mondays,
                "black_friday_factor": ref.BLACK_FRIDAY_FACTOR,
                "cyber_monday_factor": ref.CYBER_MONDAY_FACTOR,
                "peak_months": [11, 12],
            },
            "elasticity": {
                cid: {"name": name, "elasticity": float(e)}
                for cid, name, e in zip(self.cat_ids, self.cat_names, self.cat_elasticity, strict=False)
            },
            "elasticity_note": (
                "units of a product in a week are proportional to (price_history.price / "
                "products.list_price) ^ elasticity of its category; prices move independently "
                "of season and of competitors"
            ),
            "category_relative_growth": {cid: ref.CATEGORIES[i][10] for i, cid in enumerate(self.cat_ids)},
            "anomalies": [
                {
                    "date": ref.OUTAGE_DATE.isoformat(),
                    "kind": "outage",
                    "metric": "orders",
                    "factor": ref.OUTAGE_KEEP,
                    "description": "checkout outage: only 12% of the day's orders got through",
                },
                {
                    "date": ref.FLASH_SALE_DATE.isoformat(),
                    "kind": "promo_spike",
                    "metric": "orders",
                    "factor": ref.FLASH_SALE_FACTOR,
                    "coupon_code": ref.FLASH_SALE_COUPON[0],
                    "description": "flash sale: 3x the expected orders, 25% coupon on every order",
                },
                {
                    "date": ref.FRAUD_ATTACK_DATE.isoformat(),
                    "kind": "fraud_attack",
                    "metric": "fraud_rate",
                    "extra_orders": self.n_attack,
                    "description": (
                        "a fraud ring took over accounts: extra night-time orders paid from shared "
                        "devices and foreign IPs after repeated attempts"
                    ),
                },
            ],
            "fraud": {
                "target_rate": ref.FRAUD_TARGET_RATE,
                "realised_rate": round(fraud_rate, 5),
                "rate_with_country_mismatch": round(float(self.is_fraud[mm].mean()) if mm.any() else 0.0, 5),
                "rate_without_country_mismatch": round(float(self.is_fraud[~mm].mean()), 5),
                "intercept": round(self.fraud_intercept, 4),
                "coefficients": dict(ref.FRAUD_COEFFICIENTS),
                "method_effects": dict(ref.FRAUD_METHOD_EFFECTS),
                "model": "logit(p) = intercept + sum(coef * feature) + method_effect",
            },
            "churn": {
                "mean_monthly_hazard": round(float(self.cust_hazard.mean()), 5),
                "churned_share_by_end": round(float(churned.mean()), 4),
                "channel_hazard_multipliers": {c[0]: c[2] for c in ref.ACQUISITION_CHANNELS},
                "per_customer_file": f"{TRUTH_DIR}/customers.parquet",
            },
            "customer_value": {
                "order_rate_distribution": "gamma(shape=0.8) x channel multiplier",
                "channel_rate_multipliers": {c[0]: c[3] for c in ref.ACQUISITION_CHANNELS},
            },
            "regional_price_factors": {c: ref.COUNTRIES[i][8] for i, c in enumerate(self.countries)},
            "co_purchase": {
                "partner_probability": 0.45,
                "complementary_categories": {
                    cid: self.cat_ids[self.cat_complement[i]] for i, cid in enumerate(self.cat_ids)
                },
                "top_pairs": co,
            },
            "competitors": {c[0]: {"price_level": c[1], "coverage": c[2]} for c in ref.COMPETITORS},
            "supplier_lead_time_days": dict(ref.SUPPLIERS),
            "row_counts": {name: tbl.num_rows for name, (tbl, _) in self.out.items()},
        }

    def _co_purchase_sample(self, top: int = 20) -> list[dict]:
        """The most frequent (product, partner) pairs actually bought together."""
        n_prod = self.n_products
        key = self.l_order * n_prod + self.l_product
        partner_key = self.l_order * n_prod + self.partner[self.l_product]
        both = np.isin(partner_key, key)
        together = np.bincount(self.l_product[both], minlength=n_prod)
        best = np.argsort(-together, kind="stable")[:top]
        return [
            {
                "product_id": f"P{p + 1:05d}",
                "partner_id": f"P{self.partner[p] + 1:05d}",
                "orders_together": int(together[p]),
            }
            for p in best
            if together[p] > 0
        ]
