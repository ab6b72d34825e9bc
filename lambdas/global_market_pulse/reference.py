"""The reference data every operation needs: the data window, currencies and their daily rates,
countries and regions, categories. One cached document per data version (`shared.artifacts`),
built by four small warehouse queries on first use.

"Today" is the last day of data (the last day with exchange rates), never the wall clock.
Money: `exchange_rates.rate_to_usd` is USD per one unit; an amount in USD becomes currency C
as `usd / rate_to_usd[C][day]`.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from shared import artifacts
from shared.errors import BadRequest
from shared.warehouse import get_warehouse

ARTIFACT = "global-market/reference"


def pack(array: Any) -> dict[str, Any]:
    """A numpy array as a JSON value (base64 of its bytes): fast to store and to read back."""
    import numpy as np

    array = np.ascontiguousarray(array, dtype=np.float64)
    return {"shape": list(array.shape), "b64": base64.b64encode(array.tobytes()).decode()}


def unpack(doc: dict[str, Any]) -> Any:
    import numpy as np

    return np.frombuffer(base64.b64decode(doc["b64"]), dtype=np.float64).reshape(doc["shape"])


def _compute() -> dict[str, Any]:
    import numpy as np

    wh = get_warehouse()
    window = wh.query("SELECT MIN(rate_date) AS first_day, MAX(rate_date) AS last_day FROM exchange_rates")[0]
    first, last = window["first_day"], window["last_day"]
    days = (last - first).days + 1
    rows = wh.query(
        "SELECT currency, rate_date, rate_to_usd FROM exchange_rates ORDER BY currency, rate_date",
        max_rows=None,
    )
    currencies = sorted({r["currency"] for r in rows})
    rates = np.full((len(currencies), days), np.nan)
    index = {c: i for i, c in enumerate(currencies)}
    for r in rows:
        rates[index[r["currency"]], (r["rate_date"] - first).days] = r["rate_to_usd"]
    for i in range(len(currencies)):  # a day without a rate uses the previous day's (then the next's)
        row = rates[i]
        ok = ~np.isnan(row)
        if ok.any():
            idx = np.where(ok, np.arange(days), 0)
            np.maximum.accumulate(idx, out=idx)
            row[:] = row[idx]
            row[np.isnan(row)] = row[ok][0]
    # minor-unit digits, from the amounts themselves: 0 when every order total is whole
    decimals = {
        r["currency"]: 0 if r["whole"] else 2
        for r in wh.query(
            "SELECT currency, bool_and(total = round(total, 0)) AS whole FROM orders GROUP BY currency"
        )
    }
    countries = wh.query(
        "SELECT country, country_name, region, currency, vat_rate FROM regions ORDER BY region, country"
    )
    categories = wh.query("SELECT category_id, name, margin_target FROM categories ORDER BY category_id")
    return {
        "first": first.isoformat(),
        "last": last.isoformat(),
        "currencies": currencies,
        "decimals": {c: decimals.get(c, 2) for c in currencies},
        "rates": pack(rates),
        "countries": countries,
        "categories": categories,
    }


@dataclass
class Reference:
    first: date
    last: date
    currencies: list[str]
    decimals: dict[str, int]
    rates: Any  # numpy (currency, day) USD per unit
    countries: list[dict[str, Any]]
    categories: list[dict[str, Any]]

    @property
    def regions(self) -> list[str]:
        return sorted({c["region"] for c in self.countries})

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def day(self, d: date) -> int:
        """The index of `d` in the window, clamped to it (rates outside use the nearest day)."""
        return min(max((d - self.first).days, 0), self.days - 1)

    def date_of(self, index: int) -> date:
        return self.first + timedelta(days=int(index))

    def usd_per(self, currency: str) -> Any:
        """USD per one unit of `currency`, per day of the window."""
        return self.rates[self.currencies.index(currency)]

    def currency(self, value: str | None, field: str = "currency") -> str:
        value = value or "USD"
        if value not in self.currencies:
            raise BadRequest.fields({field: "must be one of " + ", ".join(self.currencies)})
        return value

    def region(self, value: str | None, field: str = "region") -> str | None:
        if value is None:
            return None
        if value not in self.regions:
            raise BadRequest.fields({field: "must be one of " + ", ".join(self.regions)})
        return value

    def category(self, value: str | None, field: str = "category") -> str | None:
        if value is None:
            return None
        if value not in {c["category_id"] for c in self.categories}:
            raise BadRequest.fields({field: "is not a category id"})
        return value

    def category_names(self) -> dict[str, str]:
        return {c["category_id"]: c["name"] for c in self.categories}


_derived: dict[str, tuple[Any, Any]] = {}


def derived(name: str, doc: Any, build: Any) -> Any:
    """`build(doc)`, computed once per cached document (numpy arrays out of a JSON artifact)."""
    hit = _derived.get(name)
    if hit is None or hit[0] is not doc:
        hit = (doc, build(doc))
        _derived[name] = hit
    return hit[1]


def _build(doc: dict[str, Any]) -> Reference:
    return Reference(
        first=date.fromisoformat(doc["first"]),
        last=date.fromisoformat(doc["last"]),
        currencies=list(doc["currencies"]),
        decimals=dict(doc["decimals"]),
        rates=unpack(doc["rates"]),
        countries=list(doc["countries"]),
        categories=list(doc["categories"]),
    )


def reference() -> Reference:
    return derived(ARTIFACT, artifacts.cached(ARTIFACT, _compute), _build)
