"""global-market-pulse: regional trends, prices in one currency, market share, growth, opportunities, change points.

Every operation of the contract that this service owns is routed here. Their behaviour lands
with the service's own issue; until then each answers 501 NOT_IMPLEMENTED in the error model,
so the API is complete (authorizer, CORS, routing) and honest about what is missing.
"""

from shared.api import create_app, make_handler, pending

SERVICE = "global-market-pulse"

OPERATIONS = (
    ("GET", "/global-market/trends"),
    ("GET", "/global-market/regional-prices"),
    ("GET", "/global-market/market-share"),
    ("GET", "/global-market/growth-rates"),
    ("POST", "/global-market/price-comparison"),
    ("POST", "/global-market/opportunities"),
    ("POST", "/global-market/competitor-analysis"),
    ("POST", "/global-market/trend-changes"),
    ("GET", "/global-market/currencies"),
)

app = create_app(SERVICE)
pending(app, OPERATIONS)

lambda_handler = make_handler(app)
