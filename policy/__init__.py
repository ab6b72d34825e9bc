"""The CrossGuard policy pack: `rules.py` (the rules), `__main__.py` (what `pulumi --policy-pack
policy` runs), `local.py` (the same rules over a stack run under mocks, for tests and `./dev policy`)."""
