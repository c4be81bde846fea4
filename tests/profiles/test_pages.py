"""Page styles and paginate(): any API's pages through the one Paginator."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

import orjson
import pytest

from booqable_async import errors
from booqable_async.pagination import paginate
from booqable_async.profile import ApiProfile
from booqable_async.protocol import (
    JSON_MEDIA_TYPE,
    GraphitiPages,
    NumberedPages,
    OffsetPages,
    PageBody,
    UrlRule,
)
from booqable_async.session import Session
from booqable_async.transport import HttpRequest, HttpResponse, MockTransport


def test_graphiti_pages() -> None:
    style = GraphitiPages()
    assert style.params(3, 25, True) == [
        ("page[number]", "3"),
        ("page[size]", "25"),
        ("stats[total][]", "count"),
    ]
    body = style.read({"data": [1, 2], "meta": {"stats": {"total": {"count": 7}}}, "links": {}})
    assert body == PageBody([1, 2], 7, {"stats": {"total": {"count": 7}}}, {})
    assert style.read({"data": []}).total is None


def test_numbered_pages_find_the_records_by_key_or_alone() -> None:
    assert NumberedPages(items="customers").params(2, 50, True) == [("page", "2"), ("per", "50")]
    named = NumberedPages(items="customers").read(
        {"customers": [{"id": 1}], "meta": {"total_count": 1.0}}
    )
    assert (named.items, named.total) == ([{"id": 1}], 1)
    found = NumberedPages().read({"orders": [], "meta": {"total_count": 0}})
    assert found.items == []
    with pytest.raises(
        errors.DecodeError, match="one list of records at the top level, found 'a', 'b'"
    ):
        NumberedPages().read({"a": [], "b": []})
    with pytest.raises(errors.DecodeError, match="found none"):
        NumberedPages().read({"meta": {}})
    with pytest.raises(errors.DecodeError, match=r"'meta\.total_count' must be a count") as info:
        NumberedPages(items="x").read({"x": [], "meta": {"total_count": "many"}})
    assert info.value.pointer == "/meta/total_count"
    with pytest.raises(errors.DecodeError, match="expected a list of records in 'x'"):
        NumberedPages(items="x").read({"x": {"id": 1}})
    with pytest.raises(errors.DecodeError, match="expected a JSON object for a page"):
        NumberedPages(items="x").read([1])


def test_offset_pages() -> None:
    style = OffsetPages()
    assert style.params(3, 20, False) == [("limit", "20"), ("offset", "40")]
    body = style.read(
        {"count": 42, "next": "https://x/?offset=60", "previous": None, "results": [1]}
    )
    assert body.total == 42
    assert body.links == {"next": "https://x/?offset=60", "previous": None}
    assert body.meta == {"count": 42}


class Listing:
    """A page/per API over `total` numbered records; optionally failing a page once."""

    def __init__(self, total: int, fail_page: int | None = None, cap: int | None = None) -> None:
        self.records = [{"id": i} for i in range(total)]
        self.fail_page = fail_page
        self.cap = cap
        self.seen: list[dict[str, str]] = []

    def __call__(self, request: HttpRequest) -> HttpResponse:
        params = dict(parse_qsl(urlsplit(request.url).query))
        self.seen.append(params)
        page, per = int(params["page"]), int(params["per"])
        if self.cap is not None:
            per = min(per, self.cap)
        if page == self.fail_page:
            self.fail_page = None
            return HttpResponse(404, {"Content-Type": "application/json"}, b'{"error": "gone"}')
        chunk = self.records[(page - 1) * per : page * per]
        body = {"things": chunk, "meta": {"total_count": len(self.records)}}
        return HttpResponse(200, {"Content-Type": "application/json"}, orjson.dumps(body))


PROFILE = ApiProfile(
    name="Numbered",
    urls=UrlRule(default="https://api.example.test/"),
    media_type=JSON_MEDIA_TYPE,
    pages=NumberedPages(max_size=50, default_size=10),
)


def session(listing: Listing) -> Session:
    return Session(profile=PROFILE, token="t0k", transport=MockTransport(listing))


def ident(value: Any) -> int:
    return int(value["id"])


async def test_paginate_yields_every_record_once_with_the_profile_style() -> None:
    listing = Listing(95)
    async with session(listing) as s:
        records = await paginate(s, "things", decode=ident, params={"q": "x y"}).collect()
    assert records == list(range(95))
    assert all(p["q"] == "x y" and p["per"] == "10" for p in listing.seen)
    assert sorted(int(p["page"]) for p in listing.seen) == list(range(1, 11))


async def test_a_server_capped_page_size_is_followed() -> None:
    listing = Listing(30, cap=7)
    async with session(listing) as s:
        records = await paginate(s, "things", decode=ident, size=20).collect()
    assert records == list(range(30))


async def test_a_failed_page_stops_with_a_resume_point_for_the_same_listing() -> None:
    listing = Listing(35, fail_page=3)
    async with session(listing) as s:
        pages = paginate(s, "things", decode=ident, params={"q": "a"}, size=10, concurrency=1)
        seen: list[int] = []

        async def consume() -> None:
            async for record in pages:
                seen.append(record)

        with pytest.raises(errors.PaginationError) as info:
            await consume()
        point = info.value.resume_point
        assert point.params == (("q", "a"),)
        rest = await paginate(
            s, "things", decode=ident, params={"q": "a"}, size=10, resume_from=point
        ).collect()
        assert seen + rest == list(range(35))
        with pytest.raises(errors.UsageError, match="different query"):
            paginate(s, "things", decode=ident, params={"q": "b"}, resume_from=point)


async def test_paginate_checks_before_any_io() -> None:
    listing = Listing(1)
    async with session(listing) as s:
        with pytest.raises(errors.UsageError, match="over this API's maximum of 50"):
            paginate(s, "things", decode=ident, size=51)
        with pytest.raises(errors.UsageError, match="values must be str"):
            paginate(s, "things", decode=ident, params={"q": None})  # type: ignore[dict-item]
    assert listing.seen == []


async def test_another_style_than_the_profiles() -> None:
    seen: list[dict[str, str]] = []

    def graphiti(request: HttpRequest) -> HttpResponse:
        seen.append(dict(parse_qsl(urlsplit(request.url).query)))
        body = {"data": [{"id": 1}], "meta": {"stats": {"total": {"count": 1}}}}
        return HttpResponse(200, {"Content-Type": "application/json"}, orjson.dumps(body))

    async with Session(profile=PROFILE, token="t", transport=MockTransport(graphiti)) as s:
        first = await paginate(s, "things", decode=ident, style=GraphitiPages(max_size=None))
    assert (first.data, first.total) == ((1,), 1)
    assert seen == [{"page[number]": "1", "page[size]": "25", "stats[total][]": "count"}]
