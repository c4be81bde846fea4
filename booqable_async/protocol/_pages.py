"""Page styles: how an API numbers its pages and where a page's records and total are.

Pure functions over query pairs and parsed bodies, no I/O. An API profile names its
style (docs/profiles.md, "Pages"); :func:`booqable_async.pagination.paginate` drives any
of them with the one :class:`~booqable_async.pagination.Paginator`, which plans pages by
number once the total is known and fetches them concurrently:

- :class:`GraphitiPages`: ``page[number]``/``page[size]``, the total asked for with
  ``stats[total]=count`` and answered in ``meta.stats.total.count`` (Booqable v4);
- :class:`NumberedPages`: ``page``/``per``, the records under a root key and the total
  in ``meta.total_count`` (Booqable v1);
- :class:`OffsetPages`: ``limit``/``offset``, ``{"count", "next", "previous",
  "results"}`` (Booga Enterprise). Page *n* is ``offset=(n-1)*limit``, the very request
  the ``next`` link of page *n-1* names; computing it rather than following the link
  lets pages be fetched concurrently, and never sends credentials to a host a link
  points at.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import attrs

from booqable_async._validation import is_int
from booqable_async.errors import DecodeError

__all__ = ["GraphitiPages", "NumberedPages", "OffsetPages", "PageBody", "PageStyle"]


@attrs.frozen
class PageBody:
    """What one page's body holds, as a page style reads it.

    Attributes:
        items: The page's records, still as parsed JSON.
        total: Records in the whole collection, when the body says.
        meta: Collection facts besides the records (facets, counts).
        links: Links to other pages (``next``/``previous``), when given.
    """

    items: Sequence[Any]
    total: int | None = None
    meta: Mapping[str, Any] = attrs.field(factory=dict)
    links: Mapping[str, Any] = attrs.field(factory=dict)


class PageStyle(Protocol):
    """How one API pages; implement it for an API the three styles here do not fit."""

    @property
    def default_size(self) -> int:
        """Records per page when the caller asks for no size."""
        ...

    @property
    def max_size(self) -> int | None:
        """Largest page the API serves (``None``: not documented)."""
        ...

    def params(self, number: int, size: int, with_total: bool) -> list[tuple[str, str]]:
        """Return the query pairs asking for page ``number`` (1-based) of ``size`` records.

        ``with_total`` asks the API to count the collection, where counting is optional.
        """
        ...

    def read(self, payload: Any) -> PageBody:
        """Return the records and collection facts of one parsed page body.

        Raises:
            DecodeError: The body is not a page of this style.
        """
        ...


def _member(payload: Any, path: str) -> tuple[bool, Any]:
    # A dotted path ("meta.total_count") into nested objects; (found, value).
    value = payload
    for key in path.split("."):
        if not isinstance(value, Mapping) or key not in value:
            return False, None
        value = value[key]
    return True, value


def _pointer(path: str) -> str:
    return "/" + path.replace(".", "/")


def _items(payload: Any, path: str) -> list[Any]:
    found, items = _member(payload, path)
    if not found or not isinstance(items, list):
        what = "no" if not found else f"a {type(items).__name__} as"
        raise DecodeError(
            f"expected a list of records in {path!r}, got {what} {path!r}", _pointer(path)
        )
    return items


def _total(payload: Any, path: str) -> int | None:
    found, total = _member(payload, path)
    if not found or total is None:
        return None
    if isinstance(total, float) and total.is_integer():
        total = int(total)  # v1 writes total_item_count as 1.0
    if not is_int(total) or total < 0:
        raise DecodeError(f"{path!r} must be a count >= 0, got {total!r}", _pointer(path))
    return total


def _object(payload: Any) -> Mapping[str, Any]:
    if not isinstance(payload, Mapping):
        raise DecodeError(f"expected a JSON object for a page, got {type(payload).__name__}")
    return payload


@attrs.frozen
class GraphitiPages:
    """``page[number]``/``page[size]`` with ``stats[total]=count`` (JSON:API, Graphiti).

    Attributes:
        default_size: Records per page when none is asked for (Booqable: 25).
        max_size: Largest page served (Booqable: 100).
    """

    default_size: int = 25
    max_size: int | None = 100

    def params(self, number: int, size: int, with_total: bool) -> list[tuple[str, str]]:
        """Return ``page[number]``, ``page[size]`` and, when asked, ``stats[total][]``."""
        pairs = [("page[number]", str(number)), ("page[size]", str(size))]
        if with_total:
            pairs.append(("stats[total][]", "count"))
        return pairs

    def read(self, payload: Any) -> PageBody:
        """Return ``data`` with ``meta``, ``links`` and ``meta.stats.total.count``."""
        body = _object(payload)
        meta = body.get("meta")
        links = body.get("links")
        return PageBody(
            _items(body, "data"),
            _total(body, "meta.stats.total.count"),
            meta if isinstance(meta, Mapping) else {},
            links if isinstance(links, Mapping) else {},
        )


@attrs.frozen
class NumberedPages:
    """``page``/``per`` with the records under a root key and the total in ``meta``.

    Attributes:
        items: Dotted path to the page's records (``customers``); ``None``: the one
            member of the body holding a list (v1 names it after the resource).
        total: Dotted path to the collection's size (``meta.total_count``).
        page: Name of the page-number parameter.
        per: Name of the page-size parameter.
        default_size: Records per page when none is asked for.
        max_size: Largest page served (``None``: not documented).
    """

    items: str | None = None
    total: str = "meta.total_count"
    page: str = "page"
    per: str = "per"
    default_size: int = 100
    max_size: int | None = None

    def params(self, number: int, size: int, with_total: bool) -> list[tuple[str, str]]:
        """Return the page-number and page-size pairs (every answer carries the total)."""
        return [(self.page, str(number)), (self.per, str(size))]

    def read(self, payload: Any) -> PageBody:
        """Return the records under :attr:`items`, the total and the ``meta`` object."""
        body = _object(payload)
        meta = body.get("meta")
        return PageBody(
            _items(body, self.items or _root_list(body)),
            _total(body, self.total),
            meta if isinstance(meta, Mapping) else {},
        )


def _root_list(body: Mapping[str, Any]) -> str:
    names = [k for k, v in body.items() if isinstance(v, list) and k != "meta"]
    if len(names) != 1:
        found = ", ".join(map(repr, names)) or "none"
        raise DecodeError(f"expected one list of records at the top level, found {found}", "")
    return str(names[0])


@attrs.frozen
class OffsetPages:
    """``limit``/``offset`` with ``{"count", "next", "previous", "results"}``.

    Attributes:
        items: Dotted path to the page's records.
        total: Dotted path to the collection's size.
        next: Dotted path to the next page's URL (``null`` on the last page).
        previous: Dotted path to the previous page's URL.
        limit: Name of the page-size parameter.
        offset: Name of the parameter counting records to skip.
        default_size: Records per page when none is asked for.
        max_size: Largest page served.
    """

    items: str = "results"
    total: str = "count"
    next: str = "next"
    previous: str = "previous"
    limit: str = "limit"
    offset: str = "offset"
    default_size: int = 20
    max_size: int | None = 100

    def params(self, number: int, size: int, with_total: bool) -> list[tuple[str, str]]:
        """Return ``limit`` and ``offset`` for page ``number``."""
        return [(self.limit, str(size)), (self.offset, str((number - 1) * size))]

    def read(self, payload: Any) -> PageBody:
        """Return the records, the count and the ``next``/``previous`` links."""
        body = _object(payload)
        total = _total(body, self.total)
        return PageBody(
            _items(body, self.items),
            total,
            {self.total: total},
            {"next": _member(body, self.next)[1], "previous": _member(body, self.previous)[1]},
        )
