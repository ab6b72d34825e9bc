"""Pulumi ComponentResources of the platform, one per file.

Kept free of imports so that `components.catalog` and `components.settings` can be used by
deploy scripts and the local platform without loading the Pulumi AWS SDK.
"""
