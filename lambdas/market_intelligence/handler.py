"""market-intelligence: forecasts and backtests, trends, competitive pricing, anomalies.

Every operation of the contract that this service owns is routed here. Their behaviour lands
with the service's own issue; until then each answers 501 NOT_IMPLEMENTED in the error model,
so the API is complete (authorizer, CORS, routing) and honest about what is missing.
"""

from shared.api import create_app, make_handler, pending

SERVICE = "market-intelligence"

OPERATIONS = (
    ("POST", "/market-intelligence/forecast"),
    ("POST", "/market-intelligence/compare-models"),
    ("GET", "/market-intelligence/trends"),
    ("GET", "/market-intelligence/competitive-pricing"),
    ("GET", "/market-intelligence/price-position/{productId}"),
    ("GET", "/market-intelligence/categories/{categoryId}/summary"),
    ("GET", "/market-intelligence/anomalies"),
)

app = create_app(SERVICE)
pending(app, OPERATIONS)

lambda_handler = make_handler(app)
