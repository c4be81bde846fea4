"""Rate limiting on an injected clock, and deterministic fault injection."""

from __future__ import annotations

import pytest

from booqable_async.errors import ConnectionReset, ProtocolError, UsageError
from booqable_async.testing import (
    FAULT_KINDS,
    FakeBooqable,
    Fault,
    FaultRule,
    RateLimitConfig,
    parse_fault_spec,
    parse_rate_limit_spec,
)
from booqable_async.transport import HttpRequest

from .conftest import Clock, doc, send


def test_rate_limit_headers_count_down_and_429(clock: Clock) -> None:
    fake = FakeBooqable(rate_limit="3/60", clock=clock)
    remaining = [
        send(fake, "GET", "/api/4/orders").headers["X-Ratelimit-Remaining"] for _ in range(3)
    ]
    assert remaining == ["2", "1", "0"]
    limited = send(fake, "GET", "/api/4/orders")
    assert limited.status == 429
    assert limited.json["errors"][0]["code"] == "too_many_requests"
    assert limited.headers["X-Ratelimit-Limit"] == "3"
    assert limited.headers["X-Ratelimit-Period"] == "60"
    assert limited.headers["X-Ratelimit-Remaining"] == "0"
    assert "Retry-After" not in limited.headers
    clock.advance(59.9)
    assert send(fake, "GET", "/api/4/orders").status == 429
    clock.advance(0.1)
    fresh = send(fake, "GET", "/api/4/orders")
    assert fresh.status == 200
    assert fresh.headers["X-Ratelimit-Remaining"] == "2"


def test_rate_limit_retry_after_option(clock: Clock) -> None:
    fake = FakeBooqable(rate_limit=RateLimitConfig(1, 60.0, retry_after=True), clock=clock)
    send(fake, "GET", "/api/4/orders")
    clock.advance(20)
    assert send(fake, "GET", "/api/4/orders").headers["Retry-After"] == "40"


def test_rate_limit_configuration(clock: Clock) -> None:
    fake = FakeBooqable(rate_limit=(2, 10), clock=clock)
    assert fake.rate_limit == RateLimitConfig(2, 10.0)
    fake.rate_limit = "50/60"
    assert send(fake, "GET", "/api/4/orders").headers["X-Ratelimit-Remaining"] == "49"
    assert FakeBooqable().rate_limit == RateLimitConfig(10_000, 60.0)
    fake.limiter.reset()
    assert fake.limiter.remaining == 50
    assert parse_rate_limit_spec("250/60.5") == RateLimitConfig(250, 60.5)
    for bad in ("50", "x/60", "0/60", "5/0"):
        with pytest.raises(UsageError):
            parse_rate_limit_spec(bad)


def test_unauthenticated_requests_do_not_spend_the_budget(clock: Clock) -> None:
    fake = FakeBooqable(rate_limit="1/60", clock=clock)
    assert send(fake, "GET", "/api/4/orders", token="bad").status == 401
    assert send(fake, "GET", "/api/4/orders").status == 200


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("503@2", [FaultRule(Fault("503", status=503), at=frozenset({2}))]),
        ("500@1-3", [FaultRule(Fault("500", status=500), at=frozenset({1, 2, 3}))]),
        ("429=2.5@*", [FaultRule(Fault("429", status=429, retry_after=2.5), always=True)]),
        (
            "POST:fail_after@1",
            [FaultRule(Fault("fail_after", status=500), at=frozenset({1}), method="POST")],
        ),
        ("fail_after=503@%3", [FaultRule(Fault("fail_after", status=503), every=3)]),
        ("delay=0.25~0.5", [FaultRule(Fault("delay", delay=0.25), probability=0.5)]),
        (
            "html502@1; reset_before@2",
            [
                FaultRule(Fault("html502", status=502), at=frozenset({1})),
                FaultRule(Fault("reset_before"), at=frozenset({2})),
            ],
        ),
        ("", []),
    ],
)
def test_parse_fault_spec(spec: str, expected: list[FaultRule]) -> None:
    assert parse_fault_spec(spec) == expected


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("boom@1", "unknown fault"),
        ("503", "bad fault rule"),
        ("503@0", "bad fault positions"),
        ("503@3-2", "bad fault positions"),
        ("delay@1", "needs seconds"),
        ("503~1.5", "within 0..1"),
        ("503@%0", "period must be"),
        ("FETCH:503@1", "unknown HTTP method"),
    ],
)
def test_bad_fault_specs(spec: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_fault_spec(spec)


def test_every_kind_builds_and_is_classified() -> None:
    processed_first = {"reset_after", "fail_after", "delay", "truncate"}
    for kind in FAULT_KINDS:
        fault = Fault.of(kind, 1.0)
        assert fault.kind == kind
        assert fault.preempts is (kind not in processed_first)


def req(
    method: str = "GET",
    path: str = "/api/4/orders",
    fake: FakeBooqable | None = None,
    body: bytes | None = None,
) -> HttpRequest:
    token = fake.token if fake else ""
    return HttpRequest(
        method, f"https://demo.booqable.com{path}", {"Authorization": f"Bearer {token}"}, body
    )


@pytest.mark.parametrize("status", ["500", "502", "503", "504"])
def test_status_faults_preempt_processing(status: str) -> None:
    fake = FakeBooqable(faults=f"POST:{status}@1")
    body = b'{"data":{"type":"customers","attributes":{"name":"x"}}}'
    outcome = fake.handle(req("POST", "/api/4/customers", fake, body))
    assert outcome.response.status == int(status)
    assert outcome.response.headers["Content-Type"].startswith("application/vnd.api+json")
    assert fake.count("customers") == 0
    assert fake.requests[-1].processed is False
    assert fake.handle(req("POST", "/api/4/customers", fake, body)).response.status == 201


def test_429_fault_with_and_without_retry_after() -> None:
    fake = FakeBooqable(faults="429@1,429=3@2")
    first = fake.handle(req(fake=fake)).response
    second = fake.handle(req(fake=fake)).response
    assert (first.status, second.status) == (429, 429)
    assert "Retry-After" not in first.headers
    assert second.headers["Retry-After"] == "3"


def test_html_502_page() -> None:
    fake = FakeBooqable(faults="html502@1")
    response = fake.handle(req(fake=fake)).response
    assert response.status == 502
    assert response.headers["Content-Type"] == "text/html"
    assert b"<h1>502 Bad Gateway</h1>" in response.body


def test_fail_after_processing_writes_then_500() -> None:
    fake = FakeBooqable(faults="POST:fail_after@1")
    body = b'{"data":{"type":"customers","attributes":{"name":"x"}}}'
    outcome = fake.handle(req("POST", "/api/4/customers", fake, body))
    assert outcome.response.status == 500
    assert fake.count("customers") == 1  # the write happened
    log = fake.requests[-1]
    assert (log.fault, log.processed, log.status) == ("fail_after", True, 500)


async def test_transport_surfaces_resets_truncation_and_delays() -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    fake = FakeBooqable(faults="reset_before@1,reset_after@2,truncate@3,delay=1.5@4", sleep=sleep)
    body = b'{"data":{"type":"customers","attributes":{"name":"x"}}}'
    async with fake.transport() as transport:
        with pytest.raises(ConnectionReset) as before:
            await transport.send(req("POST", "/api/4/customers", fake, body))
        assert before.value.request_sent is False
        assert fake.count("customers") == 0
        with pytest.raises(ConnectionReset) as after:
            await transport.send(req("POST", "/api/4/customers", fake, body))
        assert after.value.request_sent is True
        assert fake.count("customers") == 1
        with pytest.raises(ProtocolError, match="truncated"):
            await transport.send(req(fake=fake))
        response = await transport.send(req(fake=fake))
        assert response.status == 200
        assert slept == [1.5]
        assert len(transport.requests) == 4
    assert transport.closed
    with pytest.raises(UsageError, match="is closed; create a new transport"):
        await transport.send(req(fake=fake))
    assert [log.status for log in fake.requests] == [0, 0, 200, 200]


def test_probabilistic_faults_are_deterministic_per_seed() -> None:
    def pattern(seed: int) -> list[int]:
        fake = FakeBooqable(seed=seed, faults="503~0.3")
        return [fake.handle(req(fake=fake)).response.status for _ in range(40)]

    first = pattern(7)
    assert first == pattern(7)
    assert first != pattern(8)
    assert 0 < first.count(503) < 40


def test_every_kth_and_always_and_method_and_path_filters() -> None:
    fake = FakeBooqable(faults="500@%3")
    statuses = [fake.handle(req(fake=fake)).response.status for _ in range(6)]
    assert statuses == [200, 200, 500, 200, 200, 500]
    fake = FakeBooqable()
    fake.fail_next("503", 2, path_prefix="/api/4/customers")
    assert fake.handle(req(fake=fake)).response.status == 200
    statuses = [
        fake.handle(req(path="/api/4/customers", fake=fake)).response.status for _ in range(3)
    ]
    assert statuses == [503, 503, 200]
    fake.fail_next("fail_after", method="put")
    assert fake.faults.rules[-1].method == "PUT"
    fake.faults.clear()
    assert fake.faults.rules == []
    with pytest.raises(UsageError):
        fake.fail_next("503", 0)


def test_first_matching_rule_wins_and_all_rules_count() -> None:
    fake = FakeBooqable(faults="503@1,500@1-2")
    assert fake.handle(req(fake=fake)).response.status == 503
    assert fake.handle(req(fake=fake)).response.status == 500
    assert [f[0] for f in fake.faults.fired] == ["503", "500"]


def test_fault_before_auth_and_rate_limit(clock: Clock) -> None:
    fake = FakeBooqable(rate_limit="1/60", clock=clock, faults="503@1")
    assert fake.handle(req(fake=None)).response.status == 503
    assert send(fake, "GET", "/api/4/orders").status == 200


def test_invalid_write_is_not_undone_by_faults() -> None:
    fake = FakeBooqable(faults="POST:fail_after@1")
    outcome = fake.handle(
        req(
            "POST",
            "/api/4/customers",
            fake,
            b'{"data":{"type":"customers","attributes":{"nope":1}}}',
        )
    )
    assert outcome.response.status == 500
    assert fake.count("customers") == 0
    assert send(fake, "POST", "/api/4/customers", doc("customers", {"name": "y"})).status == 201
