"""RetryPolicy: the method x outcome table, waits, Retry-After, logging, write outcomes."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timezone
from email.utils import format_datetime

import attrs
import pytest
import tenacity

from booqable_async import RetryPolicy, errors
from booqable_async.clock import Clock
from booqable_async.retry import RetryDecision, may_have_reached_server
from booqable_async.transport import Headers

METHODS = ("GET", "HEAD", "PUT", "DELETE", "POST", "PATCH")
IDEMPOTENT = {"GET", "HEAD", "PUT", "DELETE"}


def api(status: int, headers: dict[str, str] | None = None) -> errors.ApiError:
    cls = errors.status_error_class(status)
    return cls(status, headers=Headers(headers or {}), method="X", url="https://a.test/api/4/x")


# outcome name -> (error factory, retried for: "all" | "idempotent" | "none", may have reached)
OUTCOMES: dict[str, tuple[Callable[[], BaseException], str, bool]] = {
    "429": (lambda: errors.RateLimited(429), "all", False),
    "503": (lambda: api(503), "all", False),
    "500": (lambda: api(500), "idempotent", True),
    "502": (lambda: api(502), "idempotent", True),
    "504": (lambda: api(504), "idempotent", True),
    "501": (lambda: api(501), "none", False),
    "400": (lambda: api(400), "none", False),
    "401": (lambda: api(401), "none", False),
    "404": (lambda: api(404), "none", False),
    "409": (lambda: api(409), "none", False),
    "422": (lambda: api(422), "none", False),
    "connect error": (lambda: errors.ConnectError("refused"), "all", False),
    "connect timeout": (lambda: errors.ConnectTimeout("slow"), "all", False),
    "reset before sending": (
        lambda: errors.ConnectionReset("rst", request_sent=False),
        "all",
        False,
    ),
    "reset after sending": (
        lambda: errors.ConnectionReset("rst", request_sent=True),
        "idempotent",
        True,
    ),
    "read timeout": (lambda: errors.ReadTimeout("slow"), "idempotent", True),
    "protocol error": (lambda: errors.ProtocolError("bad"), "idempotent", True),
    "tls error": (lambda: errors.TLSError("cert"), "none", False),
    "response too large": (lambda: errors.ResponseTooLarge("big"), "none", True),
    "decode error": (lambda: errors.DecodeError("not json"), "none", False),
    "usage error": (lambda: errors.UsageError("bad"), "none", False),
}


class Recorder:
    def __init__(self) -> None:
        self.sleeps: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)


def jitter(value: float) -> Clock:
    """A clock whose randomness always returns ``value``."""
    return Clock(random=lambda: value)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("outcome", list(OUTCOMES))
async def test_method_outcome_table(method: str, outcome: str) -> None:
    make, retried_for, reached = OUTCOMES[outcome]
    recorder = Recorder()
    policy = RetryPolicy(max_attempts=3)
    clock = Clock(sleep=recorder.sleep, random=lambda: 0.5)
    attempts: list[int] = []
    raised: list[BaseException] = []

    async def attempt(number: int) -> str:
        attempts.append(number)
        error = make()
        raised.append(error)
        raise error

    with pytest.raises(errors.BooqableError) as info:
        await policy.run(method, attempt, clock=clock)

    expected_retry = retried_for == "all" or (retried_for == "idempotent" and method in IDEMPOTENT)
    assert attempts == ([1, 2, 3] if expected_retry else [1])
    assert len(recorder.sleeps) == len(attempts) - 1
    assert info.value is raised[-1]  # the last attempt's own error, not a wrapper
    # A write that may have reached the server says so; reads and refused writes do not.
    expect_unknown = reached and method not in ("GET", "HEAD")
    assert info.value.write_outcome_unknown is expect_unknown
    message = str(info.value)
    assert ("may or may not have happened" in message) is expect_unknown
    if expect_unknown and method in ("POST", "PATCH"):
        assert "no idempotency keys" in message
    if expect_unknown and method in ("PUT", "DELETE"):
        assert "repeating it is safe" in message


@pytest.mark.parametrize("outcome", list(OUTCOMES))
def test_may_have_reached_server(outcome: str) -> None:
    make, _, reached = OUTCOMES[outcome]
    assert may_have_reached_server(make()) is reached


async def test_success_after_retries_returns_value_and_numbers_attempts() -> None:
    recorder = Recorder()
    policy = RetryPolicy()
    seen: list[int] = []

    async def attempt(number: int) -> str:
        seen.append(number)
        if number < 3:
            raise api(502)
        return "ok"

    clock = Clock(sleep=recorder.sleep, random=lambda: 0.25)
    assert await policy.run("GET", attempt, clock=clock) == "ok"
    assert seen == [1, 2, 3]
    assert recorder.sleeps == [0.25 * 0.5, 0.25 * 1.0]


async def test_first_attempt_success_never_sleeps() -> None:
    recorder = Recorder()

    async def attempt(number: int) -> int:
        return number

    assert await RetryPolicy().run("POST", attempt, clock=Clock(sleep=recorder.sleep)) == 1
    assert recorder.sleeps == []


def test_backoff_is_full_jitter_exponential_with_cap() -> None:
    top = RetryPolicy()
    assert [top.backoff(n, clock=jitter(1.0)) for n in range(1, 9)] == [0.5, 1, 2, 4, 8, 16, 30, 30]
    assert RetryPolicy().backoff(5, clock=jitter(0.0)) == 0.0
    assert RetryPolicy(backoff_base=1, backoff_cap=3).backoff(4, clock=jitter(0.5)) == 1.5
    assert RetryPolicy().backoff(10_000, clock=jitter(1.0)) == 30  # no overflow


async def test_default_randomness_stays_within_the_step() -> None:
    recorder = Recorder()
    policy = RetryPolicy(max_attempts=4)

    async def attempt(number: int) -> None:
        raise errors.ConnectError("down")

    with pytest.raises(errors.ConnectError):
        await policy.run("POST", attempt, clock=Clock(sleep=recorder.sleep))
    assert [0 <= s <= 0.5 * 2**i for i, s in enumerate(recorder.sleeps)] == [True] * 3


async def test_retry_after_seconds_is_honoured() -> None:
    recorder = Recorder()
    policy = RetryPolicy()
    calls: list[int] = []

    async def attempt(number: int) -> str:
        calls.append(number)
        if number == 1:
            raise errors.RateLimited(429, retry_after=7.0)
        return "done"

    assert await policy.run("POST", attempt, clock=Clock(sleep=recorder.sleep)) == "done"
    assert recorder.sleeps == [7.0]


async def test_retry_after_http_date_uses_the_injected_clock() -> None:
    now = datetime(2030, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
    later = format_datetime(datetime(2030, 1, 1, 12, 0, 12, tzinfo=timezone.utc), usegmt=True)
    recorder = Recorder()
    policy = RetryPolicy()
    clock = Clock(sleep=recorder.sleep, wall=now.timestamp)

    async def attempt(number: int) -> str:
        if number == 1:
            raise api(503, {"Retry-After": later})
        return "up"

    assert await policy.run("DELETE", attempt, clock=clock) == "up"
    assert recorder.sleeps == [12.0]


@pytest.mark.parametrize("status", [429, 503])
async def test_retry_after_longer_than_max_wait_raises_without_sleeping(status: int) -> None:
    recorder = Recorder()
    policy = RetryPolicy(max_wait=60)
    error = (
        errors.RateLimited(429, retry_after=120.0)
        if status == 429
        else api(503, {"Retry-After": "120"})
    )

    async def attempt(number: int) -> None:
        raise error

    with pytest.raises(errors.ApiError) as info:
        await policy.run("GET", attempt, clock=Clock(sleep=recorder.sleep))
    assert info.value is error
    assert recorder.sleeps == []
    if status == 429:
        assert isinstance(info.value, errors.RateLimited)
        assert info.value.retry_after == 120.0
    assert info.value.write_outcome_unknown is False


def test_decide_reasons_are_explicit() -> None:
    policy = RetryPolicy()
    post = policy.decide("post", api(500), 1)
    assert post == RetryDecision(False, 0.0, post.reason, True)
    assert "POST is not idempotent" in post.reason
    get = policy.decide("GET", api(500), 1, clock=jitter(0.5))
    assert get.retry
    assert "GET is idempotent" in get.reason
    assert get.wait == 0.25
    last = policy.decide("GET", api(503), 5)
    assert not last.retry
    assert "giving up after 5 attempt(s)" in last.reason
    limited = policy.decide("PATCH", errors.RateLimited(429, retry_after=2), 1)
    assert limited.retry
    assert limited.wait == 2
    assert "Retry-After" in limited.reason
    connect = policy.decide("POST", errors.ConnectError("x"), 1)
    assert connect.retry
    assert "never reached the server" in connect.reason
    sent = policy.decide("POST", errors.ReadTimeout("x"), 1)
    assert not sent.retry
    assert "may have reached the server" in sent.reason
    other = policy.decide("GET", RuntimeError("bug"), 1)
    assert not other.retry
    assert "RuntimeError" in other.reason


async def test_non_library_errors_propagate_untouched() -> None:
    recorder = Recorder()
    calls: list[int] = []

    async def attempt(number: int) -> None:
        calls.append(number)
        raise KeyError("bug")

    with pytest.raises(KeyError):
        await RetryPolicy().run("GET", attempt, clock=Clock(sleep=recorder.sleep))
    assert calls == [1]

    async def later_bug(number: int) -> None:
        calls.append(number)
        if number == 1:
            raise errors.ConnectError("x")
        raise KeyError("bug")

    calls.clear()
    with pytest.raises(KeyError):
        await RetryPolicy().run("GET", later_bug, clock=Clock(sleep=recorder.sleep))
    assert calls == [1, 2]


async def test_decisions_are_logged_at_debug_and_on_retry_is_called(
    caplog: pytest.LogCaptureFixture,
) -> None:
    recorder = Recorder()
    seen: list[tuple[bool, str, int]] = []

    async def on_retry(decision: RetryDecision, error: BaseException, attempt: int) -> None:
        seen.append((decision.retry, type(error).__name__, attempt))

    async def attempt(number: int) -> None:
        raise api(502) if number < 3 else api(500)

    caplog.set_level(logging.DEBUG, logger="booqable_async")
    with pytest.raises(errors.ServerError):
        await RetryPolicy(max_attempts=3).run(
            "GET", attempt, clock=Clock(sleep=recorder.sleep), on_retry=on_retry
        )
    assert seen == [(True, "ServerError", 1), (True, "ServerError", 2)]
    messages = [r.getMessage() for r in caplog.records if r.name == "booqable_async.retry"]
    assert len(messages) == 3
    assert messages[0].startswith("retrying GET (attempt 1 failed): HTTP 502 (GET is idempotent)")
    assert "giving up after 3 attempt(s)" in messages[2]


async def test_the_callers_clock_is_the_only_time_source() -> None:
    # The policy holds no sleep, clock or randomness: the caller (the session) owns them.
    callers = Recorder()
    now = datetime(2030, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
    later = format_datetime(datetime(2030, 1, 1, 12, 0, 5, tzinfo=timezone.utc), usegmt=True)
    clock = Clock(sleep=callers.sleep, wall=now.timestamp, random=lambda: 0.5)

    async def attempt(number: int) -> int:
        if number == 1:
            raise errors.ConnectError("x")
        if number == 2:
            raise api(503, {"Retry-After": later})
        return number

    assert await RetryPolicy().run("GET", attempt, clock=clock) == 3
    assert callers.sleeps == [0.25, 5.0]  # jitter 0.5 of the 0.5 s step, then the date
    assert not any(
        field.name in ("sleep", "clock", "random") for field in attrs.fields(RetryPolicy)
    )


async def test_never_makes_one_attempt() -> None:
    calls: list[int] = []

    async def attempt(number: int) -> None:
        calls.append(number)
        raise errors.ConnectError("x")

    with pytest.raises(errors.ConnectError):
        await RetryPolicy.never().run("GET", attempt)
    assert calls == [1]


def test_marking_twice_changes_nothing() -> None:
    error = api(500)
    error.mark_write_outcome_unknown("post")
    text = str(error)
    error.mark_write_outcome_unknown("POST")
    assert str(error) == text
    assert text.count("may or may not have happened") == 1
    bare = errors.BooqableError()
    bare.mark_write_outcome_unknown("PUT")
    assert "repeating it is safe (PUT is idempotent)" in str(bare)


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"max_attempts": 0}, "max_attempts must be an integer >= 1"),
        ({"max_attempts": True}, "max_attempts must be an integer >= 1"),
        ({"max_wait": -1}, "max_wait must be a number >= 0"),
        ({"backoff_base": float("nan")}, "backoff_base must be a number >= 0"),
        ({"backoff_cap": "3"}, "backoff_cap must be a number >= 0"),
    ],
)
def test_invalid_settings_raise_usage_error(kwargs: dict[str, object], fragment: str) -> None:
    with pytest.raises(errors.UsageError, match=fragment):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]


def test_policy_is_a_frozen_value() -> None:
    policy = RetryPolicy()
    assert policy == RetryPolicy()
    assert repr(policy) == (
        "RetryPolicy(max_attempts=5, max_wait=60.0, backoff_base=0.5, backoff_cap=30.0)"
    )
    with pytest.raises(AttributeError):
        policy.max_attempts = 3  # type: ignore[misc]


async def test_retrying_is_a_plain_tenacity_object_applying_the_policy() -> None:
    # The strategies are tenacity's own (retry, wait, stop): the object works as any
    # AsyncRetrying does, outside the session too.
    recorder = Recorder()
    calls: list[str] = []

    async def flaky() -> str:
        calls.append("x")
        if len(calls) < 3:
            raise api(502)
        return "ok"

    retrying = RetryPolicy(max_attempts=3).retrying("GET", clock=Clock(sleep=recorder.sleep))
    assert isinstance(retrying, tenacity.AsyncRetrying)
    assert await retrying(flaky) == "ok"
    assert len(recorder.sleeps) == 2

    calls.clear()
    post = RetryPolicy(max_attempts=3).retrying("POST", clock=Clock(sleep=recorder.sleep))
    with pytest.raises(errors.ServerError):  # reraised as it is, not a RetryError
        await post(flaky)
    assert calls == ["x"]  # a POST after a 502 is never repeated


async def test_a_long_retry_after_stops_tenacity_without_sleeping() -> None:
    recorder = Recorder()
    retrying = RetryPolicy(max_wait=5).retrying("GET", clock=Clock(sleep=recorder.sleep))

    async def limited() -> None:
        raise errors.RateLimited(429, retry_after=30.0)

    with pytest.raises(errors.RateLimited):
        await retrying(limited)
    assert recorder.sleeps == []
