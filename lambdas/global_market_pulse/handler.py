"""global-market-pulse: regional trends, prices in one currency, market share, growth, opportunities, change points.

Routes its operations of the contract; they answer 501 until the behaviour lands (`shared.api.pending`).
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
