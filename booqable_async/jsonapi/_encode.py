"""Generic write support: JSON-ready values and change tracking.

How a write document is shaped is the API's business (Booqable's conventions live in
``booqable_async.models``); this layer knows what changed on a record since it was
decoded, and how to turn attribute values into JSON-ready data.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import msgspec

from booqable_async._timestamps import format_datetime
from booqable_async.errors import UsageError
from booqable_async.jsonapi._plan import iter_attributes, iter_relationships, plan_for
from booqable_async.jsonapi._resource import GenericResource, Resource, id_of
from booqable_async.jsonapi._sentinels import ABSENT, CLEAN

__all__ = ["changes", "json_value"]

_PLAIN = (str, int, float, bool, type(None))


def json_value(value: Any) -> Any:
    """Return ``value`` as JSON-ready data.

    Timestamps, at any depth, are written by :func:`~booqable_async.query.format_datetime`
    (ISO 8601 in UTC, ``2025-01-01T09:00:00Z``); dates as ``YYYY-MM-DD``. Records become
    their id; containers, attrs classes and other values msgspec knows become plain dicts
    and lists.

    Raises:
        UsageError: ``value`` holds something that has no JSON form, or a naive datetime.
    """
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Resource):
        return id_of(value)
    if isinstance(value, (dict, list)) and _is_plain_json(value):
        return value
    try:
        # Datetimes stay objects here so that every one is written by format_datetime
        # (msgspec would write naive ones without an offset and keep other offsets).
        built = msgspec.to_builtins(value, builtin_types=(datetime,), enc_hook=_enc_hook)
    except (TypeError, ValueError) as exc:
        raise UsageError(f"cannot write {type(value).__name__} as JSON: {exc}") from None
    return _format_datetimes(built)


def _format_datetimes(value: Any) -> Any:
    # In place (to_builtins built fresh containers); iterative, as _is_plain_json: built
    # values may nest deeply. The top level is a container: json_value wrote the rest.
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            keys: Any = item.keys()
        elif isinstance(item, list):
            keys = range(len(item))
        else:
            continue
        for key in keys:
            child = item[key]
            if isinstance(child, datetime):
                item[key] = format_datetime(child)
            elif isinstance(child, (dict, list)):
                stack.append(child)
    return value


def _enc_hook(value: Any) -> Any:
    if isinstance(value, Resource):
        return id_of(value)
    raise TypeError(f"{type(value).__name__} has no JSON form")


def _is_plain_json(value: Any) -> bool:
    # Iterative: attribute values may nest deeply; no recursion proportional to depth.
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif not isinstance(item, _PLAIN) or isinstance(item, datetime):
            return False
    return True


def changes(resource: Resource) -> dict[str, Any]:
    """Return what changed since ``resource`` was decoded, by Python name.

    A decoded record remembers a field's original value the first time it is assigned;
    a field whose value differs from that original is a change (assigning ``None`` to an
    attribute that had a value is one). Relationships compare by the ``(type, id)`` of
    their targets. A record built locally (never decoded) reports every field that was
    set. Mutating a list or dict attribute in place is not seen: assign a new value
    instead (``order.tag_list = [*order.tag_list, "vip"]``). For a generic record, its
    ``attributes`` dict is compared with what the document carried.

    Args:
        resource: A model instance or a generic resource.

    Returns:
        ``{python name: current value}``.
    """
    snap = resource._jsonapi_snap
    if isinstance(resource, GenericResource):
        before: Mapping[str, Any] = snap if isinstance(snap, Mapping) else {}
        return {
            key: value
            for key, value in resource.attributes.items()
            if key not in before or not _same(value, before[key])
        }
    if snap is None:
        out = {py: value for py, _, value, _ in iter_attributes(resource)}
        out.update({py: value for py, _, value in iter_relationships(resource)})
        return out
    if snap is CLEAN:
        return {}
    plan = plan_for(type(resource))
    out = {}
    for name, original in snap.items():
        if name in plan.rel_by_py:
            linked: Mapping[str, Any] = resource._jsonapi_rels or {}
            value = linked.get(name, ABSENT)
            if value is not ABSENT and _identities(value) != _identities(original):
                out[name] = value
            continue
        try:
            value = plan.attr_getters[name](resource)
        except AttributeError:
            continue
        if not _same(value, original):
            out[name] = value
    return out


def _same(value: Any, original: Any) -> bool:
    if value is original:
        return True
    if original is ABSENT:
        return False
    return bool(type(value) is type(original) and value == original)


def _identities(value: Any) -> Any:
    if value is None or value is ABSENT:
        return value
    if isinstance(value, list):
        return [(item.type, id_of(item)) for item in value]
    return (value.type, id_of(value))
