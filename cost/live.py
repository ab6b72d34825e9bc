"""Current prices from the AWS Price List API (`boto3` `pricing`), for `--live-prices`.

Every price in the price file that has a `live` lookup (`serviceCode` and the product
`filters`, e.g. `usagetype` and `regionCode`) is asked for with `GetProducts`; the on-demand
price of the first paid tier replaces the file's. Prices with no lookup, or none found, keep the
file's figure and are reported, so the estimate says exactly which prices are live.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cost.pricebook import PriceBook

# The Price List API answers in us-east-1 (and a few other regions) for every region's prices.
PRICING_REGION = "us-east-1"


class LivePriceError(RuntimeError):
    """No credentials, or the Price List API refused."""


@dataclass
class LiveReport:
    found: dict[str, float] = field(default_factory=dict)  # key -> live price
    changed: dict[str, tuple[float, float]] = field(default_factory=dict)  # key -> (file, live)
    missing: list[str] = field(default_factory=list)  # had a lookup, nothing came back
    not_mapped: list[str] = field(default_factory=list)  # no lookup in the file

    def summary(self) -> str:
        parts = [
            f"live prices: {len(self.found)} of {len(self.found) + len(self.missing) + len(self.not_mapped)}"
        ]
        if self.changed:
            parts.append(
                "changed: "
                + ", ".join(f"{k} {old:g} -> {new:g}" for k, (old, new) in sorted(self.changed.items()))
            )
        if self.missing:
            parts.append("not found (file price kept): " + ", ".join(sorted(self.missing)))
        if self.not_mapped:
            parts.append("no lookup (file price kept): " + ", ".join(sorted(self.not_mapped)))
        return "; ".join(parts)


def pricing_client(session: Any = None) -> Any:
    """A `pricing` client, or LivePriceError when there are no AWS credentials."""
    import boto3

    session = session or boto3.Session()
    if session.get_credentials() is None:
        raise LivePriceError(
            "--live-prices needs AWS credentials (any principal allowed pricing:GetProducts); none found"
        )
    return session.client("pricing", region_name=PRICING_REGION)


def on_demand_price(price_list: Iterable[str | Mapping[str, Any]]) -> float | None:
    """The USD price of the first paid tier in a GetProducts `PriceList` (JSON strings)."""
    best: tuple[float, float] | None = None  # (beginRange, price)
    for entry in price_list:
        product = json.loads(entry) if isinstance(entry, str) else entry
        for term in (product.get("terms", {}).get("OnDemand") or {}).values():
            for dimension in (term.get("priceDimensions") or {}).values():
                price = float(dimension.get("pricePerUnit", {}).get("USD", "0") or 0)
                begin = float(dimension.get("beginRange", "0") or 0)
                if price > 0 and (best is None or begin < best[0]):
                    best = (begin, price)
    return None if best is None else best[1]


def fetch(book: PriceBook, client: Any, today: dt.date | None = None) -> tuple[PriceBook, LiveReport]:
    """`book` with every price that has a lookup replaced by the Price List API's."""
    from botocore.exceptions import BotoCoreError, ClientError

    report = LiveReport()
    paginator = client.get_paginator("get_products")
    for key, price in book.prices.items():
        if not price.live:
            report.not_mapped.append(key)
            continue
        filters = [
            {"Type": "TERM_MATCH", "Field": name, "Value": str(value)}
            for name, value in sorted((price.live.get("filters") or {}).items())
        ]
        try:
            pages = paginator.paginate(
                ServiceCode=price.live["serviceCode"], Filters=filters, FormatVersion="aws_v1"
            )
            products = [item for page in pages for item in page.get("PriceList", [])]
        except (BotoCoreError, ClientError) as exc:
            raise LivePriceError(f"Price List API, {key}: {exc}") from exc
        live = on_demand_price(products)
        if live is None:
            report.missing.append(key)
            continue
        report.found[key] = live
        if abs(live - price.usd) > 1e-12:
            report.changed[key] = (price.usd, live)
    if not report.found:
        return book, report
    source = f"AWS Price List API ({len(report.found)} prices) over {book.source}"
    return book.with_prices(report.found, as_of=today or dt.date.today(), source=source), report
