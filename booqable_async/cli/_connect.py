"""Where the command's requests go: real Booqable, or the embedded demo company.

Credentials come from ``--token``/``--company``/``--base-url`` or ``BOOQABLE_API_KEY``/
``BOOQABLE_COMPANY``/``BOOQABLE_BASE_URL`` (``BOOQABLE_V1_BASE_URL`` for the ``booqable
v1`` commands, whose token is the v1 API key). With ``--demo`` the command starts
:class:`~booqable_async.testing.FakeBooqable` with its deterministic demo company in this
process and talks to it through its in-process transport: no socket, no network. Without
credentials and without ``--demo`` it refuses to run: a cron job whose environment lost its
variables must fail, not write the demo company's records where real ones belong.

:class:`Backend` is the seam between the commands and the client: what a command needs
(list with a paginator, get, one page for stats, export a record as a dict, the CSV
header). :class:`~booqable_async.cli._v1.V1Backend` is the same seam over API v1.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import IO, TYPE_CHECKING, Any, Literal, Protocol, Union

import attrs

from booqable_async.errors import UsageError
from booqable_async.pagination import Page, Paginator, ResumePoint
from booqable_async.query import Query
from booqable_async.session import ENV_API_KEY, ENV_BASE_URL, ENV_COMPANY

if TYPE_CHECKING:
    from typing import TypeAlias

    from booqable_async._client import BooqableClient
    from booqable_async.cli._pull import PullOptions
    from booqable_async.cli._v1 import V1Backend
    from booqable_async.cli._writers import Column
    from booqable_async.testing import FakeBooqable
    from booqable_async.transport import Transport

__all__ = [
    "AnyBackend",
    "Backend",
    "ClientSeam",
    "Connection",
    "open_backend",
    "resolve_connection",
]

#: Which API a command speaks.
Api = Literal["v4", "v1"]

#: The embedded demo company's default size (FakeBooqable.demo's).
DEMO_ORDERS = 2000


@attrs.frozen(repr=False)
class Connection:
    """Resolved connection settings (the token is never shown in a repr).

    Attributes:
        demo: Use the embedded demo company.
        reason: Why the demo is used (``--demo``), for the one-line note.
        token: Access token (real Booqable only).
        company: Company slug.
        base_url: API root.
        demo_seed: Seed of the demo company.
        demo_orders: Orders in the demo company.
        retries: Retries after a failed attempt (``None``: the client's default).
        timeout: Seconds per attempt (``None``: the client's default).
        api: ``v4``, or ``v1`` for the ``booqable v1`` commands (the token is then the
            v1 API key, and ``base_url`` a v1 root).
    """

    demo: bool
    reason: str = ""
    token: str | None = None
    company: str | None = None
    base_url: str | None = None
    demo_seed: int = 0
    demo_orders: int = DEMO_ORDERS
    retries: int | None = None
    timeout: float | None = None
    api: Api = "v4"

    def __repr__(self) -> str:
        where = "demo" if self.demo else (self.base_url or self.company)
        api = ", api='v1'" if self.api == "v1" else ""
        return f"Connection({where!r}{api})"


def resolve_connection(options: Mapping[str, Any], environ: Mapping[str, str]) -> Connection:
    """Decide where requests go from the command-line options and the environment.

    Args:
        options: ``token``, ``company``, ``base_url``, ``demo``, ``demo_seed``,
            ``demo_orders``, ``retries``, ``timeout``, ``api`` (absent ones ignored).
        environ: The environment (``os.environ``).

    Returns:
        The connection settings.

    Raises:
        UsageError: No credentials and no ``--demo``, or incomplete credentials (a token
            without a company, or the reverse).
    """
    api: Api = "v1" if options.get("api") == "v1" else "v4"
    env_base_url = ENV_BASE_URL
    if api == "v1":
        # v4's BOOQABLE_BASE_URL points at /api/4/: a v1 root has a variable of its own.
        from booqable_async.v1 import ENV_V1_BASE_URL

        env_base_url = ENV_V1_BASE_URL
    token = options.get("token") or environ.get(ENV_API_KEY) or None
    company = options.get("company") or None
    base_url = options.get("base_url") or None
    if company is None and base_url is None:
        base_url = environ.get(env_base_url) or None
        if base_url is None:
            company = environ.get(ENV_COMPANY) or None
    common: dict[str, Any] = {
        "demo_seed": options.get("demo_seed") or 0,
        "demo_orders": DEMO_ORDERS
        if options.get("demo_orders") is None
        else options["demo_orders"],
        "retries": options.get("retries"),
        "timeout": options.get("timeout"),
        "api": api,
    }
    if options.get("demo"):
        return Connection(demo=True, reason="--demo", **common)
    if token is None and company is None and base_url is None:
        raise UsageError(
            f"no credentials: set {ENV_COMPANY} and {ENV_API_KEY} (or pass --company and "
            "--token), or pass --demo for the embedded demo company"
        )
    if token is None:
        what = "API key" if api == "v1" else "access token"
        raise UsageError(
            f"no {what}: set {ENV_API_KEY} or pass --token (or use --demo for the "
            "embedded demo company)"
        )
    if company is None and base_url is None:
        raise UsageError(
            f"which company? set {ENV_COMPANY} (as in SLUG.booqable.com) or {env_base_url}, "
            "or pass --company/--base-url"
        )
    return Connection(demo=False, token=token, company=company, base_url=base_url, **common)


class _Closable(Protocol):
    async def aclose(self) -> None: ...


class ClientSeam:
    """The lifecycle both backends share: an open client and what to close after it.

    Args:
        client: An open client (closed by :meth:`aclose`).
        cleanup: Extra things to close after the client (the fake's transport).
    """

    def __init__(self, client: _Closable, cleanup: Sequence[Any] = ()) -> None:
        self._client = client
        self._cleanup = tuple(cleanup)

    async def aclose(self) -> None:
        """Close the client, then the fake's transport (if any)."""
        try:
            await self._client.aclose()
        finally:
            for item in self._cleanup:
                await item.aclose()


class Backend(ClientSeam):
    """What the commands need from a :class:`~booqable_async.BooqableClient`: the seam.

    List with a paginator, one page (stats ride on it), get one record, export a record
    as a JSON-ready dict, the CSV header. The commands only talk to this; the client
    behind it is the real one, wired to Booqable or to the embedded fake.

    Args:
        client: An open client (closed by :meth:`aclose`).
        cleanup: Extra things to close after the client (the fake's transport).
    """

    _client: BooqableClient

    def __init__(self, client: BooqableClient, cleanup: Sequence[Any] = ()) -> None:
        super().__init__(client, cleanup)

    def _facade(self, resource: str) -> Any:
        # The facade class is chosen at run time from the resource name, so its methods
        # are looked up by name; the schema check before guarantees they exist.
        return self._client.resource(resource)

    def list(
        self,
        options: PullOptions,
        *,
        resume_from: ResumePoint | None,
        on_page: Callable[[int, int, int | None], object] | None,
    ) -> Paginator[Any]:
        """Return ``client.resource(resource).list(query, ...)`` for a pull."""
        paginator: Paginator[Any] = self._facade(options.resource).list(
            options.query,
            concurrency=options.concurrency,
            resume_from=resume_from,
            on_page=on_page,
        )
        return paginator

    async def first_page(self, resource: str, query: Query) -> Page[Any]:
        """Return the first page of ``client.resource(resource).list(query)``."""
        page: Page[Any] = await self._facade(resource).list(query)
        return page

    async def get(
        self,
        resource: str,
        record_id: str,
        *,
        include: Sequence[str],
        fields: Mapping[str, Sequence[str]] | None,
    ) -> Any:
        """Return ``client.resource(resource).get(record_id, include=..., fields=...)``."""
        return await self._facade(resource).get(
            record_id, include=list(include) or None, fields=fields
        )

    def export(self, record: Any, embed: int) -> dict[str, Any]:
        """Export with :func:`booqable_async.jsonapi.to_dict`."""
        from booqable_async.jsonapi import to_dict

        return to_dict(record, embed=embed)

    def columns(self, options: PullOptions) -> Sequence[Column]:
        """The CSV header of a pull, from the catalog (see ``csv_columns``)."""
        from booqable_async.cli._writers import csv_columns

        query = options.query
        return csv_columns(
            options.resource,
            query.includes,
            dict(query.fieldsets),
            dict(query.extra_fieldsets),
        )


#: Either seam: the commands use only what both offer.
AnyBackend: TypeAlias = Union[Backend, "V1Backend"]


async def open_backend(
    connection: Connection, stderr: IO[str], *, transport: Transport | None = None
) -> AnyBackend:
    """Create the client for ``connection`` (starting the embedded fake if asked).

    Args:
        connection: Where requests go (and which API: v4, or v1).
        stderr: Where the one-line demo note goes.
        transport: The transport of a real client (default: aiohttp); the demo company
            has its own.

    Returns:
        An open backend; close it with ``aclose()``.

    Raises:
        UsageError: Invalid settings (a malformed base URL...), before any I/O.
    """
    from booqable_async.retry import RetryPolicy

    options: dict[str, Any] = {}
    if connection.retries is not None:
        options["retry"] = RetryPolicy(max_attempts=connection.retries + 1)
    if connection.timeout is not None:
        options["timeout"] = connection.timeout
    where: dict[str, Any] = {"company": connection.company, "base_url": connection.base_url}
    if connection.api == "v1":
        from booqable_async.cli._v1 import V1Backend
        from booqable_async.v1 import BooqableV1Client

        if not connection.demo:
            client = BooqableV1Client(
                api_key=connection.token, transport=transport, **where, **options
            )
            return V1Backend(client)
        fake = _demo(connection, stderr, " through its API v1 face")
        return V1Backend(fake.v1_client(**options))
    from booqable_async._client import BooqableClient

    if not connection.demo:
        return Backend(
            BooqableClient(token=connection.token, transport=transport, **where, **options)
        )
    return Backend(_demo(connection, stderr).client(**options))


def _demo(connection: Connection, stderr: IO[str], face: str = "") -> FakeBooqable:
    """Build the demo company and say so in one line."""
    from booqable_async.testing import FakeBooqable

    started = time.perf_counter()
    fake = FakeBooqable.demo(seed=connection.demo_seed, orders=connection.demo_orders)
    elapsed = time.perf_counter() - started
    print(
        f"booqable: {connection.reason}: using the embedded demo company (FakeBooqable seed "
        f"{connection.demo_seed}, {fake.count('orders'):,} orders, {fake.count('customers'):,} "
        f"customers, built in {elapsed * 1000:.0f} ms, in this process: nothing leaves it)"
        f"{face}",
        file=stderr,
        flush=True,
    )
    return fake
