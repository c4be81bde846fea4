"""Deeply nested filter values and search groups are refused with UsageError, never recursion."""

from __future__ import annotations

from typing import Any

import pytest

from booqable_async.errors import UsageError
from booqable_async.query import Group, Q, Query
from booqable_async.query._conditions import MAX_GROUP_DEPTH
from booqable_async.query._values import MAX_HASH_DEPTH


def _nested(depth: int, leaf: Any = "x") -> Any:
    value = leaf
    for _ in range(depth):
        value = {"a": value}
    return value


def test_hash_filter_at_the_depth_limit_renders() -> None:
    params = Query().where(range=_nested(MAX_HASH_DEPTH)).to_params()
    assert params == [("filter[range]" + "[a]" * MAX_HASH_DEPTH, "x")]


@pytest.mark.parametrize("depth", [MAX_HASH_DEPTH + 1, 10_000])
def test_deeper_hash_filters_are_a_usage_error(depth: int) -> None:
    with pytest.raises(UsageError, match="nest at most 16 levels"):
        Query().where(range=_nested(depth))
    with pytest.raises(UsageError, match="nest at most 16 levels"):
        Q(range=_nested(depth))


def _chain(depth: int) -> Any:
    condition: Any = Q(name="x")
    for i in range(depth):
        # Alternating operators cannot flatten: each step adds one level.
        condition = (condition | Q(number=i)) if i % 2 else (condition & Q(number=i))
    return condition


def test_search_groups_at_the_depth_limit_render() -> None:
    condition = _chain(MAX_GROUP_DEPTH)
    assert isinstance(condition, Group)
    assert condition.depth == MAX_GROUP_DEPTH
    body = Query().search(condition).to_search_body()
    assert body["filter"]["conditions"]["operator"] in ("and", "or")
    assert len(list(condition.leaves())) == MAX_GROUP_DEPTH + 1


@pytest.mark.parametrize("depth", [MAX_GROUP_DEPTH + 1, 10_000])
def test_deeper_search_groups_are_a_usage_error(depth: int) -> None:
    with pytest.raises(UsageError, match="at most 32 levels"):
        _chain(depth)


def test_explicit_groups_count_their_depth() -> None:
    group: Any = Q(name="x")
    for _ in range(MAX_GROUP_DEPTH):
        group = Group("and", (group,))
    assert group.depth == MAX_GROUP_DEPTH
    with pytest.raises(UsageError, match="flatten them"):
        Group("or", (group,))
    # Depth is bookkeeping: it does not change equality.
    assert Group("and", (Q(a=1),)) == Group("and", (Q(a=1),))
