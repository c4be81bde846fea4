"""decipher_response against every recorded exchange and every documented error example."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from booqable_async import errors
from booqable_async.protocol import (
    ErrorObject,
    RateLimit,
    decipher_response,
    parse_error_objects,
    parse_rate_limit,
)
from booqable_async.transport import HttpResponse
from tests.shared_data import PLACEHOLDER, SHARED

# Collected at import so each exchange is its own test id; when ../shared is absent the
# single placeholder case skips (fails under CI) through the shared_api fixture.
RECORDED = sorted(
    p.name for p in (SHARED / "recorded").glob("*.json") if p.name != "index.json"
) or [PLACEHOLDER]


def _documented_422s() -> list[str]:
    index = SHARED / "examples" / "errors__documented_error_examples.json"
    if not index.is_file():
        return [PLACEHOLDER]
    return [entry["file"] for entry in json.loads(index.read_text())["examples"]]


DOCUMENTED_422 = _documented_422s()


def _response(exchange: dict[str, Any]) -> HttpResponse:
    recorded = exchange["response"]
    # VCR keeps headers as name -> [values]; each value is one field line.
    lines = [(name, value) for name, values in recorded["headers"].items() for value in values]
    return HttpResponse(
        recorded["status"], lines, recorded["body"].encode(), url=exchange["request"]["uri"]
    )


def _expected_rate_limit(exchange: dict[str, Any]) -> RateLimit | None:
    headers = {k.lower(): v[0] for k, v in exchange["response"]["headers"].items()}
    if "x-ratelimit-limit" not in headers:
        return None
    return RateLimit(
        int(headers["x-ratelimit-limit"]),
        float(headers["x-ratelimit-period"]),
        int(headers["x-ratelimit-remaining"]),
    )


# What each recorded error must come out as (the rest of the recordings are 2xx).
ERRORS: dict[str, dict[str, Any]] = {
    "booqable-resourceproxy__error-handling__raises-error-for-invalid-create-attributes.json": {
        "cls": errors.BadRequest,
        "codes": ("bad_request",),
        "request_id": "b6efa8ab-b632-4241-98cd-45c6d5b7fa1f",
        "first": ErrorObject(
            code="bad_request",
            status="400",
            title="Request Error",
            detail="data.attributes.invalid_field is an unknown attribute",
            pointer="/data/attributes/invalid_field",
            meta={
                "attribute": "data.attributes.invalid_field",
                "message": "is an unknown attribute",
                "code": "unknown_attribute",
            },
        ),
    },
    "booqable-resourceproxy__error-handling__raises-error-for-invalid-order-id.json": {
        "cls": errors.NotFound,
        "codes": ("resources_not_found",),
        "request_id": "71660a43-817f-400f-a786-996af79c53fb",
        "first": ErrorObject(
            code="resources_not_found", status="404", title="Resource(s) not found"
        ),
    },
    "booqable-resourceproxy__orders-resource__delete__raises-error-for-invalid-order-id.json": {
        "cls": errors.NotFound,
        "codes": (),
        "request_id": "acc900f3-0f13-4f25-b776-3d081d04ab57",
        "excerpt": "No route matches [DELETE]",
    },
}


@pytest.mark.parametrize("name", RECORDED)
def test_every_recorded_exchange(shared_api: Path, name: str) -> None:
    exchange = json.loads((shared_api / "recorded" / name).read_text())
    response = _response(exchange)
    method = exchange["request"]["method"].upper()
    assert parse_rate_limit(response.headers) == _expected_rate_limit(exchange)

    if 200 <= response.status < 300:
        assert name not in ERRORS
        payload = decipher_response(response, method=method)
        assert payload == json.loads(exchange["response"]["body"])
        assert isinstance(payload, dict)
        assert "data" in payload
        return

    expected = ERRORS[name]
    with pytest.raises(errors.ApiError) as info:
        decipher_response(response, method=method)
    err = info.value
    assert type(err) is expected["cls"]
    assert err.status == response.status
    assert err.method == method
    assert err.codes == expected["codes"]
    assert err.request_id == expected["request_id"]
    assert expected["request_id"] in str(err)
    assert err.rate_limit == _expected_rate_limit(exchange)
    assert err.retry_after is None  # Booqable sends no Retry-After (README caveats)
    assert err.headers is not None
    assert err.headers["x-request-id"] == expected["request_id"]
    if "first" in expected:
        assert err.errors[0] == expected["first"]
        assert err.body_excerpt == ""
    if "excerpt" in expected:
        assert err.errors == ()
        assert expected["excerpt"] in err.body_excerpt
        assert len(err.body_excerpt) <= 200
        assert expected["excerpt"] in str(err)
    # Recorded responses carry (redacted) Set-Cookie headers; none of it reaches the message.
    assert "REDACTED" not in str(err)
    assert "Set-Cookie" not in str(err)


def test_recorded_table_covers_every_error(shared_api: Path) -> None:
    index = json.loads((shared_api / "recorded" / "index.json").read_text())
    failing = {entry["file"] for entry in index if entry["status"] >= 300}
    assert failing == set(ERRORS)
    assert len(index) == len(RECORDED)


def test_unknown_attribute_message(shared_api: Path) -> None:
    name = next(n for n in ERRORS if "invalid-create-attributes" in n)
    exchange = json.loads((shared_api / "recorded" / name).read_text())
    with pytest.raises(errors.BadRequest) as info:
        decipher_response(_response(exchange), method="POST")
    assert str(info.value) == (
        "HTTP 400 for POST http://<BOOQABLE_COMPANY>.booqable.test/api/4/orders: "
        "bad_request: data.attributes.invalid_field is an unknown attribute "
        "[at /data/attributes/invalid_field] (request id b6efa8ab-b632-4241-98cd-45c6d5b7fa1f)"
    )
    assert info.value.errors[0].meta["code"] == "unknown_attribute"


@pytest.mark.parametrize("name", DOCUMENTED_422)
def test_documented_422_examples(shared_api: Path, name: str) -> None:
    raw = (shared_api / "examples" / name).read_bytes()
    document = json.loads(raw)
    response = HttpResponse(
        422,
        {"Content-Type": "application/vnd.api+json; charset=utf-8", "X-Request-Id": "r-422"},
        raw,
        url="https://acme.booqable.com/api/4/orders",
    )
    with pytest.raises(errors.UnprocessableEntity) as info:
        decipher_response(response, method="POST")
    err = info.value
    assert err.codes == tuple(e["code"] for e in document["errors"])
    assert len(err.errors) == len(document["errors"])
    for parsed, source in zip(err.errors, document["errors"], strict=True):
        assert parsed.status == "422"
        assert parsed.title == source["title"]
        assert parsed.detail == source["detail"]
        # meta survives intact: the shortage lists (blocking/warning) a caller acts on.
        assert parsed.meta == (source["meta"] or {})
        for key in ("blocking", "warning"):
            if source["meta"] and key in source["meta"]:
                assert parsed.meta[key] == source["meta"][key]
    assert err.body_excerpt == ""
    assert err.request_id == "r-422"
    assert parse_error_objects(document) == err.errors


def test_documented_examples_include_blocking_and_warning(shared_api: Path) -> None:
    raw = (
        shared_api / "examples" / "order_status_transitions__create__response_3.json"
    ).read_bytes()
    with pytest.raises(errors.UnprocessableEntity) as info:
        decipher_response(HttpResponse(422, {"Content-Type": "application/json"}, raw))
    error = info.value.errors[0]
    assert error.code == "items_not_available"
    assert error.meta["warning"] == []
    assert error.meta["blocking"][0]["reason"] == "shortage"
    assert error.meta["blocking"][0]["shortage"] == 1
