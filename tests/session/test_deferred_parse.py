"""``Session.request(parse=False)``: a 2xx body parsed on first read, errors as before."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from booqable_async import errors
from booqable_async.clock import Clock
from booqable_async.session import RequestEvent, Session
from booqable_async.transport import HttpResponse, MockTransport
from tests.session.helpers import JSONAPI, TOKEN, Script, answer


async def _no_sleep(seconds: float) -> None:
    return None


def session_for(script: Script, **kwargs: Any) -> Session:
    return Session(
        company="acme",
        token=TOKEN,
        transport=MockTransport(script),
        clock=Clock(sleep=_no_sleep, random=lambda: 0.5),
        **kwargs,
    )


def broken_body(status: int = 200) -> HttpResponse:
    return HttpResponse(status, {"Content-Type": JSONAPI}, b'{"data": [')


async def test_a_deferred_body_is_parsed_on_first_read_and_kept() -> None:
    body = {"data": [{"id": "1", "type": "orders"}]}
    async with session_for(Script(answer(200, body))) as session:
        response = await session.request("GET", "orders", parse=False)
    assert not response.parsed
    assert response.body == orjson.dumps(body)
    first = response.json()
    assert first == body
    assert response.json() is not first  # json() parses afresh until payload is read
    assert not response.parsed
    payload = response.payload
    assert payload == body
    assert response.parsed
    assert response.payload is payload
    assert response.json() is payload  # once kept, json() returns it


async def test_an_eager_answer_is_parsed_already_and_keeps_its_body() -> None:
    body = {"data": {"id": "1", "type": "orders"}}
    async with session_for(Script(answer(200, body))) as session:
        response = await session.request("GET", ("orders", "1"))
    assert response.parsed
    assert response.json() is response.payload
    assert response.body == orjson.dumps(body)


@pytest.mark.parametrize("read", ["payload", "json"])
async def test_a_deferred_body_that_is_not_json_raises_decode_error_when_read(read: str) -> None:
    async with session_for(Script(broken_body())) as session:
        response = await session.request("GET", "orders", parse=False)  # no error yet
        with pytest.raises(errors.DecodeError, match=r"HTTP 200 for GET .*orders.*not valid JSON"):
            getattr(response, read) if read == "payload" else response.json()
    assert not response.parsed  # a failed parse keeps nothing: the next read raises again
    with pytest.raises(errors.DecodeError):
        response.payload  # noqa: B018


async def test_an_empty_deferred_body_reads_as_none() -> None:
    script = Script(HttpResponse(204, {}, b""))
    async with session_for(script) as session:
        response = await session.request("DELETE", ("orders", "1"), parse=False)
    assert response.payload is None
    assert response.body == b""


async def test_error_answers_raise_from_request_even_when_parsing_is_deferred() -> None:
    script = Script(answer(404), answer(200))
    async with session_for(script) as session:
        with pytest.raises(errors.NotFound) as caught:
            await session.request("GET", ("orders", "x"), parse=False)
    assert caught.value.errors[0].code == "oops"


async def test_retries_still_happen_before_a_deferred_answer_returns() -> None:
    script = Script(answer(503), answer(500), answer(200, {"data": []}))
    async with session_for(script) as session:
        response = await session.request("GET", "orders", parse=False)
    assert response.attempts == 3
    assert response.payload == {"data": []}


async def test_hooks_see_a_deferred_answer_without_a_parse_error() -> None:
    seen: list[RequestEvent] = []
    async with session_for(Script(broken_body()), hooks={"on_response": seen.append}) as session:
        deferred = await session.request("GET", "orders", parse=False)
        with pytest.raises(errors.DecodeError):
            await session.request("GET", "orders")
    assert seen[0].error is None  # not parsed yet: nothing to report
    assert isinstance(seen[1].error, errors.DecodeError)  # eager: reported at once
    with pytest.raises(errors.DecodeError):
        deferred.json()


async def test_the_repr_of_a_deferred_answer_shows_no_body() -> None:
    body = {"data": [{"id": "1", "type": "customers", "attributes": {"email": "x@y.z"}}]}
    async with session_for(Script(answer(200, body))) as session:
        response = await session.request("GET", "customers", parse=False)
    assert "x@y.z" not in repr(response)
    assert "x@y.z" not in str(response)
