"""Parse one webhook delivery into a typed :class:`WebhookEvent`.

What Booqable sends (webhook endpoints and webhooks docs):

- version 4: ``POST`` with ``Content-Type: application/json`` and the body
  ``{"id", "created_at", "event", "resource_type", "data"}``; ``data`` is the record in the
  plain nested JSON of the ``.json`` URLs (attributes at the top level, a fixed set of
  related records nested under their names). App events add ``version`` and ``updated_at``
  (apps docs, "Webhook payload example").
- version 1: ``application/x-www-form-urlencoded`` with ``id``, ``created_at``, ``event``,
  ``object`` (``"Customer"``) and ``data`` (the v1 JSON of the record). Whether those are
  form fields or one JSON text is not documented, so every plausible shape is read: form
  fields with ``data`` as JSON text, Rails-style ``data[name]=...`` fields, one field
  holding the whole payload as JSON, or a JSON body sent with the form content type.
  ``data`` decodes into the v1 client's model of that record class
  (:class:`booqable_async.v1.Customer` for ``Customer``...); a class the v1 client has no
  model for stays a generic record.

Every failure is a :class:`WebhookDecodeError` (a :class:`~booqable_async.errors.DecodeError`)
with a JSON pointer to the offending member; no other exception escapes.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NoReturn, cast, overload
from urllib.parse import parse_qsl

import attrs
import msgspec

from booqable_async._timestamps import parse_datetime
from booqable_async.errors import DecodeError, UsageError
from booqable_async.jsonapi import Registry, Resource
from booqable_async.jsonapi._decode import escape_pointer
from booqable_async.models import decode_nested
from booqable_async.webhooks._events import EventName, resource_type_of

if TYPE_CHECKING:
    from booqable_async._client import BooqableClient
    from booqable_async.v1 import BooqableV1Client, V1Record

__all__ = ["JSON_TYPES", "WebhookDecodeError", "WebhookEvent", "media_type", "parse_event"]

#: Media types read as a version 4 JSON body.
JSON_TYPES = frozenset({"application/json", "text/json"})
#: The media type of version 1 deliveries.
FORM_TYPE = "application/x-www-form-urlencoded"
#: Longest id or event name accepted (real ones are UUIDs and ``word.word``).
_MAX_NAME = 200
_TYPE_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


class WebhookDecodeError(DecodeError):
    """A webhook delivery that is not a Booqable webhook payload.

    Attributes:
        pointer: JSON pointer to the offending member (``/data/starts_at``), ``""`` for
            the whole body.
        reason: What was wrong there.
    """


def _bad(pointer: str, reason: str) -> NoReturn:
    raise WebhookDecodeError(reason, pointer)


def media_type(content_type: str | None) -> str:
    """Return the lower-cased media type of a ``Content-Type`` value, without parameters."""
    return (content_type or "").partition(";")[0].strip().lower()


@attrs.frozen(repr=False)
class WebhookEvent:
    """One webhook delivery, decoded.

    Treat it as a hint, not as the truth: deliveries can be forged, repeated, reordered and
    late (Booqable documents no signature and no ordering), so read the record again with
    :meth:`refetch` before acting on its state.

    Attributes:
        id: The delivery (notification) id: the same for a repeated delivery, so it is the
            key to de-duplicate on; ``GET /webhooks/{id}`` reads it back.
        created_at: When the event happened (aware datetime).
        event: The event name (an open enum: unknown names keep working).
        resource_type: The JSON:API type of :attr:`data` (``orders``, ``documents``...).
        version: The payload version, ``4`` or ``1``.
        data: The record as delivered: for version 4 the same model class the API returns
            (an :class:`~booqable_async.models.Order` for ``orders``, nested relations
            linked); for version 1 the v1 client's model (a
            :class:`booqable_async.v1.Order`, a :class:`booqable_async.v1.Customer`...);
            a :class:`~booqable_async.jsonapi.GenericResource` for types without a model
            in that version. ``None`` when the payload carried ``null``.
        updated_at: The last delivery attempt, when the payload says (app events do).
        company: Which company the delivery was addressed to, when the receiver serves
            several (``None`` otherwise).
        raw: The decoded payload as sent (``data`` included), for members not modelled here.
    """

    id: str
    created_at: dt.datetime
    event: EventName
    resource_type: str
    version: int
    data: Resource | V1Record | None
    updated_at: dt.datetime | None = None
    company: str | None = None
    raw: Mapping[str, Any] = attrs.field(factory=dict, eq=False)

    @property
    def record_id(self) -> str | None:
        """The id of the record the event is about (``data.id``)."""
        return None if self.data is None else self.data.id

    def __repr__(self) -> str:
        where = f", company={self.company!r}" if self.company is not None else ""
        return (
            f"WebhookEvent(id={self.id!r}, event={str(self.event)!r}, "
            f"resource_type={self.resource_type!r}, record_id={self.record_id!r}, "
            f"version={self.version}{where})"
        )

    @overload
    async def refetch(self, client: BooqableClient, **options: Any) -> Resource: ...

    @overload
    async def refetch(self, client: BooqableV1Client) -> V1Record: ...

    async def refetch(
        self, client: BooqableClient | BooqableV1Client, **options: Any
    ) -> Resource | V1Record:
        """Read the record this event is about again, as it is now.

        The payload is a snapshot from when the event fired, possibly forged or stale, so
        act on what this returns. Either client works for events of either version (one
        company's records have the same ids in both APIs): a
        :class:`~booqable_async.BooqableClient` returns the v4 model, a
        :class:`~booqable_async.v1.BooqableV1Client` the v1 record.

        Args:
            client: A client for the company the event came from.
            **options: Passed to the v4 facade's ``get`` (``include=``, ``fields=``...);
                v1's ``get`` takes none.

        Returns:
            The current record (``client.<resource_type>.get(record_id)``; with a v4
            client, the current company for ``companies``).

        Raises:
            UsageError: The event names no record, or its resource cannot be read by id
                through that client (v1 reads customers, orders and product groups only).
            NotFound: The record is gone.
        """
        # A BooqableV1Client exists only once booqable_async.v1 was imported: checking
        # sys.modules spares every v4 refetch that import.
        v1 = sys.modules.get("booqable_async.v1._client")
        if v1 is not None and isinstance(client, v1.BooqableV1Client):
            return await self._refetch_v1(client, options)
        facade: Any = cast("BooqableClient", client).resource(self.resource_type)
        if self.resource_type == "companies":
            return await facade.current(**options)  # type: ignore[no-any-return]
        record_id = self._record_id_to_read()
        if not callable(getattr(facade, "get", None)):
            raise UsageError(
                f"{self.resource_type} records cannot be read by id (Booqable documents no get)"
            )
        return await facade.get(record_id, **options)  # type: ignore[no-any-return]

    async def _refetch_v1(self, client: BooqableV1Client, options: Mapping[str, Any]) -> V1Record:
        if options:
            raise UsageError(
                f"API v1 reads a record by id alone: {', '.join(sorted(options))} are options "
                "of the v4 client's get (refetch with a BooqableClient for them)"
            )
        readers = {
            "customers": client.customers.get,
            "orders": client.orders.get,
            "product_groups": client.product_groups.get,
        }
        read = readers.get(self.resource_type)
        if read is None:
            raise UsageError(
                f"API v1 cannot read {self.resource_type} by id (it reads customers, orders "
                "and product_groups); refetch with a BooqableClient (v4): the ids are the same"
            )
        record: V1Record = await read(self._record_id_to_read())
        return record

    def _record_id_to_read(self) -> str:
        if self.record_id is None:
            raise UsageError(f"{self!r} carries no record id to read again")
        return self.record_id


def parse_event(
    body: bytes | bytearray | memoryview | str,
    content_type: str = "application/json",
    *,
    registry: Registry | None = None,
) -> WebhookEvent:
    """Decode one webhook delivery body.

    Args:
        body: The request body as received.
        content_type: The request's ``Content-Type`` (parameters such as ``charset`` are
            ignored): JSON means a version 4 payload, form-encoded a version 1 payload.
        registry: Models for version 4 ``data`` (default: every Booqable model). Version
            1 ``data`` decodes into the models of :mod:`booqable_async.v1`.

    Returns:
        The :class:`WebhookEvent`.

    Raises:
        WebhookDecodeError: The body is not JSON (or form data), lacks a member, has one
            of the wrong type, or its ``data`` does not fit the model; ``.pointer`` names
            the member.
    """
    kind = media_type(content_type)
    if kind in JSON_TYPES or kind.endswith("+json"):
        payload, version = _load_json(body), 4
    elif kind == FORM_TYPE:
        payload, version = _load_form(body), 1
    else:
        _bad("", f"unsupported content type {kind or 'none'!r}: expected application/json")
    return _event(payload, version, registry)


def _text(body: bytes | bytearray | memoryview | str) -> str:
    if isinstance(body, str):
        return body
    try:
        return bytes(body).decode("utf-8")
    except UnicodeDecodeError as exc:
        _bad("", f"the body is not UTF-8 text: {exc.reason} at byte {exc.start}")


def _load_json(body: bytes | bytearray | memoryview | str) -> Any:
    try:
        return msgspec.json.decode(body)
    except msgspec.DecodeError as exc:
        _bad("", f"the body is not JSON: {exc}")


def _load_form(body: bytes | bytearray | memoryview | str) -> Any:
    text = _text(body).strip()
    if text.startswith("{"):
        return _load_json(text)  # a JSON text sent with the form content type
    try:
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text))
    except ValueError as exc:
        _bad("", f"the body is not form data: {exc}")
    if len(pairs) == 1 and pairs[0][1].lstrip().startswith("{"):
        return _load_json(pairs[0][1])  # one field holding the whole payload
    fields: dict[str, Any] = {}
    for key, value in pairs:
        if "[" in key:
            _set_bracketed(fields, key, value)
        elif key in fields:
            _bad(f"/{escape_pointer(key)}", f"form field {key!r} appears more than once")
        else:
            fields[key] = value
    data = fields.get("data")
    if isinstance(data, str):
        fields["data"] = _load_json(data) if data.strip() else None
    return fields


def _set_bracketed(fields: dict[str, Any], key: str, value: str) -> None:
    """Store a Rails-style ``data[customer][name]`` field as nested objects."""
    head, _, rest = key.partition("[")
    names = [head, *rest.rstrip("]").split("][")]
    node = fields
    for name in names[:-1]:
        child = node.setdefault(name, {})
        if not isinstance(child, dict):
            _bad(f"/{escape_pointer(head)}", f"form field {key!r} conflicts with another one")
        node = child
    node[names[-1]] = value


def _name(payload: Mapping[str, Any], key: str) -> str:
    value = payload.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        _bad(f"/{key}", f"{key} must be a non-empty string, not {_kind(value)}")
    if len(value) > _MAX_NAME:
        _bad(f"/{key}", f"{key} is longer than {_MAX_NAME} characters")
    return value


def _optional_name(payload: Mapping[str, Any], key: str) -> str | None:
    return None if payload.get(key) is None else _name(payload, key)


def _timestamp(payload: Mapping[str, Any], key: str) -> dt.datetime:
    value = payload.get(key)
    if not isinstance(value, str):
        _bad(f"/{key}", f"{key} must be an ISO 8601 timestamp string, not {_kind(value)}")
    try:
        return parse_datetime(value)
    except (ValueError, OverflowError):
        _bad(f"/{key}", f"{key} is not an ISO 8601 timestamp: {value[:40]!r}")


def _optional_timestamp(payload: Mapping[str, Any], key: str) -> dt.datetime | None:
    return None if payload.get(key) is None else _timestamp(payload, key)


def _version(payload: Mapping[str, Any], default: int) -> int:
    value = payload.get("version", default)
    if isinstance(value, str) and value.strip() in ("1", "4"):
        value = int(value)
    if value not in (1, 4) or isinstance(value, bool):
        _bad("/version", f"version must be 1 or 4, not {value!r}"[:120])
    return int(value)


def _v1_type(payload: Mapping[str, Any], event: str) -> str:
    name = payload.get("object")
    if isinstance(name, str) and name.strip():
        snake = _CAMEL_BOUNDARY.sub("_", name.strip()).lower()
        if _TYPE_NAME.fullmatch(snake):
            return snake if snake.endswith("s") else f"{snake}s"
        _bad("/object", f"object {name[:40]!r} is not a record class name")
    return resource_type_of(event) or event.partition(".")[0] or "unknown"


def _event(payload: Any, default_version: int, registry: Registry | None) -> WebhookEvent:
    if not isinstance(payload, dict):
        _bad("", f"a webhook payload must be a JSON object, not {_kind(payload)}")
    delivery_id = _name(payload, "id")
    event = EventName(_name(payload, "event"))
    created_at = _timestamp(payload, "created_at")
    updated_at = _optional_timestamp(payload, "updated_at")
    version = _version(payload, default_version)
    if version == 4:
        resource_type = _name(payload, "resource_type")
        if not _TYPE_NAME.fullmatch(resource_type):
            _bad("/resource_type", f"resource_type {resource_type[:40]!r} is not a type name")
    else:
        resource_type = _optional_name(payload, "resource_type") or _v1_type(payload, event)
    data = _data(payload, resource_type, version, registry)
    return WebhookEvent(
        id=delivery_id,
        created_at=created_at,
        event=event,
        resource_type=resource_type,
        version=version,
        data=data,
        updated_at=updated_at,
        raw=payload,
    )


def _v1_model(resource_type: str) -> type[V1Record] | None:
    # booqable_async.v1 brings the session layer and cattrs along (about 0.1 s): the first
    # version 1 delivery pays for it, never ``import booqable_async.webhooks``.
    from booqable_async.v1._models import RECORD_TYPES

    return RECORD_TYPES.get(resource_type)


def _decode_v1(model: type[V1Record], data: Mapping[str, Any]) -> V1Record:
    from booqable_async.v1 import decode_record

    try:
        return decode_record(model, data, pointer="/data")
    except DecodeError as exc:
        raise WebhookDecodeError(exc.reason, exc.pointer) from None


def _data(
    payload: Mapping[str, Any], resource_type: str, version: int, registry: Registry | None
) -> Resource | V1Record | None:
    if "data" not in payload:
        _bad("/data", "the payload has no data member")
    data = payload["data"]
    if data is None:
        return None
    if not isinstance(data, dict):
        _bad("/data", f"data must be an object, not {_kind(data)}")
    if version == 1 and len(data) == 1:
        # v1 JSON wraps one record in a root key named after its class ({"customer": {...}}).
        (only,) = data.values()
        data = only if isinstance(only, dict) else data
    if data.get("id") is None:
        _bad("/data/id", "data has no id: the event names no record")
    if version == 1:
        model = _v1_model(resource_type)
        if model is not None:
            return _decode_v1(model, data)
    try:
        # A version 1 record the v1 client has no model for decodes generically.
        doc = decode_nested({"data": data}, resource_type, registry if version == 4 else Registry())
    except DecodeError as exc:
        raise WebhookDecodeError(exc.reason, exc.pointer) from None
    except (UsageError, TypeError, ValueError, KeyError, AttributeError, RecursionError) as exc:
        # The payload reached a corner the nested decoder does not describe: still the
        # sender's fault, reported as such rather than as a crash of the receiver.
        _bad("/data", f"data could not be decoded as {resource_type} ({type(exc).__name__})")
    record = doc.data
    assert isinstance(record, Resource)
    return record


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"
