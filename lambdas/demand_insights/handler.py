"""demand-insights: RFM segments, demand forecasts, elasticity, price optimisation, CLV, churn, reorder points.

Routes its operations of the contract; they answer 501 until the behaviour lands (`shared.api.pending`).
"""

from shared.api import create_app, make_handler, pending

SERVICE = "demand-insights"

OPERATIONS = (
    ("GET", "/demand-insights/segments"),
    ("GET", "/demand-insights/segments/{segmentId}/customers"),
    ("GET", "/demand-insights/customers/{customerId}"),
    ("POST", "/demand-insights/forecast"),
    ("POST", "/demand-insights/price-elasticity"),
    ("POST", "/demand-insights/price-optimization"),
    ("POST", "/demand-insights/clv"),
    ("POST", "/demand-insights/churn"),
    ("GET", "/demand-insights/at-risk-customers"),
    ("GET", "/demand-insights/reorder-recommendations"),
)

app = create_app(SERVICE)
pending(app, OPERATIONS)

lambda_handler = make_handler(app)
