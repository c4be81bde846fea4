"""Parse Rails/Rack-style nested query parameters (``filter[status][not_eq]=x``).

Booqable is a Rails application: ``filter[tag_list][]=a&filter[tag_list][]=b`` becomes a list,
``filter[range][from]=...`` a nested hash, and a repeated plain key keeps its last value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl

from booqable_async.testing._errors import FakeError, bad_request

__all__ = ["parse_nested", "parse_query"]

_SEGMENT = re.compile(r"\[([^\[\]]*)\]")


def _split_key(key: str) -> list[str]:
    head, bracket, rest = key.partition("[")
    if not bracket:
        return [key]
    rest = "[" + rest
    segments = _SEGMENT.findall(rest)
    # Anything that is not a clean run of [..] groups keeps the raw key (Rack does the same).
    if "".join(f"[{s}]" for s in segments) != rest:
        return [key]
    return [head, *segments]


def _conflict(key: str) -> FakeError:
    return bad_request(
        f"Invalid query parameter {key!r}: mixes a value, a list and a hash",
        parameter=key,
    )


def _assign(target: dict[str, Any], path: list[str], value: str, key: str) -> None:
    node: Any = target
    for i, segment in enumerate(path):
        last = i == len(path) - 1
        if segment == "":
            # "a[]": append to a list (only as the final segment, like Rack's simple case).
            if not isinstance(node, list) or not last:
                raise _conflict(key)
            node.append(value)
            return
        if not isinstance(node, dict):
            raise _conflict(key)
        if last:
            if isinstance(node.get(segment), (dict, list)):
                raise _conflict(key)
            node[segment] = value
            return
        following = path[i + 1]
        wanted: type = list if following == "" else dict
        child = node.get(segment)
        if child is None:
            child = wanted()
            node[segment] = child
        elif not isinstance(child, wanted):
            raise _conflict(key)
        node = child


def parse_nested(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Turn ``(key, value)`` pairs with bracket keys into nested dicts and lists.

    Args:
        pairs: Decoded query pairs in order.

    Returns:
        The nested parameters.

    Raises:
        FakeError: 400 when one key is used both as a value and as a hash or list.
    """
    out: dict[str, Any] = {}
    for key, value in pairs:
        _assign(out, _split_key(key), value, key)
    return out


def parse_query(query: str) -> dict[str, Any]:
    """Parse a raw (percent-encoded) query string into nested parameters."""
    return parse_nested(parse_qsl(query, keep_blank_values=True))
