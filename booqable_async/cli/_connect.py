"""Where the command's requests go: real Booqable, or the embedded demo company.

Credentials come from ``--token``/``--company``/``--base-url`` or ``BOOQABLE_API_KEY``/
``BOOQABLE_COMPANY``/``BOOQABLE_BASE_URL``. With ``--demo`` the command starts
:class:`~booqable_async.testing.FakeBooqable` with its deterministic demo company in this
process and talks to it through its in-process transport: no socket, no network. Without
credentials and without ``--demo`` it refuses to run: a cron job whose environment lost its
variables must fail, not write the demo company's records where real ones belong.

:class:`Backend` is the seam between the commands and the client: what a command needs
(list with a paginator, get, one page for stats, export a record as a dict).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import IO, TYPE_CHECKING, Any

import attrs

from booqable_async.errors import UsageError
from booqable_async.pagination import Page, Paginator, ResumePoint
from booqable_async.query import Query
from booqable_async.session import ENV_API_KEY, ENV_BASE_URL, ENV_COMPANY

if TYPE_CHECKING:
    from booqable_async._client import BooqableClient

__all__ = ["Backend", "Connection", "open_backend", "resolve_connection"]

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

    def __repr__(self) -> str:
        where = "demo" if self.demo else (self.base_url or self.company)
        return f"Connection({where!r})"


def resolve_connection(options: Mapping[str, Any], environ: Mapping[str, str]) -> Connection:
    """Decide where requests go from the command-line options and the environment.

    Args:
        options: ``token``, ``company``, ``base_url``, ``demo``, ``demo_seed``,
            ``demo_orders``, ``retries``, ``timeout`` (absent ones ignored).
        environ: The environment (``os.environ``).

    Returns:
        The connection settings.

    Raises:
        UsageError: No credentials and no ``--demo``, or incomplete credentials (a token
            without a company, or the reverse).
    """
    token = options.get("token") or environ.get(ENV_API_KEY) or None
    company = options.get("company") or None
    base_url = options.get("base_url") or None
    if company is None and base_url is None:
        base_url = environ.get(ENV_BASE_URL) or None
        if base_url is None:
            company = environ.get(ENV_COMPANY) or None
    common: dict[str, Any] = {
        "demo_seed": options.get("demo_seed") or 0,
        "demo_orders": DEMO_ORDERS
        if options.get("demo_orders") is None
        else options["demo_orders"],
        "retries": options.get("retries"),
        "timeout": options.get("timeout"),
    }
    if options.get("demo"):
        return Connection(demo=True, reason="--demo", **common)
    if token is None and company is None and base_url is None:
        raise UsageError(
            f"no credentials: set {ENV_COMPANY} and {ENV_API_KEY} (or pass --company and "
            "--token), or pass --demo for the embedded demo company"
        )
    if token is None:
        raise UsageError(
            f"no access token: set {ENV_API_KEY} or pass --token (or use --demo for the "
            "embedded demo company)"
        )
    if company is None and base_url is None:
        raise UsageError(
            f"which company? set {ENV_COMPANY} (as in SLUG.booqable.com) or {ENV_BASE_URL}, "
            "or pass --company/--base-url"
        )
    return Connection(demo=False, token=token, company=company, base_url=base_url, **common)


class Backend:
    """What the commands need from a :class:`~booqable_async.BooqableClient`: the seam.

    List with a paginator, one page (stats ride on it), get one record, export a record
    as a JSON-ready dict. The commands only talk to this; the client behind it is the
    real one, wired to Booqable or to the embedded fake.

    Args:
        client: An open client (closed by :meth:`aclose`).
        cleanup: Extra things to close after the client (the fake's transport).
    """

    def __init__(self, client: BooqableClient, cleanup: Sequence[Any] = ()) -> None:
        self._client = client
        self._cleanup = tuple(cleanup)

    def _facade(self, resource: str) -> Any:
        # The facade class is chosen at run time from the resource name, so its methods
        # are looked up by name; the schema check before guarantees they exist.
        return self._client.resource(resource)

    def list(
        self,
        resource: str,
        query: Query,
        *,
        concurrency: int,
        resume_from: ResumePoint | None,
        on_page: Callable[[int, int, int | None], object] | None,
    ) -> Paginator[Any]:
        """Return ``client.resource(resource).list(query, ...)``."""
        paginator: Paginator[Any] = self._facade(resource).list(
            query, concurrency=concurrency, resume_from=resume_from, on_page=on_page
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

    async def aclose(self) -> None:
        """Close the client, then the fake's transport (if any)."""
        try:
            await self._client.aclose()
        finally:
            for item in self._cleanup:
                await item.aclose()


async def open_backend(connection: Connection, stderr: IO[str]) -> Backend:
    """Create the client for ``connection`` (starting the embedded fake if asked).

    Args:
        connection: Where requests go.
        stderr: Where the one-line demo note goes.

    Returns:
        An open backend; close it with ``aclose()``.

    Raises:
        UsageError: Invalid settings (a malformed base URL...), before any I/O.
    """
    from booqable_async._client import BooqableClient
    from booqable_async.retry import RetryPolicy

    options: dict[str, Any] = {}
    if connection.retries is not None:
        options["retry"] = RetryPolicy(max_attempts=connection.retries + 1)
    if connection.timeout is not None:
        options["timeout"] = connection.timeout
    if not connection.demo:
        client = BooqableClient(
            token=connection.token,
            company=connection.company,
            base_url=connection.base_url,
            **options,
        )
        return Backend(client)
    from booqable_async.testing import FakeBooqable

    started = time.perf_counter()
    fake = FakeBooqable.demo(seed=connection.demo_seed, orders=connection.demo_orders)
    elapsed = time.perf_counter() - started
    print(
        f"booqable: {connection.reason}: using the embedded demo company (FakeBooqable seed "
        f"{connection.demo_seed}, {fake.count('orders'):,} orders, {fake.count('customers'):,} "
        f"customers, built in {elapsed * 1000:.0f} ms, in this process: nothing leaves it)",
        file=stderr,
        flush=True,
    )
    return Backend(fake.client(**options))
