"""Periods and buckets: the days of a period, calendar buckets, intervals anchored at a day."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

MAX_PERIOD_DAYS = 3 * 366  # a period longer than this is refused (it bounds every answer's size)
BUCKET_DAYS = {"day": 1.0, "week": 7.0, "month": 30.4375}


def days_between(first: date, last: date) -> int:
    return (last - first).days + 1


def bucket_start(d: date, granularity: str) -> date:
    if granularity == "week":
        return d - timedelta(days=d.weekday())
    if granularity == "month":
        return d.replace(day=1)
    return d


def bucket_end(start: date, granularity: str) -> date:
    """The last day of the bucket starting on `start`."""
    if granularity == "week":
        return start + timedelta(days=6)
    if granularity == "month":
        return add_months(start, 1) - timedelta(days=1)
    return start


def add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    last_day = (date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(d.day, last_day))


def buckets(first: date, last: date, granularity: str) -> tuple[list[date], Any]:
    """(bucket start dates, index of each day of [first, last] into them)."""
    import numpy as np

    starts: list[date] = []
    index = np.empty(days_between(first, last), dtype=np.int64)
    d = first
    for i in range(len(index)):
        s = bucket_start(d, granularity)
        if not starts or starts[-1] != s:
            starts.append(s)
        index[i] = len(starts) - 1
        d += timedelta(days=1)
    return starts, index


def window_values(values: Any, window_first: date, first: date, last: date) -> Any:
    """`values` (indexed by day from `window_first` on axis 0) over the days of [first, last],
    zero where the period leaves the window."""
    import numpy as np

    n = days_between(first, last)
    out = np.zeros((n, *values.shape[1:]))
    offset = (first - window_first).days
    a, b = max(offset, 0), min(offset + n, values.shape[0])
    if a < b:
        out[a - offset : b - offset] = values[a:b]
    return out


def clamped_days(ref: Any, first: date, last: date) -> Any:
    """Window indices of the days of [first, last], clamped (rates outside use the nearest day)."""
    import numpy as np

    offset = (first - ref.first).days
    return np.clip(np.arange(offset, offset + days_between(first, last)), 0, ref.days - 1)
