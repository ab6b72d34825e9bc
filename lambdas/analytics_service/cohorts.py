"""Monthly retention cohorts: customers grouped by the month of their first completed order.

A cohort belongs to the report when its month is within the period. Retention of month k is
the fraction of the cohort with a completed order in the k-th calendar month after the first
(month 0 is 1.0 by definition), for k = 0..`months`, as far as the data reaches (`DATA_END`).
The dataset starts on DATA_START, so the first cohort also holds customers whose real first
order was earlier: it is the "already customers" cohort.

One statement: first orders over the whole history (an order before the period decides that
a customer is not new), then activity months, counted per (cohort, k).
"""

from __future__ import annotations

from datetime import date

from shared.warehouse import Warehouse

from analytics_service.periods import DATA_END, Period, months_between
from analytics_service.sales import REUSE_MINUTES

DEFAULT_DAYS = 365  # a year of monthly cohorts unless the request names a period


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def cohorts(wh: Warehouse, period: Period, months: int = 12) -> dict:
    sql = (
        "WITH firsts AS (SELECT customer_id, MIN(order_date) AS first_day FROM orders "
        "WHERE status = 'completed' AND order_date <= ? GROUP BY 1), "
        "cohort AS (SELECT customer_id, year(first_day) * 12 + month(first_day) - 1 AS cm FROM firsts "
        "WHERE first_day >= ? AND first_day <= ?), "
        "activity AS (SELECT DISTINCT customer_id, year(order_date) * 12 + month(order_date) - 1 AS am "
        "FROM orders WHERE status = 'completed' AND order_date >= ? AND order_date <= ? "
        "AND year >= ? AND year <= ?) "
        "SELECT c.cm AS cm, a.am - c.cm AS k, COUNT(DISTINCT c.customer_id) AS customers "
        "FROM cohort c JOIN activity a ON a.customer_id = c.customer_id "
        "WHERE a.am >= c.cm AND a.am - c.cm <= ? GROUP BY 1, 2"
    )
    first_month = period.first.replace(day=1)
    end = DATA_END
    params = [period.last, period.first, period.last, first_month, end, first_month.year, end.year, months]
    counts: dict[int, dict[int, int]] = {}
    for r in wh.query(sql, params, max_rows=None, reuse_minutes=REUSE_MINUTES):
        counts.setdefault(int(r["cm"]), {})[int(r["k"])] = int(r["customers"])
    out = []
    last_month = _month_index(end)
    for month in months_between(period.first, period.last):
        index = _month_index(month)
        if index > last_month:
            break
        by_k = counts.get(index, {})
        size = by_k.get(0, 0)
        if not size:  # no customer's first order was in that month
            continue
        elapsed = min(months, last_month - index)
        retention = [round(by_k.get(k, 0) / size, 6) for k in range(elapsed + 1)]
        out.append({"cohort": f"{month.year:04d}-{month.month:02d}", "size": size, "retention": retention})
    return {"period": period.to_dict(), "months": months, "cohorts": out}
