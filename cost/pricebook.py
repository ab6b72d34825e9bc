"""Prices as data: `cost/prices/<region>-<YYYY-MM-DD>.json`, one dated file per region.

Each price is in USD per `unit` (as the AWS Price List states it: per request, per GB, per
hour), with the AWS pricing page it is listed on and, when it has one, the Price List API
lookup (`live`) that `--live-prices` uses to refresh it. The newest file of a region is used.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

PRICES_DIR = Path(__file__).resolve().parent / "prices"
_FILE = re.compile(r"^(?P<region>[a-z]{2}(?:-[a-z]+)+-\d)-(?P<date>\d{4}-\d{2}-\d{2})\.json$")


class PriceError(LookupError):
    """A price the estimate needs is not in the price file."""


@dataclass(frozen=True)
class Price:
    key: str
    usd: float  # per `unit`
    unit: str
    per: int  # printed per this many units ($3.50 per 1,000,000 requests)
    url: str
    description: str
    live: Mapping[str, Any] | None = None

    def display(self) -> str:
        amount = self.usd * self.per
        if self.per == 1:
            return f"{usd(amount, unit_price=True)}/{self.unit}"
        return f"{usd(amount, unit_price=True)}/{_short(self.per)} {self.unit}s"


@dataclass(frozen=True)
class PriceBook:
    region: str
    as_of: dt.date
    source: str  # the file, or "AWS Price List API" after --live-prices
    prices: Mapping[str, Price] = field(default_factory=dict)
    note: str = ""

    def __getitem__(self, key: str) -> Price:
        try:
            return self.prices[key]
        except KeyError:
            raise PriceError(f"no price {key!r} in {self.source}") from None

    def __contains__(self, key: object) -> bool:
        return key in self.prices

    def age_days(self, today: dt.date | None = None) -> int:
        return ((today or dt.date.today()) - self.as_of).days

    def with_prices(self, updates: Mapping[str, float], *, as_of: dt.date, source: str) -> PriceBook:
        merged = {k: replace(p, usd=updates[k]) if k in updates else p for k, p in self.prices.items()}
        return replace(self, prices=merged, as_of=as_of, source=source)


def price_files(region: str, directory: Path = PRICES_DIR) -> list[Path]:
    """The region's price files, oldest first."""
    found = []
    for path in directory.glob("*.json"):
        match = _FILE.match(path.name)
        if match and match["region"] == region:
            found.append((match["date"], path))
    return [path for _, path in sorted(found)]


def load(region: str, path: Path | None = None, directory: Path = PRICES_DIR) -> PriceBook:
    """The price book of `region`: `path`, or the newest `<region>-<date>.json` in `directory`."""
    if path is None:
        files = price_files(region, directory)
        if not files:
            raise PriceError(
                f"no price file for region {region} in {directory} (expected {region}-YYYY-MM-DD.json)"
            )
        path = files[-1]
    document = json.loads(Path(path).read_text())
    if document.get("region") != region:
        raise PriceError(f"{path} holds prices for {document.get('region')}, not {region}")
    prices = {
        key: Price(
            key=key,
            usd=float(entry["usd"]),
            unit=entry["unit"],
            per=int(entry.get("per", 1)),
            url=entry["url"],
            description=entry.get("description", ""),
            live=entry.get("live"),
        )
        for key, entry in document["prices"].items()
    }
    return PriceBook(
        region=region,
        as_of=dt.date.fromisoformat(document["asOf"]),
        source=_relative(Path(path)),
        prices=prices,
        note=document.get("note", ""),
    )


def usd(amount: float, *, unit_price: bool = False) -> str:
    """$1,234.56; unit prices keep their significant digits ($0.0000133334)."""
    if not unit_price or amount == 0 or abs(amount) >= 0.01:
        text = f"{abs(amount):,.2f}" if not unit_price else f"{abs(amount):,.4f}".rstrip("0")
        if unit_price and text.endswith("."):
            text += "00"
        elif unit_price and len(text.split(".")[1]) < 2:
            text += "0"
    else:
        text = f"{abs(amount):.10f}".rstrip("0")
    return ("-" if amount < 0 else "") + "$" + text


def _short(number: int) -> str:
    return {1_000: "1K", 10_000: "10K", 100_000: "100K", 1_000_000: "1M"}.get(number, f"{number:,}")


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(PRICES_DIR.parent.parent))
    except ValueError:
        return str(path)
