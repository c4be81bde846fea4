"""Clients for a sync: one per resource, all spending one company budget."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from booqable_async.clock import SYSTEM_CLOCK, Clock
from booqable_async.errors import UsageError
from booqable_async.ratelimit import RateLimiter

if TYPE_CHECKING:
    from booqable_async._client import BooqableClient
    from booqable_async.transport import Transport

__all__ = ["client_factory"]


def client_factory(
    *,
    company: str | None = None,
    base_url: str | None = None,
    token: str | None = None,
    rate_limit: bool | RateLimiter | tuple[int, float] = True,
    transport: Callable[[], Transport] | None = None,
    **options: Any,
) -> Callable[[], BooqableClient]:
    """Return a function opening clients that share one rate limiter.

    The sync reads each resource with a client of its own (opened and closed on dlt's
    extraction loop); a shared limiter keeps their requests inside the company's one
    budget. Pass a limiter of your own (a Redis-backed one, to share a budget across
    processes) as ``rate_limit``.

    Args:
        company: Company slug (``acme`` for ``acme.booqable.com``).
        base_url: API root instead of ``company`` (the fake server, a proxy).
        token: Access token.
        rate_limit: ``True`` (learn the budget from the headers), a limiter, a fixed
            budget ``(limit, period_seconds)``, or ``False`` (no limiter: tests only).
        transport: Makes a transport per client (default: the client's own aiohttp one).
        **options: Other :class:`~booqable_async.BooqableClient` arguments (``retry``,
            ``timeout``, ``hooks``, ``clock``...).

    Returns:
        A function returning a new, unopened client (use it with ``async with``).

    Raises:
        UsageError: A bad ``rate_limit``.
    """
    from booqable_async._client import BooqableClient

    # The limiter waits on the clients' clock (virtual time in tests).
    clock: Clock = options.get("clock") or SYSTEM_CLOCK
    limiter: RateLimiter | bool
    if isinstance(rate_limit, RateLimiter):
        limiter = rate_limit
    elif rate_limit is True:
        limiter = RateLimiter(clock=clock)
    elif rate_limit is False:
        limiter = False
    elif isinstance(rate_limit, tuple) and len(rate_limit) == 2:
        limiter = RateLimiter(rate_limit[0], rate_limit[1], clock=clock)
    else:
        raise UsageError(
            "rate_limit must be True, False, a RateLimiter or (limit, period_seconds), "
            f"got {rate_limit!r}"
        )

    def open_client() -> BooqableClient:
        return BooqableClient(
            company=company,
            base_url=base_url,
            token=token,
            rate_limit=limiter,
            transport=transport() if transport is not None else None,
            **options,
        )

    return open_client
