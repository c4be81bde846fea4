"""RedisRateLimiter: one company's rate budget shared by every process on one Redis.

Booqable's budget (``X-Ratelimit-Limit`` requests per ``X-Ratelimit-Period`` seconds, 50,
100 or 250 per 60 s by plan) belongs to the company, not to a process: three workers each
running a :class:`~booqable_async.ratelimit.RateLimiter` would spend it three times over.
This limiter keeps the budget's state in Redis, keyed per company, and takes each
request's slot there with one atomic Lua script, so every process pointing at the same
Redis shares one budget. The algorithm is the local limiter's (docs/reliability.md,
"Rate limits"): a sliding log of grants over ``period * (1 + safety_margin)``, GCRA pacing
with a burst allowance, the server's ``X-Ratelimit-Remaining`` as a second opinion about
requests spent by other integrations, and a 429 cool-down, all dated by Redis' own clock
(``TIME``) so processes on different machines agree.

Why a Lua script and not the ``limits`` library: ``limits`` stores a hit log per fixed
``RateLimitItem`` (whole seconds, given by the caller, the item in the key), answers
"allowed or not" without reserving a future slot (so waiters poll and race), and has no
place for a budget learned from response headers, a shared cool-down or stand-ins for
other integrations' requests. The script is about a hundred lines and one round trip per
request.

Redis is reached through redis-py's synchronous client on a small thread pool: the sync
runs its readers on an event loop of dlt's (one per run, in another thread), and a
synchronous client is safe to share between threads and loops where an asyncio client is
bound to the loop that opened its connections. A round trip costs well under a
millisecond on a LAN; the limiter spaces requests by hundreds of milliseconds.

When Redis cannot be reached the limiter logs one warning and limits with its local
state (it is a :class:`RateLimiter` itself and is kept informed by every answer), never
with no limit; it tries Redis again every ``retry_interval`` seconds and logs when the
shared budget is back.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import itertools
import logging
import math
import threading
import uuid
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

import attrs
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from booqable_async._redact import redact_repr, redact_url
from booqable_async._validation import is_number
from booqable_async.clock import SYSTEM_CLOCK, Clock
from booqable_async.errors import UsageError
from booqable_async.protocol import RateLimit
from booqable_async.ratelimit import LimiterStats, RateLimiter

__all__ = ["RedisRateLimiter", "budget_key"]

logger = logging.getLogger("booqable_async.ratelimit")

T = TypeVar("T")

#: Seconds a company's state outlives its last request (it is relearned after that).
_STATE_TTL = 24 * 3600
#: Path suffixes of one company's API roots: v4, its older name and v1 share a budget.
_API_SUFFIXES = ("/api/4", "/api/boomerang", "/api/1")
#: Grants remembered while the budget is unknown (Booqable plans allow at most 250/60 s).
_UNKNOWN_LIMIT_LOG = 1024

# Shared by the scripts: Redis' clock, the state hash, the pacing parameters.
_PRELUDE = """
local function clock()
  local t = redis.call('TIME')
  return tonumber(t[1]) + tonumber(t[2]) / 1000000
end
local function fmt(x) return string.format('%.6f', x) end
local state, log = KEYS[1], KEYS[2]
"""

# ARGV: mode ('acquire' | 'confirm'), member, margin, burst (0: a quarter of the limit),
# fixed limit ('' unless fixed), fixed period, ttl, [confirm: when, epoch seen].
# Returns {wait seconds, reserved time, epoch}, as strings (Lua numbers become integers).
_RESERVE = (
    _PRELUDE
    + """
local mode, member, margin = ARGV[1], ARGV[2], tonumber(ARGV[3])
local now = clock()
if ARGV[5] ~= '' then redis.call('HSET', state, 'limit', ARGV[5], 'period', ARGV[6]) end
local st = redis.call('HMGET', state, 'limit', 'period', 'tat', 'pause', 'shared', 'epoch')
local limit, period = tonumber(st[1]), tonumber(st[2])
local tat, pause, shared = tonumber(st[3]) or 0, tonumber(st[4]) or 0, tonumber(st[5]) or 0
local epoch = st[6] or '0'
local paced = true
if mode == 'confirm' then
  if epoch == ARGV[9] then return {'0', ARGV[8], epoch} end
  -- A 429 cool-down or other integrations' requests arrived while the caller slept:
  -- does its slot still fit? If not it queues again behind them (its pacing slot is spent).
  local when = tonumber(ARGV[8])
  local valid = now >= pause
  if valid and limit then
    local window = period * (1 + margin)
    valid = redis.call('ZCOUNT', log, '(' .. fmt(when - window), fmt(when)) <= limit
  end
  if valid then return {'0', ARGV[8], epoch} end
  redis.call('ZREM', log, member)
  paced = false
end
local when = math.max(now, pause)
if limit and period then
  local window = period * (1 + margin)
  local interval = window / limit
  local burst = tonumber(ARGV[4])
  if burst <= 0 then burst = math.max(1, math.floor(limit / 4)) end
  local tolerance = (math.min(burst, limit) - 1) * interval
  redis.call('ZREMRANGEBYSCORE', log, '-inf', fmt(now - window))
  if paced then when = math.max(when, tat - tolerance) end
  local room = limit
  if shared > now then
    -- Others spend this budget too: leave a tenth of it to them rather than race them.
    room = math.max(1, limit - math.max(1, math.floor(limit / 10)))
  end
  if redis.call('ZCARD', log) >= room then
    local edge = tonumber(redis.call('ZRANGE', log, -room, -room, 'WITHSCORES')[2]) + window
    if edge > when then
      when = edge
      -- Waiting on the log is not idle time: it earns no burst credit.
      tat = math.max(tat, when + tolerance)
    end
  end
  if paced then tat = math.max(tat, when) + interval end
  redis.call('HSET', state, 'tat', fmt(tat))
else
  -- No answer has told the budget yet: a few requests per second until one does, so
  -- processes starting together do not spend a budget they cannot see.
  local probe = 4
  if redis.call('ZCOUNT', log, '(' .. fmt(now - 1), '+inf') >= probe then
    local edge = tonumber(redis.call('ZRANGE', log, -probe, -probe, 'WITHSCORES')[2]) + 1
    if edge > when then when = edge end
  end
  redis.call('ZREMRANGEBYRANK', log, 0, -(tonumber(ARGV[10]) + 1))
end
redis.call('ZADD', log, fmt(when), member)
redis.call('EXPIRE', state, ARGV[7])
redis.call('EXPIRE', log, ARGV[7])
return {fmt(when - now), fmt(when), epoch}
"""
)

# ARGV: member, paced (1/0), margin. Frees a slot whose request was never sent.
_CANCEL = (
    _PRELUDE
    + """
if redis.call('ZREM', log, ARGV[1]) == 1 and ARGV[2] == '1' then
  local st = redis.call('HMGET', state, 'limit', 'period', 'tat')
  local limit, period, tat = tonumber(st[1]), tonumber(st[2]), tonumber(st[3])
  if limit and period and tat then
    redis.call('HSET', state, 'tat', fmt(tat - period * (1 + tonumber(ARGV[3])) / limit))
  end
end
return 1
"""
)

# ARGV: limit, period, remaining, status, retry_after (each '' when unknown), margin, ttl,
# fixed ('1': keep the stored budget, ignore the headers).
_COMPLETE = (
    _PRELUDE
    + """
local now = clock()
local limit, period = tonumber(ARGV[1]), tonumber(ARGV[2])
local remaining, status, retry_after = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local margin = tonumber(ARGV[6])
local st = redis.call('HMGET', state, 'limit', 'period', 'pause', 'strikes')
local bumped = false
if ARGV[8] == '1' or not (limit and period) then
  limit, period, remaining = tonumber(st[1]), tonumber(st[2]), nil
elseif tonumber(st[1]) ~= limit or tonumber(st[2]) ~= period then
  -- A budget learned (or changed): replay the log so requests sent already count.
  redis.call('HSET', state, 'limit', ARGV[1], 'period', ARGV[2])
  local window = period * (1 + margin)
  redis.call('ZREMRANGEBYSCORE', log, '-inf', fmt(now - window))
  local tat = 0
  for i, value in ipairs(redis.call('ZRANGE', log, 0, -1, 'WITHSCORES')) do
    if i % 2 == 0 then tat = math.max(tat, tonumber(value)) + window / limit end
  end
  redis.call('HSET', state, 'tat', fmt(tat))
end
if limit and period then
  local window = period * (1 + margin)
  local used = nil
  if remaining then used = limit - remaining elseif status == 429 then used = limit end
  if used then
    -- The server counted `used` in its window; what our processes were granted explains
    -- part of it, the rest was spent by another integration on the same budget.
    local ours = redis.call('ZCOUNT', log, '(' .. fmt(now - window), fmt(now))
    local missing = math.min(used, limit) - ours
    if missing > 0 then
      local seq = redis.call('HINCRBY', state, 'seq', missing)
      for i = 1, missing do redis.call('ZADD', log, fmt(now), 'other:' .. (seq - i)) end
      redis.call('HSET', state, 'shared', fmt(now + window))
      bumped = true
    end
  end
end
if status == 429 then
  local strikes = (tonumber(st[4]) or 0) + 1
  local pause = retry_after
  if not pause then
    -- No reset time is ever sent: one paced interval, doubling while 429s keep coming,
    -- at most one period (a fresh window has started by then).
    local per = period or 60
    local interval = limit and (per * (1 + margin) / limit) or 1
    pause = math.min(per, interval * 2 ^ math.min(strikes - 1, 30))
  end
  if now + pause > (tonumber(st[3]) or 0) then
    redis.call('HSET', state, 'pause', fmt(now + pause))
    bumped = true
  end
  redis.call('HSET', state, 'strikes', strikes)
elseif status and tonumber(st[4] or '0') ~= 0 then
  redis.call('HSET', state, 'strikes', 0)
end
if bumped then redis.call('HINCRBY', state, 'epoch', 1) end
redis.call('EXPIRE', state, ARGV[7])
redis.call('EXPIRE', log, ARGV[7])
return 1
"""
)


def budget_key(base_url: str) -> str:
    """Return the key of the budget an API root spends: the company's host and path.

    ``https://acme.booqable.com/api/4/`` and ``.../api/boomerang/`` (and v1's ``/api/1/``)
    are one company, one budget: ``acme.booqable.com``.
    """
    parts = urlsplit(base_url)
    path = parts.path.rstrip("/")
    for suffix in _API_SUFFIXES:
        if path.endswith(suffix):
            path = path[: -len(suffix)]
            break
    host = (parts.hostname or "").lower()
    port = f":{parts.port}" if parts.port else ""
    return f"{host}{port}{path}" or "default"


@attrs.frozen
class _Grant:
    wait: float
    when: str
    epoch: str


class _Connection:
    """The Redis side shared by a limiter and every company limiter it hands out."""

    def __init__(
        self,
        url: str | None,
        client: redis.Redis | None,
        *,
        timeout: float,
        retry_interval: float,
        clock: Clock,
    ) -> None:
        if client is None:
            assert url is not None
            try:
                client = redis.Redis.from_url(
                    url,
                    socket_timeout=timeout,
                    socket_connect_timeout=timeout,
                    # Fail fast and fall back: the limiter must not stall requests while
                    # Redis is down, and it tries again on its own schedule.
                    retry=Retry(NoBackoff(), 0),
                )
            except ValueError as exc:
                raise UsageError(
                    f"RedisRateLimiter needs a redis:// URL, got {redact_repr(url)}: {exc}"
                ) from None
            self.owned = True
        else:
            self.owned = False
        self.client = client
        self.shown = redact_url(url) if url else repr(client)
        self.reserve = client.register_script(_RESERVE)
        self.cancel = client.register_script(_CANCEL)
        self.complete = client.register_script(_COMPLETE)
        self.pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=4, thread_name_prefix="booqable-redis-limiter"
        )
        self.retry_interval = retry_interval
        self.clock = clock
        self.lock = threading.Lock()
        self.children: dict[str, RedisRateLimiter] = {}
        self.down_until = -math.inf
        self.down = False
        self.closed = False
        self.members = itertools.count()
        self.process = uuid.uuid4().hex[:12]

    def member(self) -> str:
        return f"{self.process}:{next(self.members)}"

    def usable(self) -> bool:
        return not self.closed and (not self.down or self.clock.monotonic() >= self.down_until)

    def failed(self, exc: BaseException) -> None:
        self.down_until = self.clock.monotonic() + self.retry_interval
        if not self.down:
            self.down = True
            # Once per outage: a busy process must not flood its log.
            logger.warning(
                "RedisRateLimiter: Redis at %s failed (%s); limiting with this process's "
                "own view of each budget until it answers (trying again every %g s)",
                self.shown,
                type(exc).__name__,
                self.retry_interval,
            )

    def answered(self) -> None:
        if self.down:
            self.down = False
            logger.warning(
                "RedisRateLimiter: Redis at %s answers again; budgets are shared again",
                self.shown,
            )

    async def call(self, work: Callable[[], T]) -> T:
        return await asyncio.wrap_future(self.pool.submit(work))

    def submit(self, work: Callable[[], object]) -> None:
        if self.closed:
            return
        try:
            future = self.pool.submit(work)
        except RuntimeError:  # pragma: no cover - closed between the check and the submit
            return
        future.add_done_callback(self._outcome)

    def _outcome(self, future: concurrent.futures.Future[object]) -> None:
        exc = future.exception()
        if exc is None:
            self.answered()
        elif isinstance(exc, (redis.RedisError, OSError)):
            self.failed(exc)
        else:  # pragma: no cover - a bug: show it rather than lose it
            logger.error("RedisRateLimiter: unexpected error", exc_info=exc)

    def close(self) -> None:
        self.closed = True
        self.pool.shutdown(wait=True)
        if self.owned:
            self.client.close()


#: What the Redis client raises when the server cannot be used (connection refused or
#: reset, timeout, loading, read-only replica...).
_REDIS_ERRORS = (redis.RedisError, OSError)


class RedisRateLimiter(RateLimiter):
    """A rate limiter whose budget lives in Redis, shared by every process that uses it.

    Give one to a client like any limiter: the session asks it for the limiter of its
    company (keyed by the API root's host, so ``acme`` and ``globex`` get separate
    budgets from one instance), and every process using the same Redis shares each
    company's budget::

        limiter = RedisRateLimiter("redis://127.0.0.1:6379/0")
        client = BooqableClient(company="acme", token="...", rate_limit=limiter)

    The budget is learned from the ``X-Ratelimit-*`` headers and kept in Redis (for a day
    after the last request); ``X-Ratelimit-Remaining`` shows requests other integrations
    spent; a 429 pauses every process for ``Retry-After``, else for an escalating interval.
    If Redis fails, each process limits with its own view (a warning is logged) and
    returns to the shared budget when Redis answers again.

    Args:
        url: The Redis URL (``redis://[:password@]host:port/db``, ``rediss://`` for TLS);
            the password never appears in a log line or ``repr``.
        key: The budget's key; ``None`` (default) keys it by the company of each client
            that uses the limiter.
        limit: With ``period``, a fixed budget of your own instead of the headers'.
        period: The fixed budget's period in seconds.
        burst: Requests that may go back to back after a quiet spell (default: a quarter
            of the limit).
        safety_margin: Fraction by which the limiter's window is longer than the server's.
        prefix: Prefix of the Redis keys (two per company).
        retry_interval: Seconds between attempts to reach Redis again after a failure.
        timeout: Seconds a Redis call may take before it counts as a failure.
        client: A ``redis.Redis`` (synchronous) client to use instead of ``url``; it is
            not closed by :meth:`close`.
        clock: Its ``sleep`` waits and its ``monotonic`` clock times the fallback.

    Raises:
        UsageError: Neither ``url`` nor ``client``, a URL that is not Redis', or values
            out of range.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        key: str | None = None,
        limit: int | None = None,
        period: float | None = None,
        burst: int | None = None,
        safety_margin: float = 0.02,
        prefix: str = "booqable:ratelimit",
        retry_interval: float = 5.0,
        timeout: float = 0.5,
        client: redis.Redis | None = None,
        clock: Clock = SYSTEM_CLOCK,
        _connection: _Connection | None = None,
    ) -> None:
        super().__init__(limit, period, burst=burst, safety_margin=safety_margin, clock=clock)
        if _connection is None:
            if (url is None) == (client is None):
                raise UsageError(
                    "RedisRateLimiter needs url='redis://host:6379/0' or client=redis.Redis(...)"
                )
            if url is not None and not isinstance(url, str):
                raise UsageError(f"RedisRateLimiter url must be a string, got {redact_repr(url)}")
            for name, value in (("retry_interval", retry_interval), ("timeout", timeout)):
                if not is_number(value) or not value > 0:
                    raise UsageError(
                        f"RedisRateLimiter {name} must be a number of seconds > 0, "
                        f"got {redact_repr(value)}"
                    )
            _connection = _Connection(
                url,
                client,
                timeout=float(timeout),
                retry_interval=float(retry_interval),
                clock=clock,
            )
        self._redis_conn = _connection
        self._redis_key = key
        self._redis_keys = [
            f"{prefix}:{key or 'default'}:state",
            f"{prefix}:{key or 'default'}:log",
        ]
        self._redis_settings: dict[str, Any] = {
            "limit": limit,
            "period": period,
            "burst": burst,
            "safety_margin": safety_margin,
            "prefix": prefix,
            "clock": clock,
        }
        self._redis_margin = repr(float(safety_margin))
        self._redis_burst = str(burst or 0)
        self._redis_fixed = (str(limit), f"{period:g}") if limit and period else ("", "")
        self._redis_granted = 0
        self._redis_delayed = 0
        self._redis_waited = 0.0

    def __repr__(self) -> str:
        mode = "fixed" if self._redis_fixed[0] else "headers"
        state = "degraded: local limits" if self._redis_conn.down else "shared"
        return (
            f"RedisRateLimiter({self._redis_conn.shown}, key={self._redis_key!r}, {mode}, {state})"
        )

    @property
    def key(self) -> str | None:
        """The budget's key (``None``: the limiter hands out one per company)."""
        return self._redis_key

    @property
    def shared(self) -> bool:
        """False while Redis is failing and requests are limited locally."""
        return not self._redis_conn.down

    @property
    def stats(self) -> LimiterStats:
        """Counters over both paths: slots taken in Redis and, during outages, locally."""
        local = super().stats
        return attrs.evolve(
            local,
            granted=local.granted + self._redis_granted,
            delayed=local.delayed + self._redis_delayed,
            waited=local.waited + self._redis_waited,
        )

    def for_api(self, base_url: str) -> RateLimiter:
        """Return the limiter for the company at ``base_url`` (one per company, cached).

        A limiter made with ``key=`` is that one budget wherever it is used.
        """
        if self._redis_key is not None:
            return self
        key = budget_key(base_url)
        connection = self._redis_conn
        with connection.lock:
            child = connection.children.get(key)
            if child is None:
                child = RedisRateLimiter(key=key, _connection=connection, **self._redis_settings)
                connection.children[key] = child
        return child

    def close(self) -> None:
        """Stop the limiter's threads and close the Redis client it made (idempotent)."""
        if not self._redis_conn.closed:
            self._redis_conn.close()

    # -- the Redis path ---------------------------------------------------------------

    def _redis_reserve(self, member: str, mode: str = "acquire", *extra: str) -> _Grant:
        args: list[str | int] = [
            mode,
            member,
            self._redis_margin,
            self._redis_burst,
            *self._redis_fixed,
            _STATE_TTL,
            *(extra or ("", "")),
            _UNKNOWN_LIMIT_LOG,
        ]
        answer = self._redis_conn.reserve(keys=self._redis_keys, args=args)
        wait, when, epoch = (
            item.decode() if isinstance(item, bytes) else str(item) for item in answer
        )
        return _Grant(max(0.0, float(wait)), when, epoch)

    def _redis_release(self, member: str, *, paced: bool) -> None:
        self._redis_conn.submit(
            lambda: self._redis_conn.cancel(
                keys=self._redis_keys, args=[member, "1" if paced else "0", self._redis_margin]
            )
        )

    async def acquire(self) -> None:
        """Wait until one more request may be sent (a slot in the shared budget).

        Every ``acquire`` must be followed by one :meth:`complete`.

        Raises:
            asyncio.CancelledError: When the waiting task is cancelled (the slot is freed).
        """
        connection = self._redis_conn
        if connection.usable():
            member = connection.member()
            future = connection.pool.submit(self._redis_reserve, member)
            try:
                grant = await asyncio.wrap_future(future)
            except _REDIS_ERRORS as exc:
                connection.failed(exc)
            except asyncio.CancelledError:
                # The slot may be taken by the time the call returns: give it back.
                def give_back(done: concurrent.futures.Future[_Grant]) -> None:
                    if not done.cancelled() and done.exception() is None:
                        self._redis_release(member, paced=True)

                future.add_done_callback(give_back)
                raise
            else:
                connection.answered()
                await self._redis_wait(grant, member)
                return
        await super().acquire()

    async def _redis_wait(self, grant: _Grant, member: str) -> None:
        connection = self._redis_conn
        waited = 0.0
        paced = True
        while grant.wait > 0:
            try:
                await self._redis_sleep(grant.wait)
            except BaseException:
                self._redis_release(member, paced=paced)
                raise
            waited += grant.wait
            try:
                grant = await connection.call(
                    functools.partial(
                        self._redis_reserve, member, "confirm", grant.when, grant.epoch
                    )
                )
            except _REDIS_ERRORS as exc:
                # The slot was reserved; keep it and let the next request find out.
                connection.failed(exc)
                break
            paced = False
        self._redis_granted += 1
        if waited > 0:
            self._redis_delayed += 1
            self._redis_waited += waited

    async def _redis_sleep(self, seconds: float) -> None:
        await self._redis_settings["clock"].sleep(seconds)

    def complete(
        self,
        *,
        status: int | None = None,
        rate_limit: RateLimit | None = None,
        retry_after: float | None = None,
    ) -> None:
        """Report the outcome of a request sent after :meth:`acquire`.

        The local view learns from it (for outages); the shared state in Redis is
        updated in the background (the budget, others' spending, a 429's cool-down).

        Args:
            status: The HTTP status, or ``None`` when no response arrived.
            rate_limit: The response's rate-limit headers, parsed.
            retry_after: Seconds from ``Retry-After``, when the response had one.
        """
        super().complete(status=status, rate_limit=rate_limit, retry_after=retry_after)
        if status is None or not self._redis_conn.usable():
            return

        def text(value: float | None) -> str:
            return "" if value is None else f"{value:g}"

        args: list[str | int] = [
            text(rate_limit.limit if rate_limit else None),
            text(rate_limit.period if rate_limit else None),
            text(rate_limit.remaining if rate_limit else None),
            str(status),
            text(retry_after),
            self._redis_margin,
            _STATE_TTL,
            "1" if self._redis_fixed[0] else "0",
        ]
        self._redis_conn.submit(lambda: self._redis_conn.complete(keys=self._redis_keys, args=args))
