"""The v1 api_key lives in every URL: it must never be shown.

Not in DEBUG log lines (the suite's ``leak_guard`` checks every line of every test), not in
a repr, not in an exception message: errors of single requests, errors raised in the
middle of a pagination, redirects (whose ``Location`` repeats the key), transport
failures.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

import orjson
import pytest

from booqable_async import RetryPolicy, errors
from booqable_async.clock import Clock
from booqable_async.testing import FakeBooqable
from booqable_async.transport import HttpRequest, HttpResponse, MockTransport
from booqable_async.v1 import BooqableV1Client
from tests.conftest import LeakGuard
from tests.leaks import API_KEY, find_leaks, masked
from tests.v1.conftest import no_sleep


def shown(value: object) -> list[str]:
    """What a user or a log sees: str, repr and, for errors, every chained message."""
    texts = [str(value), repr(value)]
    if isinstance(value, BaseException):
        seen: BaseException | None = value
        while seen is not None:
            texts.extend(traceback.format_exception_only(type(seen), seen))
            seen = seen.__cause__ or seen.__context__
        if isinstance(value, errors.ApiError):
            texts += [value.url, repr(value.headers), repr(value.errors), value.body_excerpt]
    return texts


def assert_clean(*values: object) -> None:
    for value in values:
        for text in shown(value):
            leaks = find_leaks(text, {API_KEY})
            assert not leaks, masked(text, leaks)
            assert API_KEY not in text


@pytest.fixture
def keyed(leak_guard: LeakGuard) -> FakeBooqable:
    leak_guard.register(API_KEY)
    fake = FakeBooqable.demo(customers=120, orders=10, product_groups=2, sleep=no_sleep)
    fake.add_token(API_KEY)
    return fake


def client_for(fake: FakeBooqable, **options: Any) -> BooqableV1Client:
    return fake.v1_client(api_key=API_KEY, clock=Clock(sleep=no_sleep), **options)


async def test_the_key_is_sent_and_never_shown(keyed: FakeBooqable) -> None:
    transport = keyed.transport()
    async with client_for(keyed, transport=transport) as client:
        customer = (await client.customers.list()).data[0]
        await client.customers.get(customer.id)
        assert_clean(client, client.session, client.session.settings, client.customers)
    assert all(f"api_key={API_KEY}" in request.url for request in transport.requests)
    assert_clean(*transport.requests)


@pytest.mark.parametrize(
    "failure",
    [
        lambda client: client.customers.get("missing"),
        lambda client: client.orders.reserve("f0000000-0000-4000-8000-000000000000"),
        lambda client: client.request("POST", "customers", json={"customer": {}}),
    ],
)
async def test_error_messages_hide_the_key(
    keyed: FakeBooqable, failure: Callable[[BooqableV1Client], Any]
) -> None:
    async with client_for(keyed) as client:
        with pytest.raises(errors.ApiError) as info:
            await failure(client)
    assert "api_key=REDACTED" in str(info.value)
    assert_clean(info.value)


async def test_a_wrong_key_is_unauthorized_and_not_shown(
    keyed: FakeBooqable, leak_guard: LeakGuard
) -> None:
    wrong = "a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4"
    leak_guard.register(wrong)
    async with keyed.v1_client(api_key=wrong) as client:
        with pytest.raises(errors.Unauthorized) as info:
            await client.customers.list()
    text = "\n".join(shown(info.value))
    assert wrong not in text
    assert "Invalid or missing api_key" in text


async def test_errors_in_the_middle_of_a_pagination_hide_the_key(keyed: FakeBooqable) -> None:
    async with client_for(keyed, retry=RetryPolicy(max_attempts=2)) as client:
        pages = client.customers.list(per=20, concurrency=1)
        first = await pages
        assert len(first.data) == 20
        keyed.fail_next("503", times=50, path_prefix="/api/1/customers")
        with pytest.raises(errors.PaginationError) as info:
            await pages.collect()
    error = info.value
    assert isinstance(error.cause, errors.ServerError)
    assert "api_key=REDACTED" in str(error)
    assert_clean(error, error.cause, error.resume_point)


async def test_a_transport_failure_mid_pagination_hides_the_key(keyed: FakeBooqable) -> None:
    async with client_for(keyed, retry=RetryPolicy(max_attempts=2)) as client:
        keyed.fail_next("reset_before", times=10, path_prefix="/api/1/customers")
        with pytest.raises(errors.PaginationError) as info:
            await client.customers.list(per=20).collect()
    assert isinstance(info.value.cause, errors.ConnectionReset)
    assert_clean(info.value, info.value.cause)


async def test_redirects_are_not_followed_and_their_location_is_masked(
    leak_guard: LeakGuard,
) -> None:
    leak_guard.register(API_KEY)

    def redirect(request: HttpRequest) -> HttpResponse:
        location = request.url.replace("https://acme.booqable.com", "https://elsewhere.example")
        return HttpResponse(301, {"Location": location, "Content-Type": "text/html"}, b"Moved")

    transport = MockTransport(redirect)
    async with BooqableV1Client(
        company="acme", api_key=API_KEY, transport=transport, clock=Clock(sleep=no_sleep)
    ) as client:
        with pytest.raises(errors.UnexpectedStatus) as info:
            await client.orders.get(7)
        with pytest.raises(errors.PaginationError) as paging:
            await client.customers.list().collect()
    assert len(transport.requests) == 2  # one each: a redirect is never followed
    assert info.value.headers is not None
    assert "https://elsewhere.example/api/1/orders/7" in repr(info.value.headers)
    assert isinstance(paging.value.cause, errors.UnexpectedStatus)
    assert_clean(info.value, paging.value, paging.value.cause)


async def test_an_error_body_that_echoes_the_key_is_scrubbed(leak_guard: LeakGuard) -> None:
    leak_guard.register(API_KEY)

    def echo(request: HttpRequest) -> HttpResponse:
        body = {"error": {"status": "invalid", "message": f"bad request {request.url}"}}
        return HttpResponse(422, {"Content-Type": "application/json"}, orjson.dumps(body))

    async with BooqableV1Client(
        company="acme", api_key=API_KEY, transport=MockTransport(echo)
    ) as client:
        with pytest.raises(errors.UnprocessableEntity) as info:
            await client.customers.create(name="X")
    assert_clean(info.value)
