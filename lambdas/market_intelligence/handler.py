"""market-intelligence: forecasts and backtests, trends, competitive pricing, anomalies.

Routes its operations of the contract; they answer 501 until the behaviour lands (`shared.api.pending`).
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
