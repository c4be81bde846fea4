"""Property tests: whatever the bytes, only DecodeError or ApiError escapes, and no secret."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from booqable_async import errors
from booqable_async.protocol import ErrorObject, decipher_response, parse_error_objects
from booqable_async.transport import HttpResponse

CONTENT_TYPES = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "application/vnd.api+json",
            "application/vnd.api+json; charset=utf-8",
            "application/json; charset=UTF-8",
            "application/problem+json",
            "application/json; charset=utf-16",
            "application/json; charset=bogus",
            "application/json; charset=",
            "text/html; charset=utf-8",
            "text/plain",
            "application/octet-stream",
            ";;;",
            "",
        ]
    ),
    st.text(max_size=40),
)

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63) + 1, max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=25,
)

# Error-document-shaped JSON with every member possibly the wrong type.
ODD = JSON_VALUES
ERROR_ENTRY = st.fixed_dictionaries(
    {},
    optional={
        "code": ODD,
        "status": st.one_of(
            st.integers(min_value=-(2**63) + 1, max_value=2**63 - 1),
            st.floats(),
            st.text(max_size=5),
            ODD,
        ),
        "title": ODD,
        "detail": ODD,
        "source": st.one_of(
            st.fixed_dictionaries({}, optional={"pointer": ODD, "parameter": ODD}), ODD
        ),
        "meta": ODD,
    },
)
ERROR_DOCS = st.one_of(
    st.fixed_dictionaries({"errors": st.lists(st.one_of(ERROR_ENTRY, ODD), max_size=6)}),
    st.fixed_dictionaries({"errors": st.one_of(ERROR_ENTRY, ODD)}),
    JSON_VALUES,
)

BODIES = st.one_of(
    st.binary(max_size=300),
    JSON_VALUES.map(orjson.dumps),
    ERROR_DOCS.map(orjson.dumps),
    ERROR_DOCS.map(lambda doc: b"\xef\xbb\xbf" + orjson.dumps(doc)),
    st.text(max_size=200).map(lambda text: f"<html><title>{text}</title>{text}".encode()),
)

STATUSES = st.one_of(st.integers(min_value=100, max_value=599), st.integers())

# Secrets are drawn with a fixed, distinctive shape so no body drawn independently can
# contain one by chance.
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
SECRETS = st.text(ALNUM, min_size=10, max_size=20).map(lambda s: f"Zq{s}")


@pytest.mark.slow
@settings(max_examples=250, suppress_health_check=[HealthCheck.too_slow])
@given(
    status=STATUSES,
    content_type=CONTENT_TYPES,
    body=BODIES,
    secret=SECRETS,
    request_id=st.one_of(st.none(), st.text(max_size=50)),
    retry_after=st.one_of(st.none(), st.text(max_size=30)),
)
def test_only_typed_errors_escape_and_no_secret_leaks(
    status: int,
    content_type: str | None,
    body: bytes,
    secret: str,
    request_id: str | None,
    retry_after: str | None,
) -> None:
    headers = [
        ("Authorization", f"Bearer {secret}"),
        ("Set-Cookie", f"_booqable_session={secret}; path=/; HttpOnly"),
        ("Cookie", f"sid={secret}"),
        ("Proxy-Authorization", f"Basic {secret}"),
        ("X-Ratelimit-Limit", "50"),
        ("X-Ratelimit-Period", "60"),
    ]
    if content_type is not None:
        headers.append(("Content-Type", content_type))
    if request_id is not None:
        headers.append(("X-Request-Id", request_id))
    if retry_after is not None:
        headers.append(("Retry-After", retry_after))
    url = f"https://acme.booqable.com/api/4/orders?api_key={secret}&page%5Bsize%5D=1"
    response = HttpResponse(status, headers, body, url=url)
    payload, exc = _outcome(response)
    if 200 <= status < 300:
        assert exc is None or type(exc) is errors.DecodeError
        if exc is None:
            assert payload is None or isinstance(payload, (dict, list, str, int, float, bool))
    else:
        assert isinstance(exc, errors.ApiError)
        assert type(exc) is errors.status_error_class(status)
        assert exc.status == status
        assert secret not in repr(exc)
        assert secret not in repr(exc.headers)
        assert len(exc.body_excerpt) <= 200
        assert exc.rate_limit is not None
        assert all(isinstance(e, ErrorObject) for e in exc.errors)
    assert secret not in str(exc)


def _outcome(response: HttpResponse) -> tuple[Any, Exception | None]:
    # Anything but these two escaping fails the test by propagating.
    try:
        return decipher_response(response, method="GET"), None
    except (errors.DecodeError, errors.ApiError) as exc:
        return None, exc


@given(ERROR_DOCS)
def test_parse_error_objects_never_crashes(document: Any) -> None:
    parsed = parse_error_objects(document)
    assert isinstance(parsed, tuple)
    for error in parsed:
        for member in (error.code, error.status, error.title, error.detail, error.parameter):
            assert member is None or isinstance(member, str)
        assert error.pointer is None or error.pointer == "" or error.pointer.startswith("/")
        str(error)


# Secrets the server echoes next to a label (a header name, a key=) are masked whatever
# their shape.
LABELLED_ECHOES = [
    "<html><body><pre>HTTP_AUTHORIZATION: Bearer {s}</pre></body></html>",
    "<p>Authorization: {s}</p>",
    '{{"message": "bad token", "detail": "Authorization: Bearer {s}"}}',
    '{{"error": "forbidden", "message": "request had api_key={s}"}}',
    '{{"errors": [{{"detail": "cookie: _session={s}"}}]}}',
    "Set-Cookie: _booqable_session={s}; path=/",
    '{{"request": {{"headers": {{"Cookie": "sid={s}"}}}}, "error": "x"}}',
    "GET /api/4/orders?api_key={s} 500",
    '{{"error": "{{\\"access_token\\": \\"{s}\\"}}"}}',
    "<!-- {s} --><h1>Error</h1>",
    "<script>var key = '{s}'</script><h1>Error</h1>",
]
# Bare secrets in prose are recognised by shape: 24+ characters mixing letters and digits
# (API keys, session ids) or a JWT.
BARE_ECHOES = [
    '{{"errors": [{{"code": "unauthorized", "detail": "token {s} is invalid"}}]}}',
    "<h1>Unknown key {s}</h1>",
    "invalid credentials {s}.",
]
TOKEN_SHAPED = st.text(ALNUM, min_size=21, max_size=40).map(lambda s: f"Zq7{s}")
JWT_SHAPED = st.from_regex(
    r"eyJ[A-Za-z0-9_-]{4,20}\.[A-Za-z0-9_-]{4,20}\.[A-Za-z0-9_-]{0,20}", fullmatch=True
)


def _assert_redacted(body: bytes, secret: str, status: int, content_type: str | None) -> None:
    headers = {} if content_type is None else {"Content-Type": content_type}
    with pytest.raises(errors.ApiError) as info:
        decipher_response(HttpResponse(status, headers, body))
    assert secret not in str(info.value)
    assert secret not in info.value.body_excerpt


ERROR_STATUSES = st.sampled_from([400, 401, 403, 404, 422, 500, 502, 503])


@settings(max_examples=200)
@given(
    template=st.sampled_from(LABELLED_ECHOES),
    secret=SECRETS,
    status=ERROR_STATUSES,
    content_type=CONTENT_TYPES,
)
def test_labelled_secrets_echoed_by_the_server_are_redacted(
    template: str, secret: str, status: int, content_type: str | None
) -> None:
    _assert_redacted(template.format(s=secret).encode(), secret, status, content_type)


@settings(max_examples=200)
@given(
    template=st.sampled_from(BARE_ECHOES),
    secret=st.one_of(TOKEN_SHAPED, JWT_SHAPED),
    status=ERROR_STATUSES,
    content_type=CONTENT_TYPES,
)
def test_token_shaped_secrets_echoed_by_the_server_are_redacted(
    template: str, secret: str, status: int, content_type: str | None
) -> None:
    _assert_redacted(template.format(s=secret).encode(), secret, status, content_type)
