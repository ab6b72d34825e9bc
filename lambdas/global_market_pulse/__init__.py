"""The global-market-pulse Lambda (see components/catalog.py and api/openapi.yaml, x-service: global-market-pulse)."""
