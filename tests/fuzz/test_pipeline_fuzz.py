"""Fuzzing the response path end to end: ``decipher_response`` then ``decode``.

What a session does with every answer, fed with realistic damage: valid documents cut at
any byte, wrong or missing content types, byte order marks, odd charsets, any status.
Only ``DecodeError`` (a 2xx we cannot read) and ``ApiError`` (any other status) escape.
"""

from __future__ import annotations

from typing import Any

import orjson
from hypothesis import given
from hypothesis import strategies as st

from booqable_async import errors
from booqable_async.jsonapi import Document, decode
from booqable_async.protocol import decipher_response
from booqable_async.transport import HttpResponse
from tests.fuzz.conftest import FUZZ
from tests.fuzz.strategies import compound_documents

CONTENT_TYPES = st.sampled_from(
    [
        None,
        "application/vnd.api+json",
        "application/json; charset=utf-8",
        "application/json; charset=latin-1",
        "application/json; charset=nope",
        "application/problem+json",
        "text/html",
        "text/plain; charset=utf-8",
        "",
    ]
)
STATUSES = st.sampled_from([200, 201, 204, 400, 401, 404, 422, 429, 500, 502, 503, 504, 302])


@st.composite
def damaged_bodies(draw: st.DrawFn) -> bytes:
    body = orjson.dumps(draw(compound_documents()))
    damage = draw(st.sampled_from(["none", "cut", "bom", "flip", "insert", "html"]))
    if damage == "cut":
        return body[: draw(st.integers(0, len(body)))]
    if damage == "bom":
        return b"\xef\xbb\xbf" + body
    if damage == "flip":
        at = draw(st.integers(0, len(body) - 1))
        return body[:at] + bytes([draw(st.integers(0, 255))]) + body[at + 1 :]
    if damage == "insert":
        at = draw(st.integers(0, len(body)))
        return body[:at] + draw(st.binary(min_size=1, max_size=8)) + body[at:]
    if damage == "html":
        return b"<html><body><h1>Maintenance</h1>" + body[:64] + b"</body></html>"
    return body


def _answer(response: HttpResponse) -> Any:
    payload = decipher_response(response, method="GET")
    if payload is None:
        return None
    return decode(payload)


def _outcome(response: HttpResponse) -> tuple[Any, errors.BooqableError | None]:
    # Anything but these two escaping fails the test by propagating.
    try:
        return _answer(response), None
    except (errors.ApiError, errors.DecodeError) as exc:
        return None, exc


@FUZZ
@given(status=STATUSES, content_type=CONTENT_TYPES, body=damaged_bodies())
def test_damaged_answers_raise_only_typed_errors(
    status: int, content_type: str | None, body: bytes
) -> None:
    headers = {} if content_type is None else {"Content-Type": content_type}
    response = HttpResponse(status, headers, body, url="https://acme.booqable.com/api/4/orders")
    result, error = _outcome(response)
    if isinstance(error, errors.ApiError):
        assert not 200 <= status < 300
        assert type(error) is errors.status_error_class(status)
    elif error is not None:
        assert 200 <= status < 300
        assert str(error)
    else:
        assert 200 <= status < 300
        assert result is None or isinstance(result, Document)


@FUZZ
@given(compound_documents())
def test_undamaged_answers_decode(raw: dict[str, Any]) -> None:
    body = orjson.dumps(raw)
    response = HttpResponse(200, {"Content-Type": "application/vnd.api+json"}, body)
    doc = _answer(response)
    assert isinstance(doc, Document)
    assert len(doc.primary) == (len(raw["data"]) if isinstance(raw["data"], list) else 1)
