"""Monthly retention cohorts: customers grouped by the month of their first completed order.

A cohort belongs to the report when its month is within the period. Retention of month k is
the fraction of the cohort with a completed order in the k-th calendar month after the first
(month 0 is 1.0 by definition), for k = 0..`months`, as far as the data reaches (`DATA_END`).
The dataset starts on DATA_START, so the first cohort also holds customers whose real first
order was earlier: it is the "already customers" cohort.

Every answer is a slice of one small matrix, customers[first month, active month], built by
one statement per data version over the whole history and kept as an artifact
(`analytics/cohort-matrix-v1`): a request reads no table.
"""

from __future__ import annotations

from datetime import date

from shared.warehouse import Warehouse

from analytics_service.periods import DATA_END, Period, months_between

DEFAULT_DAYS = 365  # a year of monthly cohorts unless the request names a period
ARTIFACT = "analytics/cohort-matrix-v1"
_SQL = (
    "WITH firsts AS (SELECT customer_id, MIN(year(order_date) * 12 + month(order_date) - 1) AS cm "
    "FROM orders WHERE status = ? GROUP BY 1), "
    "activity AS (SELECT DISTINCT customer_id, year(order_date) * 12 + month(order_date) - 1 AS am "
    "FROM orders WHERE status = ?) "
    "SELECT f.cm AS cm, a.am AS am, COUNT(*) AS customers FROM firsts f "
    "JOIN activity a ON a.customer_id = f.customer_id GROUP BY 1, 2"
)


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def matrix(wh: Warehouse) -> dict[str, int]:
    """ "<first month>:<active month>" (month indexes, year * 12 + month - 1) -> customers."""
    from shared import artifacts

    def build() -> dict[str, int]:
        rows = wh.query(_SQL, ["completed", "completed"], max_rows=None)
        return {f"{int(r['cm'])}:{int(r['am'])}": int(r["customers"]) for r in rows}

    return artifacts.cached(ARTIFACT, build)


def cohorts(wh: Warehouse, period: Period, months: int = 12) -> dict:
    counts = matrix(wh)
    out = []
    last_month = _month_index(DATA_END)
    for month in months_between(period.first, period.last):
        index = _month_index(month)
        if index > last_month:
            break
        size = counts.get(f"{index}:{index}", 0)
        if not size:  # no customer's first order was in that month
            continue
        elapsed = min(months, last_month - index)
        retention = [round(counts.get(f"{index}:{index + k}", 0) / size, 6) for k in range(elapsed + 1)]
        out.append({"cohort": f"{month.year:04d}-{month.month:02d}", "size": size, "retention": retention})
    return {"period": period.to_dict(), "months": months, "cohorts": out}
