"""FakeBooqable: an in-memory Booqable v4 server for tests, demos and the CLI.

The core is sans-I/O: :meth:`FakeBooqable.handle` turns an :class:`HttpRequest` into an
:class:`Outcome` (a response plus transport-level effects: reset, delay, truncation). The
in-process transport, the aiohttp application and the command-line server only carry
outcomes over their medium.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import attrs
import msgspec

from booqable_async.errors import UsageError
from booqable_async.schema import get_schema
from booqable_async.testing._api import Answer, Api
from booqable_async.testing._auth import Authenticator, public_key_text
from booqable_async.testing._context import Context
from booqable_async.testing._currencies import CURRENCIES, DEFAULT_CURRENCY
from booqable_async.testing._errors import FakeError, simple_error
from booqable_async.testing._faults import Fault, FaultPlan, FaultRule, parse_fault_spec
from booqable_async.testing._params import parse_query
from booqable_async.testing._query import NEWEST_FIRST
from booqable_async.testing._ratelimit import (
    FixedWindowCounter,
    RateLimitConfig,
    parse_rate_limit_spec,
)
from booqable_async.testing._v1 import V1_PREFIX, V1Face
from booqable_async.testing._webhooks import Delivery, WebhookDeliveries
from booqable_async.transport import Headers, HttpRequest, HttpResponse

if TYPE_CHECKING:
    from aiohttp import web

    from booqable_async._client import BooqableClient
    from booqable_async.testing._aiohttp import ServedFake
    from booqable_async.testing._seed import DemoSummary
    from booqable_async.testing._transport import FakeTransport
    from booqable_async.v1 import BooqableV1Client

__all__ = ["FakeBooqable", "Outcome", "RequestLog"]

_encode = msgspec.json.Encoder().encode

logger = logging.getLogger("booqable_async.testing")

#: The page a proxy in front of Booqable answers with when the app is down.
HTML_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)
_STATUS_TITLES = {
    429: ("too_many_requests", "Too Many Requests", "Rate limit exceeded, slow down"),
    500: ("internal_server_error", "Internal Server Error", "Something went wrong"),
    502: ("bad_gateway", "Bad Gateway", "The upstream server failed"),
    503: ("service_unavailable", "Service Unavailable", "Temporarily offline, retry later"),
    504: ("gateway_timeout", "Gateway Timeout", "The upstream server timed out"),
}


@attrs.frozen
class Outcome:
    """What the fake decided for one request.

    Attributes:
        response: The response to deliver (for ``reset="after"``: the one that is lost).
        reset: ``"before"`` or ``"after"`` processing when the connection must be dropped.
        delay: Seconds to wait before answering.
        truncate: Deliver only part of the body, then drop the connection.
    """

    response: HttpResponse
    reset: str | None = None
    delay: float = 0.0
    truncate: bool = False


@attrs.frozen
class RequestLog:
    """One request the fake saw.

    Attributes:
        method: HTTP method.
        path: URL path.
        query: Raw query string.
        status: Status of the answer (0 when the connection was dropped before processing).
        fault: Kind of the injected fault, if any.
        processed: True when the request reached the API (a write may have happened).
    """

    method: str
    path: str
    query: str
    status: int
    fault: str | None = None
    processed: bool = False


def _as_rate_limit(value: RateLimitConfig | str | tuple[int, float] | None) -> RateLimitConfig:
    if value is None:
        return RateLimitConfig()
    if isinstance(value, RateLimitConfig):
        return value
    if isinstance(value, str):
        return parse_rate_limit_spec(value)
    limit, period = value
    return RateLimitConfig(int(limit), float(period))


def _as_rules(value: str | Iterable[FaultRule] | None) -> list[FaultRule]:
    if value is None:
        return []
    if isinstance(value, str):
        return parse_fault_spec(value)
    return list(value)


class FakeBooqable:
    """An in-memory Booqable v4 server driven by the API catalog.

    Args:
        seed: Makes ids, demo data, request ids and probabilistic faults deterministic.
        company: Company slug (``iss`` of single-use tokens, the default base URL).
        token: The accepted access token (default: derived from ``seed``).
        require_auth: False accepts requests without credentials.
        rate_limit: ``RateLimitConfig``, ``"L/P"`` or ``(limit, period)``; default 10,000
            per 60 s so tests never trip it unless they ask to.
        faults: Fault rules or their text form (``"503@1-2,POST:fail_after@1"``).
        clock: Monotonic seconds for the rate-limit window (inject to avoid sleeping).
        wall_clock: Epoch seconds for timestamps and token expiry.
        sleep: Awaitable sleep used by ``delay`` faults (inject a no-op in tests).
        raise_server_errors: Re-raise a bug in the fake instead of answering 500.
        request_log_size: How many recent requests :attr:`requests` keeps.

    Example::

        fake = FakeBooqable()
        fake.add("customers", name="Jane")
        async with fake.client() as client:  # a BooqableClient bound to the fake
            customers = await client.customers.list().collect()
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        company: str = "demo",
        token: str | None = None,
        require_auth: bool = True,
        rate_limit: RateLimitConfig | str | tuple[int, float] | None = None,
        faults: str | Iterable[FaultRule] | None = None,
        clock: Callable[[], float] | None = None,
        wall_clock: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        raise_server_errors: bool = False,
        request_log_size: int = 10_000,
    ) -> None:
        self.seed = seed
        self.company = company
        self._clock = clock or time.monotonic
        self._wall_clock = wall_clock or time.time
        self.sleep: Callable[[float], Awaitable[None]] = sleep or asyncio.sleep
        self.require_auth = require_auth
        self.raise_server_errors = raise_server_errors
        self._ctx = Context(seed, self._wall_clock)
        self._request_ids = random.Random(f"request-ids:{seed}")
        self.token = (
            token or f"fake-{uuid.UUID(int=random.Random(f'token:{seed}').getrandbits(128)).hex}"
        )
        self.limiter = FixedWindowCounter(_as_rate_limit(rate_limit), self._clock)
        self.faults = FaultPlan(_as_rules(faults), seed=seed)
        # Bounded: a long-running server must not grow without limit.
        self.requests: deque[RequestLog] = deque(maxlen=request_log_size)
        self._api = Api(self._ctx)
        for code, currency in CURRENCIES.items():
            self._ctx.insert("currencies", self._ctx.build("currencies", currency, record_id=code))
        company_record = self._ctx.insert(
            "companies",
            self._ctx.build(
                "companies",
                {"slug": company, "name": company.title(), "currency": DEFAULT_CURRENCY},
            ),
        )
        employee = self._ctx.insert(
            "employees",
            self._ctx.build(
                "employees", {"name": "Demo Employee", "email": f"owner@{company}.example"}
            ),
        )
        self.company_id: str = company_record["id"]
        self.employee_id: str = employee["id"]
        #: Webhook deliveries of every change to subscribed endpoints (testing/_webhooks.py).
        self.webhooks = WebhookDeliveries(self._ctx, seed=seed, sleep=self.sleep)
        self.auth = Authenticator(
            self._ctx.store,
            [self.token],
            company_slug=company,
            company_id=self.company_id,
            wall_clock=self._wall_clock,
        )
        #: Booqable's API v1 over the same records (``/api/1/``, ``?api_key=``).
        self._v1 = V1Face(self._ctx, self._api, lambda: self.auth.tokens)

    # -- construction helpers -----------------------------------------------------------

    @classmethod
    def demo(
        cls,
        *,
        seed: int = 0,
        orders: int = 2000,
        customers: int = 500,
        product_groups: int = 50,
        **kwargs: Any,
    ) -> FakeBooqable:
        """Return a fake holding a deterministic demo company (see :meth:`seed_demo`)."""
        fake = cls(seed=seed, **kwargs)
        fake.seed_demo(orders=orders, customers=customers, product_groups=product_groups)
        return fake

    def seed_demo(
        self, *, orders: int = 2000, customers: int = 500, product_groups: int = 50
    ) -> DemoSummary:
        """Add the demo company (locations, products, stock, customers, orders).

        Product groups come with products and stock items; orders with lines and plannings.
        The same seed and sizes always produce the same records.
        """
        from booqable_async.testing._seed import seed_demo

        return seed_demo(
            self._ctx,
            seed=self.seed,
            orders=orders,
            customers=customers,
            product_groups=product_groups,
        )

    @property
    def base_url(self) -> str:
        """Base URL for the in-process transport (any host works in process)."""
        return f"https://{self.company}.booqable.com/api/4"

    @property
    def v1_base_url(self) -> str:
        """Base URL of the v1 face (``/api/1/``; the API key is :attr:`token`)."""
        return f"https://{self.company}.booqable.com/api/1"

    # -- records ------------------------------------------------------------------------

    def add(
        self, type_name: str, attributes: Mapping[str, Any] | None = None, /, **values: Any
    ) -> dict[str, Any]:
        """Store a record directly (no validation beyond attribute names) and return a copy.

        Missing attributes get the server's defaults; ``id`` may be given.

        Raises:
            UsageError: Unknown type or attribute, a union type, or an id in use.
        """
        merged = {**(attributes or {}), **values}
        schema = get_schema(type_name)
        if schema.polymorphic_types:
            raise UsageError(
                f"{type_name} is a union of {', '.join(schema.polymorphic_types)}; add one of those"
            )
        record = self._ctx.build(type_name, merged)
        if self._ctx.store.type_of(record["id"]) is not None:
            raise UsageError(f"id {record['id']} is already used")
        self._ctx.insert(type_name, record)
        return dict(record)

    def get(self, type_name: str, record_id: str) -> dict[str, Any] | None:
        """Return a copy of a stored record (any type, unions included), or None."""
        found = self._ctx.store.get(type_name, record_id)
        return None if found is None else dict(found[1])

    def all(self, type_name: str) -> list[dict[str, Any]]:
        """Return copies of every record of a type (or union), in insertion order."""
        return [dict(r) for _, r in self._ctx.store.iter(type_name)]

    def listed(self, type_name: str) -> list[dict[str, Any]]:
        """Return copies of a type's records in the order an unsorted list answers them.

        Orders come newest first (by ``created_at``, the later inserted first on ties), as
        Booqable lists them; every other type in insertion order, like :meth:`all`.
        """
        if type_name in NEWEST_FIRST:
            return [dict(r) for _, r in self._ctx.store.newest_first(type_name)]
        return self.all(type_name)

    def count(self, type_name: str) -> int:
        """Return how many records a type (or union) holds."""
        return self._ctx.store.count(type_name)

    def update(self, type_name: str, record_id: str, /, **changes: Any) -> dict[str, Any]:
        """Change stored attributes directly and return a copy of the record.

        Like a write through the API, a change moves ``updated_at`` to now unless
        ``changes`` sets it; values equal to the stored ones change nothing.

        Raises:
            UsageError: No such record or an unknown attribute.
        """
        found = self._ctx.store.get(type_name, record_id)
        if found is None:
            raise UsageError(f"no {type_name} record with id {record_id}")
        unknown = sorted(k for k in changes if k not in found[1] or k == "id")
        if unknown:
            raise UsageError(f"{found[0]} records have no attribute(s) {', '.join(unknown)}")
        record = found[1]
        moved = any(record[k] != v for k, v in changes.items())
        if moved and "updated_at" in record and "updated_at" not in changes:
            changes["updated_at"] = self._ctx.now()
        self._ctx.update(found[0], record, changes)
        return dict(found[1])

    def remove(self, type_name: str, record_id: str) -> None:
        """Delete a stored record outright (no archiving, no checks).

        Raises:
            UsageError: No such record.
        """
        found = self._ctx.store.get(type_name, record_id)
        if found is None:
            raise UsageError(f"no {type_name} record with id {record_id}")
        self._ctx.remove(found[0], found[1])

    def link(
        self, type_name: str, record_id: str, relationship: str, targets: Iterable[tuple[str, str]]
    ) -> None:
        """Point a relationship at explicit ``(type, id)`` targets.

        For relations the catalog gives no foreign key for (``coupons.coupon_items``,
        ``menus.menu_items``...); others follow their ``*_id`` attributes automatically.

        Raises:
            UsageError: No such record or relationship.
        """
        found = self._ctx.store.get(type_name, record_id)
        if found is None:
            raise UsageError(f"no {type_name} record with id {record_id}")
        if relationship not in get_schema(found[0]).relationships:
            raise UsageError(f"{found[0]} has no relationship {relationship!r}")
        self._ctx.store.link(found[0], record_id, relationship, list(targets))

    @property
    def deliveries(self) -> list[Delivery]:
        """Every webhook delivery attempt so far, oldest first (see :attr:`webhooks`)."""
        return list(self.webhooks.deliveries)

    # -- auth, limits, faults -----------------------------------------------------------

    def add_token(self, token: str) -> None:
        """Accept another access token."""
        if not token:
            raise UsageError("a token must be a non-empty string")
        self.auth.tokens.add(token)

    def revoke_token(self, token: str) -> None:
        """Stop accepting an access token."""
        self.auth.tokens.discard(token)

    def add_signing_key(
        self,
        algorithm: str,
        key: Any,
        *,
        kid: str | None = None,
        employee_id: str | None = None,
        name: str = "fake signing key",
    ) -> str:
        """Register a single-use authentication method and return its id (the JWT ``kid``).

        Args:
            algorithm: ``ES256``, ``RS256`` or ``HS256``.
            key: The shared secret (HS256) or the public (or private) key as PEM or as a
                ``cryptography`` key object.
            kid: Use this id instead of a generated one.
            employee_id: The employee the tokens act as (``sub``); default the fake's own.
            name: Label of the authentication method record.

        Raises:
            UsageError: Bad algorithm or key, or the ``signed`` extra is missing.
        """
        stored_key = public_key_text(algorithm, key)
        record = self.add(
            "authentication_methods",
            {
                **({"id": kid} if kid else {}),
                "kind": "single_use",
                "algorithm": algorithm,
                "key": stored_key,
                "name": name,
                "company_id": self.company_id,
                "employee_id": employee_id or self.employee_id,
            },
        )
        return str(record["id"])

    def fail_next(
        self,
        kind: str,
        times: int = 1,
        *,
        method: str | None = None,
        path_prefix: str | None = None,
        arg: float | None = None,
    ) -> FaultRule:
        """Make the next ``times`` matching requests fail with ``kind`` (see ``Fault.of``)."""
        if times < 1:
            raise UsageError(f"times must be >= 1, got {times}")
        rule = FaultRule(
            Fault.of(kind, arg),
            at=frozenset(range(1, times + 1)),
            method=method.upper() if method else None,
            path_prefix=path_prefix,
        )
        return self.faults.add(rule)

    @property
    def rate_limit(self) -> RateLimitConfig:
        """The request budget."""
        return self.limiter.config

    @rate_limit.setter
    def rate_limit(self, value: RateLimitConfig | str | tuple[int, float]) -> None:
        self.limiter = FixedWindowCounter(_as_rate_limit(value), self._clock)

    # -- the sans-I/O core --------------------------------------------------------------

    def _headers(self, content_type: str | None, extra: Iterable[tuple[str, str]] = ()) -> Headers:
        items: list[tuple[str, str]] = []
        if content_type:
            items.append(("Content-Type", content_type))
        items.extend(self.limiter.headers())
        items.append(
            ("X-Request-Id", str(uuid.UUID(int=self._request_ids.getrandbits(128), version=4)))
        )
        items.extend(extra)
        return Headers(items)

    def _respond(self, answer: Answer, url: str, method: str) -> HttpResponse:
        body = b"" if answer.document is None else _encode(answer.document)
        if method == "HEAD":
            body = b""
        headers = self._headers(answer.content_type, answer.headers)
        return HttpResponse(answer.status, headers, body, url=url)

    def _error_answer(self, status: int, retry_after: float | None = None) -> Answer:
        code, title, detail = _STATUS_TITLES.get(status, ("error", "Error", "Injected failure"))
        err = simple_error(status, code, title, detail)
        extra = () if retry_after is None else (("Retry-After", f"{retry_after:g}"),)
        return Answer(status, err.document, err.content_type, extra)

    def _process(self, request: HttpRequest, path: str, query: str) -> Answer:
        if path.startswith(V1_PREFIX):
            return self._v1.answer(
                request.method.upper(),
                path,
                query,
                request.body,
                require_auth=self.require_auth,
                limiter=self.limiter,
            )
        fullpath = path + (f"?{query}" if query else "")
        try:
            if self.require_auth:
                self.auth.check(
                    request.method, fullpath, request.headers.get("Authorization"), request.body
                )
            if not self.limiter.take():
                retry = self.limiter.seconds_left() if self.limiter.config.retry_after else None
                return self._error_answer(429, retry)
            params = parse_query(query)
            return self._api.handle(request.method, path, params, request.body)
        except FakeError as exc:
            return Answer(exc.status, exc.document, exc.content_type, exc.headers)
        except UsageError as exc:
            # Invalid data met while processing (e.g. an unknown attribute in a hook): 400.
            err = simple_error(400, "bad_request", "Request Error", str(exc))
            return Answer(400, err.document, err.content_type)
        except Exception:
            if self.raise_server_errors:
                raise
            logger.exception("FakeBooqable failed on %s %s", request.method, path)
            return self._error_answer(500)

    def handle(self, request: HttpRequest) -> Outcome:
        """Decide the answer to one request (no I/O; transports deliver the outcome).

        Order: injected faults that pre-empt the server, then authentication, the rate
        limit and the API itself, then faults that strike after processing.
        """
        parts = urlsplit(request.url)
        path, query = parts.path or "/", parts.query
        method = request.method.upper()
        fault = self.faults.decide(method, path)
        kind = fault.kind if fault is not None else None
        if fault is not None and fault.preempts:
            outcome = self._preempt(fault, request.url, method)
            status = 0 if outcome.reset else outcome.response.status
            self.requests.append(RequestLog(method, path, query, status, kind, False))
            return outcome
        answer = self._process(request, path, query)
        if fault is not None and kind == "fail_after":
            answer = self._error_answer(fault.status)
        response = self._respond(answer, request.url, method)
        self.requests.append(
            RequestLog(
                method, path, query, 0 if kind == "reset_after" else response.status, kind, True
            )
        )
        if kind == "reset_after":
            return Outcome(response, reset="after")
        if kind == "truncate":
            return Outcome(response, truncate=True)
        if kind == "delay":
            return Outcome(response, delay=fault.delay if fault else 0.0)
        return Outcome(response)

    def _preempt(self, fault: Fault, url: str, method: str) -> Outcome:
        if fault.kind == "reset_before":
            return Outcome(HttpResponse(0, url=url), reset="before")
        if fault.kind == "html502":
            headers = Headers([("Content-Type", "text/html"), ("Server", "nginx")])
            return Outcome(HttpResponse(502, headers, HTML_502, url=url))
        answer = self._error_answer(fault.status, fault.retry_after)
        return Outcome(self._respond(answer, url, method))

    # -- serving ------------------------------------------------------------------------

    def transport(self) -> FakeTransport:
        """Return an in-process :class:`~booqable_async.transport.Transport` (no sockets)."""
        from booqable_async.testing._transport import FakeTransport

        return FakeTransport(self)

    def client(self, **options: Any) -> BooqableClient:
        """Return a :class:`~booqable_async.BooqableClient` talking to this fake in process.

        The client is ready to use: its base URL is :attr:`base_url`, its token
        :attr:`token` (the one this fake accepts) and its transport a fresh
        :meth:`transport` (no sockets, bound to no event loop). Close it as any client
        (``async with fake.client() as client:``).

        Args:
            **options: Any other :class:`~booqable_async.BooqableClient` argument
                (``retry=``, ``max_concurrency=``, ``hooks=``, ``registry=``...);
                ``token=``/``auth=`` replace the fake's token (to rehearse a 401).

        Returns:
            A new client; every call returns another one (they share this fake's data).
        """
        from booqable_async._client import BooqableClient

        settings: dict[str, Any] = {"base_url": self.base_url, **options}
        if "auth" not in settings:
            settings.setdefault("token", self.token)
        if "transport" not in settings:
            settings["transport"] = self.transport()
        return BooqableClient(**settings)

    def v1_client(self, **options: Any) -> BooqableV1Client:
        """Return a :class:`~booqable_async.v1.BooqableV1Client` talking to this fake in process.

        Its base URL is :attr:`v1_base_url`, its ``api_key`` :attr:`token` and its
        transport a fresh :meth:`transport`, as for :meth:`client`.

        Args:
            **options: Any other ``BooqableV1Client`` argument; ``api_key=``/``auth=``
                replace the fake's key (to rehearse a 401).
        """
        from booqable_async.v1 import BooqableV1Client

        settings: dict[str, Any] = {"base_url": self.v1_base_url, **options}
        if "auth" not in settings:
            settings.setdefault("api_key", self.token)
        if "transport" not in settings:
            settings["transport"] = self.transport()
        return BooqableV1Client(**settings)

    def app(self) -> web.Application:
        """Return an ``aiohttp.web.Application`` serving this fake."""
        from booqable_async.testing._aiohttp import make_app

        return make_app(self)

    def serve(self, host: str = "127.0.0.1", port: int = 0) -> ServedFake:
        """Serve over HTTP; ``async with fake.serve() as served: served.base_url``."""
        from booqable_async.testing._aiohttp import ServedFake

        return ServedFake(self, host, port)

    def __repr__(self) -> str:
        types = sum(1 for _ in self._ctx.store.types())
        return f"FakeBooqable(company={self.company!r}, seed={self.seed}, types={types})"
