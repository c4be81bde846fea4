"""Credentials elsewhere than a Bearer token: query keys, key headers, Basic, logins."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import orjson
import pytest

from booqable_async import errors
from booqable_async.auth import (
    AuthContext,
    BasicAuth,
    HeaderKeyAuth,
    LoginAuth,
    QueryKeyAuth,
    SessionAuth,
)
from booqable_async.clock import Clock
from booqable_async.profile import ApiProfile
from booqable_async.protocol import JSON_MEDIA_TYPE, ResponseFormat, UrlRule, error_envelope
from booqable_async.session import Session
from booqable_async.transport import Headers, HttpRequest, HttpResponse, MockTransport

BASE = "https://api.example.test/v1/"
PASSWORD = "pa55-w0rd-secret-9"
PROFILE = ApiProfile(
    name="Login API",
    urls=UrlRule(default=BASE),
    media_type=JSON_MEDIA_TYPE,
    response_format=ResponseFormat(read_errors=error_envelope),
)


def request(url: str = BASE + "things") -> HttpRequest:
    return HttpRequest("GET", url, Headers({"Accept": "application/json"}))


def context() -> AuthContext:
    async def no_network(request: HttpRequest) -> HttpResponse:
        raise AssertionError("no request expected")

    return AuthContext(base_url=BASE, company=None, send=no_network)


async def test_query_key_goes_at_the_end_of_the_query_and_is_masked() -> None:
    auth = QueryKeyAuth("k3y k3y/1")
    plain = await auth.apply(request(), context())
    assert plain.url == BASE + "things?api_key=k3y%20k3y%2F1"
    queried = await auth.apply(request(BASE + "things?page=2#top"), context())
    assert queried.url == BASE + "things?page=2&api_key=k3y%20k3y%2F1#top"
    assert repr(auth) == "QueryKeyAuth(api_key=REDACTED)"
    assert "k3y" not in repr(queried)


def test_query_key_names_must_be_redacted_names() -> None:
    with pytest.raises(errors.UsageError, match="QueryKeyAuth param must be a query name"):
        QueryKeyAuth("abc", param="apiSecretThing")
    with pytest.raises(errors.UsageError, match="api_key must be a non-empty string"):
        QueryKeyAuth("")


async def test_header_key_sets_its_header_and_hides_it() -> None:
    auth = HeaderKeyAuth("bge_secret_1", prefix="Token ")
    applied = await auth.apply(request(), context())
    assert applied.headers["X-API-Key"] == "Token bge_secret_1"
    assert dict(applied.headers.redacted())["X-API-Key"] == "REDACTED"
    assert repr(auth) == "HeaderKeyAuth(X-API-Key=REDACTED)"
    with pytest.raises(errors.UsageError, match="HeaderKeyAuth header must be one"):
        HeaderKeyAuth("k", header="X-Custom")


async def test_basic_auth_encodes_the_pair() -> None:
    auth = BasicAuth("tok3n-user", "x")
    applied = await auth.apply(request(), context())
    scheme, _, value = applied.headers["Authorization"].partition(" ")
    assert (scheme, base64.b64decode(value)) == ("Basic", b"tok3n-user:x")
    assert repr(auth) == "BasicAuth(REDACTED)"
    with pytest.raises(errors.UsageError, match="must not contain ':'"):
        BasicAuth("a:b")
    with pytest.raises(errors.UsageError, match="password must be a string"):
        BasicAuth("a", "line\nbreak")


class LoginServer:
    """A login API: tokens live `lifetime` seconds on the wall clock of the test."""

    def __init__(self, now: list[float], lifetime: float | None = 100.0) -> None:
        self.now = now
        self.lifetime = lifetime
        self.tokens: dict[str, float] = {}
        self.calls: list[str] = []
        self.issued = 0
        self.refuse_refresh = False
        self.logout_status = 200
        self.reject_once = False

    def issue(self) -> dict[str, Any]:
        self.issued += 1
        token = f"tok-{self.issued}"
        self.tokens[token] = self.now[0] + (self.lifetime or 1e9)
        body: dict[str, Any] = {"data": {"token": token, "refresh": f"r-{self.issued}"}}
        if self.lifetime is not None:
            body["data"]["expires_in"] = self.lifetime
        return body

    async def __call__(self, request: HttpRequest) -> HttpResponse:
        await asyncio.sleep(0)  # let concurrent requests interleave, as on a network
        path = request.url.removeprefix(BASE).split("?")[0]
        self.calls.append(path)
        if path == "auth/login":
            sent = orjson.loads(request.body or b"{}")
            if sent.get("password") != PASSWORD:
                return _json(401, {"error": {"code": "invalid", "message": "bad login"}})
            return _json(200, self.issue())
        token = (request.headers.get("Authorization") or "")[len("Bearer ") :]
        if self.tokens.get(token, -1.0) <= self.now[0]:
            return _json(401, {"error": {"code": "unauthorized", "message": "expired"}})
        if path == "auth/refresh":
            if self.refuse_refresh:
                return _json(401, {"error": {"code": "unauthorized", "message": "no"}})
            del self.tokens[token]
            return _json(200, self.issue())
        if path == "auth/logout":
            self.tokens.pop(token, None)
            return _json(self.logout_status, {})
        if self.reject_once:
            self.reject_once = False
            return _json(401, {"error": {"code": "unauthorized", "message": "try again"}})
        return _json(200, {"token_seen": token})


def _json(status: int, body: Any) -> HttpResponse:
    return HttpResponse(status, {"Content-Type": "application/json"}, orjson.dumps(body))


def make(server: LoginServer, now: list[float], **auth_options: Any) -> tuple[Session, LoginAuth]:
    async def no_sleep(seconds: float) -> None:
        now[0] += seconds

    auth = LoginAuth(
        credentials={"email": "ada@example.test", "password": PASSWORD},
        token_field="data.token",
        expires_in_field="data.expires_in",
        **auth_options,
    )
    session = Session(
        profile=PROFILE,
        auth=auth,
        transport=MockTransport(server),
        clock=Clock(wall=lambda: now[0], monotonic=lambda: now[0], sleep=no_sleep),
    )
    return session, auth


async def test_login_once_then_refresh_before_expiry_then_logout_on_close() -> None:
    now = [0.0]
    server = LoginServer(now)
    session, auth = make(server, now, refresh_margin=10.0)
    assert isinstance(auth, SessionAuth)
    async with session:
        assert (await session.request("GET", "things")).payload == {"token_seen": "tok-1"}
        now[0] = 85.0  # 15 s left: no refresh yet
        assert (await session.request("GET", "things")).payload == {"token_seen": "tok-1"}
        now[0] = 95.0  # 5 s left: refreshed first
        assert (await session.request("GET", "things")).payload == {"token_seen": "tok-2"}
        assert auth.logged_in
    assert server.calls == [
        "auth/login",
        "things",
        "things",
        "auth/refresh",
        "things",
        "auth/logout",
    ]
    assert (auth.logins, auth.refreshes) == (1, 1)
    assert not auth.logged_in
    assert "tok-2" not in server.tokens


async def test_concurrent_requests_share_one_login() -> None:
    now = [0.0]
    server = LoginServer(now)
    session, auth = make(server, now)
    async with session:
        await asyncio.gather(*(session.request("GET", "things") for _ in range(20)))
    assert auth.logins == 1
    assert server.calls.count("auth/login") == 1


async def test_a_401_renews_the_token_once_and_sends_the_request_again() -> None:
    now = [0.0]
    server = LoginServer(now, lifetime=None)  # the API never says when tokens end
    session, auth = make(server, now, refresh_token_field="data.refresh")
    async with session:
        await session.request("GET", "things")
        server.tokens.clear()  # revoked on the server (a password change)
        answer = await session.request("POST", "things", json={"a": 1})
        assert answer.payload == {"token_seen": "tok-2"}
        assert answer.attempts == 1
    # The refresh was refused (the token was revoked): a fresh login followed.
    assert server.calls[:5] == ["auth/login", "things", "things", "auth/refresh", "auth/login"]
    assert (auth.logins, auth.refreshes) == (2, 0)


async def test_requests_with_an_old_token_find_the_new_one() -> None:
    now = [0.0]
    server = LoginServer(now, lifetime=None)
    session, auth = make(server, now, refresh=None)
    async with session:
        await session.request("GET", "things")
        server.tokens.clear()
        await asyncio.gather(*(session.request("GET", "things") for _ in range(5)))
    assert auth.logins == 2


async def test_a_refused_login_is_unauthorized_without_the_credentials() -> None:
    now = [0.0]
    server = LoginServer(now)
    auth = LoginAuth(credentials={"email": "ada@example.test", "password": "wrong-pass-1"})
    session = Session(profile=PROFILE, auth=auth, transport=MockTransport(server))
    async with session:
        with pytest.raises(errors.Unauthorized) as info:
            await session.request("GET", "things")
    assert "login refused (HTTP 401): check the credentials" in str(info.value)
    assert info.value.codes == ("invalid",)
    assert "wrong-pass-1" not in str(info.value) + repr(auth) + repr(info.value.errors)


async def test_a_login_answer_without_a_token_is_a_decode_error() -> None:
    session = Session(
        profile=PROFILE,
        auth=LoginAuth(credentials={"user": "u"}),
        transport=MockTransport(lambda request: _json(200, {"nothing": True})),
    )
    async with session:
        with pytest.raises(errors.DecodeError, match="the login answer has no token at 'token'"):
            await session.request("GET", "things")


async def test_an_unreachable_login_endpoint_never_sent_the_request() -> None:
    def down(request: HttpRequest) -> HttpResponse:
        raise errors.ConnectionReset("reset", method="POST", url=request.url, request_sent=True)

    async def no_sleep(seconds: float) -> None:
        pass

    session = Session(
        profile=PROFILE,
        auth=LoginAuth(credentials={"user": "u"}),
        transport=MockTransport(down),
        clock=Clock(sleep=no_sleep),
    )
    async with session:
        with pytest.raises(errors.TransportError) as info:
            await session.request("POST", "things", json={})
    assert "could not reach the login endpoint" in str(info.value)
    # Safe to retry even for a POST: the request itself never left.
    assert info.value.request_sent is False
    assert info.value.attempts > 1


async def test_a_failed_logout_is_logged_and_the_session_still_closes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [0.0]
    server = LoginServer(now)
    server.logout_status = 500
    session, auth = make(server, now)
    async with session:
        await session.request("GET", "things")
    assert session.closed
    assert "logout failed while closing the session" in caplog.text
    assert not auth.logged_in
    await auth.logout(context())  # nothing left to revoke: no request


def test_login_settings_are_checked() -> None:
    with pytest.raises(errors.UsageError, match="needs credentials"):
        LoginAuth(credentials={})
    with pytest.raises(errors.UsageError, match="lifetime must be seconds"):
        LoginAuth(credentials={"u": "p"}, lifetime=0)
    with pytest.raises(errors.UsageError, match="refresh_margin must be >= 0"):
        LoginAuth(credentials={"u": "p"}, refresh_margin=-1)
    with pytest.raises(errors.UsageError, match=r"credentials\['u'\] must be a non-empty"):
        LoginAuth(credentials={"u": ""})
    assert PASSWORD not in repr(LoginAuth(credentials={"password": PASSWORD}))


async def test_a_401_with_a_good_refresh_refreshes_rather_than_logs_in() -> None:
    now = [0.0]
    server = LoginServer(now)
    session, auth = make(server, now)
    async with session:
        await session.request("GET", "things")
        server.reject_once = True
        assert (await session.request("GET", "things")).payload == {"token_seen": "tok-2"}
    assert (auth.logins, auth.refreshes) == (1, 1)


async def test_an_expired_token_whose_refresh_is_refused_logs_in_again() -> None:
    now = [0.0]
    server = LoginServer(now)
    session, auth = make(server, now, refresh_token_field="data.refresh")
    async with session:
        await session.request("GET", "things")
        server.refuse_refresh = True
        now[0] = 95.0
        await asyncio.gather(*(session.request("GET", "things") for _ in range(3)))
    assert (auth.logins, auth.refreshes) == (2, 0)


async def test_no_logout_endpoint_means_nothing_to_revoke() -> None:
    now = [0.0]
    server = LoginServer(now)
    session, auth = make(server, now, logout=None, lifetime=50.0)
    server.lifetime = None  # the answer does not say: the configured lifetime applies
    async with session:
        await session.request("GET", "things")
        now[0] = 45.0
        await session.request("GET", "things")
    assert "auth/logout" not in server.calls
    assert server.calls.count("auth/refresh") == 1
    assert not auth.logged_in
