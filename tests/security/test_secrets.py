"""No secret in any repr, str or exception message, whatever path a request takes.

Logs are checked for every test of the suite by the ``leak_guard`` fixture
(tests/conftest.py); these tests add the objects and messages a user sees directly.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

import orjson
import pytest

from booqable_async import BooqableClient, errors
from booqable_async.auth import OAuth2Auth, OAuth2Token, SingleUseAuth, TokenAuth
from booqable_async.clock import Clock
from booqable_async.protocol import build_request
from booqable_async.ratelimit import RateLimiter
from booqable_async.retry import RetryPolicy
from booqable_async.session import Hooks, RequestEvent, Session
from booqable_async.testing import FakeBooqable
from booqable_async.transport import (
    AiohttpTransport,
    Headers,
    HttpRequest,
    HttpResponse,
    HttpxTransport,
    MockTransport,
)
from tests.leaks import (
    ACCESS_TOKEN,
    API_KEY,
    AUTH_CODE,
    CLIENT_SECRET,
    COOKIE,
    REFRESH_TOKEN,
    SIGNING_SECRET,
    TOKEN,
    find_leaks,
    masked,
)

JSONAPI = {"Content-Type": "application/vnd.api+json"}


async def _no_sleep(seconds: float) -> None:
    return None


def assert_clean(*texts: str) -> None:
    for text in texts:
        leaks = find_leaks(text)
        assert not leaks, masked(text, leaks)


def everything_shown(exc: BaseException) -> list[str]:
    """What a user or a log sees of an exception: str, repr, and every chained message.

    (Not the source lines a traceback quotes: those are this test's own code.)
    """
    shown = [str(exc), repr(exc)]
    seen: BaseException | None = exc
    while seen is not None:
        shown.extend(traceback.format_exception_only(type(seen), seen))
        seen = seen.__cause__ or seen.__context__
    return shown


def test_reprs_and_strs_of_everything_holding_a_credential() -> None:
    headers = Headers(
        [
            ("Authorization", f"Bearer {TOKEN}"),
            ("Cookie", f"_booqable_session={COOKIE}"),
            ("Proxy-Authorization", f"Basic {API_KEY}"),
            ("Session-Expiry-Token", ACCESS_TOKEN),
        ]
    )
    url = f"https://acme.booqable.com/api/1/orders?api_key={API_KEY}&access_token={ACCESS_TOKEN}"
    token = OAuth2Token(ACCESS_TOKEN, refresh_token=REFRESH_TOKEN, expires_at=10.0)
    objects: list[Any] = [
        Session(company="acme", token=TOKEN),
        BooqableClient(company="acme", token=TOKEN),
        BooqableClient(company="acme", token=TOKEN).orders,
        TokenAuth(TOKEN),
        token,
        OAuth2Auth(client_id="app", client_secret=CLIENT_SECRET, token=token),
        OAuth2Auth(client_id="app", client_secret=CLIENT_SECRET, authorization_code=AUTH_CODE),
        SingleUseAuth(
            key=SIGNING_SECRET,
            authentication_method_id="kid",
            employee_id="employee",
            company_id="company",
            algorithm="HS256",
        ),
        headers,
        HttpRequest("POST", url, headers, b'{"data": {}}'),
        HttpResponse(200, [("Set-Cookie", f"sid={COOKIE}; HttpOnly")], b"{}", url=url),
        FakeBooqable(token=TOKEN),
        AiohttpTransport(),
        HttpxTransport(),
        RateLimiter(limit=50, period=60),
        RetryPolicy(),
        errors.ConnectError("refused", method="GET", url=url),
        errors.ServerError(500, headers=headers, url=url, method="GET"),
        errors.DecodeError("not JSON", "/data"),
    ]
    for obj in objects:
        assert_clean(repr(obj), str(obj), f"{obj!s:>10}")
    assert_clean(repr(headers.redacted()), str(dict(headers.redacted())))


# One scripted answer per failure path; each echoes the credentials it was sent, as
# misbehaving servers and proxies do.
def _echo(request: HttpRequest) -> str:
    return (
        f"Authorization: {request.headers.get('Authorization')}\n"
        f"Cookie: {request.headers.get('Cookie')}\nURL: {request.url}"
    )


def _answers() -> dict[str, Callable[[HttpRequest], HttpResponse]]:
    def jsonapi_401(request: HttpRequest) -> HttpResponse:
        detail = f"token {request.headers.get('Authorization', '').split()[-1]} is invalid"
        body = {"errors": [{"status": "401", "code": "unauthorized", "detail": detail}]}
        return HttpResponse(401, JSONAPI, orjson.dumps(body), url=request.url)

    def rails_403(request: HttpRequest) -> HttpResponse:
        body = {"error": "forbidden", "message": _echo(request)}
        return HttpResponse(403, {"Content-Type": "application/json"}, orjson.dumps(body))

    def html_500(request: HttpRequest) -> HttpResponse:
        page = f"<html><title>Error</title><body><pre>{_echo(request)}</pre></body></html>"
        return HttpResponse(500, {"Content-Type": "text/html"}, page.encode())

    def html_200(request: HttpRequest) -> HttpResponse:
        page = f"<html><body>Log in again. {_echo(request)}</body></html>"
        return HttpResponse(200, {"Content-Type": "text/html"}, page.encode())

    def broken_json_200(request: HttpRequest) -> HttpResponse:
        return HttpResponse(200, JSONAPI, orjson.dumps({"token": TOKEN})[:-3])

    def validation_422(request: HttpRequest) -> HttpResponse:
        error = {
            "code": "invalid",
            "detail": f"api_key={API_KEY} Bearer {TOKEN} cookie={COOKIE}",
            "source": {"pointer": "data/attributes/name"},
            "meta": {"echo": _echo(request)},
        }
        return HttpResponse(422, JSONAPI, orjson.dumps({"errors": [error] * 5}))

    def rate_limited(request: HttpRequest) -> HttpResponse:
        return HttpResponse(429, {"Retry-After": "3600"}, _echo(request).encode())

    def redirect(request: HttpRequest) -> HttpResponse:
        return HttpResponse(302, {"Location": f"https://evil.example/?api_key={API_KEY}"}, b"")

    def read_timeout(request: HttpRequest) -> HttpResponse:
        raise errors.ReadTimeout("no answer", method=request.method, url=request.url)

    def reset_before(request: HttpRequest) -> HttpResponse:
        raise errors.ConnectionReset(
            "reset", method=request.method, url=request.url, request_sent=False
        )

    return {
        f.__name__: f
        for f in (
            jsonapi_401,
            rails_403,
            html_500,
            html_200,
            broken_json_200,
            validation_422,
            rate_limited,
            redirect,
            read_timeout,
            reset_before,
        )
    }


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("answer", sorted(_answers()))
async def test_every_failure_path_keeps_credentials_out_of_errors_and_events(
    answer: str, method: str
) -> None:
    events: list[RequestEvent] = []
    session = Session(
        base_url="https://acme.booqable.com/api/1",
        token=TOKEN,
        transport=MockTransport(_answers()[answer]),
        retry=RetryPolicy(max_attempts=2, max_wait=5),
        hooks=Hooks(on_request=events.append, on_response=events.append, on_retry=events.append),
        clock=Clock(sleep=_no_sleep),
    )
    async with session:
        with pytest.raises(errors.BooqableError) as info:
            await session.request(
                method,
                "orders",
                params={"api_key": API_KEY, "include": "customer"},
                headers={"Cookie": f"_booqable_session={COOKIE}"},
                json={"data": {"type": "orders"}} if method == "POST" else None,
            )
    exc = info.value
    assert_clean(*everything_shown(exc))
    if isinstance(exc, errors.ApiError):
        assert_clean(repr(exc.headers), exc.body_excerpt, exc.url, repr(exc.errors))
        assert_clean(*map(str, exc.errors))
    assert events
    for event in events:
        assert_clean(repr(event), str(event))


async def test_oauth_token_endpoint_failures_keep_client_credentials_out() -> None:
    def token_endpoint(request: HttpRequest) -> HttpResponse:
        body = request.body.decode() if request.body else ""
        answer = {"error": "invalid_grant", "error_description": f"rejected: {body}"}
        return HttpResponse(400, {"Content-Type": "application/json"}, orjson.dumps(answer))

    auth = OAuth2Auth(client_id="app", client_secret=CLIENT_SECRET, authorization_code=AUTH_CODE)
    async with Session(
        company="acme",
        auth=auth,
        transport=MockTransport(token_endpoint),
        clock=Clock(sleep=_no_sleep),
    ) as session:
        with pytest.raises(errors.Unauthorized) as info:
            await session.request("GET", "orders")
    assert_clean(*everything_shown(info.value))
    assert "authorize again" in str(info.value)


async def test_signed_tokens_never_show_in_errors() -> None:
    def reject(request: HttpRequest) -> HttpResponse:
        detail = f"bad token {request.headers['Authorization']}"
        return HttpResponse(401, JSONAPI, orjson.dumps({"errors": [{"detail": detail}]}))

    auth = SingleUseAuth(
        key=SIGNING_SECRET,
        authentication_method_id="kid",
        employee_id="employee",
        company_id="company",
        algorithm="HS256",
    )
    async with Session(company="acme", auth=auth, transport=MockTransport(reject)) as session:
        with pytest.raises(errors.Unauthorized) as info:
            await session.request("GET", "orders")
    shown = everything_shown(info.value)
    assert_clean(*shown)
    assert "eyJ" not in shown[0]


# A token pasted into the wrong argument is echoed scrubbed, never verbatim.
WRONG_ARGUMENTS: list[tuple[str, Callable[[], object]]] = [
    ("company", lambda: Session(company=TOKEN + "!", token="t")),
    ("company path", lambda: Session(company=f"acme/{TOKEN}", token="t")),
    ("base_url", lambda: Session(base_url=TOKEN, token="t")),
    ("base_url creds", lambda: Session(base_url=f"https://u:{TOKEN}@acme.booqable.com", token="t")),
    ("base_url query", lambda: Session(base_url=f"https://a.b/api/4?api_key={API_KEY}", token="t")),
    ("api_version", lambda: Session(company="acme", token="t", api_version=TOKEN)),
    ("timeout", lambda: Session(company="acme", token="t", timeout=TOKEN)),  # type: ignore[arg-type]
    ("max_concurrency", lambda: Session(company="acme", token="t", max_concurrency=TOKEN)),  # type: ignore[arg-type]
    ("rate_limit", lambda: Session(company="acme", token="t", rate_limit=TOKEN)),  # type: ignore[arg-type]
    ("retry", lambda: Session(company="acme", token="t", retry=TOKEN)),  # type: ignore[arg-type]
    ("hooks", lambda: Session(company="acme", token="t", hooks=TOKEN)),  # type: ignore[arg-type]
    ("transport", lambda: Session(company="acme", token="t", transport=TOKEN)),  # type: ignore[arg-type]
    ("limiter limit", lambda: RateLimiter(limit=TOKEN, period=60)),  # type: ignore[arg-type]
    ("limiter burst", lambda: RateLimiter(burst=TOKEN)),  # type: ignore[arg-type]
    ("retry attempts", lambda: RetryPolicy(max_attempts=TOKEN)),  # type: ignore[arg-type]
    ("retry wait", lambda: RetryPolicy(max_wait=TOKEN)),  # type: ignore[arg-type]
    (
        "path segment",
        lambda: build_request("GET", ("orders", f"{TOKEN}\n"), base_url="https://a.b/api/4/"),
    ),
    (
        "header value",
        lambda: build_request(
            "GET", "orders", base_url="https://a.b/api/4/", headers={"X-Key": f"{TOKEN}\r\n"}
        ),
    ),
    (
        "param value",
        lambda: build_request(
            "GET", "orders", base_url="https://a.b/api/4/", params={"token": [TOKEN, object()]}
        ),
    ),
]


@pytest.mark.parametrize(("what", "make"), WRONG_ARGUMENTS, ids=[w for w, _ in WRONG_ARGUMENTS])
def test_a_token_in_the_wrong_argument_is_never_echoed(
    what: str, make: Callable[[], object]
) -> None:
    with pytest.raises(errors.UsageError) as info:
        make()
    assert_clean(*everything_shown(info.value))
