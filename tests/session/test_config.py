"""Session configuration: arguments, environment, validation before I/O, lifecycle."""

from __future__ import annotations

from typing import Any

import pytest

from booqable_async import RetryPolicy, errors
from booqable_async.auth import TokenAuth
from booqable_async.ratelimit import RateLimiter
from booqable_async.session import ApiResponse, Session
from booqable_async.transport import MockTransport, Timeout
from tests.session.helpers import BASE, TOKEN, Script, answer


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("BOOQABLE_API_KEY", "BOOQABLE_COMPANY", "BOOQABLE_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


def test_arguments_win_and_build_the_base_url() -> None:
    session = Session(company="acme", token=TOKEN, transport=MockTransport(Script(answer())))
    assert session.base_url == BASE
    assert session.company == "acme"
    assert session.max_concurrency == 8
    assert session.timeout == Timeout(total=30.0, connect=10.0)
    assert session.retry == RetryPolicy()
    assert isinstance(session.limiter, RateLimiter)
    assert TOKEN not in repr(session)


def test_environment_fills_in_what_is_omitted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOOQABLE_API_KEY", TOKEN)
    monkeypatch.setenv("BOOQABLE_COMPANY", "envco")
    assert Session().base_url == "https://envco.booqable.com/api/4/"
    monkeypatch.setenv("BOOQABLE_BASE_URL", "http://127.0.0.1:8080/api/4")
    assert Session().base_url == "http://127.0.0.1:8080/api/4/"  # more specific: wins
    assert Session(company="argco").base_url == "https://argco.booqable.com/api/4/"


async def test_environment_token_is_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOOQABLE_API_KEY", TOKEN)
    script = Script(answer())
    async with Session(company="acme", transport=MockTransport(script)) as session:
        await session.request("GET", "orders")
    assert script.requests[0].headers["Authorization"] == f"Bearer {TOKEN}"


def test_nothing_configured_says_what_to_set() -> None:
    with pytest.raises(errors.UsageError) as info:
        Session(token=TOKEN)
    assert "BOOQABLE_COMPANY" in str(info.value)
    assert "BOOQABLE_BASE_URL" in str(info.value)
    with pytest.raises(errors.UsageError, match="BOOQABLE_API_KEY"):
        Session(company="acme")


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"auth": TokenAuth("x")}, "either token= or auth="),
        ({"token": None, "auth": object()}, "auth must provide"),
        ({"retry": 3}, "retry must be a RetryPolicy"),
        ({"max_concurrency": 0}, "max_concurrency must be an integer >= 1"),
        ({"max_concurrency": True}, "max_concurrency must be an integer >= 1"),
        ({"rate_limit": "yes"}, "rate_limit must be True"),
        ({"timeout": -1}, "timeout must be a number of seconds > 0"),
        ({"timeout": True}, "timeout must be a number of seconds > 0"),
        ({"hooks": {"on_sent": print}}, "unknown hook point"),
        ({"hooks": {"on_request": 3}}, "must be callables"),
        ({"hooks": [print]}, "hooks must be a Hooks or a mapping"),
        ({"transport": object()}, "transport must implement the Transport protocol"),
        ({"company": "evil.com/x"}, "company must be the company slug"),
    ],
)
def test_bad_settings_fail_before_io(kwargs: dict[str, Any], fragment: str) -> None:
    settings: dict[str, Any] = {"company": "acme", "token": TOKEN}
    settings.update(kwargs)
    with pytest.raises(errors.UsageError, match=fragment) as info:
        Session(**settings)
    assert TOKEN not in str(info.value)


def test_rate_limit_modes() -> None:
    def make(value: Any) -> Session:
        return Session(company="acme", token=TOKEN, rate_limit=value)

    assert make(False).limiter is None
    assert make(None).limiter is None
    fixed = make((20, 60.0)).limiter
    assert fixed is not None
    assert fixed.stats.limit == 20
    mine = RateLimiter()
    assert make(mine).limiter is mine


def test_timeouts() -> None:
    assert Session(company="a", token=TOKEN, timeout=5).timeout == Timeout(5.0, 5.0)
    assert Session(company="a", token=TOKEN, timeout=None).timeout == Timeout(None, None)
    custom = Timeout(total=90, connect=3)
    assert Session(company="a", token=TOKEN, timeout=custom).timeout is custom


async def test_lifecycle_never_closes_a_transport_it_was_given() -> None:
    transport = MockTransport(Script(answer()))
    session = Session(company="acme", token=TOKEN, transport=transport)
    async with session as entered:
        assert entered is session
        response = await session.request("GET", "orders")
        assert isinstance(response, ApiResponse)
    assert session.closed
    assert transport.closed is False
    await session.aclose()  # idempotent
    with pytest.raises(errors.UsageError, match="closed"):
        await session.request("GET", "orders")
    with pytest.raises(errors.UsageError, match="closed"):
        await session.__aenter__()


async def test_default_transport_is_only_created_when_used() -> None:
    session = Session(company="acme", token=TOKEN)
    await session.aclose()  # nothing was created, nothing to close (and no aiohttp import)
    assert session.closed


async def test_default_transport_is_created_on_first_use_and_closed() -> None:
    from aiohttp import web

    seen: list[str] = []

    async def orders(request: web.Request) -> web.Response:
        seen.append(request.headers["Authorization"])
        return web.json_response({"data": []}, content_type="application/vnd.api+json")

    app = web.Application()
    app.router.add_get("/api/4/orders", orders)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        port = runner.addresses[0][1]
        session = Session(base_url=f"http://127.0.0.1:{port}/api/4", token=TOKEN)
        async with session:
            response = await session.request("GET", "orders")
        assert response.payload == {"data": []}
        assert seen == [f"Bearer {TOKEN}"]
        assert session.closed
    finally:
        await runner.cleanup()


def test_an_unknown_keyword_is_a_type_error_naming_the_options() -> None:
    # As for any function: the keyword arguments are declared once (SessionOptions).
    with pytest.raises(TypeError, match=r"unexpected keyword argument.*'tokne'") as info:
        Session(company="acme", tokne=TOKEN)  # type: ignore[call-arg]
    assert "token" in str(info.value)
    assert TOKEN not in str(info.value)
