"""Co-purchase recommendations: item-to-item association rules from order lines.

For products a and b over all N orders (baskets, whatever became of them):
    support(a, b) = n_ab / N,  confidence(a -> b) = n_ab / n_a,  lift(a -> b) = n_ab * N / (n_a * n_b)
where n_a counts the orders containing a and n_ab those containing both. A candidate b is kept
when it was bought with a basket item in at least MIN_PAIR_ORDERS orders and lift > 1 (a
positive association, not mere popularity); candidates are ranked by their best confidence
over the basket's items (the classic "customers who bought a also bought b"), then lift. The
counts are one aggregate computed once per data version (`shared.artifacts`), not per request.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from shared import artifacts
from shared.errors import NotFound
from shared.warehouse import get_warehouse

from retail_copilot.periods import DATA_END

ARTIFACT = "copilot/co-purchase-v2"  # v2: with product details
MIN_PAIR_ORDERS = 2
PARTNERS_KEPT = 25  # per product, by pair count
POPULAR_DAYS = 90
POPULAR_KEPT = 100
MAX_HISTORY = 50  # a customer's most recently bought distinct products used as the basket

_PAIRS_SQL = f"""
WITH lines AS (SELECT DISTINCT order_id, product_id FROM order_items)
SELECT a.product_id AS a, b.product_id AS b, COUNT(*) AS n
FROM lines a JOIN lines b ON a.order_id = b.order_id AND a.product_id <> b.product_id
GROUP BY a.product_id, b.product_id
HAVING COUNT(*) >= {MIN_PAIR_ORDERS}"""  # noqa: S608 - module constants only

_COUNTS_SQL = "SELECT product_id, COUNT(DISTINCT order_id) AS n FROM order_items GROUP BY product_id"


def compute_counts() -> dict[str, Any]:
    """The aggregate: order counts per product, the strongest partners per product, the total
    number of orders, and the recently popular products (the fallback)."""
    wh = get_warehouse()
    total = int(wh.query_one("SELECT COUNT(*) AS n FROM orders")["n"])
    counts = {r["product_id"]: int(r["n"]) for r in wh.query(_COUNTS_SQL, max_rows=None)}
    partners: dict[str, list[list[Any]]] = {}
    for r in wh.query(_PAIRS_SQL, max_rows=None):
        partners.setdefault(r["a"], []).append([r["b"], int(r["n"])])
    for items in partners.values():
        items.sort(key=lambda x: (-x[1], x[0]))
        del items[PARTNERS_KEPT:]
    start = DATA_END - timedelta(days=POPULAR_DAYS - 1)
    popular = wh.query(
        "SELECT oi.product_id, COUNT(DISTINCT oi.order_id) AS n FROM order_items oi "  # noqa: S608
        "JOIN products p ON p.product_id = oi.product_id "
        "WHERE oi.order_date BETWEEN ? AND ? AND oi.year BETWEEN ? AND ? AND p.is_active "
        f"GROUP BY oi.product_id ORDER BY n DESC, oi.product_id LIMIT {POPULAR_KEPT}",
        [start, DATA_END, start.year, DATA_END.year],
    )
    # every product's name, category, active flag and current price (the latest weekly price,
    # else the list price): recommendations need no query per request
    products = {
        r["product_id"]: [r["name"], r["category_id"], bool(r["is_active"]), round(float(r["price"]), 2)]
        for r in wh.query(
            "SELECT p.product_id, p.name, p.category_id, p.is_active, "
            "COALESCE(c.price, p.list_price) AS price FROM products p LEFT JOIN ("
            "  SELECT product_id, max_by(price, week_start) AS price FROM price_history GROUP BY product_id"
            ") c ON c.product_id = p.product_id",
            max_rows=None,
        )
    }
    return {
        "orders": total,
        "counts": counts,
        "partners": partners,
        "popular": [[r["product_id"], int(r["n"])] for r in popular],
        "products": products,
    }


def counts() -> dict[str, Any]:
    return artifacts.cached(ARTIFACT, compute_counts)


def associations(basket: Iterable[str], doc: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Every candidate for `basket`, best first, with its support, confidence, lift and the
    basket item it is most associated with. Pure over the aggregate."""
    doc = doc or counts()
    total, n = doc["orders"], doc["counts"]
    basket = list(dict.fromkeys(basket))
    inside = set(basket)
    best: dict[str, dict[str, Any]] = {}
    for a in basket:
        n_a = n.get(a, 0)
        for b, n_ab in doc["partners"].get(a, []):
            if b in inside or not n_a or not n.get(b):
                continue
            lift = n_ab * total / (n_a * n[b])
            if lift <= 1.0:
                continue
            cand = {
                "productId": b,
                "because": a,
                "pairOrders": n_ab,
                "support": n_ab / total,
                "confidence": n_ab / n_a,
                "lift": lift,
            }
            old = best.get(b)
            if old is None or (cand["confidence"], cand["lift"]) > (old["confidence"], old["lift"]):
                best[b] = cand
    return sorted(best.values(), key=lambda c: (-c["confidence"], -c["lift"], c["productId"]))


def customer_history(customer_id: str) -> list[str]:
    """The customer's distinct products, most recently bought first; NotFound for an unknown id."""
    wh = get_warehouse()
    if wh.query_one("SELECT customer_id FROM customers WHERE customer_id = ?", [customer_id]) is None:
        raise NotFound(f"No customer {customer_id}")
    rows = wh.query(
        "SELECT oi.product_id, MAX(o.order_date) AS last_bought FROM orders o "
        "JOIN order_items oi ON oi.order_id = o.order_id AND oi.year = o.year AND oi.month = o.month "
        "WHERE o.customer_id = ? AND o.status <> 'cancelled' "
        "GROUP BY oi.product_id ORDER BY last_bought DESC, oi.product_id",
        [customer_id],
    )
    return [r["product_id"] for r in rows]


def product_details(product_ids: list[str], doc: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    """Name, category, active flag and current price of each known product (from the aggregate)."""
    products = (doc or counts())["products"]
    out = {}
    for pid in product_ids:
        if pid in products:
            name, category, active, price = products[pid]
            out[pid] = {"name": name, "category_id": category, "is_active": active, "price": price}
    return out


def recommend(
    *,
    customer_id: str | None = None,
    product_ids: list[str] | None = None,
    limit: int = 10,
    exclude_purchased: bool = True,
) -> dict[str, Any]:
    """The contract's RecommendationList for a customer's history and/or a basket."""
    history = customer_history(customer_id) if customer_id else []
    basket = list(product_ids or [])
    doc = counts()
    if basket:
        known = product_details(basket, doc)
        missing = [p for p in basket if p not in known]
        if missing:
            raise NotFound(f"No product {', '.join(missing[:5])}", details={"productIds": missing[:50]})
    seed = basket + [p for p in history[:MAX_HISTORY] if p not in basket]
    excluded = set(basket) | (set(history) if exclude_purchased else set())
    found = [c for c in associations(seed, doc) if c["productId"] not in excluded]
    basis = "basket" if basket else "customer"
    if not found:
        basis = "popular"
        top = doc["popular"][0][1] if doc["popular"] else 1
        found = [
            {"productId": pid, "score": n / top, "because": None}
            for pid, n in doc["popular"]
            if pid not in excluded
        ]
    found = found[: limit * 2]  # a few spare in case a product is inactive
    details = product_details(
        [c["productId"] for c in found] + [c["because"] for c in found if c.get("because")], doc
    )
    out = []
    for c in found:
        info = details.get(c["productId"])
        if info is None or not info["is_active"]:
            continue
        price = info["price"]
        item: dict[str, Any] = {
            "productId": c["productId"],
            "name": info["name"],
            "categoryId": info["category_id"],
            "price": round(float(price), 2),
            "currency": "USD",
        }
        if basis == "popular":
            item["score"] = round(min(1.0, c["score"]), 4)
            item["reason"] = f"popular in the last {POPULAR_DAYS} days"
        else:
            because = details.get(c["because"], {}).get("name", c["because"])
            item.update(
                score=round(min(1.0, c["confidence"]), 4),
                support=round(c["support"], 6),
                confidence=round(c["confidence"], 4),
                lift=round(c["lift"], 2),
                reason=f"often bought with {because} ({c['pairOrders']} orders together)",
            )
        out.append(item)
        if len(out) == limit:
            break
    return {"basis": basis, "recommendations": out}
