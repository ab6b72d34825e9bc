"""The demand-insights Lambda (see components/catalog.py and api/openapi.yaml, x-service: demand-insights)."""
