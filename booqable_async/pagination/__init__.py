"""Pages and records of a listing: ``Paginator``, ``Page``, ``ResumePoint``, ``changes_since``.

The paginator is generic over a fetch function (``async fetch(query) -> Page[T]``, or a
``DeferredPage[T]`` decoded when the consumer reaches it), so it knows nothing about HTTP
or decoding; the typed facades supply that function::

    paginator = Paginator(fetch, Query().where(status="reserved").page(size=100))
    first = await paginator                # Page[T]
    async for record in paginator: ...      # every record, in order
    async for page in paginator.pages(): ...

See docs/pagination.md for resuming, de-duplication and the incremental-sync recipe, and
:func:`paginate` for the pages of other APIs (docs/profiles.md).
"""

from __future__ import annotations

from booqable_async.pagination._changes import (
    DEFAULT_OVERLAP,
    ChangeFeed,
    changes_since,
    parse_timestamp,
)
from booqable_async.pagination._generic import paginate
from booqable_async.pagination._page import DeferredPage, Page, ResumePoint, default_id
from booqable_async.pagination._paginator import (
    ItemStream,
    PageStream,
    PaginationWarning,
    Paginator,
)

__all__ = [
    "DEFAULT_OVERLAP",
    "ChangeFeed",
    "DeferredPage",
    "ItemStream",
    "Page",
    "PageStream",
    "PaginationWarning",
    "Paginator",
    "ResumePoint",
    "changes_since",
    "default_id",
    "paginate",
    "parse_timestamp",
]
