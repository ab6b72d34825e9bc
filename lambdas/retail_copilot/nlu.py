"""The local mode's question parser: deterministic, no network, no model.

`parse(text, vocabulary)` finds in a question
- the **intent** (what to compute): a summary of a metric, the top products, a breakdown by a
  dimension, the top customers, stock of a product, low stock, fraud, a forecast, co-purchase
  recommendations, a customer or order look-up, the at-risk customers, help;
- **entities** by name, from the data's own vocabulary: countries (names, codes, a few
  aliases and demonyms), regions, categories (names and their parts), products (full names
  or ids), channels, warehouses, customer and order ids;
- the **period** ("March 2026", "Q1 2026", "last quarter", "this year", "last 30 days",
  "2026-01-01 to 2026-03-31", ...), relative to DATA_END, and a **comparison** ("vs the one
  before", "year over year", "compared to March 2025");
- the metric (revenue, orders, units, customers, average order value, return rate), a count
  ("top 5") and a direction ("worst").

`merge(new, context)` completes a follow-up ("and in France?", "what about units?") with the
previous question of the conversation. Nothing here touches data: the vocabulary is passed in.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from retail_copilot import periods as P  # noqa: N812 - P.month(...) reads like the calendar
from retail_copilot.periods import DATA_END, Period

NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "fifty": 50,
}  # fmt: skip
COUNTRY_ALIASES = {
    "uk": "GB", "u.k.": "GB", "britain": "GB", "great britain": "GB", "england": "GB", "british": "GB",
    "usa": "US", "u.s.": "US", "u.s.a.": "US", "the states": "US", "america": "US", "american": "US",
    "holland": "NL", "dutch": "NL", "uae": "AE", "emirates": "AE", "german": "DE", "french": "FR",
    "spanish": "ES", "italian": "IT", "irish": "IE", "swedish": "SE", "norwegian": "NO", "danish": "DK",
    "japanese": "JP", "australian": "AU", "indian": "IN", "brazilian": "BR", "chilean": "CL",
    "canadian": "CA", "mexican": "MX", "singaporean": "SG", "south african": "ZA",
}  # fmt: skip
REGION_ALIASES = {
    "apac": "Asia Pacific", "asia-pacific": "Asia Pacific", "latam": "Latin America",
    "middle east": "Middle East & Africa", "mea": "Middle East & Africa", "nordic": "Nordics",
    "scandinavia": "Nordics", "uk and ireland": "UK & Ireland", "uk & ireland": "UK & Ireland",
    "western europe": "Western Europe", "north america": "North America", "south asia": "South Asia",
}  # fmt: skip
CATEGORY_ALIASES = {
    "phones": "Mobile Phones", "smartphones": "Mobile Phones", "phone": "Mobile Phones",
    "clothing": "Apparel", "clothes": "Apparel", "footwear": "Shoes", "computers": "Computers & Accessories",
    "computer accessories": "Computers & Accessories", "groceries": "Grocery & Gourmet",
    "kitchen": "Home & Kitchen", "beauty": "Beauty & Personal Care", "cosmetics": "Beauty & Personal Care",
    "sports": "Sports & Outdoors", "sport": "Sports & Outdoors", "outdoor": "Sports & Outdoors",
    "toys": "Toys & Games", "games": "Toys & Games", "book": "Books", "grocery": "Grocery & Gourmet",
}  # fmt: skip
CHANNEL_WORDS = [
    ("mobile app", "mobile_app"), ("the app", "mobile_app"), ("app", "mobile_app"), ("mobile", "mobile_app"),
    ("marketplace", "marketplace"), ("website", "web"), ("web shop", "web"), ("webshop", "web"), ("web", "web"),
]  # fmt: skip
METRIC_WORDS = [
    ("average order value", "aov"), ("average basket", "aov"), ("basket size", "aov"), ("aov", "aov"),
    ("average order", "aov"), ("return rate", "return_rate"), ("returns", "return_rate"),
    ("returned", "return_rate"), ("units", "units"), ("items sold", "units"), ("quantity", "units"),
    ("pieces", "units"), ("number of orders", "orders"), ("order count", "orders"), ("orders", "orders"),
    ("buyers", "customers"), ("shoppers", "customers"), ("active customers", "customers"),
    ("revenue", "revenue"), ("sales", "revenue"), ("turnover", "revenue"), ("gmv", "revenue"),
    ("income", "revenue"), ("earn", "revenue"), ("made", "revenue"), ("money", "revenue"),
]  # fmt: skip
DIMENSION_WORDS = [
    ("categories", "category"), ("category", "category"), ("regions", "region"), ("region", "region"),
    ("countries", "country"), ("country", "country"), ("markets", "country"), ("channels", "channel"),
    ("channel", "channel"), ("monthly", "month"), ("by month", "month"), ("per month", "month"),
    ("each month", "month"), ("month by month", "month"), ("weekly", "week"), ("by week", "week"),
    ("per week", "week"), ("daily", "day"), ("by day", "day"), ("per day", "day"), ("each day", "day"),
]  # fmt: skip
METHOD_WORDS = [
    ("gift cards", "gift_card"), ("gift card", "gift_card"), ("apple pay", "apple_pay"), ("google pay", "google_pay"),
    ("bank transfers", "bank_transfer"), ("bank transfer", "bank_transfer"), ("buy now pay later", "bnpl"),
    ("bnpl", "bnpl"), ("paypal", "paypal"), ("credit cards", "card"), ("credit card", "card"), ("cards", "card"),
    ("card payments", "card"),
]  # fmt: skip
FOLLOW_UP = re.compile(
    r"^(and|what about|how about|same|now|also|only|just|but|instead|then|ok|okay|break|split|show|by|"
    r"compare|vs|versus|what if)\b|\b(it|that|those|them|these|this one|same)\b"
)

_MONTHS = "|".join(P.MONTHS)
_ABBR = "|".join(P.MONTH_ABBR)
_ISO = r"(\d{4}-\d{2}-\d{2})"


@dataclass
class Question:
    intent: str | None = None
    metric: str | None = None
    period: Period | None = None
    compare: str | None = None  # previous | year | explicit
    compare_period: Period | None = None
    country: str | None = None
    region: str | None = None
    category: str | None = None
    channel: str | None = None
    product: str | None = None  # product id
    product_ids: list[str] = field(default_factory=list)  # every product of that name
    places: list[list[str]] = field(default_factory=list)  # [kind, value] of every place/category named
    method: str | None = None  # payment method
    customer: str | None = None
    order: str | None = None
    warehouse: str | None = None
    dimension: str | None = None
    n: int | None = None
    ascending: bool = False
    by_growth: bool = False
    horizon_days: int | None = None
    new_customers: bool = False
    follow_up: bool = False
    recognised: list[str] = field(default_factory=list)  # what was found, for the answer

    # the context saved in a conversation: plain JSON
    def to_context(self) -> dict[str, Any]:
        doc = asdict(self)
        for key in ("period", "compare_period"):
            p = getattr(self, key)
            doc[key] = None if p is None else [p.first.isoformat(), p.last.isoformat(), p.label, p.unit]
        doc.pop("recognised", None)
        return doc

    @classmethod
    def from_context(cls, doc: dict[str, Any]) -> Question:
        doc = dict(doc or {})
        known = {f for f in cls.__dataclass_fields__}
        doc = {k: v for k, v in doc.items() if k in known}
        for key in ("period", "compare_period"):
            v = doc.get(key)
            if v:
                doc[key] = Period(date.fromisoformat(v[0]), date.fromisoformat(v[1]), v[2], v[3])
        return cls(**doc)


# ---- vocabulary ------------------------------------------------------------------------------
@dataclass
class Lexicon:
    """Lower-case phrase -> value tables built once per vocabulary document."""

    countries: list[tuple[str, str]]  # (phrase, code), longest first
    codes: set[str]
    country_names: dict[str, str]
    country_region: dict[str, str]
    regions: list[tuple[str, str]]
    categories: list[tuple[str, str]]  # (phrase, category id)
    category_names: dict[str, str]
    products: list[tuple[str, str]]  # (lower name, id), longest first
    product_names: dict[str, str]
    product_ids_by_name: dict[str, list[str]]
    warehouses: list[str]


def _singular(word: str) -> str:
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def lexicon(vocab: dict[str, Any]) -> Lexicon:
    countries: dict[str, str] = {}
    names, region_of = {}, {}
    for code, name, region in vocab["countries"]:
        countries[name.lower()] = code
        names[code] = name
        region_of[code] = region
    for alias, code in COUNTRY_ALIASES.items():
        if code in names:
            countries[alias] = code
    regions = {r.lower(): r for r in set(region_of.values())}
    regions.update({a: r for a, r in REGION_ALIASES.items() if r in region_of.values()})
    cats: dict[str, str] = {}
    cat_names = {}
    by_name = {}
    for cid, name in vocab["categories"]:
        cat_names[cid] = name
        by_name[name] = cid
        low = name.lower()
        cats[low] = cid
        cats[low.replace("&", "and")] = cid
        for part in re.split(r"\s*&\s*", low):
            if len(part) > 3:
                cats.setdefault(part, cid)
                cats.setdefault(_singular(part), cid)
    for alias, name in CATEGORY_ALIASES.items():
        if name in by_name:
            cats[alias] = by_name[name]
    products = {}
    ids_by_name: dict[str, list[str]] = {}
    prod_names = {}
    for pid, name, _cat in vocab["products"]:
        low = name.lower()
        products.setdefault(low, pid)
        ids_by_name.setdefault(low, []).append(pid)
        prod_names[pid] = name
    by_length = lambda d: sorted(d.items(), key=lambda kv: (-len(kv[0]), kv[0]))  # noqa: E731
    return Lexicon(
        countries=by_length(countries),
        codes=set(names),
        country_names=names,
        country_region=region_of,
        regions=by_length(regions),
        categories=by_length(cats),
        category_names=cat_names,
        products=by_length(products),
        product_names=prod_names,
        product_ids_by_name=ids_by_name,
        warehouses=list(vocab["warehouses"]),
    )


# ---- helpers -----------------------------------------------------------------------------------
def _find(phrase: str, text: str) -> re.Match[str] | None:
    return re.search(r"(?<![\w-])" + re.escape(phrase) + r"(?![\w-])", text)


class _Text:
    """The question in lower case, from which recognised spans are blanked out one by one so
    one word is never read twice ("UK & Ireland" is a region, not the UK and Ireland)."""

    def __init__(self, original: str) -> None:
        self.original = original
        self.low = " ".join(
            original.replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"').split()
        )
        self.low = self.low.lower()
        self.raw = " ".join(original.split())

    def take(self, phrase: str) -> bool:
        m = _find(phrase, self.low)
        if not m:
            return False
        self.low = self.low[: m.start()] + " " * (m.end() - m.start()) + self.low[m.end() :]
        return True

    def has(self, *phrases: str) -> bool:
        return any(_find(p, self.low) for p in phrases)

    def take_regex(self, pattern: str) -> re.Match[str] | None:
        m = re.search(pattern, self.low)
        if m:
            self.low = self.low[: m.start()] + " " * (m.end() - m.start()) + self.low[m.end() :]
        return m


# ---- periods -------------------------------------------------------------------------------------
def _quarter_no(word: str) -> int:
    return {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}.get(
        word, int(word) if word.isdigit() else 0
    )


def _periods(t: _Text) -> list[Period]:
    """Every period named in the question, in the order they appear."""
    found: list[tuple[int, Period]] = []

    def add(m: re.Match[str] | None, period: Period | None) -> None:
        if m is not None and period is not None:
            found.append((m.start(), period))

    def parse_iso(s: str) -> date | None:
        try:
            return date.fromisoformat(s)
        except ValueError:
            return None

    while m := t.take_regex(rf"(?:from|between)?\s*{_ISO}\s*(?:to|until|till|through|-|and)\s*{_ISO}"):
        a, b = parse_iso(m.group(1)), parse_iso(m.group(2))
        if a and b and a <= b:
            add(m, Period(a, b, f"{P.fmt(a)} to {P.fmt(b)}"))
    while m := t.take_regex(rf"(?:on\s+)?{_ISO}"):
        if d := parse_iso(m.group(1)):
            add(m, Period(d, d, P.fmt(d), "days"))
    while m := t.take_regex(
        r"\b(?:q([1-4])|(first|second|third|fourth|1st|2nd|3rd|4th) quarter)(?: of)?\s*(\d{4})\b"
    ):
        q = int(m.group(1)) if m.group(1) else _quarter_no(m.group(2))
        add(m, P.quarter(int(m.group(3)), q))
    while m := t.take_regex(r"\b(?:h([12])|(first|second) half)(?: of)?\s*(\d{4})\b"):
        half = int(m.group(1)) if m.group(1) else (1 if m.group(2) == "first" else 2)
        y = int(m.group(3))
        first = date(y, 1 if half == 1 else 7, 1)
        last = date(y, 6, 30) if half == 1 else date(y, 12, 31)
        add(m, Period(first, last, f"H{half} {y}", "days"))
    while m := t.take_regex(rf"\b(?:since|from)\s+({_MONTHS})\s*(\d{{4}})?\b"):
        mon = P.MONTHS.index(m.group(1)) + 1
        start = P.month(int(m.group(2)), mon) if m.group(2) else P.latest_month(mon)
        add(m, Period(start.first, DATA_END, f"since {start.label}"))
    while m := t.take_regex(rf"\b({_MONTHS}|{_ABBR})\.?,?\s+(\d{{4}})\b"):
        word = m.group(1)
        mon = (P.MONTHS.index(word) if word in P.MONTHS else P.MONTH_ABBR.index(word)) + 1
        add(m, P.month(int(m.group(2)), mon))
    while m := t.take_regex(
        rf"\b(?:in|of|during|for|since)?\s*\b((?!may\b)(?:{_MONTHS}))\b|\b(?:in|of|during|for) (may)\b"
    ):
        word = m.group(1) or m.group(2)
        add(m, P.latest_month(P.MONTHS.index(word) + 1))
    relative = [
        (
            r"\b(?:last|previous|past|prior) (\d{1,3}|" + "|".join(NUMBER_WORDS) + r") (day|week|month)s?\b",
            None,
        ),
        (r"\blast quarter\b|\bprevious quarter\b", lambda: P.current_quarter().previous()),
        (r"\b(?:this|current) quarter\b|\bquarter to date\b|\bqtd\b", lambda: P.current_quarter()),
        (r"\blast month\b|\bprevious month\b", lambda: P.month(DATA_END.year, DATA_END.month).previous()),
        (
            r"\b(?:this|current) month\b|\bmonth to date\b|\bmtd\b",
            lambda: P.month(DATA_END.year, DATA_END.month),
        ),
        (r"\blast week\b|\bprevious week\b", lambda: _week(DATA_END).previous()),
        (r"\b(?:this|current) week\b", lambda: _week(DATA_END)),
        (r"\byesterday\b", lambda: _day(DATA_END - timedelta(days=1))),
        (r"\btoday\b", lambda: _day(DATA_END)),
        (
            r"\b(?:this|current) year\b|\byear to date\b|\bytd\b|\bso far this year\b",
            lambda: Period(date(DATA_END.year, 1, 1), DATA_END, f"{DATA_END.year} so far (year to date)"),
        ),
        (r"\b(?:last|previous) year\b", lambda: P.year(DATA_END.year - 1)),
        (
            r"\ball time\b|\bever\b|\boverall\b|\bwhole history\b|\bin total\b|\ball the data\b",
            P.whole_window,
        ),
    ]
    for pattern, make in relative:
        while m := t.take_regex(pattern):
            if make is None:
                n = int(m.group(1)) if m.group(1).isdigit() else NUMBER_WORDS[m.group(1)]
                if m.group(2) == "month" and 0 < n <= 36:
                    y, mon = divmod(DATA_END.year * 12 + DATA_END.month - 1 - n, 12)
                    day = min(DATA_END.day, calendar.monthrange(y, mon + 1)[1])
                    first = date(y, mon + 1, day) + timedelta(days=1)
                    add(m, Period(first, DATA_END, f"the last {n} months"))
                    continue
                days = n * {"day": 1, "week": 7, "month": 30}[m.group(2)]
                if 0 < days <= 3 * 366:
                    add(m, P.last_days(days))
            else:
                add(m, make())
    while m := t.take_regex(r"\b(?:in|for|during|of|year)?\s*\b(20\d{2})\b"):
        add(m, P.year(int(m.group(1))))
    return [p for _, p in sorted(found, key=lambda x: x[0])]


def _week(day: date) -> Period:
    first = day - timedelta(days=day.weekday())
    return Period(first, first + timedelta(days=6), f"the week of {P.fmt(first)}", "week")


def _day(day: date) -> Period:
    return Period(day, day, P.fmt(day), "days")


# ---- the parser ----------------------------------------------------------------------------------
def parse(text: str, lex: Lexicon) -> Question:
    t = _Text(text)
    q = Question()

    # comparisons first: "same period last year" must not read as the period "last year"
    if t.take_regex(
        r"\b(?:same (?:period|time|day|week|month|quarter) (?:last|a|the previous|previous) year|year over year|year-over-year|yoy|vs\.? last year|versus last year|compared (?:to|with) last year|a year (?:ago|earlier|before))\b"
    ):
        q.compare = "year"
    if t.take_regex(
        r"\b(?:the one before|the (?:quarter|month|year|week|period) before|the previous (?:one|period)|previous period|prior period|period before)\b"
    ):
        q.compare = "previous"

    # ids
    if m := re.search(r"\b(O\d{7})\b", t.raw, re.I):
        q.order = m.group(1).upper()
        t.take(m.group(1).lower())
    if m := re.search(r"\b(C\d{6})\b", t.raw, re.I):
        q.customer = m.group(1).upper()
        t.take(m.group(1).lower())
    for m in re.finditer(r"\b(P\d{5})\b", t.raw, re.I):
        pid = m.group(1).upper()
        if pid in lex.product_names:
            q.product = q.product or pid
            q.product_ids = q.product_ids or [pid]
            t.take(m.group(1).lower())
    if m := re.search(r"\b(CAT\d{2})\b", t.raw, re.I):
        if m.group(1).upper() in lex.category_names:
            q.category = m.group(1).upper()
            t.take(m.group(1).lower())

    # product names (the longest first; before categories: "Coffee Beans" is not a category)
    if q.product is None and len(t.low) >= 4:
        for name, pid in lex.products:
            if name in t.low and t.take(name):
                q.product = pid
                q.product_ids = lex.product_ids_by_name[name]
                q.recognised.append(f"product {lex.product_names[pid]}")
                break
    for wh in lex.warehouses:
        if t.take(wh.lower()):
            q.warehouse = wh
    for phrase, region in lex.regions:
        if t.take(phrase):
            q.region = q.region or region
            q.places.append(["region", region])
    for phrase, code in lex.countries:
        if t.take(phrase):
            q.country = q.country or code
            q.places.append(["country", code])
    if q.country is None:
        for m in re.finditer(r"\b([A-Z]{2})\b", t.raw):
            if (
                m.group(1) in lex.codes
                and m.group(1) not in ("IT", "IN", "NO", "OR", "ME", "AT", "AS", "DO", "IS", "TO", "OK")
                and t.take(m.group(1).lower())
            ):
                q.country = m.group(1)
                break
    if q.category is None:
        for phrase, cid in lex.categories:
            if t.take(phrase):
                q.category = q.category or cid
                if ["category", cid] not in q.places:
                    q.places.append(["category", cid])
    for phrase, method in METHOD_WORDS:
        if t.take(phrase):
            q.method = method
            break
    for phrase, channel in CHANNEL_WORDS:
        if t.take(phrase):
            q.channel = channel
            break

    # periods and comparisons
    found = _periods(t)
    if found:
        q.period = found[0]
        if len(found) > 1:
            q.compare, q.compare_period = "explicit", found[1]
    if q.compare is None and t.has(
        "vs", "vs.", "versus", "compared to", "compared with", "compare", "comparison", "against",
        "change", "changed", "growth", "grow", "grew", "growing", "trend vs", "how did", "how has", "how have",
    ):  # fmt: skip
        q.compare = "previous"

    # counts and direction (searched, not taken: "top" still tells the intent)
    count = r"(\d{1,3}|" + "|".join(NUMBER_WORDS) + r")"
    if m := re.search(r"\b(?:top|best|first|bottom|worst|last)\s+" + count + r"\b", t.low) or re.search(
        r"\b" + count + r" (?:best|top|worst|most|least|biggest|largest)", t.low
    ):
        q.n = int(m.group(1)) if m.group(1).isdigit() else NUMBER_WORDS[m.group(1)]
    q.ascending = t.has(
        "worst", "least", "bottom", "lowest", "slowest", "fewest", "weakest", "smallest", "declined",
        "decline", "declining", "dropped", "fell", "shrank", "shrinking",
    )  # fmt: skip
    q.by_growth = t.has(
        "fastest",
        "grew the most",
        "grew most",
        "growing",
        "biggest growth",
        "most growth",
        "declined",
        "decline",
        "shrank",
    )

    # metric
    for phrase, metric in METRIC_WORDS:
        if t.has(phrase):
            q.metric = metric
            break

    # dimension
    if t.has("payment method", "payment methods", "method", "methods", "payment type", "payment types"):
        q.dimension = "method"
    for phrase, dim in DIMENSION_WORDS if q.dimension is None else ():
        if t.has(phrase):
            q.dimension = dim
            break

    q.intent = _intent(t, q)
    words = len(text.split())
    q.follow_up = (
        bool(FOLLOW_UP.search(t.low.strip()))
        or (q.intent is None and words <= 6)
        # "by units", "the return rate?": a metric alone reads as a change to the last question
        or (q.intent == "summary" and words <= 4 and q.period is None and not q.places and not q.product)
    )
    return q


def _intent(t: _Text, q: Question) -> str | None:
    if t.has("what can you do", "what can i ask", "help me", "help", "what do you know", "what questions"):
        if not (q.metric or q.period or q.country or q.region or q.category):
            return "help"
    if t.has("recommend", "recommendation", "recommendations", "bought together", "bought with", "buy with",
             "goes with", "go with", "sells well with", "sell with", "sold with", "sells with", "cross-sell", "cross sell", "frequently bought", "also buy", "also bought",
             "pairs well"):  # fmt: skip
        return "recommend"
    if q.order:
        return "order"
    if t.has(
        "at risk", "at-risk", "churn", "churning", "likely to leave", "about to leave", "likely to churn"
    ):
        return "at_risk"
    if t.has("fraud", "fraudulent", "chargeback", "chargebacks", "suspicious"):
        return "fraud"
    if t.has(
        "forecast", "predict", "prediction", "projection", "project", "expect", "expected", "outlook"
    ) or re.search(r"\bnext (\d{1,3} )?(day|week|month|quarter)s?\b", t.low):
        m = re.search(
            r"\bnext (\d{1,3}|" + "|".join(NUMBER_WORDS) + r")? ?(day|week|month|quarter)s?\b", t.low
        )
        if m:
            n = (
                int(m.group(1))
                if m.group(1) and m.group(1).isdigit()
                else NUMBER_WORDS.get(m.group(1) or "", 1)
            )
            q.horizon_days = min(n * {"day": 1, "week": 7, "month": 30, "quarter": 91}[m.group(2)], 180)
        return "forecast"
    if t.has("low stock", "running low", "reorder", "re-order", "out of stock", "stock out", "stockout",
             "running out", "restock", "below the reorder point", "need restocking"):  # fmt: skip
        return "low_stock"
    if t.has(
        "stock", "inventory", "on hand", "in stock", "left in", "units left", "have left", "left?", "left"
    ) and (q.product or t.has("stock", "inventory", "on hand")):
        return "inventory" if q.product else "low_stock"
    if q.customer:
        return "customer"
    customers_word = t.has("customers", "customer", "clients", "buyers", "shoppers", "spenders")
    if customers_word and t.has("top", "best", "biggest", "largest", "most valuable", "spent the most",
                                 "spend the most", "highest spending", "big spenders", "vip", "most loyal"):  # fmt: skip
        return "top_customers"
    if t.has("new customers", "signups", "sign-ups", "sign ups", "signed up", "registered", "registrations"):
        q.new_customers = True
        return "customer_count"
    if customers_word and t.has("how many", "number of", "count of"):
        if q.period is None:
            return "customer_count"
        q.metric = "customers"
        return "summary"
    if t.has("how many products", "number of products", "products do we", "products are", "catalogue", "catalog",
             "how many skus"):  # fmt: skip
        return "product_count"
    explicit_products = t.has("product", "products", "items", "item", "skus", "sku")
    products_word = explicit_products or t.has(
        "sellers", "seller", "bestsellers", "bestseller", "best-selling", "best selling", "top selling",
        "top-selling", "what sold", "what sells",
    )  # fmt: skip
    ranking = t.has("top", "best", "worst", "most", "least", "bottom", "highest", "lowest", "which", "what",
                    "rank", "ranking", "popular", "biggest", "leading")  # fmt: skip
    kinds = [k for k, _ in q.places]
    if not explicit_products:
        for kind in ("country", "region", "category"):
            if kinds.count(kind) >= 2:  # "compare France and Germany"
                q.dimension = kind
                q.compare, q.compare_period = None, None
                return "compare_places"
    # "the web channel", "Germany's performance": a filter, not a breakdown by that dimension
    if (q.dimension and kinds.count(q.dimension) == 1) or (q.dimension == "channel" and q.channel):
        q.dimension = None
    grouped = q.dimension in ("category", "region", "country", "channel")
    if products_word and (ranking or q.n) and not q.product and (explicit_products or not grouped):
        return "top_products"
    if (
        q.category
        and not q.product
        and not grouped
        and t.has("top", "best", "worst", "bottom", "most", "least")
    ):
        return "top_products"  # "top 5 books", "top selling electronics"
    if q.dimension:
        return "breakdown"
    if q.metric or t.has("how did", "how are we doing", "how is", "how was", "how were", "how much", "performance",
                         "perform", "performing", "do in", "doing in", "kpi", "kpis", "numbers", "summary",
                         "overview", "report"):  # fmt: skip
        return "summary"
    if q.product:
        return "summary"
    return None


def merge(new: Question, context: Question | None) -> Question:
    """`new` completed by the conversation's previous question when it is a follow-up."""
    if context is None or context.intent in (None, "help", "unknown", "refused"):
        return new
    if new.intent is None and not _has_slots(new):
        return new
    if new.intent is not None and not new.follow_up:
        return new
    if new.intent is None and not new.follow_up:
        return new
    out = replace(context, recognised=list(new.recognised), follow_up=True)
    # "summary" is what a bare metric reads as: in a follow-up it changes the metric, not the question
    if new.intent not in (None, "summary") and new.intent != context.intent:
        out.intent = new.intent
        if new.intent in ("top_products", "top_customers", "breakdown"):
            out.n = new.n
            out.ascending = new.ascending
    for name in ("metric", "dimension", "n", "warehouse", "horizon_days", "customer", "order"):
        value = getattr(new, name)
        if value is not None:
            setattr(out, name, value)
    if new.ascending:
        out.ascending = True
    if new.by_growth:
        out.by_growth = True
    if new.period is not None:
        out.period = new.period
        out.compare, out.compare_period = new.compare, new.compare_period
    elif new.compare is not None:
        out.compare, out.compare_period = new.compare, new.compare_period
    if new.country or new.region:
        out.country, out.region = new.country, new.region
    if new.category:
        out.category = new.category
    if new.channel:
        out.channel = new.channel
    if new.product:
        out.product, out.product_ids = new.product, new.product_ids
    if new.intent == "breakdown" and new.dimension:
        out.intent = "breakdown"
    return out


def _has_slots(q: Question) -> bool:
    return any(
        getattr(q, name) not in (None, False, [])
        for name in (
            "metric", "period", "compare", "country", "region", "category", "channel", "product",
            "warehouse", "dimension", "n", "ascending", "by_growth",
        )
    )  # fmt: skip


_SQL = re.compile(
    r";\s*(drop|delete|insert|update|alter|create|truncate|grant|revoke|exec|merge)\b"
    r"|\b(drop|truncate|alter)\s+(table|database|schema)\b|\bunion\s+(all\s+)?select\b|\bselect\s+(\*|[\w.]+(\s*,\s*[\w.]+)*)\s+from\s+\w"
    r"|\binsert\s+into\b|\bdelete\s+from\b|\bupdate\s+\w+\s+set\b|'\s*or\s*'?\d*'?\s*=|\bor\s+1\s*=\s*1\b"
    r"|--\s*$|/\*|\bxp_cmdshell\b|\bsleep\s*\(|\bpg_sleep\b|\binformation_schema\b",
    re.I,
)
_INJECTION = re.compile(
    r"\b(ignore|disregard|forget|override)\b.{0,40}\b(instructions?|rules?|prompt|above|previous|guidelines)\b"
    r"|\bsystem prompt\b|\byou are now\b|\bdeveloper mode\b|\bjailbreak\b|\bact as\b|\bpretend\b"
    r"|\b(reveal|show|print|dump|leak|tell me)\b.{0,40}\b(prompt|instructions|passwords?|secrets?|api keys?|tokens?|credentials|hashes)\b"
    r"|\bpasswords?\b|\bpassword hash|\bapi keys?\b|\baccess keys?\b|\bsecret keys?\b|\bjwt\b"
    r"|\b(other|another|all|every|someone else'?s?) (users?|accounts?)'?s?\b.{0,30}\b(conversations?|chats?|messages?|data|history)\b"
    r"|\b(delete|drop|erase|wipe|truncate)\b.{0,30}\b(data|table|tables|database|records?|orders?|customers?|users?|everything)\b",
    re.I,
)


def hostile(text: str) -> str | None:
    """'sql' or 'instructions' when the message tries SQL or to steer the assistant (or asks for
    secrets or to change data); None for a plain question. The copilot answers such messages
    with a refusal and runs nothing: it only ever reads, through fixed queries."""
    if _SQL.search(text):
        return "sql"
    if _INJECTION.search(text):
        return "instructions"
    return None
