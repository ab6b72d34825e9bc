"""The market-intelligence Lambda (see components/catalog.py and api/openapi.yaml, x-service: market-intelligence)."""
