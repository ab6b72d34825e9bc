"""retail-copilot: questions answered from the data, conversations, inventory/orders/customers
search, sales reports and recommendations (api/openapi.yaml, x-service: retail-copilot).

Thin on purpose: routes validate the request and call the logic modules (chat.py,
conversations.py, lookups.py, report.py, recommend.py), which take data and return data.
"""

from __future__ import annotations

from shared.api import create_app, created, make_handler, no_content, ok
from shared.errors import BadRequest
from shared.identity import caller
from shared.pagination import cursor_page, query_cursor
from shared.validation import body, path_param, query_bool, query_date, query_enum, query_float, query_str

from retail_copilot import schemas
from retail_copilot.periods import DATA_END, DATA_START, Period, fmt

SERVICE = "retail-copilot"
MAX_PAGE = 200  # the contract's Limit maximum
MAX_DAYS = 1096  # a report covers at most three years (the data holds two)
COUNTRY = r"[A-Z]{2}"
CATEGORY = r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}"
CUSTOMER = r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}"

app = create_app(SERVICE)


def _query_parameters() -> None:
    """Every query parameter of the copilot has a type or a minimum length: an empty value is a
    400 (shared.validation reads it as absent), as API Gateway's validation would say."""
    params = app.current_event.multi_value_query_string_parameters or {}
    empty = sorted(name for name, values in params.items() if any(v == "" for v in values or []))
    if empty:
        raise BadRequest.fields({name: "must not be empty" for name in empty})


def _conversations():
    from retail_copilot.conversations import ConversationStore

    return ConversationStore()


def _window():
    from retail_copilot.lookups import Window

    page = query_cursor(app, schema=schemas.OFFSET_CURSOR, max_limit=MAX_PAGE)
    return Window(page.limit, (page.cursor or {}).get("offset", 0))


def _listing(result: dict, **extra):
    position = {"offset": result["nextOffset"]} if result["nextOffset"] is not None else None
    page = cursor_page(result["items"], position, **extra)
    if page["nextCursor"] is None:
        del page["nextCursor"]  # the contract: absent on the last page
    return page


def _period(default_days: int = 30) -> Period:
    last = query_date(app, "to") or DATA_END
    first = query_date(app, "from") or last.fromordinal(last.toordinal() - default_days + 1)
    if first > last:
        raise BadRequest.fields({"from": "must not be after to"})
    if first > DATA_END or last < DATA_START:
        raise BadRequest.fields(
            {"from": f"the period has no data: the data covers {DATA_START} to {DATA_END}"},
            f"The data covers {fmt(DATA_START)} to {fmt(DATA_END)}; the period has no data",
        )
    if (last - first).days + 1 > MAX_DAYS:
        raise BadRequest.fields({"from": f"the period must be at most {MAX_DAYS} days"})
    return Period(first, last, f"{fmt(first)} to {fmt(last)}")


# ---- chat and conversations -------------------------------------------------------------------
@app.post("/copilot/chat")
def chat():
    from retail_copilot.chat import Copilot

    who = caller(app)
    data = body(app, schemas.CHAT)
    return ok(Copilot(_conversations()).ask(who.user_id, data["message"], data.get("conversationId")))


@app.get("/copilot/conversations")
def list_conversations():
    who = caller(app)
    _query_parameters()
    page = query_cursor(app, schema=schemas.CONVERSATION_CURSOR, max_limit=MAX_PAGE)
    items, position = _conversations().list(who.user_id, page.limit, page.cursor)
    out = cursor_page(items, position)
    if out["nextCursor"] is None:
        del out["nextCursor"]
    return ok(out)


@app.post("/copilot/conversations")
def create_conversation():
    who = caller(app)
    data = body(app, schemas.CONVERSATION_CREATE)
    return created(_conversations().create(who.user_id, data.get("title")))


@app.get("/copilot/conversations/<conversationId>")
def get_conversation(conversationId: str):  # noqa: N803 - the contract's name
    who = caller(app)
    return ok(_conversations().get(who.user_id, path_param(conversationId, "conversationId")))


@app.delete("/copilot/conversations/<conversationId>")
def delete_conversation(conversationId: str):  # noqa: N803 - the contract's name
    who = caller(app)
    _conversations().delete(who.user_id, path_param(conversationId, "conversationId"))
    return no_content()


# ---- look-ups -----------------------------------------------------------------------------------
@app.get("/copilot/inventory")
def inventory():
    from retail_copilot import lookups

    caller(app)
    _query_parameters()
    result = lookups.inventory(
        _window(),
        category=query_str(app, "category", max_len=64, pattern=CATEGORY),
        warehouse=query_str(app, "warehouse", max_len=32),
        low_stock_only=query_bool(app, "lowStockOnly", False),
    )
    return ok(_listing(result, lowStockCount=result["lowStockCount"]))


@app.get("/copilot/orders")
def orders():
    from retail_copilot import lookups

    caller(app)
    _query_parameters()
    first, last = query_date(app, "from"), query_date(app, "to")
    if first and last and first > last:
        raise BadRequest.fields({"from": "must not be after to"})
    low, high = query_float(app, "minTotal", None, 0), query_float(app, "maxTotal", None, 0)
    if low is not None and high is not None and low > high:
        raise BadRequest.fields({"minTotal": "must not be above maxTotal"})
    result = lookups.orders(
        _window(),
        first=first,
        last=last,
        customer_id=query_str(app, "customerId", max_len=128, pattern=CUSTOMER),
        status=query_enum(app, "status", ("completed", "cancelled", "returned")),
        channel=query_enum(app, "channel", ("web", "mobile_app", "marketplace")),
        region=query_str(app, "region", max_len=64),
        country=query_str(app, "country", max_len=2, pattern=COUNTRY),
        min_total=low,
        max_total=high,
    )
    return ok(_listing(result))


@app.get("/copilot/customers")
def customers():
    from retail_copilot import lookups

    caller(app)
    _query_parameters()
    result = lookups.customers(
        _window(),
        q=query_str(app, "q", max_len=100),
        region=query_str(app, "region", max_len=64),
        country=query_str(app, "country", max_len=2, pattern=COUNTRY),
    )
    return ok(_listing(result))


@app.get("/copilot/sales-report")
def sales_report():
    from retail_copilot.report import sales_report as build
    from retail_copilot.sales import Filters

    caller(app)
    period = _period()
    _query_parameters()
    filters = Filters(
        region=query_str(app, "region", max_len=64),
        category=query_str(app, "category", max_len=64, pattern=CATEGORY),
    )
    return ok(build(period, filters))


@app.post("/copilot/recommendations")
def recommendations():
    from retail_copilot.recommend import recommend

    caller(app)
    data = body(app, schemas.RECOMMENDATIONS)
    if not data.get("customerId") and not data.get("productIds"):
        raise BadRequest.fields({"customerId": "customerId or productIds is required"})
    return ok(
        recommend(
            customer_id=data.get("customerId"),
            product_ids=data.get("productIds"),
            limit=data["limit"],
            exclude_purchased=data["excludePurchased"],
        )
    )


lambda_handler = make_handler(app)
