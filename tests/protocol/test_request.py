from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import date, datetime, timedelta, timezone
from enum import Enum
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit
from uuid import UUID

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from booqable_async import __version__
from booqable_async.errors import UsageError
from booqable_async.protocol import (
    API_VERSIONS,
    NOTHING,
    USER_AGENT,
    base_url_for,
    build_request,
    path_template,
    render_query,
)
from booqable_async.transport import Headers, Timeout

BASE = "https://acme.booqable.com/api/4/"


# --- base_url_for ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"company": "acme"}, "https://acme.booqable.com/api/4/"),
        ({"company": "Acme-Rentals-2"}, "https://acme-rentals-2.booqable.com/api/4/"),
        ({"company": "a" * 63}, f"https://{'a' * 63}.booqable.com/api/4/"),
        (
            {"company": "acme", "api_version": "boomerang"},
            "https://acme.booqable.com/api/boomerang/",
        ),
        ({"base_url": "http://127.0.0.1:8080/api/4"}, "http://127.0.0.1:8080/api/4/"),
        ({"base_url": "http://127.0.0.1:8080/api/4/"}, "http://127.0.0.1:8080/api/4/"),
        ({"base_url": "HTTPS://Proxy.Example.COM"}, "https://proxy.example.com/"),
        ({"base_url": "http://[::1]:9000/x/api/4"}, "http://[::1]:9000/x/api/4/"),
        # api_version applies to company= only; base_url is used as given.
        ({"base_url": "https://h/api/4", "api_version": "boomerang"}, "https://h/api/4/"),
    ],
)
def test_base_url_for(kwargs: dict[str, str], expected: str) -> None:
    assert base_url_for(**kwargs) == expected


@pytest.mark.parametrize(
    "company",
    [
        "evil.com/x",
        "a@b",
        "acme.evil",
        "acme.evil.com#",
        "evil.com:443",
        "-acme",
        "",
        "a" * 64,
        "acme\n",
        "ac me",
        "acmé",
        "acme/",
        "../acme",
        "acme%2F",
    ],
)
def test_base_url_for_rejects_slugs_that_could_change_the_host(company: str) -> None:
    with pytest.raises(UsageError, match="company must be the company slug"):
        base_url_for(company=company)


def test_base_url_for_rejects_non_str_slug() -> None:
    with pytest.raises(UsageError, match="company"):
        base_url_for(company=42)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("base_url", "message"),
    [
        ("ftp://h/api/4", "http:// or https://"),
        ("//h/api/4", "http:// or https://"),
        ("acme.booqable.com/api/4", "http:// or https://"),
        ("https:///api/4", "include a host"),
        ("https://user:pw@h/api/4", "credentials"),
        ("https://token@h/api/4", "credentials"),
        ("https://h/api/4?x=1", "query string or fragment"),
        ("https://h/api/4?", "query string or fragment"),
        ("https://h/api/4#frag", "query string or fragment"),
        ("https://h:99999/api/4", "not a valid URL"),
        ("https://[::1/api/4", "not a valid URL"),
        ("https://h/a b", "spaces or control characters"),
        ("https://h/a\r\nX: y", "spaces or control characters"),
        ("", "non-empty"),
    ],
)
def test_base_url_for_rejects_bad_base_urls(base_url: str, message: str) -> None:
    with pytest.raises(UsageError, match=message) as info:
        base_url_for(base_url=base_url)
    assert "pw" not in str(info.value)


def test_base_url_for_rejects_non_str_base_url() -> None:
    with pytest.raises(UsageError, match="non-empty URL string"):
        base_url_for(base_url=b"https://h/")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"company": "acme", "base_url": "https://h/"}],
)
def test_base_url_for_needs_exactly_one_source(kwargs: dict[str, str]) -> None:
    with pytest.raises(UsageError, match="exactly one of"):
        base_url_for(**kwargs)


@pytest.mark.parametrize("version", ["1", "5", "v4", "", "Boomerang"])
def test_base_url_for_rejects_unknown_api_versions(version: str) -> None:
    with pytest.raises(UsageError, match="api_version must be one of"):
        base_url_for(company="acme", api_version=version)
    assert API_VERSIONS == ("4", "boomerang")


def test_usage_error_echo_never_contains_a_token() -> None:
    token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"
    with pytest.raises(UsageError) as info:
        base_url_for(company=token)
    assert token not in str(info.value)
    assert "eyJzdWIiOiIxIn0" not in str(info.value)


def test_usage_error_echo_is_clipped() -> None:
    with pytest.raises(UsageError) as info:
        base_url_for(company="x." * 500)
    assert len(str(info.value)) < 300


# --- build_request: paths -------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("orders", BASE + "orders"),
        ("/orders/", BASE + "orders"),
        ("orders/search", BASE + "orders/search"),
        ("orders.json", BASE + "orders.json"),
        (
            ("orders", "3e037580-3d7a-4d23-876c-f0ba1a481bb7"),
            BASE + "orders/3e037580-3d7a-4d23-876c-f0ba1a481bb7",
        ),
        (["orders", "a/b"], BASE + "orders/a%2Fb"),
        (("orders", "%2e%2e"), BASE + "orders/%252e%252e"),
        (("orders", "..."), BASE + "orders/..."),
        (("orders", "a?b#c"), BASE + "orders/a%3Fb%23c"),
        (("orders", "a b+c"), BASE + "orders/a%20b%2Bc"),
        (("orders", "ünïcödé"), BASE + "orders/%C3%BCn%C3%AFc%C3%B6d%C3%A9"),
        (("orders", "日本"), BASE + "orders/%E6%97%A5%E6%9C%AC"),
        (("orders", "~x_y-z.1"), BASE + "orders/~x_y-z.1"),
        (("orders", "a;b=c"), BASE + "orders/a%3Bb%3Dc"),
        (("orders", "@evil.com"), BASE + "orders/%40evil.com"),
        (("orders", "\\..\\x"), BASE + "orders/%5C..%5Cx"),
    ],
)
def test_build_request_escapes_every_segment(path: str | Sequence[str], expected: str) -> None:
    request = build_request("GET", path, base_url=BASE)
    assert request.url == expected
    # Nothing the caller passed can change the host or climb out of the API root.
    parts = urlsplit(request.url)
    assert parts.netloc == "acme.booqable.com"
    assert parts.path.startswith("/api/4/")
    assert ".." not in unquote(parts.path).split("/")


@pytest.mark.parametrize(
    "path",
    [
        "../x",
        "orders/../../x",
        "orders/./x",
        "orders//x",
        "",
        "/",
        ("orders", ".."),
        ("orders", "."),
        ("orders", ""),
        ("orders", "a\x00"),
        ("orders", "a\nb"),
        ("orders", "a\x7f"),
        (),
        [],
        "https://evil.com/x",
    ],
)
def test_build_request_refuses_segments_that_could_change_the_path(
    path: str | Sequence[str],
) -> None:
    with pytest.raises(UsageError):
        build_request("GET", path, base_url=BASE)


@pytest.mark.parametrize("path", [b"orders", 42, None, ("orders", 42), ("orders", None)])
def test_build_request_refuses_non_text_paths(path: Any) -> None:
    with pytest.raises(UsageError, match="path"):
        build_request("GET", path, base_url=BASE)


def test_build_request_refuses_unencodable_segments() -> None:
    with pytest.raises(UsageError, match="not valid Unicode"):
        build_request("GET", ("orders", "\ud800"), base_url=BASE)


@pytest.mark.parametrize(
    ("base_url", "expected"),
    [
        ("http://127.0.0.1:8080/api/4", "http://127.0.0.1:8080/api/4/orders"),
        ("http://127.0.0.1:8080/api/4/", "http://127.0.0.1:8080/api/4/orders"),
    ],
)
def test_build_request_joins_onto_base_url(base_url: str, expected: str) -> None:
    assert build_request("GET", "orders", base_url=base_url).url == expected


@pytest.mark.parametrize(
    "base_url", ["acme.booqable.com/api/4/", "ftp://h/", "https://h/a?x=1", "https://h/#f", 42]
)
def test_build_request_checks_base_url(base_url: Any) -> None:
    with pytest.raises(UsageError, match="base_url"):
        build_request("GET", "orders", base_url=base_url)


# --- build_request: method, headers, body ---------------------------------------------


@pytest.mark.parametrize(
    ("method", "expected"),
    [("get", "GET"), ("Post", "POST"), ("DELETE", "DELETE"), ("put", "PUT"), ("purge", "PURGE")],
)
def test_build_request_upper_cases_the_method(method: str, expected: str) -> None:
    assert build_request(method, "orders", base_url=BASE).method == expected


@pytest.mark.parametrize("method", ["", "GE T", "GET\r\n", "G(ET)", "gеt", "ıget", 42])
def test_build_request_validates_the_method(method: Any) -> None:
    with pytest.raises(UsageError, match="method"):
        build_request(method, "orders", base_url=BASE)


def test_default_headers_without_body() -> None:
    request = build_request("GET", "orders", base_url=BASE)
    assert request.body is None
    assert request.headers == Headers(
        {"Accept": "application/vnd.api+json", "User-Agent": USER_AGENT}
    )
    assert "content-type" not in request.headers
    major, minor = sys.version_info[:2]
    assert request.headers["user-agent"] == f"booqable-async/{__version__} python/{major}.{minor}"


def test_default_headers_with_body() -> None:
    request = build_request("POST", "orders", base_url=BASE, body=b"{}")
    assert request.headers["Content-Type"] == "application/vnd.api+json"
    assert request.headers["Accept"] == "application/vnd.api+json"


def test_caller_headers_override_defaults_case_insensitively() -> None:
    request = build_request(
        "POST",
        "orders",
        base_url=BASE,
        json={},
        headers={"content-type": "application/json", "Authorization": "Bearer t0k"},
    )
    assert request.headers.get_list("Content-Type") == ["application/json"]
    assert request.headers["Accept"] == "application/vnd.api+json"
    assert request.headers["authorization"] == "Bearer t0k"
    assert "t0k" not in repr(request)
    assert "t0k" not in repr(request.headers)


def test_caller_headers_may_be_a_headers_value() -> None:
    extra = Headers([("X-Trace", "1"), ("X-Trace", "2"), ("User-Agent", "mine/1")])
    request = build_request("GET", "orders", base_url=BASE, headers=extra)
    assert request.headers.get_list("x-trace") == ["1", "2"]
    assert request.headers["user-agent"] == "mine/1"


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({"X-A": "a\r\nX-Injected: 1"}, "CR, LF or NUL"),
        ({"X-A": "a\nb"}, "CR, LF or NUL"),
        ({"X-A": "a\x00"}, "CR, LF or NUL"),
        ({"Bad Name": "x"}, "not a valid HTTP token"),
        ({"X:Y": "x"}, "not a valid HTTP token"),
        ({"": "x"}, "not a valid HTTP token"),
        ({"X-A": None}, "str value"),
        ({"X-A": 1}, "str value"),
        ({1: "x"}, "str name"),
        ([("X-A", "1")], "must be a mapping"),
    ],
)
def test_bad_headers_are_refused(headers: Any, message: str) -> None:
    with pytest.raises(UsageError, match=message) as info:
        build_request("GET", "orders", base_url=BASE, headers=headers)
    assert "Injected" not in str(info.value)


def test_bad_header_value_is_never_echoed() -> None:
    with pytest.raises(UsageError) as info:
        build_request("GET", "orders", base_url=BASE, headers={"Authorization": "Bearer s3\n"})
    assert "s3" not in str(info.value)


class Color(Enum):
    RED = "red"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"data": {"type": "orders"}}, b'{"data":{"type":"orders"}}'),
        (None, b"null"),
        ([], b"[]"),
        (
            {"starts_at": datetime(2024, 1, 1, 10, 30, tzinfo=timezone.utc)},
            b'{"starts_at":"2024-01-01T10:30:00Z"}',
        ),
        (
            {"starts_at": datetime(2024, 1, 1, 10, 30, tzinfo=timezone(timedelta(hours=2)))},
            b'{"starts_at":"2024-01-01T10:30:00+02:00"}',
        ),
        ({"starts_at": datetime(2024, 1, 1, 10, 30)}, b'{"starts_at":"2024-01-01T10:30:00"}'),
        ({"date": date(2024, 2, 29)}, b'{"date":"2024-02-29"}'),
        ({"id": UUID(int=1)}, b'{"id":"00000000-0000-0000-0000-000000000001"}'),
        ({"color": Color.RED}, b'{"color":"red"}'),
        ({1: "a"}, b'{"1":"a"}'),
        ({"name": "Zoë"}, '{"name":"Zoë"}'.encode()),
    ],
)
def test_json_is_serialised_with_msgspec(value: object, expected: bytes) -> None:
    request = build_request("POST", "orders", base_url=BASE, json=value)
    assert request.body == expected
    assert request.headers["content-type"] == "application/vnd.api+json"


def test_json_omitted_means_no_body() -> None:
    assert build_request("POST", "orders", base_url=BASE, json=NOTHING).body is None


@pytest.mark.parametrize("value", [{"x": object()}, {"x": "\ud800"}])
def test_unserialisable_json_is_a_usage_error(value: object) -> None:
    with pytest.raises(UsageError, match="json= could not be serialised"):
        build_request("POST", "orders", base_url=BASE, json=value)


def test_json_and_body_are_exclusive() -> None:
    with pytest.raises(UsageError, match="json= or body="):
        build_request("POST", "orders", base_url=BASE, json={}, body=b"{}")


@pytest.mark.parametrize(
    ("body", "expected"), [(b"x", b"x"), (bytearray(b"xy"), b"xy"), (memoryview(b"z"), b"z")]
)
def test_body_bytes_like(body: Any, expected: bytes) -> None:
    request = build_request("PUT", ("orders", "1"), base_url=BASE, body=body)
    assert request.body == expected
    assert type(request.body) is bytes


@pytest.mark.parametrize("body", ["text", {"a": 1}, 1])
def test_body_must_be_bytes(body: Any) -> None:
    with pytest.raises(UsageError, match="body must be bytes"):
        build_request("POST", "orders", base_url=BASE, body=body)


def test_timeout_is_passed_through() -> None:
    timeout = Timeout(total=5, connect=1)
    assert build_request("GET", "orders", base_url=BASE, timeout=timeout).timeout is timeout
    assert build_request("GET", "orders", base_url=BASE).timeout is None
    with pytest.raises(UsageError, match="timeout"):
        build_request("GET", "orders", base_url=BASE, timeout=5)  # type: ignore[arg-type]


def test_query_is_appended() -> None:
    request = build_request(
        "GET", "orders", base_url=BASE, params=[("page[number]", "1"), ("page[size]", "1")]
    )
    assert request.url == BASE + "orders?page%5Bnumber%5D=1&page%5Bsize%5D=1"
    assert build_request("GET", "orders", base_url=BASE, params={}).url == BASE + "orders"


# --- render_query ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (None, ""),
        ({}, ""),
        ([], ""),
        # A mapping is sorted by key; a list value repeats the key in list order.
        (
            {"stats[total]": "count", "page[size]": "25", "page[number]": "1"},
            "page%5Bnumber%5D=1&page%5Bsize%5D=25&stats%5Btotal%5D=count",
        ),
        ({"include[]": ["lines", "customer"]}, "include%5B%5D=lines&include%5B%5D=customer"),
        ({"include": ("b", "a")}, "include=b&include=a"),
        ({"include": []}, ""),
        # Pairs keep the caller's order.
        (
            [("sort", "-created_at"), ("filter[status]", "reserved")],
            "sort=-created_at&filter%5Bstatus%5D=reserved",
        ),
        ([("a", "1"), ("a", "2")], "a=1&a=2"),
        ({"q": "a b"}, "q=a%20b"),
        ({"q": "a+b&c=d"}, "q=a%2Bb%26c%3Dd"),
        ({"include": "customer,lines.item"}, "include=customer%2Clines.item"),
        ({"filter[name]": "Zoë"}, "filter%5Bname%5D=Zo%C3%AB"),
        ({"filter[x][eq]": ""}, "filter%5Bx%5D%5Beq%5D="),
        ({"n": 25, "f": 1.5, "t": True, "u": False}, "f=1.5&n=25&t=true&u=false"),
        ({"ids": [1, 2]}, "ids=1&ids=2"),
        ({"k": "%2e#/?"}, "k=%252e%23%2F%3F"),
    ],
)
def test_render_query(params: Any, expected: str) -> None:
    assert render_query(params) == expected


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"a": None}, "values must be"),
        ({"a": float("nan")}, "values must be"),
        ({"a": {"b": "c"}}, "values must be"),
        ({"a": ["x", None]}, "values must be"),
        ({"a": {"x", "y"}}, "values must be"),
        ({"": "x"}, "non-empty strings"),
        ({1: "x"}, "non-empty strings"),
        ([("a",)], r"\(name, value\) tuples"),
        (["ab"], r"\(name, value\) tuples"),
        ("a=1", "mapping or a sequence"),
        (b"a=1", "mapping or a sequence"),
        (42, "mapping or a sequence"),
        ({"a": "\udc80"}, "not valid Unicode"),
    ],
)
def test_render_query_rejects_bad_params(params: Any, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        render_query(params)


_keys = st.text(min_size=1)
_values = st.text()


@given(st.lists(st.tuples(_keys, _values)))
def test_render_query_round_trips_pairs(pairs: list[tuple[str, str]]) -> None:
    query = render_query(pairs)
    assert parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query)) == pairs
    # Nothing but unreserved characters, '%', '=' and '&' is left in the query.
    assert set(query) <= set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~%=&"
    )


@given(st.dictionaries(_keys, st.one_of(_values, st.lists(_values))))
def test_render_query_mapping_is_sorted_and_complete(params: dict[str, Any]) -> None:
    expected = [
        (key, item)
        for key in sorted(params)
        for item in (params[key] if isinstance(params[key], list) else [params[key]])
    ]
    assert parse_qsl(render_query(params), keep_blank_values=True) == expected


# --- path_template --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "base_url", "expected"),
    [
        ("orders", BASE, "/api/4/orders"),
        (("orders", "3e037580-3d7a-4d23-876c-f0ba1a481bb7"), BASE, "/api/4/orders/{id}"),
        ("orders/search", BASE, "/api/4/orders/search"),
        ("orders/new", BASE, "/api/4/orders/new"),
        ("companies/current", BASE, "/api/4/companies/current"),
        ("orders.json", BASE, "/api/4/orders.json"),
        (("orders", "abc.json"), BASE, "/api/4/orders/{id}.json"),
        (("orders", "a", "b"), BASE, "/api/4/orders/{id}/{id}"),
        (("orders", "a/b"), BASE, "/api/4/orders/{id}"),
        ("orders", "http://127.0.0.1:8080/api/4", "/api/4/orders"),
        ("orders", "https://acme.booqable.com/api/boomerang/", "/api/boomerang/orders"),
        ("orders", "http://proxy.local", "/orders"),
    ],
)
def test_path_template(path: str | Sequence[str], base_url: str, expected: str) -> None:
    assert path_template(path, base_url=base_url) == expected


@given(st.text(min_size=1).filter(lambda s: s not in (".", "..") and s.isprintable()))
def test_path_template_never_leaks_ids(identifier: str) -> None:
    assert path_template(("orders", identifier), base_url=BASE) in {
        "/api/4/orders/{id}",
        "/api/4/orders/{id}.json",
        "/api/4/orders/search",
        "/api/4/orders/new",
        "/api/4/orders/current",
    }


def test_path_template_refuses_what_build_request_refuses() -> None:
    with pytest.raises(UsageError):
        path_template(("orders", ".."), base_url=BASE)


def test_request_body_round_trips_through_orjson() -> None:
    document = {"data": {"type": "customers", "attributes": {"name": "Jane", "tags": ["a"]}}}
    request = build_request("POST", "customers", base_url=BASE, json=document)
    assert orjson.loads(request.body or b"") == document
