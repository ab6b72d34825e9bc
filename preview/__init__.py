"""Offline preview: run the Pulumi program under mocks (no AWS account, no Pulumi CLI)."""
