from __future__ import annotations

import inspect

import pytest

from booqable_async.errors import ConnectError, UsageError
from booqable_async.testing import FakeBooqable
from booqable_async.transport import (
    AiohttpTransport,
    BaseTransport,
    Headers,
    HttpRequest,
    HttpResponse,
    HttpxTransport,
    MockTransport,
    Timeout,
    Transport,
)
from booqable_async.transport._pooled import POOL_DEFAULTS


def test_headers_case_insensitive_multi_valued() -> None:
    h = Headers([("Set-Cookie", "a=1"), ("set-cookie", "b=2"), ("X-Request-Id", "r1")])
    assert h["SET-COOKIE"] == "a=1, b=2"
    assert h.get_list("set-cookie") == ["a=1", "b=2"]
    assert h["x-request-id"] == "r1"
    assert "X-REQUEST-ID" in h
    assert 3 not in h
    assert list(h) == ["Set-Cookie", "X-Request-Id"]
    assert len(h) == 2
    assert h.get("missing") is None
    assert h.get_list("missing") == []
    assert h.raw()[1] == ("set-cookie", "b=2")


def test_headers_equality_and_copy() -> None:
    h = Headers({"A": "1"})
    assert h == Headers([("a", "1")])
    assert h == {"a": "1"}
    assert h != Headers({"a": "2"})
    assert (h == 3) is False
    assert Headers(h) == h
    assert Headers() == Headers(None)


def test_headers_merged_replaces_names() -> None:
    h = Headers([("Accept", "x"), ("X-A", "1")])
    merged = h.merged({"accept": "y"})
    assert merged["Accept"] == "y"
    assert merged["X-A"] == "1"
    assert h.merged(None) is h


def test_headers_repr_redacts_secrets() -> None:
    h = Headers({"Authorization": "Bearer s3cr3t", "Cookie": "sid=1", "Accept": "a"})
    text = repr(h)
    assert "s3cr3t" not in text
    assert "sid=1" not in text
    assert "'Accept', 'a'" in text


def test_headers_repr_redacts_secret_query_values_of_url_headers() -> None:
    headers = Headers(
        [
            ("Location", "https://acme.booqable.com/api/1/orders?api_key=k3y-S3CR3T&page=2"),
            ("Content-Location", "/x?token=abc"),
            ("Link", "<https://a.b/?page=2>; rel=next"),
        ]
    )
    shown = repr(headers)
    assert "k3y-S3CR3T" not in shown
    assert "api_key=REDACTED&page=2" in shown
    assert "token=REDACTED" in shown
    assert headers["Location"].endswith("api_key=k3y-S3CR3T&page=2")  # the value is intact


def test_request_and_response_values() -> None:
    req = HttpRequest(
        "POST",
        "https://acme.booqable.com/api/4/orders?api_key=k",
        {"Authorization": "Bearer t"},
        b"{}",
    )
    assert isinstance(req.headers, Headers)
    assert req.timeout is None
    assert "api_key=REDACTED" in repr(req)
    assert "Bearer" not in repr(req)
    assert "<2 bytes>" in repr(req)
    assert "body" not in repr(HttpRequest("GET", "https://h/"))
    resp = HttpResponse(200, {"A": "b"}, b"abc", "https://h/?token=zz", 0.5)
    assert resp.headers["a"] == "b"
    assert "zz" not in repr(resp)
    assert Timeout().total == 30.0


async def test_mock_transport_sync_and_async_handlers() -> None:
    def sync_handler(request: HttpRequest) -> HttpResponse:
        return HttpResponse(200, body=request.url.encode())

    async def async_handler(request: HttpRequest) -> HttpResponse:
        return HttpResponse(201)

    async with MockTransport(sync_handler) as t1:
        assert isinstance(t1, Transport)
        r = await t1.send(HttpRequest("GET", "u"))
        assert r.body == b"u"
        assert [x.url for x in t1.requests] == ["u"]
    assert t1.closed
    t2 = MockTransport(async_handler)
    assert (await t2.send(HttpRequest("GET", "u"))).status == 201


async def test_mock_transport_handler_may_raise() -> None:
    def handler(request: HttpRequest) -> HttpResponse:
        raise ConnectError("refused", method=request.method, url=request.url)

    with pytest.raises(ConnectError) as info:
        await MockTransport(handler).send(HttpRequest("GET", "https://h/x"))
    assert info.value.request_sent is False


async def test_base_transport_defaults() -> None:
    base = BaseTransport()
    with pytest.raises(NotImplementedError):
        await base.send(HttpRequest("GET", "u"))
    async with base as entered:
        assert entered is base


async def test_closed_means_one_thing_for_every_transport() -> None:
    # MockTransport, the fake's FakeTransport and the pooled transports: after aclose(),
    # closed is True and send raises UsageError (closing again is harmless).
    fake = FakeBooqable()
    transports = [
        MockTransport(lambda request: HttpResponse(200)),
        fake.transport(),
        AiohttpTransport(),
        HttpxTransport(),
    ]
    for transport in transports:
        assert not transport.closed
        await transport.aclose()
        await transport.aclose()
        assert transport.closed
        with pytest.raises(UsageError, match="is closed; create a new transport"):
            await transport.send(HttpRequest("GET", f"{fake.base_url}/customers"))
    assert isinstance(transports[1], MockTransport)
    assert transports[0].requests == []  # refused before it was recorded


def test_pool_defaults_are_the_constructor_defaults() -> None:
    # One definition: the "did the caller change a pool option" check compares against
    # the same values the signatures use.
    for cls in (AiohttpTransport, HttpxTransport):
        parameters = inspect.signature(cls).parameters
        for name in ("limit", "keepalive_timeout", "verify", "trust_env"):
            assert parameters[name].default == getattr(POOL_DEFAULTS, name), (cls, name)
