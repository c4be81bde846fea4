"""Authentication schemes: access tokens, single-use signed JWTs, OAuth2, API keys, logins.

Booqable v4 accepts (catalog ``global.authentication``, docs "Authentication"):

* ``Authorization: Bearer <access token>``, tokens created per employee in the web app
  (:class:`TokenAuth`);
* ``Authorization: Bearer <single-use JWT>``, a fresh token per request signed with ES256,
  RS256 or HS256 whose ``jti`` binds it to the exact request (:class:`SingleUseAuth`,
  needs the ``signed`` extra);
* OAuth2 authorization-code grants with refresh tokens (:class:`OAuth2Auth`).

Booqable v1 and other APIs put credentials elsewhere (docs/profiles.md, "Credentials"):
an ``?api_key=`` query value (:class:`QueryKeyAuth`), an ``X-API-Key`` header
(:class:`HeaderKeyAuth`), HTTP Basic (:class:`BasicAuth`), or a session token from a
login endpoint, refreshed before it expires and revoked at the end (:class:`LoginAuth`).

The session calls :meth:`Auth.apply` once per attempt, after the request is built, so a
retried signed request gets a fresh JWT each time. No scheme ever puts a secret in its
``repr``, in a log line or in an exception message.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import inspect
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable
from urllib.parse import quote, urlencode, urlsplit

import attrs
import msgspec

from booqable_async._redact import MASK, SENSITIVE_HEADERS, SENSITIVE_QUERY_KEYS
from booqable_async._validation import is_number
from booqable_async.clock import SYSTEM_CLOCK, Clock
from booqable_async.errors import DecodeError, TransportError, Unauthorized, UsageError
from booqable_async.protocol import (
    JSON_MEDIA_TYPE,
    JSONAPI_FORMAT,
    ErrorObject,
    ResponseFormat,
    api_error_for,
    build_request,
    decipher_response,
)
from booqable_async.transport import Headers, HttpRequest, HttpResponse, Timeout

__all__ = [
    "SINGLE_USE_ALGORITHMS",
    "Auth",
    "AuthContext",
    "BasicAuth",
    "HeaderKeyAuth",
    "LoginAuth",
    "OAuth2Auth",
    "OAuth2Token",
    "QueryKeyAuth",
    "SessionAuth",
    "SingleUseAuth",
    "TokenAuth",
    "TokenStore",
    "jti_digest",
]

#: Algorithms Booqable accepts for single-use tokens (authentication_methods.algorithm).
SINGLE_USE_ALGORITHMS = ("ES256", "RS256", "HS256")
#: Longest lifetime Booqable accepts for a single-use token: exp at most 10 minutes on.
MAX_SINGLE_USE_TTL = 600.0


@attrs.frozen(repr=False)
class AuthContext:
    """What the session tells an auth scheme about where its requests go.

    Attributes:
        base_url: The API root (``https://acme.booqable.com/api/4/``).
        company: The company slug when known (the session's ``company=``).
        send: Sends one request on the session's transport, bypassing auth, limiter and
            retries (for token endpoints).
        timeout: The session's default time limits.
        clock: The session's time sources (a scheme stamps tokens with ``clock.wall()``
            unless it was given a clock of its own).
        response_format: How the API's answers are read (its profile's), for schemes
            that call endpoints of their own (logins).
        media_type: The media type the API speaks.
    """

    base_url: str
    company: str | None
    send: Callable[[HttpRequest], Awaitable[HttpResponse]]
    timeout: Timeout | None = None
    clock: Clock = SYSTEM_CLOCK
    response_format: ResponseFormat = JSONAPI_FORMAT
    media_type: str = JSON_MEDIA_TYPE

    def __repr__(self) -> str:
        return f"AuthContext(base_url={self.base_url!r}, company={self.company!r})"


@runtime_checkable
class Auth(Protocol):
    """An authentication scheme: adds credentials to one built request.

    Implement this to plug in your own scheme. ``apply`` is awaited once per attempt,
    with the request exactly as it will be sent (method, URL with query string, body).
    """

    async def apply(self, request: HttpRequest, context: AuthContext) -> HttpRequest:
        """Return ``request`` with credentials added."""
        ...


def _with_authorization(request: HttpRequest, value: str) -> HttpRequest:
    # Built directly (not attrs.evolve): this runs on every request of the hot path.
    headers = request.headers
    if "Authorization" in headers:
        headers = headers.merged({"Authorization": value})
    else:
        headers = Headers((*headers.raw(), ("Authorization", value)))
    return HttpRequest(request.method, request.url, headers, request.body, request.timeout)


def _check_secret(value: object, what: str) -> str:
    # The message names the argument but never echoes its value: it is a credential.
    if not isinstance(value, str) or not value.strip():
        raise UsageError(f"{what} must be a non-empty string (got a {type(value).__name__})")
    if any(ch in value for ch in "\r\n\x00") or value != value.strip():
        raise UsageError(f"{what} must not contain whitespace at the ends, CR, LF or NUL")
    return value


class TokenAuth:
    """``Authorization: Bearer <token>`` with an access token created in Booqable.

    Args:
        token: The API access token (Settings → API keys in the Booqable web app).

    Raises:
        UsageError: The token is empty or contains line breaks.
    """

    __slots__ = ("_header", "_last")

    def __init__(self, token: str) -> None:
        self._header = "Bearer " + _check_secret(token, "token")
        # (headers without auth, the same with it): most requests share the protocol
        # layer's immutable default header set, so the merge is done once, not per call.
        self._last: tuple[Headers, Headers] | None = None

    def __repr__(self) -> str:
        return f"TokenAuth(token={MASK})"

    async def apply(self, request: HttpRequest, context: AuthContext) -> HttpRequest:
        """Return ``request`` with the bearer token added."""
        last = self._last
        if last is not None and last[0] is request.headers:
            return HttpRequest(request.method, request.url, last[1], request.body, request.timeout)
        signed = _with_authorization(request, self._header)
        self._last = (request.headers, signed.headers)
        return signed


def _b64_sha256(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode("ascii")


def jti_digest(method: str, url: str, body: bytes | None) -> str:
    """Return the request-binding part of a single-use token's ``jti``.

    Booqable specifies ``base64(sha256(METHOD + "." + fullpath + "." + base64(sha256(body))))``
    where ``fullpath`` is the path including ``/api/4`` and the query string exactly as sent,
    and the body part is empty when there is no body. Base64 is the standard alphabet with
    padding.

    Args:
        method: The HTTP method (upper case, as sent).
        url: The absolute URL as sent.
        body: The body bytes, or ``None``.

    Returns:
        The base64 digest.
    """
    parts = urlsplit(url)
    fullpath = parts.path + (f"?{parts.query}" if parts.query else "")
    body_part = _b64_sha256(body) if body else ""
    return _b64_sha256(f"{method}.{fullpath}.{body_part}".encode())


def _require_jwt() -> Any:
    try:
        import jwt
    except ImportError:  # pragma: no cover - the dev extra installs it
        raise UsageError(
            "SingleUseAuth needs PyJWT and cryptography: pip install 'booqable-async[signed]'"
        ) from None
    return jwt


def _load_signing_key(key: str | bytes, algorithm: str) -> Any:
    if isinstance(key, str):
        key = key.encode()
    if not isinstance(key, bytes) or not key:
        raise UsageError("SingleUseAuth key must be a non-empty str or bytes")
    if algorithm == "HS256":
        return key
    _require_jwt()
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        loaded = load_pem_private_key(key, password=None)
    except (ValueError, TypeError):
        raise UsageError(
            f"SingleUseAuth key for {algorithm} must be an unencrypted PEM private key "
            "(-----BEGIN PRIVATE KEY-----); the key could not be read"
        ) from None
    if algorithm == "ES256":
        if not isinstance(loaded, ec.EllipticCurvePrivateKey) or not isinstance(
            loaded.curve, ec.SECP256R1
        ):
            raise UsageError("ES256 needs an EC private key on the P-256 (secp256r1) curve")
    elif not isinstance(loaded, rsa.RSAPrivateKey):
        raise UsageError("RS256 needs an RSA private key")
    return loaded


class SingleUseAuth:
    """A fresh signed JWT per request (Booqable's "single use" authentication method).

    Each attempt gets a token whose header is ``{kid, kind: "single_use", alg}`` and whose
    claims are ``iss`` (``https://{company}.booqable.com``), ``sub`` (employee id), ``aud``
    (company id), ``iat``, ``exp`` (at most 600 s later) and ``jti`` =
    ``"<uuid4>.<jti_digest(...)>"``, binding it to the method, full path with query string
    and body actually sent. Needs the ``signed`` extra (PyJWT, cryptography).

    Args:
        key: The private key in PEM (ES256, RS256) or the shared secret (HS256) of the
            authentication method.
        authentication_method_id: The authentication method's id (the JWT ``kid``).
        employee_id: The employee owning the method (``sub``).
        company_id: The company's id (``aud``).
        algorithm: ``"ES256"`` (default), ``"RS256"`` or ``"HS256"``.
        company: The company slug for ``iss``; defaults to the session's ``company=``.
        ttl: Seconds until ``exp`` (at most 600).
        clock: Its ``wall`` clock stamps ``iat``/``exp``; by default the session's clock
            (real time when :meth:`token_for` is called on its own).
        make_uuid: Source of the ``jti`` uuid (``uuid.uuid4``); injectable for tests.

    Raises:
        UsageError: Unknown algorithm, unreadable or mismatched key, ttl out of range,
            missing ids, or PyJWT not installed.
    """

    __slots__ = (
        "_algorithm",
        "_clock",
        "_company",
        "_company_id",
        "_employee_id",
        "_key",
        "_kid",
        "_make_uuid",
        "_ttl",
    )

    def __init__(
        self,
        *,
        key: str | bytes,
        authentication_method_id: str,
        employee_id: str,
        company_id: str,
        algorithm: str = "ES256",
        company: str | None = None,
        ttl: float = 300.0,
        clock: Clock | None = None,
        make_uuid: Callable[[], uuid.UUID] | None = None,
    ) -> None:
        if algorithm not in SINGLE_USE_ALGORITHMS:
            raise UsageError(
                f"SingleUseAuth algorithm must be one of {', '.join(SINGLE_USE_ALGORITHMS)}, "
                f"got {algorithm!r}"
            )
        for name, value in (
            ("authentication_method_id", authentication_method_id),
            ("employee_id", employee_id),
            ("company_id", company_id),
        ):
            if not isinstance(value, str) or not value:
                raise UsageError(f"SingleUseAuth {name} must be a non-empty string")
        if not is_number(ttl):
            raise UsageError(f"SingleUseAuth ttl must be a number of seconds, got {ttl!r}")
        if not 0 < ttl <= MAX_SINGLE_USE_TTL:
            raise UsageError(
                f"SingleUseAuth ttl must be in (0, {MAX_SINGLE_USE_TTL:g}] seconds: Booqable "
                f"refuses single-use tokens valid for longer; got {ttl!r}"
            )
        _require_jwt()
        self._key = _load_signing_key(key, algorithm)
        self._algorithm = algorithm
        self._kid = authentication_method_id
        self._employee_id = employee_id
        self._company_id = company_id
        self._company = company
        self._ttl = float(ttl)
        self._clock = clock
        self._make_uuid = make_uuid or uuid.uuid4

    def __repr__(self) -> str:
        return (
            f"SingleUseAuth(algorithm={self._algorithm!r}, "
            f"authentication_method_id={self._kid!r}, key={MASK})"
        )

    def token_for(
        self, request: HttpRequest, *, company: str | None = None, clock: Clock = SYSTEM_CLOCK
    ) -> str:
        """Return a signed single-use JWT for ``request`` exactly as it will be sent.

        Args:
            request: The built request (method, URL with query string, body).
            company: Slug for ``iss`` when none was given to the constructor.
            clock: Stamps the token when the scheme was given no clock of its own.

        Returns:
            The compact JWT.

        Raises:
            UsageError: No company slug is known for the ``iss`` claim.
        """
        slug = self._company or company
        if not slug:
            raise UsageError(
                "SingleUseAuth needs the company slug for the iss claim: pass company= to "
                "SingleUseAuth or to the client"
            )
        now = int((self._clock or clock).wall())
        claims = {
            "iss": f"https://{slug}.booqable.com",
            "sub": self._employee_id,
            "aud": self._company_id,
            "iat": now,
            "exp": now + int(self._ttl),
            "jti": f"{self._make_uuid()}.{jti_digest(request.method, request.url, request.body)}",
        }
        jwt = _require_jwt()
        # typ=None drops PyJWT's default "typ" so the header is exactly {kid, kind, alg}.
        token: str = jwt.encode(
            claims,
            self._key,
            algorithm=self._algorithm,
            headers={"kid": self._kid, "kind": "single_use", "typ": None},
        )
        return token

    async def apply(self, request: HttpRequest, context: AuthContext) -> HttpRequest:
        """Return ``request`` with a fresh single-use token bound to it."""
        token = self.token_for(request, company=context.company, clock=context.clock)
        return _with_authorization(request, "Bearer " + token)


@attrs.frozen(repr=False)
class OAuth2Token:
    """An OAuth2 access token with its refresh token and expiry; ``repr`` hides secrets.

    Attributes:
        access_token: The bearer token.
        refresh_token: Token to get a new access token, when the server issued one.
        expires_at: Expiry in epoch seconds, ``None`` when the server gave no lifetime.
        token_type: Normally ``"Bearer"``.
        scope: Granted scopes, space separated.
    """

    access_token: str
    refresh_token: str | None = None
    expires_at: float | None = None
    token_type: str = "Bearer"  # noqa: S105 - the scheme name, not a secret
    scope: str | None = None

    def __repr__(self) -> str:
        refresh = MASK if self.refresh_token else None
        return (
            f"OAuth2Token(access_token={MASK}, refresh_token={refresh}, "
            f"expires_at={self.expires_at!r}, scope={self.scope!r})"
        )

    @classmethod
    def from_response(cls, payload: Mapping[str, Any], *, now: float) -> OAuth2Token:
        """Build a token from a token endpoint answer (RFC 6749 §5.1).

        Args:
            payload: The parsed JSON (``access_token``, ``expires_in``, ``refresh_token``...).
            now: Current epoch seconds (``expires_in`` counts from here).

        Returns:
            The token.

        Raises:
            DecodeError: The answer has no usable ``access_token``.
        """
        access = payload.get("access_token")
        if not isinstance(access, str) or not access:
            raise DecodeError("the OAuth2 token answer has no access_token", "/access_token")
        expires_in = payload.get("expires_in")
        expires_at = now + float(expires_in) if is_number(expires_in) else None
        refresh = payload.get("refresh_token")
        scope = payload.get("scope")
        token_type = payload.get("token_type")
        return cls(
            access_token=access,
            refresh_token=refresh if isinstance(refresh, str) and refresh else None,
            expires_at=expires_at,
            token_type=token_type if isinstance(token_type, str) else "Bearer",
            scope=scope if isinstance(scope, str) else None,
        )

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict for a token store (contains secrets: store it safely)."""
        return attrs.asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> OAuth2Token:
        """Rebuild a token saved with :meth:`to_dict`."""
        return cls(
            access_token=data["access_token"],
            refresh_token=data.get("refresh_token"),
            expires_at=data.get("expires_at"),
            token_type=data.get("token_type", "Bearer"),
            scope=data.get("scope"),
        )

    def expires_within(self, seconds: float, *, now: float) -> bool:
        """Return True when the token expires less than ``seconds`` from ``now``."""
        return self.expires_at is not None and self.expires_at - now < seconds


#: Called with every new token (after a code exchange or a refresh), sync or async.
TokenStore = Callable[[OAuth2Token], Awaitable[None] | None]


class OAuth2Auth:
    """OAuth2 bearer tokens with the authorization-code grant and automatic refresh.

    The first request exchanges ``authorization_code`` at ``/api/4/oauth/token`` (unless a
    stored ``token`` is given). A token is refreshed ``refresh_margin`` seconds before it
    expires; however many requests run concurrently, exactly one refresh happens and the
    others wait for it. Every new token is handed to ``token_store`` so you can persist it
    (refresh tokens may rotate). A rejected refresh token (revoked, expired, rotated away)
    raises :class:`~booqable_async.errors.Unauthorized` saying to authorize again.

    Args:
        client_id: The OAuth application's client id.
        client_secret: The OAuth application's client secret.
        token: A previously stored token (see :meth:`OAuth2Token.from_dict`).
        authorization_code: A code from the authorization redirect, exchanged on first use.
        redirect_uri: The redirect URI the code was issued for (sent with the exchange).
        token_store: Called (sync or async) with each new token.
        refresh_margin: Seconds before expiry at which the token is refreshed.
        clock: Its ``wall`` clock dates token expiry; by default the session's clock.

    Raises:
        UsageError: Missing client credentials, or neither ``token`` nor
            ``authorization_code``.
    """

    __slots__ = (
        "_client_id",
        "_client_secret",
        "_clock",
        "_code",
        "_lock",
        "_margin",
        "_redirect_uri",
        "_store",
        "_token",
        "refreshes",
    )

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        token: OAuth2Token | None = None,
        authorization_code: str | None = None,
        redirect_uri: str | None = None,
        token_store: TokenStore | None = None,
        refresh_margin: float = 60.0,
        clock: Clock | None = None,
    ) -> None:
        self._client_id = _check_secret(client_id, "client_id")
        self._client_secret = _check_secret(client_secret, "client_secret")
        if token is None and authorization_code is None:
            raise UsageError(
                "OAuth2Auth needs token= (a stored OAuth2Token) or authorization_code= "
                "(from the authorization redirect)"
            )
        if token is not None and not isinstance(token, OAuth2Token):
            raise UsageError("OAuth2Auth token= must be an OAuth2Token")
        if authorization_code is not None:
            _check_secret(authorization_code, "authorization_code")
        self._token = token
        self._code = authorization_code
        self._redirect_uri = redirect_uri
        self._store = token_store
        self._margin = float(refresh_margin)
        self._clock = clock
        self._lock: asyncio.Lock | None = None
        #: Token endpoint calls made so far (code exchanges and refreshes).
        self.refreshes = 0

    def __repr__(self) -> str:
        return f"OAuth2Auth(client_id={self._client_id!r}, client_secret={MASK})"

    @property
    def token(self) -> OAuth2Token | None:
        """The current token (``None`` before the code exchange)."""
        return self._token

    def _now(self, context: AuthContext) -> float:
        return (self._clock or context.clock).wall()

    def _needs_new_token(self, context: AuthContext) -> bool:
        token = self._token
        return token is None or token.expires_within(self._margin, now=self._now(context))

    async def current_token(self, context: AuthContext) -> OAuth2Token:
        """Return a token valid for at least ``refresh_margin`` seconds, refreshing once.

        Args:
            context: Where the token endpoint is.

        Returns:
            The token.

        Raises:
            Unauthorized: The code or refresh token was rejected, or the token expired
                without a refresh token.
            TransportError: The token endpoint could not be reached (``request_sent`` is
                False: the API request itself was never sent).
        """
        if not self._needs_new_token(context):
            assert self._token is not None
            return self._token
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            # Whoever held the lock before us may have refreshed already.
            if self._needs_new_token(context):
                await self._renew(context)
        assert self._token is not None
        return self._token

    async def _renew(self, context: AuthContext) -> None:
        form: dict[str, str]
        if self._token is None:
            assert self._code is not None  # the constructor requires one of the two
            form = {"grant_type": "authorization_code", "code": self._code}
            if self._redirect_uri:
                form["redirect_uri"] = self._redirect_uri
            what = "authorization code"
        elif self._token.refresh_token:
            form = {"grant_type": "refresh_token", "refresh_token": self._token.refresh_token}
            what = "refresh token"
        else:
            raise Unauthorized(
                401,
                message="the OAuth2 access token expired and no refresh token was issued: "
                "authorize again to get a new authorization code",
            )
        form["client_id"] = self._client_id
        form["client_secret"] = self._client_secret
        token = await self._post_token(form, what, context)
        self._code = None  # a code is single use
        self._token = token
        self.refreshes += 1
        if self._store is not None:
            result = self._store(token)
            if inspect.isawaitable(result):
                await result

    async def _post_token(
        self, form: Mapping[str, str], what: str, context: AuthContext
    ) -> OAuth2Token:
        request = build_request(
            "POST",
            ("oauth", "token"),
            base_url=context.base_url,
            body=urlencode(form).encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
            timeout=context.timeout,
        )
        try:
            response = await context.send(request)
        except TransportError as exc:
            # The API request waiting for this token was never sent, so it is safe to
            # retry for every method; say which exchange failed.
            raise type(exc)(
                f"could not reach the OAuth2 token endpoint to use the {what}: {exc}",
                request_sent=False,
            ) from exc
        if response.status in (400, 401):
            error = _oauth_error(response.body)
            if error is not None:
                code, detail = error
                advice = (
                    "the grant was revoked, expired or already used; authorize again to get "
                    "a new authorization code"
                )
                raise Unauthorized(
                    response.status,
                    errors=(ErrorObject(code=code, status=str(response.status), detail=detail),),
                    message=f"OAuth2 {what} rejected ({code}): {advice}",
                )
        payload = decipher_response(response, method="POST", url=request.url)
        if not isinstance(payload, Mapping):
            raise DecodeError("the OAuth2 token answer is not a JSON object")
        return OAuth2Token.from_response(payload, now=self._now(context))

    async def apply(self, request: HttpRequest, context: AuthContext) -> HttpRequest:
        """Return ``request`` with a valid access token, refreshing it first if needed."""
        token = await self.current_token(context)
        return _with_authorization(request, "Bearer " + token.access_token)


def _oauth_error(body: bytes) -> tuple[str, str | None] | None:
    # RFC 6749 §5.2 error answer: {"error": "invalid_grant", "error_description": "..."}.
    try:
        payload = msgspec.json.decode(body)
    except msgspec.DecodeError:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("error"), str):
        return None
    description = payload.get("error_description")
    return payload["error"], description if isinstance(description, str) else None


@runtime_checkable
class SessionAuth(Auth, Protocol):
    """A scheme holding a session token: renewed after a 401, revoked when the session ends.

    The session calls :meth:`reauthenticate` when an answer is 401 (once per request:
    the server refused the request without acting on it, so it is sent again with the
    new token) and :meth:`logout` from ``aclose()``.
    """

    async def reauthenticate(self, rejected: HttpRequest, context: AuthContext) -> bool:
        """Get a new token after ``rejected`` was answered 401; False when none can be had."""
        ...

    async def logout(self, context: AuthContext) -> None:
        """Revoke the current token (nothing to do without one)."""
        ...


def _add_query_pair(url: str, name: str, value: str) -> str:
    pair = f"{quote(name, safe='')}={quote(value, safe='')}"
    base, _, fragment = url.partition("#")
    joined = f"{base}{'&' if '?' in base else '?'}{pair}"
    return f"{joined}#{fragment}" if fragment else joined


class QueryKeyAuth:
    """An API key in the query string: ``?api_key=KEY`` on every request (Booqable v1).

    The key travels in the URL, so everything that shows a URL masks it: log lines,
    reprs, exception messages (``api_key=REDACTED``). That only holds for parameter
    names the library knows to be secret, so other names are refused.

    Args:
        key: The API key.
        param: The query parameter's name (``api_key``; also ``apikey``, ``key``,
            ``token``, ``access_token``, ``auth_token``...).

    Raises:
        UsageError: An empty key, or a parameter name that would not be redacted.
    """

    __slots__ = ("_key", "_param")

    def __init__(self, key: str, *, param: str = "api_key") -> None:
        self._key = _check_secret(key, "api_key")
        if not isinstance(param, str) or param.lower() not in SENSITIVE_QUERY_KEYS:
            raise UsageError(
                f"QueryKeyAuth param must be a query name the library redacts "
                f"({', '.join(sorted(SENSITIVE_QUERY_KEYS))}), got {param!r}"
            )
        self._param = param

    def __repr__(self) -> str:
        return f"QueryKeyAuth({self._param}={MASK})"

    async def apply(self, request: HttpRequest, context: AuthContext) -> HttpRequest:
        """Return ``request`` with the key appended to its query string."""
        url = _add_query_pair(request.url, self._param, self._key)
        return HttpRequest(request.method, url, request.headers, request.body, request.timeout)


class HeaderKeyAuth:
    """An API key in a header of its own: ``X-API-Key: KEY`` (Booga Enterprise...).

    Args:
        key: The API key.
        header: The header's name; it must be one whose value the library masks in
            logs and reprs (``X-API-Key``, ``Api-Key``, ``X-Auth-Token``, ``Authorization``).
        prefix: Text before the key (``"Token "``), if the API wants one.

    Raises:
        UsageError: An empty key, or a header name that would not be masked.
    """

    __slots__ = ("_header", "_value")

    def __init__(self, key: str, *, header: str = "X-API-Key", prefix: str = "") -> None:
        if not isinstance(header, str) or header.lower() not in SENSITIVE_HEADERS:
            raise UsageError(
                f"HeaderKeyAuth header must be one the library masks "
                f"({', '.join(sorted(SENSITIVE_HEADERS))}), got {header!r}"
            )
        self._header = header
        self._value = prefix + _check_secret(key, "key")

    def __repr__(self) -> str:
        return f"HeaderKeyAuth({self._header}={MASK})"

    async def apply(self, request: HttpRequest, context: AuthContext) -> HttpRequest:
        """Return ``request`` with the key header set."""
        headers = request.headers.merged({self._header: self._value})
        return HttpRequest(request.method, request.url, headers, request.body, request.timeout)


class BasicAuth:
    """HTTP Basic: ``Authorization: Basic base64(username:password)`` (RFC 7617).

    Args:
        username: The user name (Beebole: the API token).
        password: The password (Beebole: any text, conventionally ``"x"``).

    Raises:
        UsageError: An empty username, or a colon in it (RFC 7617 forbids one).
    """

    __slots__ = ("_header",)

    def __init__(self, username: str, password: str = "") -> None:
        _check_secret(username, "username")
        if ":" in username:
            raise UsageError("a Basic auth username must not contain ':' (RFC 7617)")
        if not isinstance(password, str) or any(ch in password for ch in "\r\n\x00"):
            raise UsageError("a Basic auth password must be a string without CR, LF or NUL")
        raw = f"{username}:{password}".encode()
        self._header = "Basic " + base64.b64encode(raw).decode("ascii")

    def __repr__(self) -> str:
        return f"BasicAuth({MASK})"

    async def apply(self, request: HttpRequest, context: AuthContext) -> HttpRequest:
        """Return ``request`` with the Basic credentials added."""
        return _with_authorization(request, self._header)


def _path(value: str | Sequence[str]) -> tuple[str, ...]:
    return tuple(value.strip("/").split("/")) if isinstance(value, str) else tuple(value)


class LoginAuth:
    """A session token from a login endpoint, refreshed before it expires, revoked at the end.

    The first request logs in (``POST login`` with ``credentials`` as JSON) and sends
    ``Authorization: Bearer <token>`` from then on. A token whose lifetime is known
    (``expires_in`` in the answer, or ``lifetime``) is refreshed ``refresh_margin``
    seconds before it ends (``POST refresh`` with the current token; with
    ``refresh_token_field``, that token in the body); a refused refresh logs in again.
    A 401 on any request renews the token once and sends the request again (the server
    refused it without acting). However many requests run concurrently, one login or
    refresh happens and the others wait for it. The session's ``aclose()`` revokes the
    token (``POST logout``). Logins, refreshes and logouts bypass the limiter and
    retries, like OAuth2 token calls.

    Args:
        credentials: The login body (``{"email": ..., "password": ...}``); never shown.
        login: Path of the login endpoint under the API root.
        refresh: Path of the refresh endpoint (``None``: log in again instead).
        logout: Path of the logout endpoint (``None``: nothing to revoke).
        token_field: Dotted path of the token in the answers (``token``,
            ``data.access_token``).
        refresh_token_field: Dotted path of a refresh token in the login answer, sent
            back in the refresh body under its last name (``None``: the API refreshes
            with the current token alone).
        expires_in_field: Dotted path of the token's lifetime in seconds, when the API
            says.
        lifetime: Seconds a token lives when the answer does not say (``None``: until
            a 401 says otherwise).
        refresh_margin: Renew this many seconds before the end of the lifetime.
        clock: Its ``wall`` clock dates tokens; by default the session's.

    Raises:
        UsageError: Empty credentials or a bad setting.
    """

    def __init__(
        self,
        *,
        credentials: Mapping[str, str],
        login: str | Sequence[str] = "auth/login",
        refresh: str | Sequence[str] | None = "auth/refresh",
        logout: str | Sequence[str] | None = "auth/logout",
        token_field: str = "token",  # noqa: S107 - where the token is, not a token
        refresh_token_field: str | None = None,
        expires_in_field: str = "expires_in",
        lifetime: float | None = None,
        refresh_margin: float = 60.0,
        clock: Clock | None = None,
    ) -> None:
        if not isinstance(credentials, Mapping) or not credentials:
            raise UsageError("LoginAuth needs credentials, e.g. {'email': ..., 'password': ...}")
        for name, value in credentials.items():
            _check_secret(value, f"credentials[{name!r}]")
        if lifetime is not None and (not is_number(lifetime) or not lifetime > 0):
            raise UsageError(f"LoginAuth lifetime must be seconds > 0, got {lifetime!r}")
        if not is_number(refresh_margin) or refresh_margin < 0:
            raise UsageError(f"LoginAuth refresh_margin must be >= 0, got {refresh_margin!r}")
        self._credentials = dict(credentials)
        self._login = _path(login)
        self._refresh = None if refresh is None else _path(refresh)
        self._logout = None if logout is None else _path(logout)
        self._token_field = token_field
        self._refresh_token_field = refresh_token_field
        self._expires_in_field = expires_in_field
        self._lifetime = lifetime
        self._margin = float(refresh_margin)
        self._clock = clock
        self._token: str | None = None
        self._refresh_token: str | None = None
        self._expires_at: float | None = None
        self._lock: asyncio.Lock | None = None
        #: Logins made so far.
        self.logins = 0
        #: Refreshes made so far.
        self.refreshes = 0

    def __repr__(self) -> str:
        state = "logged in" if self._token else "logged out"
        return f"LoginAuth({'/'.join(self._login)}, credentials={MASK}, {state})"

    @property
    def logged_in(self) -> bool:
        """True while a token is held."""
        return self._token is not None

    def _now(self, context: AuthContext) -> float:
        return (self._clock or context.clock).wall()

    def _stale(self, context: AuthContext) -> bool:
        if self._token is None:
            return True
        return self._expires_at is not None and self._expires_at - self._now(context) < self._margin

    def _locked(self) -> asyncio.Lock:
        if self._lock is None:
            self._lock = asyncio.Lock()
        return self._lock

    async def current_token(self, context: AuthContext) -> str:
        """Return a token valid for at least ``refresh_margin`` seconds (logging in once).

        Raises:
            Unauthorized: The credentials were refused.
            ApiError: The login endpoint failed otherwise.
            TransportError: It could not be reached (``request_sent`` is False for the
                request waiting on it).
        """
        if not self._stale(context):
            assert self._token is not None
            return self._token
        async with self._locked():
            if self._stale(context):
                await self._renew(context)
        assert self._token is not None
        return self._token

    async def _renew(self, context: AuthContext) -> None:
        if self._token is not None and self._refresh is not None:
            try:
                await self._call_refresh(context)
                return
            except Unauthorized:
                pass  # the token (or refresh token) is no longer good: log in afresh
        await self._call_login(context)

    async def _call_login(self, context: AuthContext) -> None:
        self._token = None
        payload = await self._post(context, self._login, self._credentials, None, "login")
        self._store(payload, context, "login")
        self.logins += 1

    async def _call_refresh(self, context: AuthContext) -> None:
        assert self._refresh is not None
        body: dict[str, str] | None = None
        if self._refresh_token_field is not None and self._refresh_token is not None:
            body = {self._refresh_token_field.rsplit(".", 1)[-1]: self._refresh_token}
        payload = await self._post(context, self._refresh, body, self._token, "refresh")
        self._store(payload, context, "refresh")
        self.refreshes += 1

    def _store(self, payload: Any, context: AuthContext, what: str) -> None:
        token = _dotted(payload, self._token_field)
        if not isinstance(token, str) or not token:
            raise DecodeError(
                f"the {what} answer has no token at {self._token_field!r}",
                "/" + self._token_field.replace(".", "/"),
            )
        self._token = token
        if self._refresh_token_field is not None:
            refresh = _dotted(payload, self._refresh_token_field)
            if isinstance(refresh, str) and refresh:
                self._refresh_token = refresh
        expires_in = _dotted(payload, self._expires_in_field)
        lifetime = expires_in if is_number(expires_in) else self._lifetime
        self._expires_at = None if lifetime is None else self._now(context) + float(lifetime)

    async def _post(
        self,
        context: AuthContext,
        path: tuple[str, ...],
        body: Mapping[str, str] | None,
        token: str | None,
        what: str,
    ) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else None
        request = build_request(
            "POST",
            path,
            base_url=context.base_url,
            json=body if body is not None else {},
            headers=headers,
            timeout=context.timeout,
            media_type=context.media_type,
        )
        try:
            response = await context.send(request)
        except TransportError as exc:
            raise type(exc)(
                f"could not reach the {what} endpoint: {exc}", request_sent=False
            ) from exc
        if response.status == 401 or (what == "login" and response.status in (400, 403)):
            error = api_error_for(
                response,
                method="POST",
                url=request.url,
                response_format=context.response_format,
            )
            advice = (
                "check the credentials given to LoginAuth"
                if what == "login"
                else "the token is no longer valid"
            )
            raise Unauthorized(
                response.status,
                errors=error.errors,
                headers=response.headers,
                message=f"{what} refused (HTTP {response.status}): {advice}",
            )
        return decipher_response(
            response,
            method="POST",
            url=request.url,
            response_format=context.response_format,
        )

    async def apply(self, request: HttpRequest, context: AuthContext) -> HttpRequest:
        """Return ``request`` with a valid session token, logging in first if needed."""
        token = await self.current_token(context)
        return _with_authorization(request, "Bearer " + token)

    async def reauthenticate(self, rejected: HttpRequest, context: AuthContext) -> bool:
        """Renew the token after ``rejected`` got a 401; True when a new one is held.

        Requests that failed with the same token share one renewal; one sent with an
        older token finds the new token already there.
        """
        async with self._locked():
            used = rejected.headers.get("Authorization")
            if self._token is not None and used != f"Bearer {self._token}":
                return True  # renewed by someone else meanwhile
            if self._token is not None and self._refresh is not None:
                try:
                    await self._call_refresh(context)
                    return True
                except Unauthorized:
                    pass
            await self._call_login(context)
            return True

    async def logout(self, context: AuthContext) -> None:
        """Revoke the token (``POST logout``); afterwards the next request logs in again.

        Raises:
            ApiError: The logout endpoint refused (the token is dropped all the same).
            TransportError: It could not be reached.
        """
        token, self._token = self._token, None
        self._refresh_token = None
        self._expires_at = None
        if token is None or self._logout is None:
            return
        await self._post(context, self._logout, None, token, "logout")


def _dotted(payload: Any, path: str) -> Any:
    value = payload
    for key in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value
