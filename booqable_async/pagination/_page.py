"""``Page`` (one fetched page) and ``ResumePoint`` (where an interrupted iteration continues)."""

from __future__ import annotations

from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Hashable,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from typing import Any, Generic, Protocol, TypeVar

import attrs
import msgspec

from booqable_async._validation import is_int
from booqable_async.errors import UsageError
from booqable_async.query import Query

__all__ = [
    "DeferredPage",
    "Fetch",
    "Page",
    "ResumePoint",
    "collect",
    "default_id",
    "query_fingerprint",
    "resolve",
]

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class _ClosingIterator(Protocol[T_co]):
    def __aiter__(self) -> AsyncIterator[T_co]: ...

    def aclose(self) -> Awaitable[None]: ...


async def collect(
    iterator: _ClosingIterator[T], limit: int | None, acknowledge: Callable[[], None]
) -> list[T]:
    """Gather up to ``limit`` records from ``iterator``, then close it.

    Args:
        iterator: A record stream with ``aclose()``.
        limit: Most records to gather; ``None`` for all.
        acknowledge: Marks the last record returned as done (progress, high-water mark),
            since no "next record" request will do it when the limit stops the loop.

    Raises:
        UsageError: ``limit`` is negative or not an int.
    """
    if limit is not None and (not is_int(limit) or limit < 0):
        raise UsageError(f"limit must be None or an int >= 0, got {limit!r}")
    items: list[T] = []
    try:
        if limit == 0:
            return items
        async for item in iterator:
            items.append(item)
            if limit is not None and len(items) >= limit:
                acknowledge()
                break
    finally:
        await iterator.aclose()
    return items


def _total_from_meta(meta: Mapping[str, Any]) -> int | None:
    # ``stats[total]=count`` answers ``meta.stats.total.count`` (intro "Stats"; the Ruby gem
    # paginates on it). Anything else in that place means "unknown", never a guess.
    stats = meta.get("stats")
    total = stats.get("total") if isinstance(stats, Mapping) else None
    count = total.get("count") if isinstance(total, Mapping) else None
    if is_int(count) and count >= 0:
        return count
    return None


@attrs.frozen(repr=False)
class Page(Generic[T]):
    """One page of a listing.

    Attributes:
        data: The page's records, in the server's order.
        meta: The document's top-level ``meta`` (``stats`` live under it).
        links: The document's top-level ``links`` (``self``/``first``/``last``).
        number: The 1-based page number this page was fetched as.
        size: The page size asked for.
        total: Records in the whole filtered collection, when the server said
            (``meta.stats.total.count``); derived from ``meta`` unless given.
        raw: Whatever the fetch function wants to keep (the decoded document...); not
            compared and not shown.
    """

    data: tuple[T, ...] = attrs.field(converter=tuple)
    meta: Mapping[str, Any] = attrs.field(factory=dict)
    links: Mapping[str, Any] = attrs.field(factory=dict)
    number: int | None = None
    size: int | None = None
    total: int | None = attrs.field(
        default=attrs.Factory(lambda self: _total_from_meta(self.meta), takes_self=True)
    )
    raw: Any = attrs.field(default=None, eq=False)

    @property
    def stats(self) -> Mapping[str, Any]:
        """``meta.stats``: the requested statistics (``{"total": {"count": 237}, ...}``)."""
        stats = self.meta.get("stats")
        return stats if isinstance(stats, Mapping) else {}

    def __len__(self) -> int:
        return len(self.data)

    def __iter__(self) -> Iterator[T]:
        return iter(self.data)

    def __repr__(self) -> str:
        return (
            f"Page(number={self.number}, size={self.size}, items={len(self.data)}, "
            f"total={self.total})"
        )


@attrs.frozen(repr=False)
class DeferredPage(Generic[T]):
    """A page that arrived but is decoded only when the consumer reaches it.

    A fetch function may return one instead of a :class:`Page`. Pages fetched ahead of
    the consumer then wait as their compact response bodies (bytes) rather than as
    decoded object graphs, which the garbage collector would walk again and again while
    they wait (measured in benchmarks/bench_pull.py: most of what holding pages ahead
    cost). The typed facades' ``list()`` and ``search()`` return these.

    Attributes:
        decode: Builds the :class:`Page`; called at most once, when the page's turn
            comes. What it raises (``DecodeError``...) stops the iteration as a failed
            fetch would.
    """

    decode: Callable[[], Page[T]]

    def __repr__(self) -> str:
        return "DeferredPage(...)"


#: What a paginator's fetch function returns: a page, or one decoded when reached.
Fetch = Callable[[Query], Awaitable["Page[T] | DeferredPage[T]"]]


def resolve(page: Page[T] | DeferredPage[T]) -> Page[T]:
    """Return ``page`` itself, or the page a :class:`DeferredPage` decodes to.

    Raises:
        UsageError: The fetch function returned something else.
    """
    if isinstance(page, Page):
        return page
    if isinstance(page, DeferredPage):
        decoded = page.decode()
        if not isinstance(decoded, Page):
            raise UsageError(f"a DeferredPage must decode to a Page, got {type(decoded).__name__}")
        return decoded
    raise UsageError(
        f"the fetch function must return a Page or a DeferredPage, got {type(page).__name__}"
    )


def default_id(item: object) -> Hashable:
    """Return ``item.id`` (or ``item["id"]`` for mappings): the default de-duplication key.

    Raises:
        UsageError: The item has no id; pass ``id_of=`` to say how to identify records.
    """
    try:
        value = item["id"] if isinstance(item, Mapping) else item.id  # type: ignore[attr-defined]
    except (KeyError, AttributeError):
        raise UsageError(
            f"cannot de-duplicate {type(item).__name__} records: no 'id'; pass id_of="
        ) from None
    if not isinstance(value, Hashable):
        raise UsageError(f"record id {value!r} is not hashable; pass id_of=")
    return value


def query_fingerprint(query: Query) -> tuple[tuple[str, str], ...]:
    """Return what identifies ``query``'s result set: its params without paging.

    Search conditions (which travel in the body, not the query string) are added as a
    canonical JSON pair so two searches with different conditions never match.
    """
    pairs = query.without_page().to_params()
    if query.conditions is not None:
        text = msgspec.json.encode(query.conditions.to_json(), order="sorted").decode()
        pairs.append(("search", text))
    return tuple(pairs)


def _int(
    data: Mapping[str, Any],
    key: str,
    minimum: int,
    default: int | None = None,
    *,
    optional: bool = False,
) -> Any:
    value = data.get(key, default)
    if optional and value is None:
        return None
    if not is_int(value) or value < minimum:
        raise UsageError(f"resume point: {key!r} must be an int >= {minimum}, got {value!r}")
    return value


def _pairs(value: Iterable[Sequence[str]]) -> tuple[tuple[str, str], ...]:
    return tuple((k, v) for k, v in value)


@attrs.frozen
class ResumePoint:
    """Where an interrupted iteration continues; JSON-serialisable via :meth:`to_dict`.

    Attributes:
        page_number: The first page not completely delivered.
        page_size: Page size of the iteration (page numbers only mean something with it).
        skip: Records of ``page_number`` already delivered (skipped when resuming).
        items_yielded: Records delivered so far (progress and total checks continue from it).
        params: The query's parameters without paging; resuming checks they match.
        cursor: For :func:`changes_since`: the ISO 8601 ``updated_at`` position.
        total: The server's total when it was known.
    """

    page_number: int
    page_size: int
    skip: int = 0
    items_yielded: int = 0
    params: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_pairs)
    cursor: str | None = None
    total: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (store it; rebuild with :meth:`from_dict`)."""
        return {
            "page_number": self.page_number,
            "page_size": self.page_size,
            "skip": self.skip,
            "items_yielded": self.items_yielded,
            "params": [[k, v] for k, v in self.params],
            "cursor": self.cursor,
            "total": self.total,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ResumePoint:
        """Rebuild a resume point from :meth:`to_dict` output.

        Raises:
            UsageError: ``data`` is not a resume point.
        """
        if not isinstance(data, Mapping):
            raise UsageError(f"resume point must be a mapping, got {type(data).__name__}")
        params = data.get("params", [])
        if not isinstance(params, list) or not all(
            isinstance(p, (list, tuple))
            and len(p) == 2
            and all(isinstance(part, str) for part in p)
            for p in params
        ):
            raise UsageError("resume point: 'params' must be a list of [key, value] strings")
        cursor = data.get("cursor")
        if cursor is not None and not isinstance(cursor, str):
            raise UsageError(f"resume point: 'cursor' must be a string, got {cursor!r}")
        return cls(
            page_number=_int(data, "page_number", 1),
            page_size=_int(data, "page_size", 1),
            skip=_int(data, "skip", 0, default=0),
            items_yielded=_int(data, "items_yielded", 0, default=0),
            params=params,
            cursor=cursor,
            total=_int(data, "total", 0, optional=True),
        )
