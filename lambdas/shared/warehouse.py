"""The warehouse the services query: Athena in AWS, DuckDB on one machine, the same SQL.

    from shared.warehouse import get_warehouse
    rows = get_warehouse().query(
        "SELECT category_id, SUM(line_total_usd) AS revenue FROM order_items oi "
        "JOIN products p ON p.product_id = oi.product_id "
        "WHERE oi.order_date >= ? AND oi.order_date < ? GROUP BY 1 ORDER BY 2 DESC",
        [date(2025, 1, 1), date(2025, 4, 1)])

`get_warehouse()` builds one instance per process (cold start) from the environment:

- `WAREHOUSE`: `athena` (default; AWS) or `duckdb` (local platform, tests).
- athena: `ATHENA_WORKGROUP` and `GLUE_DATABASE` say where queries run (the workgroup holds the
  encrypted results location); `WAREHOUSE_TIMEOUT_SECONDS` gives up and cancels after this long
  (default 25: API Gateway stops waiting at 29).
- duckdb: `WAREHOUSE_DATA_DIR` is the directory `python -m datagen generate` wrote (preferred
  locally). Without it, `CURATED_BUCKET` is mirrored (moto or AWS; boto3 honours
  `AWS_ENDPOINT_URL`) into `WAREHOUSE_CACHE_DIR` (default: a temp dir) and the copy is queried.

DuckDB's S3 support (httpfs) is an extension it downloads on first use, and nothing can be
downloaded here; the local platform therefore points `WAREHOUSE_DATA_DIR` at the generated files
(the very files it uploads to the moto bucket), and the bucket mirror is the fallback.

Parameters are positional `?` placeholders, passed separately from the SQL: never format a value
into a query. A mapping of parameters uses `:name` placeholders instead (turned into `?` here).
Athena receives them as `ExecutionParameters` rendered as SQL literals by type (strings quoted
with `'` doubled, numbers as numbers, `datetime.date` as `DATE 'yyyy-mm-dd'`, datetimes as
`TIMESTAMP '...'`, None as NULL); DuckDB binds them natively.

The portable SQL subset (Athena engine v3 = Trino, and DuckDB):
- One `SELECT` (or `WITH ... SELECT`) statement; nothing else is accepted.
- `?` only in WHERE clauses (an Athena rule: not in the SELECT list, LIMIT, HAVING or GROUP BY).
  LIMIT takes a literal: build it with `limit_clause(n)`, which validates an int.
- Compare dates with dates: pass `datetime.date` parameters or write `DATE '2025-01-01'`; Trino
  does not coerce strings to dates. Do date arithmetic in Python and pass the bounds.
- Divide as doubles: `CAST(x AS DOUBLE) / NULLIF(y, 0)` (Trino divides integers as integers and
  fails on zero; DuckDB does neither).
- `CAST(x AS t)` with t in VARCHAR, DOUBLE, BIGINT, INTEGER, BOOLEAN, DATE, TIMESTAMP; no `::`.
- Truncate with `CAST(date_trunc('month'|'week'|'day'|'quarter'|'year', d) AS DATE)` (DuckDB
  returns a TIMESTAMP without the cast). Weeks start on Monday in both.
- Date parts: `year(d)`, `month(d)`, `quarter(d)`, `day(d)`, `hour(ts)`, `week(d)` (ISO),
  `day_of_week(d)` (ISO 1=Monday..7=Sunday), `day_of_year(d)`; `date_diff('day', a, b)` (b - a,
  day unit only); `d + INTERVAL '7' DAY` with a literal, wrapped in CAST(... AS DATE).
- Aggregates: COUNT, COUNT(DISTINCT), SUM, AVG, MIN, MAX, stddev_samp, var_samp, corr,
  covar_samp, regr_slope, regr_intercept, bool_or, bool_and, max_by, min_by,
  approx_distinct(x), approx_percentile(x, p) (DuckDB: exact quantile). Conditional counts as
  `SUM(CASE WHEN ... THEN 1 ELSE 0 END)`.
- Window functions (ROW_NUMBER, RANK, DENSE_RANK, LAG, LEAD, SUM/AVG OVER (PARTITION BY ...
  ORDER BY ... ROWS BETWEEN ...)), CTEs, UNION ALL, CASE, COALESCE, NULLIF, GREATEST, LEAST,
  ln, exp, sqrt, power, abs, round(x, n), floor, ceil, lower, upper, trim, length, substr,
  strpos, replace, split_part, starts_with, regexp_like, `||`, LIKE, IN, BETWEEN.
- GROUP BY ordinals or expressions, never SELECT aliases (Trino rejects aliases there).
- Lower-case snake_case identifiers and aliases (Athena returns column names in lower case; the
  DuckDB backend lower-cases them too). Avoid reserved words as names; no `current_date`/`now()`:
  the dataset has a fixed window, pass the reference date.
- Partitioned tables (orders, order_items, payments) have integer `year` and `month` columns;
  filter on them (`WHERE year = ? AND month = ?`) to read less in Athena.
Results come back as plain Python values in both backends: int, float (DECIMAL included), bool,
str, datetime.date, datetime.datetime, None.

Cost accounting: `usage` counts the queries of the current invocation and the bytes they
scanned (`shared.api.make_handler` resets it per request, logs it and emits it as metrics).
Athena reports `Statistics.DataScannedInBytes` per query. DuckDB reports what it really read
from the Parquet files (its profiler's `io.total_bytes_read`: the column chunks of the columns
the query reads, in the partitions and row groups it did not prune, plus their footers), which
is what Athena would scan of the same files, within the footers.

Result reuse (Athena): `query(..., reuse_minutes=n)` lets Athena answer from a result of the
same query and parameters computed within the last n minutes (`ResultReuseConfiguration`), for
reads that may be a little stale; DuckDB ignores it.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import logging
import math
import numbers
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

Row = dict[str, Any]
Params = Sequence[Any] | Mapping[str, Any]

DEFAULT_TIMEOUT_SECONDS = 25.0
DEFAULT_MAX_ROWS = 100_000
MAX_REUSE_MINUTES = 10_080  # Athena's limit: 7 days
MANIFEST = "manifest.json"
MANIFEST_KEY = "_meta/manifest.json"
_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")


class WarehouseError(RuntimeError):
    """A query could not run: bad SQL or parameters, engine failure, timeout, missing data."""


class Usage:
    """Queries run and bytes scanned since the last `reset()` (one per invocation)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.queries = 0
        self.bytes_scanned = 0

    def reset(self) -> None:
        with self._lock:
            self.queries = 0
            self.bytes_scanned = 0

    def record(self, bytes_scanned: int | None) -> None:
        with self._lock:
            self.queries += 1
            self.bytes_scanned += int(bytes_scanned or 0)

    def snapshot(self) -> tuple[int, int]:
        """(queries, bytes scanned)."""
        with self._lock:
            return self.queries, self.bytes_scanned


usage = Usage()


# ---- SQL preparation (both backends) ------------------------------------------------------
def _scan(sql: str) -> tuple[list[tuple[str, int, int]], str]:
    """Find placeholders outside string literals, quoted identifiers and comments.

    Returns (placeholders as (kind, start, end) with kind "?" or ":name", the SQL with literals,
    identifiers and comments blanked out, for keyword checks)."""
    found: list[tuple[str, int, int]] = []
    code = list(sql)
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch in ("'", '"'):
            j = i + 1
            while True:
                j = sql.find(ch, j)
                if j < 0:
                    raise WarehouseError("unterminated quoted literal or identifier in SQL")
                if j + 1 < n and sql[j + 1] == ch:  # doubled quote = escaped quote
                    j += 2
                    continue
                break
            for k in range(i, j + 1):
                code[k] = " "
            i = j + 1
        elif sql.startswith("--", i):
            j = sql.find("\n", i)
            j = n if j < 0 else j
            for k in range(i, j):
                code[k] = " "
            i = j
        elif sql.startswith("/*", i):
            j = sql.find("*/", i + 2)
            if j < 0:
                raise WarehouseError("unterminated /* comment in SQL")
            for k in range(i, j + 2):
                code[k] = " "
            i = j + 2
        elif ch == "?":
            found.append(("?", i, i + 1))
            i += 1
        elif ch == ":":
            if sql.startswith("::", i):
                raise WarehouseError("'::' casts are not portable to Athena: use CAST(x AS type)")
            m = re.match(r":([A-Za-z_][A-Za-z0-9_]*)", sql[i:])
            if m:
                found.append((":" + m.group(1), i, i + len(m.group(0))))
                i += len(m.group(0))
            else:
                i += 1
        else:
            i += 1
    return found, "".join(code)


def prepare(sql: str, params: Params = ()) -> tuple[str, list[Any]]:
    """Validate a query and its parameters; return SQL with `?` placeholders and the values."""
    if not isinstance(sql, str) or not sql.strip():
        raise WarehouseError("empty SQL")
    found, code = _scan(sql)
    body = code.strip()
    if body.endswith(";"):
        body = body[:-1].rstrip()
        sql = sql[: len(code.rstrip()) - 1]
    if ";" in body:
        raise WarehouseError("one statement per query")
    first = body.split(None, 1)[0].upper() if body else ""
    if first not in ("SELECT", "WITH"):
        raise WarehouseError(f"only SELECT queries are allowed, got {first or 'nothing'}")

    if isinstance(params, Mapping):
        if any(kind == "?" for kind, _, _ in found):
            raise WarehouseError("named parameters given but the SQL uses '?' placeholders")
        values, out, last = [], [], 0
        for kind, start, end in found:
            name = kind[1:]
            if name not in params:
                raise WarehouseError(f"no value for parameter :{name}")
            values.append(params[name])
            out.append(sql[last:start] + "?")
            last = end
        sql = "".join(out) + sql[last:]
    else:
        if isinstance(params, (str, bytes)):
            raise WarehouseError("parameters must be a sequence or a mapping, not a string")
        named = [kind for kind, _, _ in found if kind != "?"]
        if named:
            raise WarehouseError(f"named placeholder {named[0]} needs a mapping of parameters")
        values = list(params)
        if len(values) != len(found):
            raise WarehouseError(
                f"the SQL has {len(found)} '?' placeholder(s) but {len(values)} parameter(s) were given"
            )
    return sql, [_check_value(v) for v in values]


def _check_value(value: Any) -> Any:
    """Accept only plain scalar types, normalised (numpy scalars become Python numbers)."""
    if value is None or isinstance(value, (bool, str, dt.date, decimal.Decimal)):
        if isinstance(value, str) and "\x00" in value:
            raise WarehouseError("parameter strings cannot contain NUL characters")
        if isinstance(value, decimal.Decimal) and not value.is_finite():
            raise WarehouseError("parameter decimals must be finite")
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        value = float(value)
        if not math.isfinite(value):
            raise WarehouseError("parameter numbers must be finite")
        return value
    raise WarehouseError(f"unsupported parameter type {type(value).__name__}")


def athena_literal(value: Any) -> str:
    """A parameter value as the SQL literal Athena substitutes for its `?`."""
    value = _check_value(value)
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = repr(value)
        return text if ("e" in text or "E" in text) else text + "E0"  # a DOUBLE, not a DECIMAL
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return f"TIMESTAMP '{value.isoformat(sep=' ', timespec='milliseconds')}'"
    if isinstance(value, dt.date):
        return f"DATE '{value.isoformat()}'"
    return "'" + value.replace("'", "''") + "'"


def limit_clause(n: Any, maximum: int = 1000) -> str:
    """`LIMIT n` for a validated integer 1..maximum (LIMIT cannot take a `?` in Athena)."""
    if isinstance(n, numbers.Integral) and not isinstance(n, bool):
        value = int(n)
    elif isinstance(n, str) and re.fullmatch(r"\s*[0-9]{1,9}\s*", n):
        value = int(n)
    else:
        raise WarehouseError(f"limit must be an integer, got {n!r}")
    if not 1 <= value <= maximum:
        raise WarehouseError(f"limit must be between 1 and {maximum}, got {value}")
    return f"LIMIT {value}"


def placeholders(count: int) -> str:
    """`?, ?, ?` for an IN list of `count` parameters."""
    if count < 1:
        raise WarehouseError("an IN list needs at least one value")
    return ", ".join("?" * count)


# ---- the interface ------------------------------------------------------------------------
class Warehouse:
    """Run portable SELECT queries; see the module docstring for the SQL subset."""

    backend = ""

    def query(
        self,
        sql: str,
        params: Params = (),
        *,
        max_rows: int | None = DEFAULT_MAX_ROWS,
        reuse_minutes: int | None = None,
    ) -> list[Row]:
        """Rows as dicts keyed by lower-case column name. `reuse_minutes`: see the module doc."""
        extra = {} if reuse_minutes is None else {"reuse_minutes": reuse_minutes}
        columns, rows = self.query_columns(sql, params, max_rows=max_rows, **extra)
        return [dict(zip(columns, row, strict=False)) for row in rows]

    def query_one(self, sql: str, params: Params = (), *, reuse_minutes: int | None = None) -> Row | None:
        rows = self.query(sql, params, max_rows=None, reuse_minutes=reuse_minutes)
        return rows[0] if rows else None

    def query_columns(
        self,
        sql: str,
        params: Params = (),
        *,
        max_rows: int | None = DEFAULT_MAX_ROWS,
        reuse_minutes: int | None = None,
    ) -> tuple[list[str], list[tuple]]:
        """(column names, rows as tuples). Raises WarehouseError past `max_rows` rows."""
        raise NotImplementedError

    def tables(self) -> list[str]:
        raise NotImplementedError

    def close(self) -> None:
        pass


def _too_many(max_rows: int) -> WarehouseError:
    return WarehouseError(f"the result has more than {max_rows} rows: aggregate in SQL or add a LIMIT")


# ---- DuckDB -------------------------------------------------------------------------------
# Trino function names DuckDB lacks, so the same SQL runs on both.
_DUCKDB_MACROS = (
    "CREATE MACRO day_of_week(d) AS isodow(d)",
    "CREATE MACRO day_of_year(d) AS dayofyear(d)",
    "CREATE MACRO day_of_month(d) AS dayofmonth(d)",
    "CREATE MACRO regexp_like(s, p) AS regexp_matches(s, p)",
    "CREATE MACRO approx_distinct(x) AS approx_count_distinct(x)",
    "CREATE MACRO approx_percentile(x, p) AS quantile_cont(x, p)",
)


class DuckDBWarehouse(Warehouse):
    """Views over the dataset's Parquet files, one in-memory DuckDB per process.

    Queries run one at a time on the connection (DuckDB parallelises each query itself), so
    threads may share the instance; the connection's profiler reports the bytes each query
    read (`usage`). After the views are created the connection is locked down: it can read
    only the data directory, cannot load extensions, and its configuration cannot be changed
    by a query."""

    backend = "duckdb"

    def __init__(self, data_dir: str | Path, *, threads: int | None = None):
        self.data_dir = Path(data_dir).resolve()
        if not self.data_dir.is_dir():
            raise WarehouseError(
                f"warehouse data directory {self.data_dir} does not exist; "
                "run `python -m datagen generate --out <dir>`"
            )
        self._threads = threads
        self._lock = threading.Lock()
        self._query_lock = threading.Lock()
        self._con = None
        self._tables: list[str] = []

    def _connection(self):
        if self._con is None:
            with self._lock:
                if self._con is None:
                    self._con = self._open()
        return self._con

    def _open(self):
        import duckdb

        config = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
        if self._threads:
            config["threads"] = self._threads
        con = duckdb.connect(":memory:", config=config)
        for macro in _DUCKDB_MACROS:
            con.execute(macro)
        tables = discover_tables(self.data_dir)
        if not tables:
            raise WarehouseError(f"no tables (Parquet files) under {self.data_dir}")
        for name, partitioned in sorted(tables.items()):
            glob = _sql_string(str(self.data_dir / name) + "/**/*.parquet")
            if partitioned:
                source = (
                    f"read_parquet({glob}, hive_partitioning = true, "
                    "hive_types = {'year': INTEGER, 'month': INTEGER})"
                )
            else:
                source = f"read_parquet({glob}, hive_partitioning = false)"
            # partition columns last, in Glue's order, as Athena shows them
            columns = "* EXCLUDE (year, month), year, month" if partitioned else "*"
            # names come from the manifest/directories and match _IDENT; paths are quoted
            con.execute(f'CREATE VIEW "{name}" AS SELECT {columns} FROM {source}')  # noqa: S608
        allowed = _sql_string(str(self.data_dir) + "/")
        # profiling is per connection and must be on before the configuration is locked
        con.execute("PRAGMA enable_profiling = 'no_output'")
        con.execute("SET enable_progress_bar = false")  # else a long query draws one on stdout
        # keep the files' Parquet footers in memory: every query would otherwise re-read them
        con.execute("SET parquet_metadata_cache = true")
        con.execute(f"SET allowed_directories = [{allowed}]")
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
        self._tables = sorted(tables)
        logger.info("duckdb warehouse over %s: %s", self.data_dir, ", ".join(self._tables))
        return con

    def tables(self) -> list[str]:
        self._connection()
        return list(self._tables)

    def query_columns(
        self,
        sql: str,
        params: Params = (),
        *,
        max_rows: int | None = DEFAULT_MAX_ROWS,
        reuse_minutes: int | None = None,
    ) -> tuple[list[str], list[tuple]]:
        import duckdb

        sql, values = prepare(sql, params)
        con = self._connection()
        started = time.perf_counter()
        with self._query_lock:
            try:
                con.execute(sql, values)
                columns = [d[0].lower() for d in con.description]
                rows = con.fetchmany(max_rows + 1) if max_rows else con.fetchall()
            except duckdb.Error as exc:
                raise WarehouseError(f"query failed: {exc}") from exc
            usage.record(_duckdb_bytes_read(con))
        if max_rows and len(rows) > max_rows:
            raise _too_many(max_rows)
        logger.debug("duckdb query: %d rows in %.3fs", len(rows), time.perf_counter() - started)
        return columns, [tuple(_plain(v) for v in row) for row in rows]

    def close(self) -> None:
        with self._lock:
            if self._con is not None:
                self._con.close()
                self._con = None


def _duckdb_bytes_read(con: Any) -> int:
    """Bytes the last query on `con` read from its Parquet files (0 when unknown)."""
    try:
        info = json.loads(con.get_profiling_information(format="json"))
        return int((info.get("io") or {}).get("total_bytes_read") or 0)
    except Exception:  # the profiler's format is not a contract: never fail a query on it
        return 0


def _plain(value: Any) -> Any:
    return float(value) if isinstance(value, decimal.Decimal) else value


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def discover_tables(data_dir: Path) -> dict[str, bool]:
    """table name -> partitioned, from the generator's manifest or from the directory tree."""
    manifest = data_dir / MANIFEST
    found: dict[str, bool] = {}
    if manifest.is_file():
        for name, info in json.loads(manifest.read_text()).get("tables", {}).items():
            if _IDENT.match(name) and (data_dir / name).is_dir():
                found[name] = bool(info.get("partitioned"))
        return found
    for sub in sorted(data_dir.iterdir()):
        if not sub.is_dir() or not _IDENT.match(sub.name) or sub.name.startswith("_"):
            continue
        files = list(sub.rglob("*.parquet"))
        if files:
            found[sub.name] = any("=" in part for f in files for part in f.relative_to(sub).parts[:-1])
    return found


def mirror_bucket(bucket: str, dest: str | Path, *, s3_client: Any = None) -> Path:
    """Copy the curated bucket's Parquet files (and the dataset manifest) into `dest`, skipping
    files already there with the same ETag; remove local files the bucket no longer has."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    if s3_client is None:
        import boto3

        s3_client = boto3.client("s3")
    state_file = dest / ".etags.json"
    state = json.loads(state_file.read_text()) if state_file.is_file() else {}
    seen: dict[str, str] = {}
    try:
        for page in s3_client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for obj in page.get("Contents", []):
                key = obj["Key"]
                if key == MANIFEST_KEY:
                    rel = MANIFEST
                elif key.endswith(".parquet") and ".." not in key.split("/") and not key.startswith("/"):
                    rel = key
                else:
                    continue
                etag = obj.get("ETag", "")
                seen[rel] = etag
                target = dest / rel
                if state.get(rel) == etag and target.is_file():
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                s3_client.download_file(bucket, key, str(target))
    except Exception as exc:
        raise WarehouseError(f"cannot mirror s3://{bucket}: {exc}") from exc
    for rel in set(state) - set(seen):
        (dest / rel).unlink(missing_ok=True)
    state_file.write_text(json.dumps(seen, sort_keys=True))
    return dest


# ---- Athena -------------------------------------------------------------------------------
_INT_TYPES = {"tinyint", "smallint", "integer", "int", "bigint"}
_FLOAT_TYPES = {"double", "float", "real", "decimal"}


def _athena_value(text: str | None, type_name: str) -> Any:
    if text is None:
        return None
    t = type_name.lower()
    try:
        if t in _INT_TYPES:
            return int(text)
        if t in _FLOAT_TYPES or t.startswith("decimal"):
            return float(text)
        if t == "boolean":
            return text.lower() == "true"
        if t == "date":
            return dt.date.fromisoformat(text)
        if t == "timestamp":
            return dt.datetime.fromisoformat(text)
    except ValueError:
        return text
    return text


class AthenaWarehouse(Warehouse):
    """Queries through Athena: start, poll with backoff, page through the results."""

    backend = "athena"

    def __init__(
        self,
        workgroup: str,
        database: str,
        *,
        catalog: str = "AwsDataCatalog",
        client: Any = None,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        poll_initial: float = 0.2,
        poll_max: float = 2.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ):
        if not workgroup or not database:
            raise WarehouseError("the Athena warehouse needs ATHENA_WORKGROUP and GLUE_DATABASE")
        self.workgroup = workgroup
        self.database = database
        self.catalog = catalog
        self.timeout = timeout
        self._poll = (poll_initial, poll_max)
        self._sleep = sleep
        self._clock = clock
        if client is None:
            import boto3
            from botocore.config import Config

            client = boto3.client("athena", config=Config(retries={"mode": "standard", "max_attempts": 5}))
        self._client = client

    def tables(self) -> list[str]:
        rows = self.query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = ?",
            [self.database],
            max_rows=None,
        )
        return sorted(r["table_name"] for r in rows)

    def query_columns(
        self,
        sql: str,
        params: Params = (),
        *,
        max_rows: int | None = DEFAULT_MAX_ROWS,
        reuse_minutes: int | None = None,
    ) -> tuple[list[str], list[tuple]]:
        sql, values = prepare(sql, params)
        request: dict[str, Any] = {
            "QueryString": sql,
            "WorkGroup": self.workgroup,
            "QueryExecutionContext": {"Database": self.database, "Catalog": self.catalog},
        }
        if values:
            request["ExecutionParameters"] = [athena_literal(v) for v in values]
        if reuse_minutes:
            if not isinstance(reuse_minutes, int) or not 1 <= reuse_minutes <= MAX_REUSE_MINUTES:
                raise WarehouseError(f"reuse_minutes must be an integer 1..{MAX_REUSE_MINUTES}")
            request["ResultReuseConfiguration"] = {
                "ResultReuseByAgeConfiguration": {"Enabled": True, "MaxAgeInMinutes": reuse_minutes}
            }
        started = self._clock()
        try:
            query_id = self._client.start_query_execution(**request)["QueryExecutionId"]
        except Exception as exc:
            raise WarehouseError(f"Athena refused the query: {exc}") from exc
        execution = self._wait(query_id, started)
        usage.record((execution.get("Statistics") or {}).get("DataScannedInBytes"))
        columns, rows = self._results(query_id, max_rows)
        logger.debug("athena query %s: %d rows in %.2fs", query_id, len(rows), self._clock() - started)
        return columns, rows

    def _wait(self, query_id: str, started: float) -> dict[str, Any]:
        delay, delay_max = self._poll
        while True:
            try:
                execution = self._client.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
            except Exception as exc:
                raise WarehouseError(f"cannot read the state of Athena query {query_id}: {exc}") from exc
            status = execution.get("Status", {})
            state = status.get("State")
            if state == "SUCCEEDED":
                return execution
            if state in ("FAILED", "CANCELLED"):
                reason = (
                    status.get("AthenaError", {}).get("ErrorMessage")
                    or status.get("StateChangeReason")
                    or "no reason given"
                )
                raise WarehouseError(f"Athena query {query_id} {state.lower()}: {reason}")
            if self._clock() - started + delay > self.timeout:
                try:
                    self._client.stop_query_execution(QueryExecutionId=query_id)
                except Exception:  # best effort: the query is abandoned either way
                    logger.warning("could not stop Athena query %s", query_id)
                raise WarehouseError(
                    f"Athena query {query_id} timed out after {self.timeout:.0f}s (state {state})"
                )
            self._sleep(delay)
            delay = min(delay * 2, delay_max)

    def _results(self, query_id: str, max_rows: int | None) -> tuple[list[str], list[tuple]]:
        columns: list[str] = []
        types: list[str] = []
        rows: list[tuple] = []
        token = None
        first_page = True
        while True:
            request = {"QueryExecutionId": query_id, "MaxResults": 1000}
            if token:
                request["NextToken"] = token
            try:
                page = self._client.get_query_results(**request)
            except Exception as exc:
                raise WarehouseError(f"cannot read the results of Athena query {query_id}: {exc}") from exc
            result = page.get("ResultSet", {})
            if first_page:
                info = result.get("ResultSetMetadata", {}).get("ColumnInfo", [])
                columns = [c["Name"].lower() for c in info]
                types = [c["Type"] for c in info]
            data = result.get("Rows", [])
            if first_page:
                data = data[1:]  # a SELECT's results start with a header row of column labels
            first_page = False
            for row in data:
                cells = row.get("Data", [])
                rows.append(
                    tuple(
                        _athena_value(cell.get("VarCharValue"), t)
                        for cell, t in zip(cells, types, strict=False)
                    )
                )
            if max_rows and len(rows) > max_rows:
                raise _too_many(max_rows)
            token = page.get("NextToken")
            if not token:
                return columns, rows


# ---- one instance per process -------------------------------------------------------------
_instance: Warehouse | None = None
_instance_lock = threading.Lock()


def from_env(environ: Mapping[str, str] | None = None) -> Warehouse:
    """A warehouse configured from environment variables (see the module docstring)."""
    env = os.environ if environ is None else environ
    kind = (env.get("WAREHOUSE") or "athena").strip().lower()
    if kind == "duckdb":
        data_dir = env.get("WAREHOUSE_DATA_DIR")
        if not data_dir:
            bucket = env.get("CURATED_BUCKET")
            if not bucket:
                raise WarehouseError(
                    "WAREHOUSE=duckdb needs WAREHOUSE_DATA_DIR (or CURATED_BUCKET to mirror)"
                )
            cache = env.get("WAREHOUSE_CACHE_DIR") or str(
                Path(tempfile.gettempdir())
                / "warehouse-cache"
                / hashlib.sha256(bucket.encode()).hexdigest()[:12]
            )
            data_dir = str(mirror_bucket(bucket, cache))
        return DuckDBWarehouse(data_dir)
    if kind == "athena":
        try:
            timeout = float(env.get("WAREHOUSE_TIMEOUT_SECONDS") or DEFAULT_TIMEOUT_SECONDS)
        except ValueError as exc:
            raise WarehouseError("WAREHOUSE_TIMEOUT_SECONDS must be a number") from exc
        return AthenaWarehouse(env.get("ATHENA_WORKGROUP", ""), env.get("GLUE_DATABASE", ""), timeout=timeout)
    raise WarehouseError(f"WAREHOUSE must be 'athena' or 'duckdb', got {kind!r}")


def get_warehouse() -> Warehouse:
    """The process-wide warehouse, created on first use (a Lambda cold start)."""
    global _instance
    if _instance is None:
        with _instance_lock:
            if _instance is None:
                _instance = from_env()
    return _instance


def set_warehouse(warehouse: Warehouse | None) -> None:
    """Replace (or with None, forget) the process-wide warehouse; for tests and the local platform."""
    global _instance
    with _instance_lock:
        old, _instance = _instance, warehouse
    if old is not None and old is not warehouse:
        old.close()
