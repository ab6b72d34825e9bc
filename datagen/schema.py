"""The data lake's tables, described once. The generator writes them, the DataLake component
creates a Glue table for each, and the services' queries name them.

No heavy imports here: the Pulumi program imports this module.

Conventions of the dataset (the generator and the services both rely on them):
- Money columns are `double`, rounded to cents. Amounts named `*_usd` are in US dollars; other
  amounts of an order are in the order's `currency`. `exchange_rates.rate_to_usd` is USD per one
  unit of the currency (amount_usd = amount * rate_to_usd).
- Timestamps are naive local time of the storefront (the order's `country`); `order_date` is the
  date of `order_ts`.
- Ids are strings with a type prefix (`C000123`, `P00042`, `O0001234`, `PAY0001234`, `CAT03`).
- The dataset covers DATA_START..DATA_END (two years). Partitioned tables are laid out Hive-style
  (`year=2025/month=07/part-00000.parquet`); the partition columns are not inside the files.
- Only two columns are ground-truth labels: `payments.is_fraud` and `payments.chargeback`.
  Every other truth (elasticities, churn, anomalies) lives in `truth.json` beside the data.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date

# The dataset's fixed window: no wall clock anywhere, so (seed, scale) decide every byte.
DATA_START = date(2024, 7, 1)
DATA_END = date(2026, 6, 30)

# Glue/Hive type -> Arrow type name the Parquet files carry (the generator maps names to
# pyarrow types; the schema test checks files against this).
ARROW_TYPES: dict[str, str] = {
    "string": "string",
    "int": "int32",
    "bigint": "int64",
    "double": "double",
    "boolean": "bool",
    "date": "date32[day]",
    "timestamp": "timestamp[ms]",
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # Glue/Hive type: string, bigint, int, double, boolean, date, timestamp, decimal(12,2)
    description: str = ""


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    description: str = ""
    partition_keys: tuple[Column, ...] = ()
    zone: str = "curated"  # which bucket holds it: "raw" or "curated"
    # Glue table parameters beyond classification (e.g. Athena partition projection).
    parameters: dict[str, str] = field(default_factory=dict)

    @property
    def prefix(self) -> str:
        """Key prefix of the table's Parquet files in its bucket."""
        return f"{self.name}/"

    @property
    def partitioned(self) -> bool:
        return bool(self.partition_keys)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns + self.partition_keys:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")

    def location(self, bucket: str) -> str:
        """The table's S3 location (Glue `StorageDescriptor.Location`)."""
        return f"s3://{bucket}/{self.prefix}"

    def glue_parameters(self, location: str | None = None) -> dict[str, str]:
        """Glue table parameters. Pass the table's `location` to render Athena's
        `storage.location.template`; without it the template is left out and Athena falls back
        to the Hive layout under the table location, which is the layout the files have."""
        params = {"classification": "parquet", "EXTERNAL": "TRUE", **self.parameters}
        template = params.pop(LOCATION_TEMPLATE, None)
        if template is not None and location is not None:
            params[LOCATION_TEMPLATE] = template.replace(LOCATION_MARKER, location.rstrip("/") + "/")
        return params


LOCATION_TEMPLATE = "storage.location.template"
LOCATION_MARKER = "{location}"
PARTITION_KEYS = (
    Column("year", "int", "Partition: year of order_date"),
    Column("month", "int", "Partition: month of order_date (directory month=07)"),
)


def _projection() -> dict[str, str]:
    """Athena partition projection over year/month: no crawler, no MSCK REPAIR, new months
    appear as soon as their files land."""
    return {
        "projection.enabled": "true",
        "projection.year.type": "integer",
        "projection.year.range": f"{DATA_START.year},{DATA_END.year}",
        "projection.month.type": "integer",
        "projection.month.range": "1,12",
        "projection.month.digits": "2",
        LOCATION_TEMPLATE: LOCATION_MARKER + "year=${year}/month=${month}/",
    }


def _cols(*spec: tuple[str, str, str]) -> tuple[Column, ...]:
    return tuple(Column(n, t, d) for n, t, d in spec)


REGIONS = Table(
    "regions",
    _cols(
        ("country", "string", "ISO 3166-1 alpha-2 code"),
        ("country_name", "string", "Country name"),
        ("region", "string", "Sales region the country belongs to"),
        ("currency", "string", "ISO 4217 currency of the storefront"),
        ("population", "bigint", "Population"),
        ("gdp_per_capita", "double", "GDP per capita, USD"),
        ("vat_rate", "double", "Sales tax / VAT rate applied to orders"),
    ),
    "Countries the platform sells in, grouped into sales regions",
)

EXCHANGE_RATES = Table(
    "exchange_rates",
    _cols(
        ("currency", "string", "ISO 4217 code"),
        ("rate_date", "date", "Day the rate applies to"),
        ("rate_to_usd", "double", "USD per one unit of the currency"),
    ),
    "Daily exchange rates of every storefront currency (USD included, rate 1)",
)

CATEGORIES = Table(
    "categories",
    _cols(
        ("category_id", "string", "Category id (CAT01..)"),
        ("name", "string", "Category name"),
        ("parent", "string", "Department the category belongs to"),
        ("margin_target", "double", "Target gross margin, fraction of price"),
        ("return_window_days", "int", "Days a customer may return an item"),
    ),
    "Product categories",
)

PRODUCTS = Table(
    "products",
    _cols(
        ("product_id", "string", "Product id (P00001..)"),
        ("sku", "string", "Stock keeping unit"),
        ("name", "string", "Product name"),
        ("category_id", "string", "Category id"),
        ("category", "string", "Category name (denormalised)"),
        ("brand", "string", "Brand"),
        ("unit_cost", "double", "Unit cost, USD"),
        ("list_price", "double", "Reference (list) price, USD; the weekly selling price is in price_history"),
        ("launched_date", "date", "First day the product was sold"),
        ("is_active", "boolean", "False once the product is discontinued"),
    ),
    "The product catalogue",
)

PRICE_HISTORY = Table(
    "price_history",
    _cols(
        ("product_id", "string", "Product id"),
        ("week_start", "date", "Monday of the week"),
        ("price", "double", "Selling price that week, USD, before regional adjustment and FX"),
        ("is_promo", "boolean", "A promotion ran that week (product or category wide)"),
    ),
    "Our weekly selling price per product while it is on sale",
)

CUSTOMERS = Table(
    "customers",
    _cols(
        ("customer_id", "string", "Customer id (C000001..)"),
        ("email", "string", "Email address (synthetic, example.* domains)"),
        ("name", "string", "Full name"),
        ("country", "string", "Country code"),
        ("region", "string", "Sales region"),
        ("city", "string", "City"),
        ("signup_date", "date", "Account creation date"),
        ("acquisition_channel", "string", "Marketing channel that brought the customer"),
        ("birth_year", "int", "Year of birth"),
        ("marketing_opt_in", "boolean", "Accepts marketing email"),
    ),
    "Customer accounts (no segment or churn labels: services derive them)",
)

ORDERS = Table(
    "orders",
    _cols(
        ("order_id", "string", "Order id (O0000001.., chronological)"),
        ("customer_id", "string", "Customer id"),
        ("order_ts", "timestamp", "When the order was placed (storefront local time)"),
        ("order_date", "date", "Date of order_ts"),
        ("status", "string", "completed | cancelled | returned"),
        ("channel", "string", "web | mobile_app | marketplace"),
        ("region", "string", "Sales region of the storefront"),
        ("country", "string", "Storefront country (the customer's country)"),
        ("currency", "string", "Currency of the amounts"),
        ("item_count", "int", "Number of order lines"),
        ("coupon_code", "string", "Coupon applied, if any"),
        ("subtotal", "double", "Sum of quantity * unit_price"),
        ("discount", "double", "Coupon discount"),
        ("shipping", "double", "Shipping fee"),
        ("tax", "double", "Tax"),
        ("total", "double", "subtotal - discount + shipping + tax"),
        ("total_usd", "double", "total converted at the day's rate"),
    ),
    "Orders, one row per order",
    partition_keys=PARTITION_KEYS,
    parameters=_projection(),
)

ORDER_ITEMS = Table(
    "order_items",
    _cols(
        ("order_id", "string", "Order id"),
        ("line_no", "int", "Line number within the order, from 1"),
        ("product_id", "string", "Product id"),
        ("order_date", "date", "Date of the order (denormalised for time series)"),
        ("quantity", "int", "Units"),
        ("unit_price", "double", "Price per unit in the order currency"),
        ("discount", "double", "Line share of the order's coupon discount"),
        ("line_total", "double", "quantity * unit_price - discount, order currency"),
        ("line_total_usd", "double", "line_total in USD at the day's rate"),
    ),
    "Order lines",
    partition_keys=PARTITION_KEYS,
    parameters=_projection(),
)

PAYMENTS = Table(
    "payments",
    _cols(
        ("payment_id", "string", "Payment id"),
        ("order_id", "string", "Order id"),
        ("customer_id", "string", "Customer id"),
        ("method", "string", "card | apple_pay | google_pay | paypal | bank_transfer | bnpl | gift_card"),
        ("card_bin", "string", "First 6 digits of the card (card methods only; never the full PAN)"),
        ("card_last4", "string", "Last 4 digits of the card (card methods only)"),
        ("amount", "double", "Amount charged, payment currency"),
        ("currency", "string", "Payment currency"),
        ("amount_usd", "double", "Amount in USD"),
        ("billing_country", "string", "Country of the billing address"),
        ("shipping_country", "string", "Country the goods ship to"),
        ("ip_country", "string", "Country of the client IP address"),
        ("device_id", "string", "Device fingerprint"),
        ("attempts", "int", "Authorisation attempts before success"),
        ("created_ts", "timestamp", "When the payment was authorised (storefront local time)"),
        ("is_fraud", "boolean", "LABEL: confirmed fraud"),
        ("chargeback", "boolean", "LABEL: a chargeback was filed"),
    ),
    "Payments, one per order, with labelled fraud",
    partition_keys=PARTITION_KEYS,
    parameters=_projection(),
)

COMPETITOR_PRICES = Table(
    "competitor_prices",
    _cols(
        ("product_id", "string", "Our product id the observation matches"),
        ("competitor", "string", "Competitor name"),
        ("price", "double", "Observed competitor price"),
        ("currency", "string", "Currency of the price (USD)"),
        ("in_stock", "boolean", "The competitor had it in stock"),
        ("observed_date", "date", "Day of the observation"),
    ),
    "Weekly competitor price observations for the products each competitor tracks",
)

INVENTORY = Table(
    "inventory",
    _cols(
        ("product_id", "string", "Product id"),
        ("warehouse", "string", "Warehouse code"),
        ("on_hand", "int", "Units on hand"),
        ("on_order", "int", "Units ordered from the supplier, not yet received"),
        ("reorder_point", "int", "Configured reorder point (units)"),
        ("lead_time_days", "int", "Supplier lead time, days"),
        ("supplier", "string", "Supplier"),
        ("last_restock_date", "date", "Last delivery received"),
        ("snapshot_date", "date", "Day of the stock snapshot"),
    ),
    "Stock per product and warehouse at the end of the dataset window",
)

TABLES: tuple[Table, ...] = (
    REGIONS,
    EXCHANGE_RATES,
    CATEGORIES,
    PRODUCTS,
    PRICE_HISTORY,
    CUSTOMERS,
    ORDERS,
    ORDER_ITEMS,
    PAYMENTS,
    COMPETITOR_PRICES,
    INVENTORY,
)


def table(name: str) -> Table:
    for t in TABLES:
        if t.name == name:
            return t
    raise KeyError(f"unknown table {name!r}; known: {[t.name for t in TABLES]}")


def schema_hash(tables: tuple[Table, ...] = TABLES) -> str:
    """A short hash of the tables' shape (names, columns, types, partitions, parameters)."""
    shape = [
        {
            "name": t.name,
            "columns": [[c.name, c.type] for c in t.columns],
            "partition_keys": [[c.name, c.type] for c in t.partition_keys],
            "zone": t.zone,
            "parameters": dict(sorted(t.parameters.items())),
        }
        for t in tables
    ]
    return hashlib.sha256(json.dumps(shape, sort_keys=True).encode()).hexdigest()[:16]
