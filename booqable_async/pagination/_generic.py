"""``paginate``: the one Paginator over any API's pages, as its profile's page style reads them.

The typed Booqable v4 facades build their fetch functions from JSON:API documents; for
any other API (Booqable v1, the clients in ``examples/``) this module builds one from a
session, a path and a :class:`~booqable_async.protocol.PageStyle`, so every API gets the
same concurrent, ordered, resumable iteration (docs/profiles.md, "Pages")::

    customers = paginate(session, "customers", decode=Customer.from_json,
                         params={"q": "jane"})
    async for customer in customers: ...
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeVar
from urllib.parse import parse_qsl

from booqable_async.errors import UsageError
from booqable_async.pagination._page import DeferredPage, Page, ResumePoint
from booqable_async.pagination._paginator import Paginator
from booqable_async.protocol import PageStyle, QueryParams, render_query
from booqable_async.query import Query

if TYPE_CHECKING:
    from booqable_async.session import Session

__all__ = ["paginate"]

T = TypeVar("T")


def paginate(
    session: Session,
    path: str | Sequence[str],
    *,
    decode: Callable[[Any], T],
    params: QueryParams | None = None,
    style: PageStyle | None = None,
    size: int | None = None,
    concurrency: int = 4,
    prefetch: int | None = None,
    dedupe: bool = False,
    on_total_mismatch: Literal["warn", "raise", "ignore"] = "warn",
    resume_from: ResumePoint | None = None,
    id_of: Callable[[T], Hashable] | None = None,
    on_page: Callable[[int, int, int | None], object] | None = None,
) -> Paginator[T]:
    """Return a :class:`Paginator` over ``GET path`` as ``style`` pages it.

    Nothing is sent until the paginator is awaited or iterated; every page goes
    through the session (auth, limiter, retries), and each is decoded when the
    consumer reaches it.

    Args:
        session: The session (its profile's page style is the default).
        path: Path of the listing under the API root.
        decode: Turns one record (parsed JSON) into the value delivered; what it
            raises stops the iteration (a ``DecodeError`` says where).
        params: Filters and other query parameters of the listing (paging excluded).
        style: The page style; ``None`` takes ``session.profile.pages``.
        size: Records per page (default: the style's).
        concurrency: Most page requests in flight at once.
        prefetch: Most pages fetched ahead of the consumer.
        dedupe: Drop records whose id was delivered already.
        on_total_mismatch: ``"warn"``, ``"raise"`` or ``"ignore"`` when the count
            delivered differs from the API's total.
        resume_from: Continue an interrupted iteration of the same listing.
        id_of: The de-duplication key of a record (default: its ``id``).
        on_page: ``on_page(page_number, records_so_far, total_or_None)`` per page.

    Returns:
        The paginator.

    Raises:
        UsageError: A bad parameter, a size over the style's maximum, or a resume
            point of another listing (before any I/O).
    """
    pages = session.profile.pages if style is None else style
    if size is None:
        size = pages.default_size
    maximum = pages.max_size
    if maximum is not None and isinstance(size, int) and size > maximum:
        raise UsageError(f"page size {size} is over this API's maximum of {maximum}")
    # Rendered once: bad parameters fail here, and the pairs identify the listing when
    # a resume point comes back.
    identity = tuple(parse_qsl(render_query(params), keep_blank_values=True))

    async def fetch(query: Query) -> DeferredPage[T]:
        number = query.page_number or 1
        page_size = query.page_size or size
        wanted = query.has_stat("total", "count")
        response = await session.request(
            "GET",
            path,
            params=[*identity, *pages.params(number, page_size, wanted)],
            parse=False,
        )

        def build() -> Page[T]:
            body = pages.read(response.json())
            return Page(
                [decode(item) for item in body.items],
                meta=body.meta,
                links=body.links,
                total=body.total,
            )

        return DeferredPage(build)

    return Paginator(
        fetch,
        Query().page(size=size),
        concurrency=concurrency,
        prefetch=prefetch,
        dedupe=dedupe,
        on_total_mismatch=on_total_mismatch,
        resume_from=resume_from,
        id_of=id_of,
        on_page=on_page,
        params=identity,
    )
