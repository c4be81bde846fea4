"""Read the ``errors`` of an error document: error objects and availability entries.

Pure functions, no I/O; :func:`~booqable_async.protocol.api_error_for` uses them to fill
in the :class:`~booqable_async.errors.ApiError` it builds, and to build a
:class:`~booqable_async.errors.ShortageError` for an availability 422.

Booqable facts implemented (catalog ``global.error_format``, the order_status_transitions
and stock_adjustments examples): errors are a JSON:API ``errors`` array of ``{code, status
(a string), title, detail, source.pointer, meta}``; ``source.pointer`` arrives without the
leading ``/`` (``data/attributes/name``); availability errors list their problems in
``meta.blocking[]`` (nothing overrides them) and ``meta.warning[]`` (``confirm_shortage``
overrides them).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from booqable_async._redact import redact_text
from booqable_async._validation import is_int, is_number

__all__ = ["ErrorObject", "ShortageEntry", "parse_error_objects", "parse_shortage"]


@attrs.frozen(repr=False)
class ErrorObject:
    """One entry of a JSON:API ``errors`` array, as Booqable sends it.

    The attributes keep the server's text verbatim for your code; ``str()`` and ``repr()``
    (what ends up in a log line such as ``log.error("%s", exc.errors)``) are scrubbed of
    anything that looks like a credential, like error messages are.

    Attributes:
        code: Application error code (``items_not_available``, ``bad_request``...).
        status: HTTP status as a string, as the document carries it.
        title: Short summary.
        detail: Human-readable explanation.
        pointer: ``source.pointer`` (``/data/attributes/name``), when given.
        parameter: ``source.parameter``, when given.
        meta: Extra machine-readable facts (shortage ``blocking``/``warning`` lists...).
    """

    code: str | None = None
    status: str | None = None
    title: str | None = None
    detail: str | None = None
    pointer: str | None = None
    parameter: str | None = None
    meta: Mapping[str, Any] = attrs.field(factory=dict)

    def __str__(self) -> str:
        text = ": ".join(p for p in (self.code or self.title, self.detail) if p)
        if self.pointer:
            text += f" [at {self.pointer}]"
        return redact_text(text) or "error"

    def __repr__(self) -> str:
        members = ", ".join(
            f"{f.name}={getattr(self, f.name)!r}" for f in attrs.fields(ErrorObject)
        )
        return redact_text(f"ErrorObject({members})")


def _text(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if not is_number(value):
        return None
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        if value.is_integer():
            return str(int(value))  # a status written as 404.0
    return str(value)


def _pointer(value: object) -> str | None:
    pointer = _text(value)
    if pointer is None:
        return None
    # Booqable writes "data/attributes/name"; RFC 6901 pointers start with "/".
    return pointer if pointer == "" or pointer.startswith("/") else "/" + pointer


def _error_object(entry: object) -> ErrorObject | None:
    if isinstance(entry, str):
        return ErrorObject(detail=entry)
    if not isinstance(entry, Mapping):
        return None
    source = entry.get("source")
    if not isinstance(source, Mapping):
        source = {}
    meta = entry.get("meta")
    if meta is None:
        meta = {}
    elif not isinstance(meta, Mapping):
        meta = {"value": meta}  # keep what the server said rather than drop it
    return ErrorObject(
        code=_text(entry.get("code")),
        status=_text(entry.get("status")),
        title=_text(entry.get("title")),
        detail=_text(entry.get("detail")),
        pointer=_pointer(source.get("pointer")),
        parameter=_text(source.get("parameter")),
        meta=meta,
    )


def parse_error_objects(payload: Any) -> tuple[ErrorObject, ...]:
    """Parse the JSON:API ``errors`` member of a response document, tolerantly.

    Never raises: a non-list ``errors`` (one object, one string), entries that are not
    objects, numeric ``status`` values, a ``null`` or non-object ``meta`` and missing
    members are all read as well as they can be. ``source.pointer`` is normalised to an
    RFC 6901 pointer (Booqable sends ``data/attributes/name``; this returns
    ``/data/attributes/name``).

    Args:
        payload: The decoded document (a mapping with ``errors``) or the ``errors``
            value itself.

    Returns:
        One :class:`ErrorObject` per usable entry, in order; empty
        when there is nothing usable.
    """
    raw = payload.get("errors") if isinstance(payload, Mapping) else payload
    if isinstance(raw, (str, Mapping)):
        raw = [raw]
    elif not isinstance(raw, list):
        return ()
    parsed = (_error_object(entry) for entry in raw)
    return tuple(error for error in parsed if error is not None)


def _count(value: object) -> int | None:
    return value if is_int(value) else None


def _ids(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(str(v) for v in value if isinstance(v, str) or is_int(v))


@attrs.frozen
class ShortageEntry:
    """One availability problem of a 422 (``meta.blocking[]`` or ``meta.warning[]``).

    Booqable reports two reasons (order_status_transitions docs): ``shortage`` (not
    enough stock: ``needed``, ``shortage``, and either ``available`` or ``stock_count``
    and ``reserved``) and ``stock_item_specified`` (specific stock items are taken:
    ``available``/``unavailable`` are then lists of stock item ids).

    Attributes:
        reason: ``shortage``, ``stock_item_specified`` or a reason added later.
        item_id: The product (or bundle) that is short.
        needed: Units the request needs.
        available: Units still available: the entry's ``available`` number, else
            ``stock_count - reserved`` when both are given, else ``None``.
        shortage: Units missing.
        stock_count: Units in stock, when given.
        reserved: Units already reserved, when given.
        location_id: The location the shortage is at, when given.
        available_stock_item_ids: ``stock_item_specified``: stock items that are free.
        unavailable_stock_item_ids: ``stock_item_specified``: stock items that are taken.
        orders: Conflicting orders as sent (``id``, ``conflicts``, ``stock_item_ids``).
        raw: The entry exactly as sent.
    """

    reason: str | None = None
    item_id: str | None = None
    needed: int | None = None
    available: int | None = None
    shortage: int | None = None
    stock_count: int | None = None
    reserved: int | None = None
    location_id: str | None = None
    available_stock_item_ids: tuple[str, ...] = ()
    unavailable_stock_item_ids: tuple[str, ...] = ()
    orders: tuple[Mapping[str, Any], ...] = ()
    raw: Mapping[str, Any] = attrs.field(factory=dict, repr=False)

    def __str__(self) -> str:
        if self.reason == "stock_item_specified":
            taken = ", ".join(self.unavailable_stock_item_ids) or "?"
            return f"item {self.item_id}: stock items already taken ({taken})"
        parts = [f"item {self.item_id}"]
        if self.needed is not None:
            parts.append(f"needs {self.needed}")
        if self.available is not None:
            parts.append(f"{self.available} available")
        if self.shortage is not None:
            parts.append(f"short by {self.shortage}")
        return ", ".join(parts)


def _shortage_entry(entry: Mapping[str, Any]) -> ShortageEntry:
    # One ``blocking``/``warning`` entry, leniently: wrong types read as "not given",
    # unknown keys are kept in ``raw``.
    available = _count(entry.get("available"))
    stock_count = _count(entry.get("stock_count"))
    reserved = _count(entry.get("reserved"))
    if available is None and stock_count is not None and reserved is not None:
        available = max(stock_count - reserved, 0)
    reason = entry.get("reason")
    item_id = entry.get("item_id")
    location_id = entry.get("location_id")
    orders = entry.get("orders")
    return ShortageEntry(
        reason=reason if isinstance(reason, str) else None,
        item_id=str(item_id) if isinstance(item_id, (str, int)) else None,
        needed=_count(entry.get("needed")),
        available=available,
        shortage=_count(entry.get("shortage")),
        stock_count=stock_count,
        reserved=reserved,
        location_id=location_id if isinstance(location_id, str) else None,
        available_stock_item_ids=_ids(entry.get("available")),
        unavailable_stock_item_ids=_ids(entry.get("unavailable")),
        orders=tuple(o for o in orders if isinstance(o, Mapping))
        if isinstance(orders, list)
        else (),
        raw=dict(entry),
    )


def parse_shortage(
    errors: Sequence[ErrorObject],
) -> tuple[tuple[ShortageEntry, ...], tuple[ShortageEntry, ...]] | None:
    """Read the availability entries of a 422's error objects.

    Args:
        errors: The parsed ``errors`` of the answer.

    Returns:
        ``(warnings, blocking)`` when any error object's ``meta`` carries a ``warning``
        or ``blocking`` list (either may be empty), else ``None``: the 422 is about
        something else (validation, a wrong status transition).
    """
    warnings: list[ShortageEntry] = []
    blocking: list[ShortageEntry] = []
    found = False
    for obj in errors:
        for key, entries in (("warning", warnings), ("blocking", blocking)):
            listed = obj.meta.get(key)
            if isinstance(listed, list):
                found = True
                entries.extend(_shortage_entry(e) for e in listed if isinstance(e, Mapping))
    return (tuple(warnings), tuple(blocking)) if found else None
