"""Check ``Authorization`` the way Booqable does: access tokens and single-use signed JWTs.

Single-use tokens (catalog ``global.authentication``; issue 3 §2): the JWT header carries
``kid`` (an ``authentication_methods`` id of kind ``single_use``), ``kind: single_use`` and
``alg`` (ES256, RS256 or HS256, as registered for that method). Claims: ``iss =
https://{company}.booqable.com``, ``sub`` = the employee id, ``aud`` = the company id,
``iat``, ``exp`` at most 600 s after ``iat``, and ``jti = "<uuid4>.<data>"`` where ``data =
base64(sha256(METHOD + "." + fullpath + "." + base64(sha256(body))))``, ``fullpath`` being
the path with ``/api/4`` and the query string exactly as sent, and the body part empty when
the request has no body. Each token is accepted once.

PyJWT and cryptography (the ``signed`` extra) are imported only when a JWT arrives or a
signing key is registered.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable, Iterable
from typing import Any

from booqable_async.errors import UsageError
from booqable_async.testing._errors import FakeError, simple_error
from booqable_async.testing._store import Store

__all__ = ["ALGORITHMS", "Authenticator", "jti_data", "public_key_text"]

#: Signing algorithms Booqable accepts for single-use tokens.
ALGORITHMS = ("ES256", "RS256", "HS256")
#: Longest allowed lifetime of a single-use token (exp - iat), in seconds.
MAX_LIFETIME = 600
#: How far in the future ``iat`` may be (clock skew between client and server).
IAT_SKEW = 60


def jti_data(method: str, fullpath: str, body: bytes | None) -> str:
    """Return the ``<data>`` part of a single-use token's ``jti`` for one request."""
    body_hash = base64.b64encode(hashlib.sha256(body).digest()).decode() if body else ""
    message = f"{method.upper()}.{fullpath}.{body_hash}".encode()
    return base64.b64encode(hashlib.sha256(message).digest()).decode()


def _unauthorized(detail: str) -> FakeError:
    return simple_error(401, "unauthorized", "Unauthorized", detail)


def _import_jwt() -> Any:
    try:
        import jwt
    except ImportError:  # pragma: no cover - the dev environment has the extra
        raise UsageError(
            "signed single-use tokens need the 'signed' extra: pip install 'booqable-async[signed]'"
        ) from None
    return jwt


def public_key_text(algorithm: str, key: Any) -> str:
    """Return what is stored as an authentication method's ``key``.

    HS256 keeps the shared secret; ES256/RS256 keep the PEM public key (a private key or a
    PEM private key is turned into its public key).

    Raises:
        UsageError: Unknown algorithm or a key of the wrong kind.
    """
    if algorithm not in ALGORITHMS:
        raise UsageError(f"algorithm must be one of {', '.join(ALGORITHMS)}, got {algorithm!r}")
    if algorithm == "HS256":
        if isinstance(key, bytes):
            return key.decode()
        if isinstance(key, str):
            return key
        raise UsageError("an HS256 key is the shared secret (str or bytes)")
    _import_jwt()
    from cryptography.hazmat.primitives import serialization

    if isinstance(key, (str, bytes)):
        raw = key.encode() if isinstance(key, str) else key
        try:
            key = serialization.load_pem_public_key(raw)
        except ValueError:
            try:
                key = serialization.load_pem_private_key(raw, password=None)
            except (ValueError, TypeError):
                raise UsageError(f"could not read the {algorithm} key as PEM") from None
    public = key.public_key() if hasattr(key, "public_key") else key
    try:
        pem: bytes = public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    except AttributeError:
        raise UsageError(f"an {algorithm} key must be a PEM string or a key object") from None
    return pem.decode()


class Authenticator:
    """Accepts bearer access tokens and single-use JWTs.

    Args:
        store: Holds the ``authentication_methods`` records that single-use ``kid`` values
            name.
        tokens: Accepted access tokens.
        company_slug: The company's subdomain (``iss`` is ``https://{slug}.booqable.com``).
        company_id: Expected ``aud``.
        wall_clock: Epoch seconds (expiry checks).
    """

    def __init__(
        self,
        store: Store,
        tokens: Iterable[str],
        *,
        company_slug: str,
        company_id: str,
        wall_clock: Callable[[], float],
    ) -> None:
        self._store = store
        self.tokens = set(tokens)
        self.company_slug = company_slug
        self.company_id = company_id
        self._clock = wall_clock
        self._used: dict[str, float] = {}

    def check(
        self, method: str, fullpath: str, authorization: str | None, body: bytes | None
    ) -> None:
        """Accept the request or raise a 401.

        Raises:
            FakeError: 401 with a reason that never repeats the credential.
        """
        if not authorization:
            raise _unauthorized("Missing Authorization header (expected: Bearer <token>)")
        scheme, _, credential = authorization.partition(" ")
        credential = credential.strip()
        if scheme.lower() != "bearer" or not credential:
            raise _unauthorized("Authorization must be 'Bearer <token>'")
        if any(hmac.compare_digest(credential, t) for t in self.tokens):
            return
        if credential.count(".") == 2:
            self._check_jwt(method, fullpath, credential, body)
            return
        raise _unauthorized("The access token is invalid, expired or revoked")

    def _method(self, kid: Any) -> dict[str, Any]:
        found = self._store.get("authentication_methods", str(kid)) if kid else None
        if found is None or found[1].get("kind") != "single_use":
            raise _unauthorized("Unknown single-use authentication method (kid)")
        return found[1]

    def _check_jwt(self, method: str, fullpath: str, token: str, body: bytes | None) -> None:
        jwt = _import_jwt()
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise _unauthorized("Malformed token") from None
        record = self._method(header.get("kid"))
        algorithm = record.get("algorithm")
        if header.get("kind") != "single_use":
            raise _unauthorized("Token header kind must be single_use")
        if header.get("alg") != algorithm:
            raise _unauthorized(f"Token must be signed with {algorithm}")
        try:
            claims = jwt.decode(
                token,
                key=record.get("key") or "",
                algorithms=[algorithm],
                audience=self.company_id,
                issuer=f"https://{self.company_slug}.booqable.com",
                options={
                    "require": ["iss", "sub", "aud", "iat", "exp", "jti"],
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                },
            )
        except jwt.PyJWTError as exc:
            raise _unauthorized(f"Token rejected: {type(exc).__name__}") from None
        self._check_claims(claims, record, method, fullpath, body)

    def _check_claims(
        self,
        claims: dict[str, Any],
        record: dict[str, Any],
        method: str,
        fullpath: str,
        body: bytes | None,
    ) -> None:
        now = self._clock()
        iat, exp = claims["iat"], claims["exp"]
        if not isinstance(iat, (int, float)) or not isinstance(exp, (int, float)):
            raise _unauthorized("iat and exp must be numbers")
        if exp - iat > MAX_LIFETIME:
            raise _unauthorized(f"Token lifetime exceeds {MAX_LIFETIME} seconds")
        if now >= exp:
            raise _unauthorized("Token expired")
        if iat > now + IAT_SKEW:
            raise _unauthorized("Token issued in the future")
        if record.get("employee_id") and claims["sub"] != record.get("employee_id"):
            raise _unauthorized("Token subject does not match the authentication method")
        jti = claims["jti"]
        _, dot, data = str(jti).partition(".")
        if not dot or not hmac.compare_digest(data, jti_data(method, fullpath, body)):
            raise _unauthorized("Token jti does not match this request")
        self._forget_expired(now)
        if jti in self._used:
            raise _unauthorized("Token already used")
        self._used[jti] = float(exp)

    def _forget_expired(self, now: float) -> None:
        for jti in [j for j, exp in self._used.items() if exp <= now]:
            del self._used[jti]
