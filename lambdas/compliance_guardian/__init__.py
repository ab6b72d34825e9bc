"""The compliance-guardian Lambda (see components/catalog.py and api/openapi.yaml, x-service: compliance-guardian)."""
