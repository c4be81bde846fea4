"""Auth schemes: bearer tokens, single-use JWTs (verified independently), OAuth2 refresh."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import orjson
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from booqable_async import errors
from booqable_async.auth import (
    AuthContext,
    OAuth2Auth,
    OAuth2Token,
    SingleUseAuth,
    TokenAuth,
    jti_digest,
)
from booqable_async.clock import Clock
from booqable_async.transport import HttpRequest, HttpResponse, MockTransport

BASE = "https://acme.booqable.com/api/4/"
KID = "e53a56a3-0f4e-4bd6-8bab-dad967b320b3"
EMPLOYEE = "75a59189-d0d6-4668-8c8b-83903cf22d08"
COMPANY_ID = "031ece0d-d2c2-4b5a-86ac-e2eb24560de5"
HS_SECRET = "cb991b0f11304f313a1487b2cb22a067eb4b03da8499bd2f833df79d83045110"


def context(transport: MockTransport | None = None, company: str | None = "acme") -> AuthContext:
    async def no_network(request: HttpRequest) -> HttpResponse:
        raise AssertionError("no request expected")

    return AuthContext(
        base_url=BASE, company=company, send=transport.send if transport else no_network
    )


def pem(key: Any) -> bytes:
    data: bytes = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return data


@pytest.fixture(scope="module")
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


# -- TokenAuth ------------------------------------------------------------------------


async def test_token_auth_adds_bearer_and_hides_the_token() -> None:
    auth = TokenAuth("s3cr3t-token-value")
    request = HttpRequest("GET", BASE + "orders", {"Accept": "application/vnd.api+json"})
    signed = await auth.apply(request, context())
    assert signed.headers["Authorization"] == "Bearer s3cr3t-token-value"
    assert signed.headers["Accept"] == "application/vnd.api+json"
    assert request.headers.get("Authorization") is None  # the original is untouched
    assert "s3cr3t" not in repr(auth)
    assert "s3cr3t" not in repr(signed.headers)
    replaced = await auth.apply(
        HttpRequest("GET", BASE, {"authorization": "Bearer old"}), context()
    )
    assert replaced.headers.get_list("Authorization") == ["Bearer s3cr3t-token-value"]


@pytest.mark.parametrize("bad", ["", "  ", "tok\nen", " padded", 42])
def test_token_auth_rejects_bad_tokens_without_echoing(bad: object) -> None:
    with pytest.raises(errors.UsageError) as info:
        TokenAuth(bad)  # type: ignore[arg-type]
    assert "token" in str(info.value)
    if isinstance(bad, str) and bad.strip():
        assert bad.strip() not in str(info.value)


# -- SingleUseAuth --------------------------------------------------------------------


def expected_digest(method: str, url: str, body: bytes | None) -> str:
    """Booqable's jti data, computed independently of the library."""
    parts = urlsplit(url)
    fullpath = parts.path + ("?" + parts.query if parts.query else "")
    body_part = base64.b64encode(hashlib.sha256(body).digest()).decode() if body else ""
    data = f"{method}.{fullpath}.{body_part}".encode()
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def single_use(algorithm: str, key: str | bytes, **extra: Any) -> SingleUseAuth:
    return SingleUseAuth(
        key=key,
        authentication_method_id=KID,
        employee_id=EMPLOYEE,
        company_id=COMPANY_ID,
        algorithm=algorithm,
        clock=Clock(wall=lambda: 1_900_000_000.0),
        **extra,
    )


@pytest.mark.parametrize("algorithm", ["ES256", "RS256", "HS256"])
@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("GET", BASE + "orders?include=customer&page%5Bsize%5D=25", None),
        ("POST", BASE + "customers", b'{"data":{"type":"customers"}}'),
        ("DELETE", BASE + "orders/9b5fa5a3", None),
    ],
)
async def test_single_use_token_verifies_and_binds_the_request(
    algorithm: str,
    method: str,
    url: str,
    body: bytes | None,
    ec_key: ec.EllipticCurvePrivateKey,
    rsa_key: rsa.RSAPrivateKey,
) -> None:
    private: Any = {"ES256": ec_key, "RS256": rsa_key}.get(algorithm)
    key = HS_SECRET if private is None else pem(private)
    verify_key: Any = HS_SECRET if private is None else private.public_key()
    auth = single_use(algorithm, key, ttl=600)
    request = HttpRequest(method, url, {}, body)
    signed = await auth.apply(request, context())
    scheme, token = signed.headers["Authorization"].split(" ", 1)
    assert scheme == "Bearer"

    header = jwt.get_unverified_header(token)
    assert header == {"kid": KID, "kind": "single_use", "alg": algorithm}
    claims = jwt.decode(
        token,
        verify_key,
        algorithms=[algorithm],
        audience=COMPANY_ID,
        issuer="https://acme.booqable.com",
        options={"verify_exp": False, "verify_iat": False},
    )
    assert claims["sub"] == EMPLOYEE
    assert claims["iat"] == 1_900_000_000
    assert 0 < claims["exp"] - claims["iat"] <= 600
    uuid_part, digest = claims["jti"].split(".", 1)
    assert uuid.UUID(uuid_part).version == 4
    assert digest == expected_digest(method, signed.url, signed.body)
    assert "BEGIN" not in repr(auth)
    assert HS_SECRET not in repr(auth)


async def test_each_token_is_fresh_and_the_body_part_is_empty_without_body() -> None:
    auth = single_use("HS256", HS_SECRET)
    request = HttpRequest("GET", BASE + "orders", {})
    one = (await auth.apply(request, context())).headers["Authorization"]
    two = (await auth.apply(request, context())).headers["Authorization"]
    assert one != two
    claims = jwt.decode(
        one.split()[1],
        HS_SECRET,
        algorithms=["HS256"],
        options={
            "verify_signature": True,
            "verify_aud": False,
            "verify_exp": False,
            "verify_iat": False,
        },
    )
    assert claims["jti"].endswith(expected_digest("GET", BASE + "orders", None))
    no_body = base64.b64encode(hashlib.sha256(b"GET./api/4/orders.").digest()).decode()
    assert jti_digest("GET", BASE + "orders", None) == no_body
    assert jti_digest("GET", BASE + "orders", b"") == no_body


def test_company_slug_comes_from_the_argument_or_the_context() -> None:
    auth = single_use("HS256", HS_SECRET, company="other")
    token = auth.token_for(HttpRequest("GET", BASE, {}))
    assert jwt.decode(token, options={"verify_signature": False})["iss"] == (
        "https://other.booqable.com"
    )
    with pytest.raises(errors.UsageError, match="company slug for the iss claim"):
        single_use("HS256", HS_SECRET).token_for(HttpRequest("GET", BASE, {}))


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"algorithm": "PS256"}, "algorithm must be one of ES256, RS256, HS256"),
        ({"ttl": 601}, "ttl must be in"),
        ({"ttl": 0}, "ttl must be in"),
        ({"ttl": "60"}, "ttl must be a number"),
        ({"employee_id": ""}, "employee_id must be a non-empty string"),
        ({"key": b""}, "key must be a non-empty"),
        ({"algorithm": "ES256", "key": "not a pem"}, "unencrypted PEM private key"),
    ],
)
def test_single_use_rejects_bad_settings(kwargs: dict[str, Any], fragment: str) -> None:
    settings: dict[str, Any] = {
        "key": HS_SECRET,
        "authentication_method_id": KID,
        "employee_id": EMPLOYEE,
        "company_id": COMPANY_ID,
        "algorithm": "HS256",
    }
    settings.update(kwargs)
    with pytest.raises(errors.UsageError, match=fragment):
        SingleUseAuth(**settings)


def test_single_use_rejects_a_key_of_the_wrong_kind(
    ec_key: ec.EllipticCurvePrivateKey, rsa_key: rsa.RSAPrivateKey
) -> None:
    with pytest.raises(errors.UsageError, match="ES256 needs an EC private key"):
        single_use("ES256", pem(rsa_key))
    with pytest.raises(errors.UsageError, match="RS256 needs an RSA private key"):
        single_use("RS256", pem(ec_key))
    p384 = ec.generate_private_key(ec.SECP384R1())
    with pytest.raises(errors.UsageError, match="P-256"):
        single_use("ES256", pem(p384).decode())


# -- OAuth2 ---------------------------------------------------------------------------


class TokenServer:
    """A token endpoint answering from a script of responses."""

    def __init__(self, *answers: tuple[int, dict[str, Any]]) -> None:
        self.answers = list(answers)
        self.forms: list[dict[str, str]] = []
        self.transport = MockTransport(self.handle)

    async def handle(self, request: HttpRequest) -> HttpResponse:
        assert request.method == "POST"
        assert request.url == BASE + "oauth/token"
        assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
        assert request.body is not None
        self.forms.append({k: v[0] for k, v in parse_qs(request.body.decode()).items()})
        await asyncio.sleep(0)  # let concurrent callers pile up behind the lock
        status, body = self.answers.pop(0)
        return HttpResponse(status, {"Content-Type": "application/json"}, orjson.dumps(body))


def grant(access: str, refresh: str | None = "r-1", expires_in: int = 7200) -> dict[str, Any]:
    body: dict[str, Any] = {
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": expires_in,
    }
    if refresh:
        body["refresh_token"] = refresh
    return body


async def test_code_exchange_then_refresh_before_expiry_with_store() -> None:
    now = [1000.0]
    stored: list[OAuth2Token] = []
    server = TokenServer((200, grant("a-1", "r-1")), (200, grant("a-2", "r-2")))
    auth = OAuth2Auth(
        client_id="app",
        client_secret="sh-secret",
        authorization_code="code-123",
        redirect_uri="https://example.test/cb",
        token_store=stored.append,
        clock=Clock(wall=lambda: now[0]),
    )
    ctx = context(server.transport)
    request = HttpRequest("GET", BASE + "orders", {})
    assert (await auth.apply(request, ctx)).headers["Authorization"] == "Bearer a-1"
    assert server.forms[0] == {
        "grant_type": "authorization_code",
        "code": "code-123",
        "redirect_uri": "https://example.test/cb",
        "client_id": "app",
        "client_secret": "sh-secret",
    }
    now[0] += 7200 - 61  # still valid for 61 s: no refresh
    assert (await auth.apply(request, ctx)).headers["Authorization"] == "Bearer a-1"
    now[0] += 2  # 59 s left: inside the 60 s margin
    assert (await auth.apply(request, ctx)).headers["Authorization"] == "Bearer a-2"
    assert server.forms[1]["grant_type"] == "refresh_token"
    assert server.forms[1]["refresh_token"] == "r-1"
    assert [t.access_token for t in stored] == ["a-1", "a-2"]
    assert auth.token is not None
    assert auth.token.refresh_token == "r-2"
    assert "sh-secret" not in repr(auth)
    assert "a-2" not in repr(auth.token)
    assert "r-2" not in repr(auth.token)


async def test_concurrent_requests_trigger_exactly_one_refresh() -> None:
    server = TokenServer((200, grant("fresh", "r-2")))
    saved: list[str] = []

    async def store(token: OAuth2Token) -> None:
        saved.append(token.access_token)

    auth = OAuth2Auth(
        client_id="app",
        client_secret="secret",
        token=OAuth2Token("stale", refresh_token="r-1", expires_at=1030.0),
        token_store=store,
        clock=Clock(wall=lambda: 1000.0),
    )
    ctx = context(server.transport)
    signed = await asyncio.gather(
        *(auth.apply(HttpRequest("GET", BASE + "orders", {}), ctx) for _ in range(50))
    )
    assert {r.headers["Authorization"] for r in signed} == {"Bearer fresh"}
    assert len(server.forms) == 1
    assert auth.refreshes == 1
    assert saved == ["fresh"]


async def test_revoked_refresh_token_gives_a_clear_error() -> None:
    server = TokenServer(
        (400, {"error": "invalid_grant", "error_description": "The provided grant is revoked"})
    )
    auth = OAuth2Auth(
        client_id="app",
        client_secret="secret",
        token=OAuth2Token("old", refresh_token="very-secret-refresh", expires_at=0.0),
        clock=Clock(wall=lambda: 1000.0),
    )
    with pytest.raises(errors.Unauthorized) as info:
        await auth.apply(HttpRequest("GET", BASE, {}), context(server.transport))
    message = str(info.value)
    assert "refresh token rejected (invalid_grant)" in message
    assert "authorize again" in message
    assert "very-secret-refresh" not in message
    assert info.value.codes == ("invalid_grant",)
    assert info.value.status == 400


async def test_expired_token_without_refresh_token() -> None:
    auth = OAuth2Auth(
        client_id="app",
        client_secret="secret",
        token=OAuth2Token("old", expires_at=10.0),
        clock=Clock(wall=lambda: 1000.0),
    )
    with pytest.raises(errors.Unauthorized, match="no refresh token"):
        await auth.apply(HttpRequest("GET", BASE, {}), context())


async def test_unreachable_token_endpoint_is_retryable_for_every_method() -> None:
    def refuse(request: HttpRequest) -> HttpResponse:
        raise errors.ReadTimeout("slow", method="POST", url=request.url)

    auth = OAuth2Auth(
        client_id="app",
        client_secret="secret",
        authorization_code="c",
        clock=Clock(wall=lambda: 0.0),
    )
    with pytest.raises(errors.ReadTimeout) as info:
        await auth.apply(HttpRequest("POST", BASE, {}), context(MockTransport(refuse)))
    assert info.value.request_sent is False
    assert "OAuth2 token endpoint" in str(info.value)


async def test_token_endpoint_server_error_and_garbage() -> None:
    server = TokenServer((500, {"errors": []}), (200, {"no": "token"}))
    auth = OAuth2Auth(
        client_id="app",
        client_secret="secret",
        authorization_code="c",
        clock=Clock(wall=lambda: 0.0),
    )
    with pytest.raises(errors.ServerError):
        await auth.apply(HttpRequest("GET", BASE, {}), context(server.transport))
    with pytest.raises(errors.DecodeError, match="access_token"):
        await auth.apply(HttpRequest("GET", BASE, {}), context(server.transport))


def test_token_round_trips_through_a_dict() -> None:
    token = OAuth2Token.from_response(
        {"access_token": "a", "refresh_token": "r", "expires_in": 60, "scope": "x y"}, now=100.0
    )
    assert token.expires_at == 160.0
    assert OAuth2Token.from_dict(token.to_dict()) == token
    assert OAuth2Token.from_response({"access_token": "a"}, now=0).expires_at is None


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({}, "needs token= .* or authorization_code="),
        ({"client_secret": ""}, "client_secret must be a non-empty string"),
        ({"token": "raw"}, "must be an OAuth2Token"),
        ({"authorization_code": "a\nb"}, "authorization_code must not contain"),
    ],
)
def test_oauth_rejects_bad_settings(kwargs: dict[str, Any], fragment: str) -> None:
    settings: dict[str, Any] = {"client_id": "app", "client_secret": "secret"}
    settings.update(kwargs)
    with pytest.raises(errors.UsageError, match=fragment):
        OAuth2Auth(**settings)
