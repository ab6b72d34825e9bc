"""The local platform: the whole system on one machine with no AWS account.

./dev up            (python -m local)  - see local/__main__.py for the options
LocalPlatform(...)  - the same thing from Python (tests, benchmarks)
"""

from local.platform import LocalPlatform

__all__ = ["LocalPlatform"]
