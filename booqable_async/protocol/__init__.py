"""The sans-I/O protocol layer: build requests, decipher responses, parse headers.

Nothing in this package awaits or touches the network; it is pure functions over the
transport's value types, so it is tested without a server.
"""

from __future__ import annotations

from booqable_async.protocol.headers import RateLimit, parse_rate_limit, parse_retry_after

__all__ = ["RateLimit", "parse_rate_limit", "parse_retry_after"]
