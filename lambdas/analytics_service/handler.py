"""analytics-service: KPIs, time series, top products, categories, cohorts, datasets, structured queries, insights.

Routes its operations of the contract; they answer 501 until the behaviour lands (`shared.api.pending`).
"""

from shared.api import create_app, make_handler, pending

SERVICE = "analytics-service"

OPERATIONS = (
    ("GET", "/analytics/kpis"),
    ("GET", "/analytics/sales-timeseries"),
    ("GET", "/analytics/top-products"),
    ("GET", "/analytics/category-performance"),
    ("GET", "/analytics/cohorts"),
    ("GET", "/analytics/datasets"),
    ("POST", "/analytics/query"),
    ("GET", "/analytics/insights"),
)

app = create_app(SERVICE)
pending(app, OPERATIONS)

lambda_handler = make_handler(app)
