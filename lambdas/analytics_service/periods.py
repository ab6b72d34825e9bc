"""Periods of the analytics operations: `from`..`to` (inclusive) and the period before it.

"Today" is the dataset's last day (`DATA_END`) unless the request names a day (SERVICES.md
rule 1). Periods are bounded so that a request cannot ask for centuries of daily points.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from shared.errors import BadRequest
from shared.lake_schema import DATA_END, DATA_START
from shared.query import partition_filter
from shared.validation import query_date

DEFAULT_DAYS = 30
MAX_DAYS = 1096  # three years: the two-year window and some room either side
EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)

__all__ = ["DATA_END", "DATA_START", "Period", "from_request", "months_between"]


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        return Period(self.first - timedelta(days=self.days), self.first - timedelta(days=1))

    def to_dict(self) -> dict[str, str]:
        return {"from": self.first.isoformat(), "to": self.last.isoformat()}

    def partitions(self, alias: str = "") -> tuple[str, list[int]]:
        """A WHERE condition keeping the year/month partitions of this period."""
        return partition_filter(self.first, self.last, alias)


def from_request(app: Any, *, default_days: int = DEFAULT_DAYS, max_days: int = MAX_DAYS) -> Period:
    """`?from=&to=` of the request (default: the last `default_days` days of data); a period
    that is reversed, longer than `max_days` or outside 2000..2100 is a 400."""
    last = query_date(app, "to") or DATA_END
    _within("to", last)
    first = query_date(app, "from") or max(EARLIEST, last - timedelta(days=default_days - 1))
    check(first, last, max_days=max_days)
    return Period(first, last)


def check(first: date, last: date, *, max_days: int = MAX_DAYS) -> None:
    _within("from", first)
    _within("to", last)
    if first > last:
        raise BadRequest.fields({"from": "must not be after to"})
    if (last - first).days + 1 > max_days:
        raise BadRequest.fields({"from": f"the period must be at most {max_days} days"})


def _within(name: str, day: date) -> None:
    if not EARLIEST <= day <= LATEST:
        raise BadRequest.fields({name: f"must be between {EARLIEST} and {LATEST}"})


def months_between(first: date, last: date) -> list[date]:
    """First days of the months from `first`'s month to `last`'s month."""
    out, y, m = [], first.year, first.month
    while (y, m) <= (last.year, last.month):
        out.append(date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out
