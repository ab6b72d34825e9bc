"""Periods of the business calendar, relative to the dataset's end (never the wall clock).

A `Period` is a closed range of days with a label a person would say ("March 2026",
"Q1 2026", "the last 30 days"). `previous()` is the period a comparison means: the previous
calendar unit for months, quarters and years, else the same number of days just before.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

# datagen/schema.py's window; copied, not imported: the zip holds only the service packages.
DATA_START = date(2024, 7, 1)
DATA_END = date(2026, 6, 30)

MONTHS = [m.lower() for m in calendar.month_name[1:]]
MONTH_ABBR = [m.lower() for m in calendar.month_abbr[1:]]


@dataclass(frozen=True)
class Period:
    first: date
    last: date
    label: str
    unit: str = "days"  # month | quarter | year | week | days: what `previous()` steps by

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def previous(self) -> Period:
        if self.unit == "month":
            first = (self.first.replace(day=1) - timedelta(days=1)).replace(day=1)
            return month(first.year, first.month)
        if self.unit == "quarter":
            q = (self.first.month - 1) // 3 + 1
            return quarter(self.first.year - (q == 1), 4 if q == 1 else q - 1)
        if self.unit == "year":
            return year(self.first.year - 1)
        if self.unit == "week":
            first = self.first - timedelta(days=7)
            return Period(first, first + timedelta(days=6), f"the week of {first.isoformat()}", "week")
        last = self.first - timedelta(days=1)
        first = last - timedelta(days=self.days - 1)
        return Period(first, last, f"the {self.days} days before ({fmt(first)} to {fmt(last)})")

    def year_before(self) -> Period:
        def back(d: date) -> date:
            try:
                return d.replace(year=d.year - 1)
            except ValueError:  # 29 February
                return d.replace(year=d.year - 1, day=28)

        if self.unit == "month":
            return month(self.first.year - 1, self.first.month)
        if self.unit == "quarter":
            return quarter(self.first.year - 1, (self.first.month - 1) // 3 + 1)
        if self.unit == "year":
            return year(self.first.year - 1)
        first, last = back(self.first), back(self.last)
        return Period(first, last, f"{fmt(first)} to {fmt(last)}")

    def clipped(self) -> Period:
        """The part inside the dataset's window (a label unchanged)."""
        return Period(max(self.first, DATA_START), min(self.last, DATA_END), self.label, self.unit)

    def covers_data(self) -> bool:
        return self.first <= DATA_END and self.last >= DATA_START

    def as_dict(self) -> dict[str, str]:
        return {"from": self.first.isoformat(), "to": self.last.isoformat()}


def fmt(d: date) -> str:
    return f"{d.day} {calendar.month_abbr[d.month]} {d.year}"


def month(y: int, m: int) -> Period:
    last = calendar.monthrange(y, m)[1]
    return Period(date(y, m, 1), date(y, m, last), f"{calendar.month_name[m]} {y}", "month")


def quarter(y: int, q: int) -> Period:
    first = date(y, 3 * q - 2, 1)
    end_month = 3 * q
    return Period(first, date(y, end_month, calendar.monthrange(y, end_month)[1]), f"Q{q} {y}", "quarter")


def year(y: int) -> Period:
    return Period(date(y, 1, 1), date(y, 12, 31), str(y), "year")


def last_days(n: int, today: date = DATA_END) -> Period:
    return Period(today - timedelta(days=n - 1), today, f"the last {n} days")


def latest_month(m: int, today: date = DATA_END) -> Period:
    """The most recent month `m` that has started by `today` ("March" -> March 2026)."""
    y = today.year if m <= today.month else today.year - 1
    return month(y, m)


def current_quarter(today: date = DATA_END) -> Period:
    return quarter(today.year, (today.month - 1) // 3 + 1)


def whole_window() -> Period:
    return Period(DATA_START, DATA_END, "the whole history (Jul 2024 to Jun 2026)")


def default_period(today: date = DATA_END) -> Period:
    return last_days(30, today)


def months_between(first: date, last: date) -> list[tuple[int, int]]:
    """(year, month) of every month the range touches, for partition pruning."""
    out, y, m = [], first.year, first.month
    while (y, m) <= (last.year, last.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out
