"""Parsed v1 JSON -> the typed records of :mod:`booqable_async.v1._models`.

One cattrs converter for the v1 shapes (the v4 models have their own decoder). What v1
answers look like, whatever its documentation says: any member may be ``null`` (read as
the field's default), lists answers carry fewer members than single records, and
members nobody modelled are kept in ``extra``. Whatever goes wrong becomes a
:class:`~booqable_async.errors.DecodeError` naming the member.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.errors import ClassValidationError, IterableValidationError
from cattrs.gen import make_dict_structure_fn
from cattrs.v import format_exception

from booqable_async.errors import DecodeError
from booqable_async.v1._models import (
    AvailabilityPoint,
    Facet,
    ListMeta,
    OrderAvailability,
    PriceStructure,
)

__all__ = [
    "decode_availability",
    "decode_meta",
    "decode_order_availability",
    "decode_prices",
    "decode_record",
    "record_decoder",
]

R = TypeVar("R")


def _datetime(value: Any, _: type) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)
    if not isinstance(value, str):
        raise ValueError(f"expected an ISO 8601 timestamp, got {value!r}")
    text = value[:-1] + "+00:00" if value.endswith("Z") else value
    parsed = datetime.fromisoformat(text)
    # v1 writes UTC ("...Z"); a timestamp without an offset can only be UTC too.
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=timezone.utc)


def _date(value: Any, _: type) -> date:
    if not isinstance(value, str):
        raise ValueError(f"expected a date, got {value!r}")
    return date.fromisoformat(value[:10])


def _decimal(value: Any, _: type) -> Decimal:
    # Through str: 0.1 as a float is not 0.1, and v1 sends both "0.0" and 0.0.
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"expected a number, got {value!r}")
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"expected a number, got {value!r}") from None


def _text(value: Any, _: type) -> str:
    # Ids and numbers sometimes arrive as integers in older answers ("customer_id": 1).
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise ValueError(f"expected text, got {value!r}")


def _integer(value: Any, _: type) -> int:
    # v1 writes counts as 1.0 at times (line quantities, total_item_count).
    if isinstance(value, bool):
        raise ValueError(f"expected an integer, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise ValueError(f"expected an integer, got {value!r}")


def _boolean(value: Any, _: type) -> bool:
    # Not bool(value): "false" would read as True.
    if isinstance(value, bool):
        return value
    if value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ValueError(f"expected true or false, got {value!r}")


def _make_converter() -> cattrs.Converter:
    converter = cattrs.Converter(forbid_extra_keys=False)
    converter.register_structure_hook(datetime, _datetime)
    converter.register_structure_hook(date, _date)
    converter.register_structure_hook(Decimal, _decimal)
    converter.register_structure_hook(str, _text)
    converter.register_structure_hook(int, _integer)
    converter.register_structure_hook(bool, _boolean)

    def record_hook(cls: type[Any]) -> Callable[[Any, type], Any]:
        fields = attrs.fields(cls)
        names = frozenset(f.name for f in fields)
        # A null where the field's default is not None (a list, the id) means "absent".
        keep_null = frozenset(f.name for f in fields if f.default is None)
        build = make_dict_structure_fn(cls, converter)
        has_extra = "extra" in names

        def structure(value: Any, _: type) -> Any:
            if not isinstance(value, Mapping):
                raise ValueError(f"expected an object, got {type(value).__name__}")
            known = {
                k: v
                for k, v in value.items()
                if k in names and k != "extra" and (v is not None or k in keep_null)
            }
            if has_extra:
                known["extra"] = {k: v for k, v in value.items() if k not in names}
            return build(known, cls)

        return structure

    converter.register_structure_hook_factory(attrs.has, record_hook)
    return converter


_CONVERTER = _make_converter()


def _explain(exc: BaseException, expected: type | None) -> str:
    # The hooks above raise ValueError with a message worth keeping ("expected an
    # integer, got 'one'"); cattrs' own messages for the rest.
    if type(exc) is ValueError and exc.args:
        return str(exc)
    return format_exception(exc, expected)


def _member_pointer(exc: BaseException, pointer: str) -> str:
    """Return the JSON pointer of the first member cattrs could not structure.

    cattrs reports a nested failure as exception groups whose members carry a note
    naming the attribute or the list index; following the first one down gives the
    member (``/data/lines/0/quantity``). A loop, not recursion: the payload may be deep.
    """
    while isinstance(exc, (ClassValidationError, IterableValidationError)):
        noted, _ = exc.group_exceptions()
        if not noted:  # pragma: no cover - cattrs notes every member it reports
            break
        exc, note = noted[0]
        token = str(getattr(note, "name", getattr(note, "index", "")))
        pointer += "/" + token.replace("~", "~0").replace("/", "~1")
    return pointer


def _failure(exc: Exception, what: str, pointer: str) -> DecodeError:
    if isinstance(exc, DecodeError):
        return exc
    problems = cattrs.transform_error(exc, path=pointer or "$", format_exception=_explain)
    return DecodeError(
        f"a v1 {what} could not be read: {'; '.join(problems[:3])}", _member_pointer(exc, pointer)
    )


def decode_record(cls: type[R], value: Any, *, pointer: str = "") -> R:
    """Return ``value`` (one parsed v1 record) as an instance of ``cls``.

    Args:
        cls: A model of :mod:`booqable_async.v1._models`.
        value: The parsed JSON object.
        pointer: Where ``value`` is in the answer, for messages (``/customers/3``).

    Raises:
        DecodeError: ``value`` is not such a record (a missing ``id``, a member of the
            wrong type); the message names the member and ``.pointer`` points at it
            (``pointer`` + ``/lines/0/quantity``).
    """
    try:
        return _CONVERTER.structure(value, cls)
    except Exception as exc:
        raise _failure(exc, cls.__name__, pointer) from None


def record_decoder(cls: type[R]) -> Callable[[Any], R]:
    """Return ``decode_record`` for ``cls``, for listings (``paginate(decode=...)``)."""

    def decode(value: Any) -> R:
        return decode_record(cls, value)

    return decode


def unwrap(payload: Any, key: str) -> Any:
    """Return ``payload[key]``: v1 wraps every record in its root key (``{"customer": ...}``).

    Raises:
        DecodeError: The answer has no such member.
    """
    if not isinstance(payload, Mapping) or key not in payload:
        got = type(payload).__name__ if not isinstance(payload, Mapping) else "no such member"
        raise DecodeError(f"expected the record under {key!r} ({got})", f"/{key}")
    return payload[key]


def decode_meta(meta: Mapping[str, Any]) -> ListMeta:
    """Read a listing's ``meta``: totals and facets.

    Raises:
        DecodeError: It is not an object, or a count or facet has the wrong shape.
    """
    if not isinstance(meta, Mapping):
        raise DecodeError("a v1 listing's meta must be an object", "/meta")
    facets = meta.get("facets")
    parsed: dict[str, Facet] = {}
    for name, facet in facets.items() if isinstance(facets, Mapping) else ():
        if not isinstance(facet, Mapping):
            raise DecodeError(f"facet {name!r} is not an object", f"/meta/facets/{name}")
        body = {("type" if k == "_type" else k): v for k, v in facet.items()}
        terms = body.get("terms")
        if isinstance(terms, list):
            body["terms"] = [t for t in terms if isinstance(t, Mapping)]
        parsed[name] = decode_record(Facet, body, pointer=f"/meta/facets/{name}")
    try:
        total = meta.get("total_count")
        items = meta.get("total_item_count")
        return ListMeta(
            total_count=None if total is None else _integer(total, int),
            total_item_count=None if items is None else _integer(items, int),
            facets=parsed,
        )
    except ValueError as exc:
        raise DecodeError(f"a v1 listing's meta could not be read: {exc}", "/meta") from None


def decode_availability(payload: Any) -> tuple[AvailabilityPoint, ...]:
    """Read ``{"<timestamp>": {reserved, concept, available, total, date, interval}}``.

    Returns:
        The points in time order.

    Raises:
        DecodeError: Another shape.
    """
    if not isinstance(payload, Mapping):
        raise DecodeError("availability must be an object keyed by timestamps")
    points = [
        decode_record(AvailabilityPoint, {**body, "at": at}, pointer=f"/{at}")
        if isinstance(body, Mapping)
        else _not_object(at)
        for at, body in payload.items()
    ]
    return tuple(sorted(points, key=lambda point: point.at))


def _not_object(key: str) -> Any:
    raise DecodeError(f"{key!r} is not an object", f"/{key}")


def decode_order_availability(payload: Any) -> dict[str, OrderAvailability]:
    """Read ``{"<product group id>": {available, available_stock_ids?}}``.

    Raises:
        DecodeError: Another shape.
    """
    if not isinstance(payload, Mapping):
        raise DecodeError("order availability must be an object keyed by product group ids")
    return {
        key: decode_record(
            OrderAvailability,
            {**body, "product_group_id": key} if isinstance(body, Mapping) else _not_object(key),
            pointer=f"/{key}",
        )
        for key, body in payload.items()
    }


def decode_prices(payload: Any) -> tuple[PriceStructure, ...]:
    """Read ``{"price_structures": [{"tiles": [...]}]}``.

    Raises:
        DecodeError: Another shape.
    """
    structures = unwrap(payload, "price_structures")
    if not isinstance(structures, list):
        raise DecodeError("price_structures must be a list", "/price_structures")
    return tuple(
        decode_record(PriceStructure, s, pointer=f"/price_structures/{i}")
        for i, s in enumerate(structures)
    )
