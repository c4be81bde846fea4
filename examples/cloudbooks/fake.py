"""A small in-process CloudBooks: logins and tokens, errors, an hourly budget, pages.

Serve it with :meth:`FakeCloudBooks.transport` (a ``MockTransport``, no sockets). Time
comes from an injectable clock, so token expiry and the hourly window work in virtual
time.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import msgspec

from booqable_async.transport import HttpRequest, HttpResponse, MockTransport

__all__ = ["API_KEY", "EMAIL", "PASSWORD", "FakeCloudBooks"]

#: The API key the fake accepts.
API_KEY = "sk_live_4f8a2c1e9b7d3a6f0e5c2b8d"
#: The user who can log in.
EMAIL = "ada@example.com"
#: Her password.
PASSWORD = "correct-horse-battery-staple-7"


class _Refusal(Exception):
    def __init__(self, status: int, code: str, message: str, details: Any = None) -> None:
        self.status = status
        self.body: dict[str, Any] = {"code": code, "message": message}
        if details is not None:
            self.body["details"] = details
        super().__init__(code)


class FakeCloudBooks:
    """CloudBooks as its document describes it (and as the client assumes it).

    Args:
        clock: Seconds, monotonic (token expiry, the hourly window).
        hourly_limit: Requests allowed per hour.
        token_lifetime: Seconds a login token lives.

    Attributes:
        logins: Successful logins.
        refreshes: Successful refreshes.
        logouts: Tokens revoked by logout.
        served: Requests answered with 2xx.
        limited: Requests answered 429.
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        hourly_limit: int = 1000,
        token_lifetime: float = 3600.0,
    ) -> None:
        self._clock = clock
        self.hourly_limit = hourly_limit
        self.token_lifetime = token_lifetime
        self._ids = itertools.count(1)
        self._user = {"id": "usr_1", "email": EMAIL, "name": "Ada"}
        self._tokens: dict[str, float] = {}  # token -> expiry
        self.organizations: dict[str, dict[str, Any]] = {}
        self.projects: dict[str, dict[str, Any]] = {}
        self._window_start: float | None = None
        self._used = 0
        self.logins = self.refreshes = self.logouts = self.served = self.limited = 0

    def transport(self) -> MockTransport:
        """An in-process transport answering from this fake."""
        return MockTransport(self.handle)

    def add_organization(self, name: str) -> dict[str, Any]:
        """Store an organization directly and return it."""
        org = {"id": f"org_{next(self._ids)}", "name": name, "created_at": "2026-03-15T10:30:00Z"}
        self.organizations[org["id"]] = org
        return org

    def expire_tokens(self) -> None:
        """Revoke every login token server-side (what a password change does)."""
        self._tokens.clear()

    # -- the server ---------------------------------------------------------------------

    def _budget(self) -> list[tuple[str, str]]:
        now = self._clock()
        if self._window_start is None or now >= self._window_start + 3600.0:
            self._window_start, self._used = now, 0
        self._used += 1
        remaining = max(self.hourly_limit - self._used, 0)
        reset = self._window_start + 3600.0
        return [
            ("X-RateLimit-Limit", str(self.hourly_limit)),
            ("X-RateLimit-Remaining", str(remaining)),
            ("X-RateLimit-Reset", f"{reset:.0f}"),
        ]

    def handle(self, request: HttpRequest) -> HttpResponse:
        """Answer one request."""
        headers = self._budget()
        parts = urlsplit(request.url)
        path = parts.path.split("/v1/", 1)[-1].strip("/").split("/")
        params = dict(parse_qsl(parts.query))
        try:
            if self._used > self.hourly_limit:
                self.limited += 1
                raise _Refusal(429, "rate_limit_exceeded", "Hourly request limit reached")
            body = msgspec.json.decode(request.body) if request.body else {}
            status, answer = self._route(request, path, params, body)
        except _Refusal as refusal:
            return _json(refusal.status, {"error": refusal.body}, headers)
        except msgspec.DecodeError:
            return _json(400, {"error": {"code": "invalid_json", "message": "Bad JSON"}}, headers)
        self.served += 1
        return _json(status, answer, headers)

    def _authenticated(self, request: HttpRequest) -> str:
        value = request.headers.get("Authorization") or ""
        token = value[len("Bearer ") :] if value.startswith("Bearer ") else ""
        if token == API_KEY:
            return token
        expiry = self._tokens.get(token)
        if expiry is None or expiry <= self._clock():
            raise _Refusal(401, "unauthorized", "Authentication credentials missing or invalid")
        return token

    def _issue(self) -> dict[str, Any]:
        token = f"tok_{next(self._ids):04d}_{int(self._clock() * 1000):x}"
        self._tokens[token] = self._clock() + self.token_lifetime
        return {"token": token, "expires_in": self.token_lifetime, "user": self._user}

    def _route(
        self, request: HttpRequest, path: list[str], params: dict[str, str], body: Any
    ) -> tuple[int, Any]:
        method = request.method
        if path == ["auth", "login"] and method == "POST":
            email = body.get("email") if isinstance(body, dict) else None
            if not isinstance(email, str) or "@" not in email:
                raise _Refusal(
                    400,
                    "invalid_request",
                    "Invalid email format",
                    {"field": "email", "issue": "Must be a valid email address"},
                )
            if email != EMAIL or body.get("password") != PASSWORD:
                raise _Refusal(401, "invalid_credentials", "Invalid email or password")
            self.logins += 1
            return 200, self._issue()
        token = self._authenticated(request)
        if path == ["auth", "refresh"] and method == "POST":
            self._tokens.pop(token, None)
            self.refreshes += 1
            return 200, self._issue()
        if path == ["auth", "logout"] and method == "POST":
            self.logouts += 1 if self._tokens.pop(token, None) is not None else 0
            return 200, {"message": "Logged out"}
        if path == ["users", "me"]:
            if method == "PUT":
                name = body.get("name") if isinstance(body, dict) else None
                if not isinstance(name, str) or not name:
                    raise _Refusal(
                        400,
                        "invalid_request",
                        "Name is required",
                        {"field": "name", "issue": "blank"},
                    )
                self._user = {**self._user, "name": name}
            return 200, self._user
        if path[0] == "organizations":
            return self._organizations(method, path[1:], params, body)
        if path[0] == "projects":
            return self._projects(method, path[1:], params, body)
        raise _Refusal(404, "not_found", "Requested resource does not exist")

    def _page(self, records: list[dict[str, Any]], params: dict[str, str]) -> dict[str, Any]:
        try:
            page = int(params.get("page", "1"))
            per = int(params.get("per_page", "20"))
        except ValueError:
            raise _Refusal(400, "invalid_request", "page and per_page must be integers") from None
        if page < 1 or not 1 <= per <= 100:
            raise _Refusal(400, "invalid_request", "per_page must be between 1 and 100")
        chunk = records[(page - 1) * per : page * per]
        return {"data": chunk, "meta": {"total": len(records), "page": page, "per_page": per}}

    def _organizations(
        self, method: str, rest: list[str], params: dict[str, str], body: Any
    ) -> tuple[int, Any]:
        if not rest and method == "GET":
            return 200, self._page(list(self.organizations.values()), params)
        if not rest and method == "POST":
            name = body.get("name") if isinstance(body, dict) else None
            if not isinstance(name, str) or not name:
                raise _Refusal(
                    400, "invalid_request", "Name is required", {"field": "name", "issue": "blank"}
                )
            return 201, self.add_organization(name)
        org = self.organizations.get(rest[0]) if len(rest) == 1 else None
        if org is None or method != "GET":
            raise _Refusal(404, "not_found", "Requested resource does not exist")
        return 200, org

    def _projects(
        self, method: str, rest: list[str], params: dict[str, str], body: Any
    ) -> tuple[int, Any]:
        if not rest and method == "GET":
            wanted = params.get("organization_id")
            records = [p for p in self.projects.values() if wanted in (None, p["organization_id"])]
            return 200, self._page(records, params)
        if not rest and method == "POST":
            org = body.get("organization_id") if isinstance(body, dict) else None
            if org not in self.organizations:
                raise _Refusal(
                    400,
                    "invalid_request",
                    "Unknown organization",
                    {"field": "organization_id", "issue": "not found"},
                )
            project = {
                "id": f"prj_{next(self._ids)}",
                "organization_id": org,
                "name": body.get("name"),
            }
            self.projects[project["id"]] = project
            return 201, project
        if len(rest) == 1 and method == "DELETE" and rest[0] in self.projects:
            del self.projects[rest[0]]
            return 204, None
        raise _Refusal(404, "not_found", "Requested resource does not exist")


def _json(status: int, body: Any, headers: list[tuple[str, str]]) -> HttpResponse:
    payload = b"" if body is None else msgspec.json.encode(body)
    return HttpResponse(status, [("Content-Type", "application/json"), *headers], payload)
