"""The analytics-service Lambda (see components/catalog.py and api/openapi.yaml, x-service: analytics-service)."""
