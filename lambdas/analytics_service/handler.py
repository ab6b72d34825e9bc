"""analytics-service: KPIs, time series, top products, categories, cohorts, datasets, structured queries, insights.

Every operation of the contract that this service owns is routed here. Their behaviour lands
with the service's own issue; until then each answers 501 NOT_IMPLEMENTED in the error model,
so the API is complete (authorizer, CORS, routing) and honest about what is missing.
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
