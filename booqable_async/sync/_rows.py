"""JSON:API records as table rows, and one listing page fetched as rows.

The sync reads the raw documents (no model objects): a record becomes
``{"id", **attributes, "<relationship>_id"...}`` with timestamps and dates parsed, which
is all a table row needs and several times cheaper than building linked objects.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from booqable_async.errors import DecodeError
from booqable_async.pagination import DeferredPage, Page, parse_timestamp
from booqable_async.query import Query
from booqable_async.sync._tables import TableSpec

__all__ = ["Row", "RowFetch", "rows_from_document"]

#: One table row: column name -> value.
Row = dict[str, Any]


def _parse_date(value: object) -> object:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    return value


def _converters(spec: TableSpec) -> dict[str, Callable[[object], object]]:
    found: dict[str, Callable[[object], object]] = {}
    for name, column in spec.columns.items():
        if column["data_type"] == "timestamp":
            # An unparsable value is kept as it came (dlt stores it in a variant column).
            found[name] = lambda v: v if v is None else (parse_timestamp(v) or v)
        elif column["data_type"] == "date":
            found[name] = _parse_date
    return found


class RowShaper:
    """Turns a resource's JSON:API records into rows typed for its table.

    Args:
        spec: The table the rows are for.
    """

    def __init__(self, spec: TableSpec) -> None:
        self._convert = _converters(spec)
        self._union = "type" in spec.columns

    def row(self, record: Mapping[str, Any]) -> Row:
        """Return the row of one JSON:API resource object.

        Raises:
            DecodeError: The object has no string ``id``.
        """
        record_id = record.get("id")
        if not isinstance(record_id, str):
            raise DecodeError(f"a record without a string id: {record_id!r}", "/data/id")
        attributes = record.get("attributes")
        row: Row = {"id": record_id}
        if isinstance(attributes, Mapping):
            row.update(attributes)
        if self._union:
            row["type"] = record.get("type")
        relationships = record.get("relationships")
        if isinstance(relationships, Mapping):
            for name, relation in relationships.items():
                data = relation.get("data") if isinstance(relation, Mapping) else None
                if isinstance(data, Mapping) and isinstance(data.get("id"), str):
                    row.setdefault(f"{name}_id", data["id"])
        for name, convert in self._convert.items():
            if name in row:
                row[name] = convert(row[name])
        return row


def rows_from_document(payload: object, shaper: RowShaper) -> tuple[list[Row], Mapping[str, Any]]:
    """Return the rows and the ``meta`` of a listing document.

    Raises:
        DecodeError: ``payload`` is not a listing document (no ``data`` array).
    """
    if not isinstance(payload, Mapping) or not isinstance(payload.get("data"), list):
        raise DecodeError("a listing answer must have a data array", "/data")
    meta = payload.get("meta")
    rows = [shaper.row(r) for r in payload["data"] if isinstance(r, Mapping)]
    return rows, meta if isinstance(meta, Mapping) else {}


#: Called after every request: ``(resource, response rate limit or None)``.
RequestCallback = Callable[[str, Any], None]


class RowFetch:
    """A paginator/``changes_since`` fetch function: one listing request -> a page of rows.

    Pages come back deferred: the body waits as bytes until the reader reaches the page
    (several are fetched ahead on a first run), and is then parsed straight into rows,
    the parsed document freed at once.

    Args:
        request: ``session.request`` of an open client.
        spec: The resource listed.
        on_request: Told about each answered request (counting, budget share).
    """

    def __init__(
        self,
        request: Callable[..., Any],
        spec: TableSpec,
        on_request: RequestCallback | None = None,
    ) -> None:
        self._request = request
        self._spec = spec
        self._shaper = RowShaper(spec)
        self._on_request = on_request

    async def __call__(self, query: Query) -> DeferredPage[Row]:
        """Fetch the page ``query`` names; it becomes rows when decoded."""
        response = await self._request(
            "GET", self._spec.resource, params=query.to_params(), parse=False
        )
        if self._on_request is not None:
            self._on_request(self._spec.resource, response.rate_limit)

        def decode() -> Page[Row]:
            rows, meta = rows_from_document(response.json(), self._shaper)
            return Page(rows, meta=meta, number=query.page_number, size=query.page_size)

        return DeferredPage(decode)

    async def page(self, query: Query) -> Page[Row]:
        """Fetch the page ``query`` names and return it as rows at once."""
        return (await self(query)).decode()
