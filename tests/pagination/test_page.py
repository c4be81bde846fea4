"""Page and ResumePoint values."""

from __future__ import annotations

import json
from typing import Any

import attrs
import pytest

from booqable_async.errors import UsageError
from booqable_async.pagination import Page, ResumePoint
from booqable_async.pagination._page import default_id


def test_total_and_stats_come_from_meta() -> None:
    meta = {"stats": {"total": {"count": 237}, "payment_status": {"count": {"paid": 51}}}}
    page = Page([1, 2], meta=meta, number=1, size=2)
    assert page.total == 237
    assert page.stats["payment_status"] == {"count": {"paid": 51}}
    assert list(page) == [1, 2]
    assert len(page) == 2
    assert page.data == (1, 2)
    assert repr(page) == "Page(number=1, size=2, items=2, total=237)"


@pytest.mark.parametrize(
    "meta",
    [
        {},
        {"stats": None},
        {"stats": {"total": 5}},
        {"stats": {"total": {"count": "5"}}},
        {"stats": {"total": {"count": True}}},
        {"stats": {"total": {"count": -1}}},
    ],
)
def test_total_is_unknown_unless_the_server_said_so(meta: dict[str, Any]) -> None:
    page = Page([], meta=meta)
    assert page.total is None
    assert page.stats == (meta["stats"] if isinstance(meta.get("stats"), dict) else {})


def test_explicit_total_wins_and_raw_is_not_compared() -> None:
    page = Page(["a"], total=9, raw=object())
    assert page.total == 9
    assert page == Page(["a"], total=9, raw="something else")
    assert attrs.evolve(page, data=[]).total == 9


def test_default_id() -> None:
    assert default_id({"id": "a"}) == "a"

    @attrs.define
    class Rec:
        id: int

    assert default_id(Rec(3)) == 3
    with pytest.raises(UsageError, match="no 'id'; pass id_of="):
        default_id({"key": 1})
    with pytest.raises(UsageError, match="no 'id'"):
        default_id(object())
    with pytest.raises(UsageError, match="not hashable"):
        default_id({"id": ["a"]})


def test_resume_point_round_trips_through_json() -> None:
    point = ResumePoint(
        page_number=4,
        page_size=100,
        skip=3,
        items_yielded=303,
        params=(("filter[status]", "new"), ("sort", "id")),
        total=1000,
    )
    text = json.dumps(point.to_dict())
    assert ResumePoint.from_dict(json.loads(text)) == point
    feed = ResumePoint(1, 100, cursor="2024-01-01T00:00:00Z")
    assert ResumePoint.from_dict(feed.to_dict()) == feed
    assert ResumePoint.from_dict({"page_number": 2, "page_size": 10}) == ResumePoint(2, 10)


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ([], "must be a mapping"),
        ({"page_size": 10}, "'page_number' must be an int >= 1"),
        ({"page_number": 0, "page_size": 10}, "'page_number'"),
        ({"page_number": 1, "page_size": True}, "'page_size'"),
        ({"page_number": 1, "page_size": 1, "skip": -1}, "'skip'"),
        ({"page_number": 1, "page_size": 1, "total": "9"}, "'total'"),
        ({"page_number": 1, "page_size": 1, "params": "x"}, "'params'"),
        ({"page_number": 1, "page_size": 1, "params": [["a"]]}, "'params'"),
        ({"page_number": 1, "page_size": 1, "params": [["a", 1]]}, "'params'"),
        ({"page_number": 1, "page_size": 1, "cursor": 5}, "'cursor'"),
    ],
)
def test_resume_point_rejects_garbage(data: Any, match: str) -> None:
    with pytest.raises(UsageError, match=match):
        ResumePoint.from_dict(data)
