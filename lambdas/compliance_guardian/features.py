"""The fraud model's features: what a fraud analyst looks at, computed from the payments as they
were known at the time of each payment (history strictly before it: no look-ahead).

| feature | meaning |
|---|---|
| ship_mismatch | shipping country differs from the billing country |
| ip_mismatch | the client IP's country differs from the billing country |
| age_lt_7d, age_7_30d | account younger than 7 days / 7-30 days at payment |
| log_amount | ln(max(amount USD, 1) / 100): 0 at USD 100 |
| extra_attempts | authorisation attempts before this one |
| night | paid between 00:00 and 05:59 local time |
| no_history | the customer's first payment |
| new_device | a device this customer never paid from before (and they have paid before) |
| shared_device | ln(1 + other customers seen on the device before): ring devices |
| new_card | a card payment with a card BIN this customer never used, though they paid by card before |
| first_card | the customer's first card payment |
| method_<m> | the payment method (card is the reference) |

The card is compared by BIN (first six digits): a scoring request carries only the BIN, never
the number, and a stolen card almost never shares its BIN with the owner's own card.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np

METHODS = ("card", "apple_pay", "google_pay", "paypal", "bank_transfer", "bnpl", "gift_card")
CARD_METHODS = frozenset({"card", "apple_pay", "google_pay"})
BASE_FEATURES = (
    "ship_mismatch",
    "ip_mismatch",
    "age_lt_7d",
    "age_7_30d",
    "log_amount",
    "extra_attempts",
    "night",
    "no_history",
    "new_device",
    "shared_device",
    "new_card",
    "first_card",
)
FEATURES = BASE_FEATURES + tuple(f"method_{m}" for m in METHODS[1:])

# Each payment of [start, end) with its history features. `created_ts < end` bounds the history
# too: a window function over older payments sees what was known before each payment.
PAYMENT_FEATURES_SQL = """
WITH p AS (
    SELECT payment_id, order_id, customer_id, method, card_bin, amount, currency, amount_usd,
           billing_country, shipping_country, ip_country, device_id, attempts, created_ts,
           is_fraud, chargeback
    FROM payments
    WHERE created_ts < ? AND year <= ?
),
h AS (
    SELECT p.*,
        ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY created_ts, payment_id) AS n_cust,
        ROW_NUMBER() OVER (PARTITION BY customer_id, device_id ORDER BY created_ts, payment_id) AS n_dev,
        SUM(CASE WHEN card_bin IS NOT NULL THEN 1 ELSE 0 END) OVER (
            PARTITION BY customer_id ORDER BY created_ts, payment_id
            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cards_so_far,
        ROW_NUMBER() OVER (PARTITION BY customer_id, card_bin ORDER BY created_ts, payment_id) AS n_bin
    FROM p
),
firsts AS (
    SELECT device_id, customer_id, MIN(created_ts) AS first_ts FROM p GROUP BY device_id, customer_id
),
shared AS (
    SELECT h.payment_id, COUNT(*) AS others
    FROM h JOIN firsts f
      ON f.device_id = h.device_id AND f.customer_id <> h.customer_id AND f.first_ts < h.created_ts
    WHERE h.created_ts >= ?
    GROUP BY h.payment_id
)
SELECT h.payment_id, h.order_id, h.customer_id, h.method, h.amount, h.currency, h.amount_usd,
       h.billing_country, h.shipping_country, h.ip_country, h.attempts, h.created_ts,
       hour(h.created_ts) AS hour_of_day,
       date_diff('day', c.signup_date, CAST(h.created_ts AS DATE)) AS age_days,
       h.n_cust, h.n_dev, h.cards_so_far, h.n_bin, h.card_bin,
       COALESCE(s.others, 0) AS shared_others,
       h.is_fraud, h.chargeback
FROM h
LEFT JOIN shared s ON s.payment_id = h.payment_id
LEFT JOIN customers c ON c.customer_id = h.customer_id
WHERE h.created_ts >= ?
"""


def payment_rows(warehouse: Any, start: date, end: date) -> tuple[list[str], list[tuple]]:
    """(columns, rows) of the payments created on days [start, end] with their features."""
    lo = datetime.combine(start, time())
    hi = datetime.combine(end + timedelta(days=1), time())
    return warehouse.query_columns(PAYMENT_FEATURES_SQL, [hi, end.year, lo, lo], max_rows=2_000_000)


def matrix(columns: Sequence[str], rows: Sequence[tuple]) -> np.ndarray:
    """The design matrix (len(rows) x len(FEATURES)) of `payment_rows`."""
    col = {name: i for i, name in enumerate(columns)}

    def get(name: str, kind: Any = float) -> np.ndarray:
        i = col[name]
        return np.array([r[i] for r in rows], dtype=kind)

    n = len(rows)
    billing = get("billing_country", object)
    method = get("method", object)
    age = np.array(
        [r[col["age_days"]] if r[col["age_days"]] is not None else 10_000 for r in rows], dtype=float
    )
    amount = np.array([r[col["amount_usd"]] or 0.0 for r in rows], dtype=float)
    n_cust, n_dev = get("n_cust"), get("n_dev")
    cards_so_far, n_bin = get("cards_so_far"), get("n_bin")
    has_bin = np.array([r[col["card_bin"]] is not None for r in rows], dtype=bool)
    is_card = np.isin(method, list(CARD_METHODS)) & has_bin
    x = np.zeros((n, len(FEATURES)))
    x[:, 0] = get("shipping_country", object) != billing
    x[:, 1] = get("ip_country", object) != billing
    x[:, 2] = age < 7
    x[:, 3] = (age >= 7) & (age < 30)
    x[:, 4] = np.log(np.maximum(amount, 1.0) / 100.0)
    x[:, 5] = get("attempts") - 1
    x[:, 6] = get("hour_of_day") < 6
    x[:, 7] = n_cust == 1
    x[:, 8] = (n_cust > 1) & (n_dev == 1)
    x[:, 9] = np.log1p(get("shared_others"))
    # cards_so_far counts this payment too: > 1 means a card payment before it
    x[:, 10] = is_card & (cards_so_far > 1) & (n_bin == 1)
    x[:, 11] = is_card & (cards_so_far == 1)
    for j, m in enumerate(METHODS[1:]):
        x[:, len(BASE_FEATURES) + j] = method == m
    return x


def vector(facts: Mapping[str, Any]) -> np.ndarray:
    """The feature vector of one transaction described by `facts` (see fraud.transaction_facts)."""
    method = facts["method"]
    billing = facts.get("billing_country")
    age = facts.get("age_days")
    has_history = facts.get("prior_payments", 0) > 0
    is_card = method in CARD_METHODS and facts.get("card_bin") is not None
    prior_cards = facts.get("prior_card_payments", 0)
    x = np.zeros(len(FEATURES))
    x[0] = bool(billing and facts.get("shipping_country") and facts["shipping_country"] != billing)
    x[1] = bool(billing and facts.get("ip_country") and facts["ip_country"] != billing)
    x[2] = age is not None and age < 7
    x[3] = age is not None and 7 <= age < 30
    x[4] = math.log(max(facts.get("amount_usd") or 0.0, 1.0) / 100.0)
    x[5] = max(int(facts.get("attempts") or 1) - 1, 0)
    x[6] = facts.get("hour") is not None and facts["hour"] < 6
    x[7] = not has_history
    x[8] = has_history and facts.get("device_id") is not None and not facts.get("device_seen", False)
    x[9] = math.log1p(facts.get("device_other_customers", 0))
    x[10] = is_card and prior_cards > 0 and not facts.get("bin_seen", False)
    x[11] = is_card and prior_cards == 0
    if method != "card":
        x[len(BASE_FEATURES) + METHODS[1:].index(method)] = 1.0
    return x
