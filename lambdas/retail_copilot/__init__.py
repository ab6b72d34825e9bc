"""The retail-copilot Lambda (see components/catalog.py and api/openapi.yaml, x-service: retail-copilot)."""
