"""The request pipeline: answers, per-call overrides, retries, limits, hooks, logging."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import jwt
import pytest

from booqable_async import RetryPolicy, errors
from booqable_async.auth import SingleUseAuth, jti_digest
from booqable_async.clock import Clock
from booqable_async.protocol import RateLimit
from booqable_async.session import Hooks, RequestEvent, Session
from booqable_async.transport import HttpRequest, HttpResponse, MockTransport, Timeout
from tests.session.helpers import BASE, TOKEN, Script, answer
from tests.virtual_time import VirtualClock, run_virtual


class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def session_for(script: Any, **kwargs: Any) -> Session:
    settings: dict[str, Any] = {
        "company": "acme",
        "token": TOKEN,
        "transport": MockTransport(script),
        "clock": Clock(sleep=Sleeps(), random=lambda: 0.5),
    }
    if "sleep" in kwargs:  # the time a test watches: its sleeps, jitter fixed at 0.5
        kwargs["clock"] = Clock(sleep=kwargs.pop("sleep"), random=lambda: 0.5)
    settings.update(kwargs)
    return Session(**settings)


async def test_success_returns_a_full_api_response() -> None:
    script = Script(answer(200, {"data": {"id": "1", "type": "orders"}}, limit=(50, 60, 42)))
    async with session_for(script) as session:
        response = await session.request(
            "get", ("orders", "1"), params={"include": "customer"}, headers={"X-Trace": "t"}
        )
    assert response.status == 200
    assert response.payload == {"data": {"id": "1", "type": "orders"}}
    assert response.rate_limit == RateLimit(50, 60.0, 42)
    assert response.request_id == "req-1"
    assert response.attempts == 1
    assert response.url == BASE + "orders/1?include=customer"
    assert response.elapsed >= 0
    assert "ApiResponse(200" in repr(response)
    sent = script.requests[0]
    assert sent.method == "GET"
    assert sent.headers["Authorization"] == f"Bearer {TOKEN}"
    assert sent.headers["X-Trace"] == "t"
    assert sent.timeout == Timeout(30.0, 10.0)


async def test_json_body_and_empty_answer() -> None:
    script = Script(HttpResponse(204, {}, b""))
    async with session_for(script) as session:
        response = await session.request("POST", "customers", json={"data": {"type": "x"}})
    assert response.payload is None
    assert script.requests[0].body == b'{"data":{"type":"x"}}'


async def test_per_call_overrides_do_not_change_the_session() -> None:
    script = Script(answer(503), answer(503), answer())
    async with session_for(script) as session:
        with pytest.raises(errors.ServerError):
            await session.request("GET", "orders", timeout=2.5, retry=RetryPolicy.never())
        assert script.requests[0].timeout == Timeout(2.5, 2.5)
        response = await session.request("GET", "orders")
        assert response.attempts == 2  # the session's own policy retried the second 503
        assert script.requests[-1].timeout == Timeout(30.0, 10.0)
        assert session.retry == RetryPolicy()
        with pytest.raises(errors.UsageError, match="retry must be a RetryPolicy"):
            await session.request("GET", "orders", retry=5)  # type: ignore[arg-type]


async def test_get_is_retried_and_post_is_not_after_a_500() -> None:
    sleeps = Sleeps()
    script = Script(answer(500), answer())
    async with session_for(script, sleep=sleeps) as session:
        ok = await session.request("GET", "orders")
        assert ok.attempts == 2
        assert sleeps.calls == [0.25]
        script.answers = [answer(500)]
        with pytest.raises(errors.ServerError) as info:
            await session.request("POST", "orders", json={"data": {}})
    assert info.value.write_outcome_unknown is True
    assert "may or may not have happened" in str(info.value)
    assert [r.method for r in script.requests] == ["GET", "GET", "POST"]


async def test_connect_errors_are_retried_even_for_post() -> None:
    script = Script(errors.ConnectError("refused"), answer(201, {"data": {"id": "9"}}))
    async with session_for(script) as session:
        response = await session.request("POST", "customers", json={"data": {}})
    assert response.status == 201
    assert response.attempts == 2


async def test_read_timeout_on_post_says_the_outcome_is_unknown() -> None:
    script = Script(errors.ReadTimeout("no answer", request_sent=True))
    async with session_for(script) as session:
        with pytest.raises(errors.ReadTimeout) as info:
            await session.request("POST", "customers", json={})
    assert info.value.write_outcome_unknown
    assert len(script.requests) == 1


async def test_retry_after_on_429_is_slept_and_long_demands_raise() -> None:
    sleeps = Sleeps()
    script = Script(answer(429, headers={"Retry-After": "3"}), answer())
    async with session_for(script, sleep=sleeps, rate_limit=False) as session:
        assert (await session.request("GET", "orders")).attempts == 2
        assert sleeps.calls == [3.0]
        script.answers = [answer(429, headers={"Retry-After": "600"})]
        with pytest.raises(errors.RateLimited) as info:
            await session.request("GET", "orders")
    assert info.value.retry_after == 600
    assert sleeps.calls == [3.0]


def test_a_429_pauses_the_whole_client() -> None:
    clock = VirtualClock()
    sent: list[tuple[str, float]] = []

    def handler(request: HttpRequest) -> HttpResponse:
        sent.append((request.url.rsplit("/", 1)[1], clock()))
        if len(sent) == 1:
            return answer(429, headers={"Retry-After": "10"}, limit=(50, 60, 0))
        return answer(limit=(50, 60, 40))

    async def main() -> None:
        session = Session(
            company="acme",
            token=TOKEN,
            transport=MockTransport(handler),
            clock=Clock(monotonic=clock, random=lambda: 0.0),
        )
        async with session:
            first = asyncio.ensure_future(session.request("GET", "first"))
            await asyncio.sleep(0.001)
            # Another task's request, started after the 429: it waits for the pause too.
            await session.request("GET", "other")
            await first

    run_virtual(main(), clock)
    assert sent[0] == ("first", 0.0)
    assert all(at >= 10.0 for _, at in sent[1:])


def test_the_limiter_spaces_a_bulk_job_within_the_budget() -> None:
    clock = VirtualClock()
    times: list[float] = []

    def handler(request: HttpRequest) -> HttpResponse:
        times.append(clock())
        recent = sum(1 for t in times if t > clock() - 10.0)
        return answer(limit=(20, 10, max(0, 20 - recent)))

    async def main() -> None:
        async with Session(
            company="acme",
            token=TOKEN,
            transport=MockTransport(handler),
            clock=Clock(monotonic=clock),
        ) as session:

            async def worker() -> None:
                while clock() < 60:
                    await session.request("GET", "orders")

            await asyncio.gather(*(worker() for _ in range(6)))

    run_virtual(main(), clock)
    steady = [t for t in times if t >= 10.0]
    windows = [sum(1 for u in steady if t - 10.0 < u <= t) for t in steady]
    assert max(windows) <= 20
    assert len(times) >= 100  # ~20 per 10 s over 60 s, not idling


async def test_max_concurrency_bounds_requests_in_flight() -> None:
    in_flight = 0
    peak = 0

    async def handler(request: HttpRequest) -> HttpResponse:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.001)
        in_flight -= 1
        return answer()

    async with session_for(handler, max_concurrency=3, rate_limit=False) as session:
        await asyncio.gather(*(session.request("GET", "orders") for _ in range(20)))
    assert peak == 3


async def test_a_cancelled_waiter_gives_its_slot_back() -> None:
    gate = asyncio.Event()
    served: list[str] = []

    async def handler(request: HttpRequest) -> HttpResponse:
        served.append(request.url.rsplit("/", 1)[1])
        if served[-1] == "first":
            await gate.wait()
        return answer()

    async with session_for(handler, max_concurrency=1, rate_limit=False) as session:
        first = asyncio.ensure_future(session.request("GET", "first"))
        await asyncio.sleep(0)
        cancelled = asyncio.ensure_future(session.request("GET", "cancelled"))
        third = asyncio.ensure_future(session.request("GET", "third"))
        await asyncio.sleep(0)
        cancelled.cancel()
        await asyncio.sleep(0)
        gate.set()
        await first
        await third
        assert cancelled.cancelled()
    assert served == ["first", "third"]


async def test_two_sessions_share_nothing() -> None:
    gate = asyncio.Event()

    async def slow(request: HttpRequest) -> HttpResponse:
        await gate.wait()
        return answer()

    one = session_for(slow, max_concurrency=1)
    two = session_for(Script(answer()), max_concurrency=1)
    blocked = asyncio.ensure_future(one.request("GET", "orders"))
    await asyncio.sleep(0)
    # `one` has its only slot taken; `two` is not affected.
    assert (await two.request("GET", "orders")).status == 200
    assert one.limiter is not two.limiter
    gate.set()
    await blocked


async def test_hooks_receive_templated_events_sync_and_async() -> None:
    events: list[RequestEvent] = []
    async_events: list[RequestEvent] = []

    async def record(event: RequestEvent) -> None:
        async_events.append(event)

    script = Script(answer(503, limit=(50, 60, 10)), answer(limit=(50, 60, 9)))
    hooks = Hooks(
        on_request=events.append, on_response=[events.append, record], on_retry=events.append
    )
    async with session_for(script, hooks=hooks) as session:
        await session.request("GET", ("orders", "9b5fa5a3-secret-id"))
    kinds = [(e.kind, e.attempt, e.status) for e in events]
    assert kinds == [
        ("request", 1, None),
        ("response", 1, 503),
        ("retry", 1, 503),
        ("request", 2, None),
        ("response", 2, 200),
    ]
    assert {e.path for e in events} == {"/api/4/orders/{id}"}
    assert all(e.method == "GET" for e in events)
    retry = events[2]
    assert retry.wait == 0.25
    assert retry.reason is not None
    assert "HTTP 503" in retry.reason
    assert isinstance(retry.error, errors.ServerError)
    assert events[4].rate_limit == RateLimit(50, 60.0, 9)
    assert events[4].request_id == "req-1"
    assert events[4].elapsed >= 0
    assert [e.status for e in async_events] == [503, 200]


async def test_hooks_see_transport_failures_and_a_failing_hook_never_breaks_a_call(
    caplog: pytest.LogCaptureFixture,
) -> None:
    seen: list[RequestEvent] = []

    def broken(event: RequestEvent) -> None:
        raise RuntimeError("metrics backend down")

    script = Script(errors.ConnectError("refused"), answer())
    async with session_for(
        script, hooks={"on_response": [seen.append, broken], "on_request": broken}
    ) as session:
        response = await session.request("GET", "orders")
    assert response.status == 200
    assert [(e.status, type(e.error).__name__) for e in seen] == [
        (None, "ConnectError"),
        (200, "NoneType"),
    ]
    failures = [r for r in caplog.records if "hook" in r.getMessage()]
    assert failures
    assert all(r.levelno == logging.ERROR for r in failures)


async def test_debug_logs_every_attempt_and_never_a_secret(
    caplog: pytest.LogCaptureFixture,
) -> None:
    logger = logging.getLogger("myapp.booqable")
    script = Script(
        errors.ConnectError("refused"),
        answer(404, headers={"Set-Cookie": "session=abc123cookie"}),
    )
    caplog.set_level(logging.DEBUG)
    async with session_for(script, logger=logger) as session:
        with pytest.raises(errors.NotFound) as info:
            await session.request(
                "GET", "orders", params={"api_key": "key-in-query-999"}, headers={"Cookie": "c=1"}
            )
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "sending GET" in text
    assert "answered 404" in text
    assert "failed without an answer" in text
    assert "retrying GET" in text
    assert {r.name for r in caplog.records} >= {"myapp.booqable"}
    for secret in (TOKEN, "key-in-query-999", "abc123cookie", "c=1"):
        assert secret not in text
        assert secret not in str(info.value)
        assert secret not in repr(info.value)


async def test_api_key_in_query_is_masked_in_the_response_url() -> None:
    async with session_for(Script(answer())) as session:
        response = await session.request("GET", "orders", params={"api_key": "k-1234567"})
        plain = await session.request("GET", "orders", params={"filter[number]": "5"})
        bare = await session.request("GET", "orders")
    assert "k-1234567" not in response.url
    assert "api_key=REDACTED" in response.url
    assert plain.url.endswith("?filter%5Bnumber%5D=5")
    assert bare.url == BASE + "orders"


async def test_signed_requests_get_a_fresh_token_per_attempt() -> None:
    secret = "cb991b0f11304f313a1487b2cb22a067eb4b03da8499bd2f833df79d83045110"
    auth = SingleUseAuth(
        key=secret,
        authentication_method_id="kid-1",
        employee_id="emp-1",
        company_id="comp-1",
        algorithm="HS256",
    )
    script = Script(answer(503), answer())
    async with session_for(script, token=None, auth=auth) as session:
        await session.request("PUT", ("orders", "1"), params={"include": "lines"}, json={"a": 1})
    tokens = [r.headers["Authorization"].split()[1] for r in script.requests]
    assert tokens[0] != tokens[1]
    for request, token in zip(script.requests, tokens, strict=True):
        claims = jwt.decode(token, secret, algorithms=["HS256"], audience="comp-1")
        assert claims["iss"] == "https://acme.booqable.com"
        assert claims["jti"].split(".", 1)[1] == jti_digest(
            request.method, request.url, request.body
        )
