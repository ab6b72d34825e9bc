"""The shared daily sales cube (lambdas/shared/cube.py): its cells against pandas over a generated
dataset, its measures on a hand-made lake with the awkward cases written out (an order without
lines, two lines of one category, a product missing from the catalogue, every status, a NULL
status), and the readers (dense arrays, rollups, status choices, the artifact)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from shared import artifacts, cube
from shared.warehouse import DuckDBWarehouse, set_warehouse

from datagen.generate import generate

D1, D2, D3 = date(2025, 1, 1), date(2025, 1, 2), date(2025, 1, 3)
FEB = date(2025, 2, 1)


class Counting:
    """A warehouse that counts the statements it runs."""

    def __init__(self, inner):
        self.inner, self.statements = inner, 0

    def query_columns(self, sql, params=(), **kw):
        self.statements += 1
        return self.inner.query_columns(sql, params, **kw)

    def close(self):
        self.inner.close()


# ---- against pandas on a generated dataset ----------------------------------------------------
@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("cube-data") / "data"
    generate(out, scale=0.02, seed=5)
    wh = Counting(DuckDBWarehouse(out))
    doc = cube.compute(wh)
    assert wh.statements == 1  # one statement for every level

    def table(name: str) -> pd.DataFrame:
        frame = pq.read_table(out / name).to_pandas()
        return frame.drop(columns=[c for c in ("year", "month") if c in frame])

    return cube.SalesCube(doc), {n: table(n) for n in ("orders", "order_items", "products", "payments")}


def cells(c: cube.SalesCube, level: str) -> pd.DataFrame:
    """The level's cells with their labels, keyed like the pandas reference."""
    dims, measures = cube.LEVELS[level]
    keys, values = c.cells[level]
    frame = pd.DataFrame(values, columns=list(measures))
    frame.insert(0, "day", [c.first + timedelta(days=int(d)) for d in keys[:, 0]])
    for j, dim in enumerate(dims, start=1):
        frame.insert(j, dim, [c.labels[dim][i] for i in keys[:, j]])
    return frame.set_index(["day", *dims]).sort_index()


def reference(t: dict[str, pd.DataFrame], level: str) -> pd.DataFrame:
    orders = t["orders"].rename(columns={"order_date": "day"})
    if level == "orders":
        units = t["order_items"].groupby("order_id")["quantity"].sum().rename("units")
        frame = orders.join(units, on="order_id")
        frame["units"] = frame["units"].fillna(0)
        keys = ["day", "region", "country", "channel", "status"]
        out = frame.groupby(keys).agg(
            total=("total_usd", "sum"), orders=("order_id", "size"), units=("units", "sum")
        )
    elif level == "lines":
        frame = t["order_items"].drop(columns=["order_date"]).merge(orders, on="order_id")
        frame = frame.merge(t["products"][["product_id", "category_id", "unit_cost"]], on="product_id")
        frame["cost"] = frame["quantity"] * frame["unit_cost"]
        frame = frame.rename(columns={"category_id": "category"})
        keys = ["day", "region", "country", "category", "status"]
        out = frame.groupby(keys).agg(
            revenue=("line_total_usd", "sum"),
            orders=("order_id", "nunique"),
            units=("quantity", "sum"),
            cost=("cost", "sum"),
        )
    else:
        frame = t["payments"][["order_id", "method", "amount_usd"]].merge(orders, on="order_id")
        keys = ["day", "region", "country", "method", "status"]
        out = frame.groupby(keys).agg(amount=("amount_usd", "sum"), payments=("order_id", "size"))
    return out.astype(float).sort_index()


@pytest.mark.parametrize("level", sorted(cube.LEVELS))
def test_every_cell_is_what_pandas_sums(generated, level):
    c, tables = generated
    got, want = cells(c, level), reference(tables, level)
    assert len(want) > 100 and list(got.index) == list(want.index)
    np.testing.assert_allclose(got.to_numpy(), want[list(got.columns)].to_numpy(), rtol=1e-9, atol=1e-6)


def test_the_window_and_the_labels_are_the_datas(generated):
    c, t = generated
    assert c.first == t["orders"]["order_date"].min()
    assert c.last == t["orders"]["order_date"].max()
    assert c.labels["region"] == sorted(t["orders"]["region"].unique())
    assert c.labels["status"] == ["cancelled", "completed", "returned"]
    names = dict(zip(t["products"]["category_id"], t["products"]["category"], strict=False))
    assert list(c.category_names) == c.labels["category"] and len(names) == 12
    assert c.category_names == {k: names[k] for k in c.labels["category"]}


def test_dense_sums_match_pandas_for_each_choice_of_sale(generated):
    c, t = generated
    lines = reference(t, "lines").reset_index()
    first, last = date(2025, 3, 1), date(2025, 5, 31)
    for statuses, keep in ((cube.COMPLETED, {"completed"}), (cube.NOT_CANCELLED, {"completed", "returned"})):
        dense = c.dense("lines", ("region", "category"), cube.columns("lines", statuses))
        got = dense.total(first, last, ("category",), region="Nordics").sum(axis=0)
        sel = lines[lines.status.isin(keep) & (lines.region == "Nordics")]
        sel = sel[(sel.day >= first) & (sel.day <= last)]
        want = sel.groupby("category")[["revenue", "orders", "units", "cost"]].sum()
        want = want.reindex(dense.labels["category"], fill_value=0.0)
        np.testing.assert_allclose(got, want.to_numpy(), rtol=1e-9)


# ---- a hand-made lake --------------------------------------------------------------------------
def _write(root: Path, name: str, rows: list[dict], partitioned: bool) -> None:
    frame = pd.DataFrame(rows)
    if not partitioned:
        (root / name).mkdir(parents=True)
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), root / name / "part-0.parquet")
        return
    for (y, m), part in frame.groupby(
        [frame.order_date.map(lambda d: d.year), frame.order_date.map(lambda d: d.month)]
    ):
        where = root / name / f"year={y}" / f"month={m:02d}"
        where.mkdir(parents=True)
        pq.write_table(pa.Table.from_pandas(part, preserve_index=False), where / "part-0.parquet")


ORDERS = [  # order_id, day, status, channel, country, region, total_usd
    ("O1", D1, "completed", "web", "DE", "Western Europe", 110.0),
    ("O2", D1, "completed", "web", "DE", "Western Europe", 55.0),
    ("O3", D1, "returned", "mobile_app", "FR", "Western Europe", 30.0),
    ("O4", D2, "cancelled", "web", "SE", "Nordics", 99.0),
    ("O5", D3, "completed", "marketplace", "SE", "Nordics", 12.0),  # no lines
    ("O6", FEB, "completed", "web", "DE", "Western Europe", 10.0),
    ("O7", FEB, None, "web", "SE", "Nordics", 7.0),  # a NULL status
]
LINES = [  # order_id, product_id, quantity, line_total_usd
    ("O1", "P1", 2, 80.0),
    ("O1", "P2", 1, 20.0),
    ("O2", "P1", 1, 40.0),
    ("O2", "P3", 1, 30.0),  # a second line of category A in O2
    ("O3", "P2", 3, 27.0),
    ("O4", "P1", 1, 40.0),
    ("O6", "P9", 1, 10.0),  # not in the catalogue: no category, left out of the lines level
    ("O6", "P2", 1, 5.0),
    ("O7", "P2", 1, 6.0),
]
PRODUCTS = [("P1", "A", "Apples", 10.0), ("P2", "B", "Books", 2.5), ("P3", "A", "Apples", 4.0)]
PAYMENTS = [("O1", "card", 110.0), ("O2", "paypal", 55.0), ("O3", "card", 30.0), ("O4", "card", 99.0),
            ("O5", "gift_card", 12.0), ("O6", "card", 10.0), ("O7", "card", 7.0)]  # fmt: skip


@pytest.fixture(scope="module")
def lake(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hand-made-lake")
    days = {o[0]: o[1] for o in ORDERS}
    _write(root, "orders", [dict(zip(("order_id", "order_date", "status", "channel", "country", "region",
           "total_usd"), o, strict=True)) for o in ORDERS], True)  # fmt: skip
    _write(root, "order_items", [{"order_id": o, "product_id": p, "order_date": days[o], "quantity": q,
           "line_total_usd": v} for o, p, q, v in LINES], True)  # fmt: skip
    _write(root, "products", [dict(zip(("product_id", "category_id", "category", "unit_cost"), p, strict=True))
           for p in PRODUCTS], False)  # fmt: skip
    _write(root, "payments", [{"order_id": o, "method": m, "amount_usd": a, "order_date": days[o]}
           for o, m, a in PAYMENTS], True)  # fmt: skip
    return root


@pytest.fixture(scope="module")
def small(lake) -> cube.SalesCube:
    return cube.SalesCube(cube.compute(DuckDBWarehouse(lake)))


class Rows:
    """A warehouse that answers with the given rows."""

    def __init__(self, names, rows):
        self.names, self.rows = names, rows

    def query_columns(self, sql, params=(), **kw):
        return self.names, list(self.rows)


def test_the_artifact_does_not_depend_on_the_order_of_the_rows(lake):
    """The warehouse returns groups in any order: the document (and every float summed from
    it) is the same whatever the order."""
    names, rows = DuckDBWarehouse(lake).query_columns(cube._SQL, max_rows=None)
    docs = [cube.compute(Rows(names, order)) for order in (rows, rows[::-1], sorted(rows, key=repr))]
    assert docs[0] == docs[1] == docs[2]


def test_the_hand_made_lake_by_hand(small):
    c = small
    assert (c.first, c.last, c.days) == (D1, FEB, 32)
    assert c.labels["status"] == ["", "cancelled", "completed", "returned"]  # NULL kept as ""
    assert c.labels["category"] == ["A", "B"] and c.category_names == {"A": "Apples", "B": "Books"}
    # completed orders, whole window: O1 + O2 + O5 + O6
    orders = c.dense("orders", (), cube.columns("orders", cube.COMPLETED))
    assert orders.measures == ("total", "orders", "units")
    assert orders.total(D1, FEB).sum(axis=0).tolist() == [187.0, 4.0, 7.0]  # units: 3 + 2 + 0 + 2
    # O5 has no lines: an order, no units
    assert orders.total(D3, D3).tolist() == [[12.0, 1.0, 0.0]]
    # category A on day 1 (completed): O1's 80 + O2's 40 + 30; O2 counts once; cost 2x10 + 10 + 4
    lines = c.dense("lines", ("category",), cube.columns("lines", cube.COMPLETED))
    assert lines.total(D1, D1, ("category",), category="A").tolist() == [[[150.0, 2.0, 4.0, 34.0]]]
    # P9 is in no category: February's completed lines are O6's P2 only
    assert lines.total(FEB, FEB, ("category",)).tolist() == [[[0.0] * 4, [5.0, 1.0, 1.0, 2.5]]]
    # payments of the sales that happened (completed and returned), by method
    pay = c.dense("payments", ("method",), cube.columns("payments", cube.NOT_CANCELLED))
    assert pay.labels["method"] == ["card", "gift_card", "paypal"]
    assert pay.total(D1, FEB, ("method",)).sum(axis=0).tolist() == [[150.0, 3.0], [12.0, 1.0], [55.0, 1.0]]


def test_what_counts_as_a_sale(small):
    def revenue(statuses):
        dense = small.dense("lines", (), cube.columns("lines", statuses))
        return float(dense.total(D1, FEB)[:, 0].sum())

    assert revenue(cube.COMPLETED) == 80 + 20 + 40 + 30 + 5
    assert revenue(cube.NOT_CANCELLED) == 175 + 27  # + O3 (returned); not O4 nor O7 (NULL)
    assert revenue(cube.ANY) == 175 + 27 + 40 + 6
    assert revenue(cube.RETURNED) == 27
    assert "completed" in cube.COMPLETED and "returned" not in cube.COMPLETED
    assert "" not in cube.NOT_CANCELLED and "returned" in cube.NOT_CANCELLED and "" in cube.ANY


def test_market_sales_count_the_orders_not_cancelled(small):
    lines, orders = cube.market_sales(
        small, regions=["Western Europe", "Nordics"], categories=["B", "A", "Z"], first=D1, days=3
    )
    assert lines.dims == ("region", "category") and lines.values.shape == (3, 2, 3, 4)
    # Western Europe, day 1: B is O1's 20 and O3's 27 (returned: a sale); A as completed
    assert lines.values[0, 0].tolist() == [[47.0, 2.0, 4.0, 10.0], [150.0, 2.0, 4.0, 34.0], [0.0] * 4]
    assert lines.values[1].sum() == 0  # day 2: O4 only, cancelled
    assert orders.values[:, :, 0].tolist() == [[3.0, 0.0], [0.0, 0.0], [0.0, 1.0]]  # O6/O7: after day 3


def test_rollup_mixes_statuses_per_column(small):
    spec = {
        "revenue": ("total", cube.COMPLETED),
        "returned": ("orders", cube.RETURNED),
        "placed": ("orders", cube.ANY),
    }
    keys, values = small.rollup("orders", ("region",), spec)
    rows = {(int(k[0]), small.labels["region"][k[1]]): v.tolist() for k, v in zip(keys, values, strict=True)}
    assert rows == {
        (0, "Western Europe"): [165.0, 1.0, 3.0],
        (1, "Nordics"): [0.0, 0.0, 1.0],  # only a cancelled order: a cell all the same (placed)
        (2, "Nordics"): [12.0, 0.0, 1.0],
        (31, "Western Europe"): [10.0, 0.0, 1.0],
        (31, "Nordics"): [0.0, 0.0, 1.0],
    }
    # no column counts cancelled orders: day 1's Nordics cell is left out
    keys, _ = small.rollup("orders", ("region",), {"revenue": ("total", cube.COMPLETED)})
    assert [int(k[0]) for k in keys] == [0, 2, 31]


def test_dense_windows_labels_and_unknown_members(small):
    spec = cube.columns("orders", cube.ANY)
    dense = small.dense("orders", ("region", "channel"), spec)
    assert dense.labels == {
        "region": ["Nordics", "Western Europe"],
        "channel": ["marketplace", "mobile_app", "web"],
    }
    # a window over the edges: zeros for the days outside the data
    before = dense.total(D1 - timedelta(days=2), D1)
    assert before.shape == (3, 3) and before[:2].sum() == 0 and before[2, 1] == 3
    assert dense.total(D1, D2, region="Atlantis").sum() == 0  # an unknown member: nothing
    assert dense.total(D1, D1, ("channel",), region="Western Europe")[0, :, 1].tolist() == [0, 1, 2]
    # given labels: their order, other members left out; given days: the rest left out
    fixed = small.dense("orders", ("region",), spec, labels={"region": ["Western Europe", "Atlantis"]},
                        first=D1 + timedelta(days=1), days=31)  # fmt: skip
    assert fixed.values.shape == (31, 2, 3) and fixed.first == D2
    assert fixed.values[..., 1].sum(axis=0).tolist() == [1.0, 0.0]  # O6 only: day 1 is outside
    assert np.array_equal(fixed.measure("orders"), fixed.values[..., 1])
    with pytest.raises(ValueError, match="dimension"):
        dense.total(D1, D2, category="A")  # orders have no category


def test_members_and_span(small):
    assert small.members("lines", "category", cube.RETURNED) == ["B"]
    assert small.members("orders", "region", cube.COMPLETED) == ["Nordics", "Western Europe"]
    assert small.span("orders", cube.NOT_CANCELLED) == (D1, FEB)
    assert small.span("orders", cube.Statuses(only=frozenset({"cancelled"}))) == (D2, D2)
    assert small.span("payments", cube.Statuses(only=frozenset({"lost"}))) is None


def test_the_artifact_is_built_once_and_read_back(lake, tmp_path, monkeypatch):
    monkeypatch.setenv("ARTIFACTS_DIR", str(tmp_path))
    monkeypatch.setenv("WAREHOUSE_DATA_DIR", str(lake))
    artifacts.reset()
    wh = Counting(DuckDBWarehouse(lake))
    set_warehouse(wh)
    try:
        first = cube.load()
        assert wh.statements == 1 and cube.load() is first  # one statement, then this process
        assert len(list((tmp_path / "shared" / "daily-sales").glob("*.json"))) == 1
        artifacts.reset()  # a new process: the store, no statement
        again = cube.load()
        assert wh.statements == 1 and again is not first
        assert again.labels == first.labels
        for level in cube.LEVELS:
            for mine, theirs in zip(again.cells[level], first.cells[level], strict=True):
                assert np.array_equal(mine, theirs)
        calls = []
        assert again.view("v", lambda c: calls.append(c) or len(calls)) == 1
        assert again.view("v", lambda c: calls.append(c) or len(calls)) == 1 and len(calls) == 1
    finally:
        set_warehouse(None)
        artifacts.reset()


def test_an_empty_lake_gives_an_empty_cube():
    class Empty:
        def query_columns(self, sql, params=(), **kw):
            return ["level", "day", "region", "country", "member", "status", "label", "a", "b", "c", "d"], []

    c = cube.SalesCube(cube.compute(Empty()))
    assert c.first is None and c.days == 0 and c.last is None
    dense = c.dense("lines", ("category",), cube.columns("lines", cube.COMPLETED))
    assert dense.total(D1, D2, ("category",)).shape == (2, 0, 4)
    assert c.rollup("orders", ("region",), cube.columns("orders", cube.ANY))[0].shape == (0, 2)
    with pytest.raises(ValueError, match="format"):
        cube.SalesCube({"format": 0})
