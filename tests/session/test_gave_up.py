"""When the session gives up on a request that got no answer, the error says what was tried."""

from __future__ import annotations

import socket

import pytest

from booqable_async.clock import Clock
from booqable_async.errors import ConnectError, ReadTimeout, TransportError
from booqable_async.retry import RetryPolicy
from booqable_async.session import Session
from booqable_async.transport import HttpRequest, HttpResponse, MockTransport


class VirtualTime:
    """Virtual time: sleeping advances it, so backoffs cost nothing and elapsed is exact."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


def unresolvable(request: HttpRequest) -> HttpResponse:
    # How the transports report a name that does not resolve: a ConnectError caused by
    # the resolver's socket.gaierror (through the HTTP library's own exception).
    try:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    except socket.gaierror as exc:
        raise ConnectError(
            "could not connect: Cannot connect to host", method=request.method, url=request.url
        ) from exc


def refused(request: HttpRequest) -> HttpResponse:
    raise ConnectError("could not connect: Connection refused", method="GET", url=request.url)


def session(handler: object, clock: VirtualTime, **options: object) -> Session:
    settings: dict[str, object] = {"company": "nosuchco", **options}
    return Session(
        token="t0ken-secret",
        transport=MockTransport(handler),  # type: ignore[arg-type]
        retry=RetryPolicy(max_attempts=4, backoff_base=1.0),
        rate_limit=False,
        clock=Clock(monotonic=clock, sleep=clock.sleep, random=lambda: 0.5),
        **settings,  # type: ignore[arg-type]
    )


async def test_an_unknown_company_says_how_often_and_hints_at_the_slug() -> None:
    clock = VirtualTime()
    async with session(unresolvable, clock) as s:
        with pytest.raises(ConnectError) as info:
            await s.request("GET", "orders")
    error = info.value
    # Backoffs of 0.5, 1 and 2 s (full jitter at 0.5) between the 4 attempts.
    assert (error.attempts, error.elapsed) == (4, 3.5)
    text = str(error)
    assert "(GET https://nosuchco.booqable.com/api/4/orders) after 4 attempts over 3.5 s" in text
    assert text.endswith(
        "; no host nosuchco.booqable.com: is 'nosuchco' your company slug? It is the SLUG in "
        "https://SLUG.booqable.com (company= or BOOQABLE_COMPANY)"
    )
    assert "t0ken-secret" not in text


@pytest.mark.parametrize(
    ("handler", "options"),
    [
        (refused, {}),  # the name resolved: the slug is not the problem
        (unresolvable, {"company": None, "base_url": "https://proxy.example/api/4"}),
    ],
)
async def test_no_slug_hint_unless_the_slug_made_the_host(
    handler: object, options: dict[str, object]
) -> None:
    clock = VirtualTime()
    async with session(handler, clock, **options) as s:
        with pytest.raises(ConnectError) as info:
            await s.request("GET", "orders")
    assert str(info.value).endswith("after 4 attempts over 3.5 s")
    assert "slug" not in str(info.value)


async def test_one_attempt_and_a_timeout_after_sending() -> None:
    clock = VirtualTime()

    def slow(request: HttpRequest) -> HttpResponse:
        clock.now += 30.0
        raise ReadTimeout("no complete response within the timeout", method="POST", url="x")

    async with session(slow, clock) as s:
        with pytest.raises(TransportError) as info:
            await s.request("POST", "orders", json={})  # a POST that may have arrived
    assert info.value.attempts == 1
    assert "after 1 attempt over 30.0 s" in str(info.value)
    assert info.value.write_outcome_unknown


def test_recording_twice_changes_nothing() -> None:
    error = ConnectError("could not connect")
    assert (error.attempts, error.elapsed) == (0, None)  # not through a session
    error.record_attempts(2, 1.25)
    error.record_attempts(9, 99.0, "ignored")
    assert str(error) == "could not connect after 2 attempts over 1.2 s"
