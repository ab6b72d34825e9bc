"""The data lake's tables and columns, as `datagen/schema.py` describes them: the allow-list
of the structured query engine (`shared.query`) and the column list of `/analytics/datasets`.

A copy, because each Lambda zip holds only `shared/` and its service package, never `datagen/`;
`tests/test_query_engine.py` fails when it differs from `datagen/schema.py` (regenerate it with
`python -m tests.test_query_engine`).
"""

from __future__ import annotations

from datetime import date

# The dataset's fixed window: "today" is DATA_END unless a request names a day.
DATA_START = date(2024, 7, 1)
DATA_END = date(2026, 6, 30)
# name -> (description, zone, partition keys, ((column, Glue type, description), ...))
TABLES: dict[str, tuple[str, str, tuple[str, ...], tuple[tuple[str, str, str], ...]]] = {
    "regions": (
        "Countries the platform sells in, grouped into sales regions",
        "curated",
        (),
        (
            ("country", "string", "ISO 3166-1 alpha-2 code"),
            ("country_name", "string", "Country name"),
            ("region", "string", "Sales region the country belongs to"),
            ("currency", "string", "ISO 4217 currency of the storefront"),
            ("population", "bigint", "Population"),
            ("gdp_per_capita", "double", "GDP per capita, USD"),
            ("vat_rate", "double", "Sales tax / VAT rate applied to orders"),
        ),
    ),
    "exchange_rates": (
        "Daily exchange rates of every storefront currency (USD included, rate 1)",
        "curated",
        (),
        (
            ("currency", "string", "ISO 4217 code"),
            ("rate_date", "date", "Day the rate applies to"),
            ("rate_to_usd", "double", "USD per one unit of the currency"),
        ),
    ),
    "categories": (
        "Product categories",
        "curated",
        (),
        (
            ("category_id", "string", "Category id (CAT01..)"),
            ("name", "string", "Category name"),
            ("parent", "string", "Department the category belongs to"),
            ("margin_target", "double", "Target gross margin, fraction of price"),
            ("return_window_days", "int", "Days a customer may return an item"),
        ),
    ),
    "products": (
        "The product catalogue",
        "curated",
        (),
        (
            ("product_id", "string", "Product id (P00001..)"),
            ("sku", "string", "Stock keeping unit"),
            ("name", "string", "Product name"),
            ("category_id", "string", "Category id"),
            ("category", "string", "Category name (denormalised)"),
            ("brand", "string", "Brand"),
            ("unit_cost", "double", "Unit cost, USD"),
            (
                "list_price",
                "double",
                "Reference (list) price, USD; the weekly selling price is in price_history",
            ),
            ("launched_date", "date", "First day the product was sold"),
            ("is_active", "boolean", "False once the product is discontinued"),
        ),
    ),
    "price_history": (
        "Our weekly selling price per product while it is on sale",
        "curated",
        (),
        (
            ("product_id", "string", "Product id"),
            ("week_start", "date", "Monday of the week"),
            ("price", "double", "Selling price that week, USD, before regional adjustment and FX"),
            ("is_promo", "boolean", "A promotion ran that week (product or category wide)"),
        ),
    ),
    "customers": (
        "Customer accounts (no segment or churn labels: services derive them)",
        "curated",
        (),
        (
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
    ),
    "orders": (
        "Orders, one row per order",
        "curated",
        ("year", "month"),
        (
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
            ("year", "int", "Partition: year of order_date"),
            ("month", "int", "Partition: month of order_date (directory month=07)"),
        ),
    ),
    "order_items": (
        "Order lines",
        "curated",
        ("year", "month"),
        (
            ("order_id", "string", "Order id"),
            ("line_no", "int", "Line number within the order, from 1"),
            ("product_id", "string", "Product id"),
            ("order_date", "date", "Date of the order (denormalised for time series)"),
            ("quantity", "int", "Units"),
            ("unit_price", "double", "Price per unit in the order currency"),
            ("discount", "double", "Line share of the order's coupon discount"),
            ("line_total", "double", "quantity * unit_price - discount, order currency"),
            ("line_total_usd", "double", "line_total in USD at the day's rate"),
            ("year", "int", "Partition: year of order_date"),
            ("month", "int", "Partition: month of order_date (directory month=07)"),
        ),
    ),
    "payments": (
        "Payments, one per order, with labelled fraud",
        "curated",
        ("year", "month"),
        (
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
            ("year", "int", "Partition: year of order_date"),
            ("month", "int", "Partition: month of order_date (directory month=07)"),
        ),
    ),
    "competitor_prices": (
        "Weekly competitor price observations for the products each competitor tracks",
        "curated",
        (),
        (
            ("product_id", "string", "Our product id the observation matches"),
            ("competitor", "string", "Competitor name"),
            ("price", "double", "Observed competitor price"),
            ("currency", "string", "Currency of the price (USD)"),
            ("in_stock", "boolean", "The competitor had it in stock"),
            ("observed_date", "date", "Day of the observation"),
        ),
    ),
    "inventory": (
        "Stock per product and warehouse at the end of the dataset window",
        "curated",
        (),
        (
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
    ),
}
