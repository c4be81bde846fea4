"""Bearer tokens and single-use signed JWTs (verified independently of the client)."""

from __future__ import annotations

import base64
import hashlib
import uuid
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from booqable_async.errors import UsageError
from booqable_async.testing import FakeBooqable, jti_data

from .conftest import NOW, Clock, doc, send


def test_missing_or_wrong_token_is_401(fake: FakeBooqable) -> None:
    from booqable_async.transport import HttpRequest

    bare = fake.handle(HttpRequest("GET", "https://x/api/4/orders")).response
    assert bare.status == 401
    assert b"Missing Authorization" in bare.body
    wrong = send(fake, "GET", "/api/4/orders", token="nope")
    assert wrong.status == 401
    assert wrong.json["errors"][0]["code"] == "unauthorized"
    assert "nope" not in str(wrong.json)
    basic = send(fake, "GET", "/api/4/orders", headers={"Authorization": "Basic abc"})
    assert basic.status == 401
    assert "X-Ratelimit-Limit" in wrong.headers


def test_tokens_can_be_added_and_revoked(fake: FakeBooqable) -> None:
    fake.add_token("second")
    assert send(fake, "GET", "/api/4/orders", token="second").status == 200
    fake.revoke_token("second")
    assert send(fake, "GET", "/api/4/orders", token="second").status == 401
    with pytest.raises(UsageError):
        fake.add_token("")


def test_auth_can_be_turned_off() -> None:
    from booqable_async.transport import HttpRequest

    fake = FakeBooqable(require_auth=False)
    assert fake.handle(HttpRequest("GET", "https://x/api/4/orders")).response.status == 200


def test_token_is_deterministic_per_seed() -> None:
    assert FakeBooqable(seed=3).token == FakeBooqable(seed=3).token != FakeBooqable(seed=4).token
    assert FakeBooqable(token="mine").token == "mine"


# -- single-use tokens ----------------------------------------------------------------------


def independent_jti_data(method: str, fullpath: str, body: bytes | None) -> str:
    # Recomputed here from the documented scheme, not via the fake's helper.
    part = base64.b64encode(hashlib.sha256(body).digest()).decode() if body else ""
    return base64.b64encode(
        hashlib.sha256(f"{method}.{fullpath}.{part}".encode()).digest()
    ).decode()


def make_token(
    fake: FakeBooqable,
    kid: str,
    private: Any,
    alg: str,
    method: str,
    fullpath: str,
    body: bytes | None = None,
    **overrides: Any,
) -> str:
    claims = {
        "iss": f"https://{fake.company}.booqable.com",
        "sub": fake.employee_id,
        "aud": fake.company_id,
        "iat": int(NOW),
        "exp": int(NOW) + 600,
        "jti": f"{uuid.uuid4()}.{independent_jti_data(method, fullpath, body)}",
    }
    header = {"kid": kid, "kind": "single_use"}
    header.update(overrides.pop("header", {}))
    claims.update(overrides)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, private, algorithm=alg, headers=header)


@pytest.fixture(scope="module")
def keys() -> dict[str, Any]:
    # RSA key generation is slow: one key pair per algorithm for the whole module.
    return {
        "ES256": ec.generate_private_key(ec.SECP256R1()),
        "RS256": rsa.generate_private_key(public_exponent=65537, key_size=2048),
    }


@pytest.fixture(params=["ES256", "RS256", "HS256"])
def signer(
    request: pytest.FixtureRequest, fake: FakeBooqable, keys: dict[str, Any]
) -> tuple[str, Any, str]:
    alg = request.param
    if alg == "ES256":
        private: Any = keys[alg]
        public = private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        kid = fake.add_signing_key(alg, public.decode())
    elif alg == "RS256":
        private = keys[alg]
        kid = fake.add_signing_key(alg, private)  # a private key object: its public part is kept
    else:
        private = "shared-secret-of-at-least-32-bytes!!"
        kid = fake.add_signing_key(alg, private.encode())
    return kid, private, alg


def test_helper_matches_the_documented_scheme() -> None:
    assert jti_data("post", "/api/4/orders?x=1", b"{}") == independent_jti_data(
        "POST", "/api/4/orders?x=1", b"{}"
    )
    assert jti_data("GET", "/api/4/orders", None) == independent_jti_data(
        "GET", "/api/4/orders", b""
    )


def test_single_use_tokens_are_accepted_once(
    fake: FakeBooqable, signer: tuple[str, Any, str]
) -> None:
    kid, private, alg = signer
    path = "/api/4/customers?filter%5Bname%5D=Jane&page%5Bsize%5D=5"
    token = make_token(fake, kid, private, alg, "GET", path)
    assert send(fake, "GET", path, token=token).status == 200
    replay = send(fake, "GET", path, token=token)
    assert replay.status == 401
    assert replay.json["errors"][0]["detail"] == "Token already used"


def test_body_is_part_of_the_jti(fake: FakeBooqable, signer: tuple[str, Any, str]) -> None:
    kid, private, alg = signer
    body = b'{"data":{"type":"customers","attributes":{"name":"Jane"}}}'
    token = make_token(fake, kid, private, alg, "POST", "/api/4/customers", body)
    tampered = body.replace(b"Jane", b"Joan")
    assert send(fake, "POST", "/api/4/customers", tampered, token=token).status == 401
    token = make_token(fake, kid, private, alg, "POST", "/api/4/customers", body)
    assert send(fake, "POST", "/api/4/customers", body, token=token).status == 201


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"exp": int(NOW) + 601}, "lifetime exceeds 600"),
        ({"iat": int(NOW) - 700, "exp": int(NOW) - 100}, "expired"),
        ({"iat": int(NOW) + 500, "exp": int(NOW) + 900}, "issued in the future"),
        ({"iss": "https://other.booqable.com"}, "InvalidIssuerError"),
        ({"aud": "someone-else"}, "InvalidAudienceError"),
        ({"sub": "another-employee"}, "subject does not match"),
        ({"jti": "no-dot"}, "jti does not match"),
        ({"jti": f"{uuid.uuid4()}.AAAA"}, "jti does not match"),
        ({"jti": None}, "MissingRequiredClaimError"),
        ({"iat": "yesterday"}, "iat and exp must be numbers"),
        ({"header": {"kind": "token"}}, "kind must be single_use"),
        ({"header": {"kid": "unknown"}}, "Unknown single-use authentication method"),
    ],
)
def test_bad_single_use_tokens(
    fake: FakeBooqable, signer: tuple[str, Any, str], overrides: dict[str, Any], reason: str
) -> None:
    kid, private, alg = signer
    token = make_token(fake, kid, private, alg, "GET", "/api/4/orders", **overrides)
    reply = send(fake, "GET", "/api/4/orders", token=token)
    assert reply.status == 401
    assert reason in reply.json["errors"][0]["detail"]


def test_wrong_algorithm_and_wrong_key(fake: FakeBooqable) -> None:
    private = ec.generate_private_key(ec.SECP256R1())
    kid = fake.add_signing_key("ES256", private)
    other = ec.generate_private_key(ec.SECP256R1())
    forged = make_token(fake, kid, other, "ES256", "GET", "/api/4/orders")
    reply = send(fake, "GET", "/api/4/orders", token=forged)
    assert reply.json["errors"][0]["detail"] == "Token rejected: InvalidSignatureError"
    hs = make_token(fake, kid, "x" * 32, "HS256", "GET", "/api/4/orders")
    assert (
        "must be signed with ES256"
        in send(fake, "GET", "/api/4/orders", token=hs).json["errors"][0]["detail"]
    )
    assert (
        send(fake, "GET", "/api/4/orders", token="a.b.c").json["errors"][0]["detail"]
        == "Malformed token"
    )


def test_expiry_follows_the_injected_clock(clock: Clock, wall: Clock) -> None:
    fake = FakeBooqable(wall_clock=wall)
    kid = fake.add_signing_key("HS256", "k" * 32)
    token = make_token(fake, kid, "k" * 32, "HS256", "GET", "/api/4/orders")
    wall.advance(601)
    assert (
        send(fake, "GET", "/api/4/orders", token=token).json["errors"][0]["detail"]
        == "Token expired"
    )


def test_used_tokens_are_forgotten_after_expiry(fake: FakeBooqable, wall: Clock) -> None:
    kid = fake.add_signing_key("HS256", "k" * 32)
    first = make_token(fake, kid, "k" * 32, "HS256", "GET", "/api/4/orders")
    assert send(fake, "GET", "/api/4/orders", token=first).status == 200
    wall.advance(700)
    late = make_token(
        fake, kid, "k" * 32, "HS256", "GET", "/api/4/orders", iat=int(wall()), exp=int(wall()) + 60
    )
    assert send(fake, "GET", "/api/4/orders", token=late).status == 200


def test_signing_keys_are_authentication_methods(fake: FakeBooqable) -> None:
    kid = fake.add_signing_key("HS256", "k" * 32, kid="0c1e8f0e-5f5b-4b8e-9d67-3a0b6f1f7a11")
    assert kid == "0c1e8f0e-5f5b-4b8e-9d67-3a0b6f1f7a11"
    record = send(fake, "GET", f"/api/4/authentication_methods/{kid}").json["data"]["attributes"]
    assert record["kind"] == "single_use"
    assert "key" not in record
    token_method = fake.add("authentication_methods", kind="token", algorithm="HS256", key="k" * 32)
    token = make_token(fake, token_method["id"], "k" * 32, "HS256", "GET", "/api/4/orders")
    assert send(fake, "GET", "/api/4/orders", token=token).status == 401


def test_keys_registered_over_the_api_work(fake: FakeBooqable) -> None:
    body = doc(
        "authentication_methods",
        {"name": "ci", "kind": "single_use", "algorithm": "HS256", "key": "s" * 32},
    )
    kid = send(fake, "POST", "/api/4/authentication_methods", body).json["data"]["id"]
    token = make_token(fake, kid, "s" * 32, "HS256", "GET", "/api/4/orders")
    assert send(fake, "GET", "/api/4/orders", token=token).status == 200


@pytest.mark.parametrize(
    ("alg", "key", "message"),
    [
        ("PS256", "x", "algorithm must be one of"),
        ("HS256", 5, "shared secret"),
        ("ES256", "not pem", "could not read"),
        ("ES256", 5, "PEM string or a key object"),
    ],
)
def test_bad_signing_keys(fake: FakeBooqable, alg: str, key: Any, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        fake.add_signing_key(alg, key)


def test_private_pem_keys_are_reduced_to_public(fake: FakeBooqable) -> None:
    private = ec.generate_private_key(ec.SECP256R1())
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    kid = fake.add_signing_key("ES256", pem)
    assert "PRIVATE" not in fake.get("authentication_methods", kid)["key"]
    token = make_token(fake, kid, private, "ES256", "GET", "/api/4/orders")
    assert send(fake, "GET", "/api/4/orders", token=token).status == 200
