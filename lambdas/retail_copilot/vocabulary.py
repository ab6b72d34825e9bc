"""The names the copilot recognises in a question, read from the data (not hard-coded): countries
and regions (`regions`), categories, products, warehouses. One document per data version
(`shared.artifacts`), so a new catalogue brings new names without a deploy."""

from __future__ import annotations

from typing import Any

from shared import artifacts
from shared.warehouse import get_warehouse

ARTIFACT = "copilot/vocabulary"
CHANNELS = {"web": "web", "mobile_app": "mobile app", "marketplace": "marketplace"}


def compute() -> dict[str, Any]:
    wh = get_warehouse()
    return {
        "countries": [
            [r["country"], r["country_name"], r["region"]]
            for r in wh.query("SELECT country, country_name, region FROM regions ORDER BY country")
        ],
        "categories": [
            [r["category_id"], r["name"]]
            for r in wh.query("SELECT category_id, name FROM categories ORDER BY category_id")
        ],
        "products": [
            [r["product_id"], r["name"], r["category_id"]]
            for r in wh.query(
                "SELECT product_id, name, category_id FROM products ORDER BY product_id", max_rows=None
            )
        ],
        "warehouses": [
            r["warehouse"] for r in wh.query("SELECT DISTINCT warehouse FROM inventory ORDER BY warehouse")
        ],
    }


def load() -> dict[str, Any]:
    return artifacts.cached(ARTIFACT, compute)
