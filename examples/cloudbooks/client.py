"""A typed client for the CloudBooks REST API on booqable_async's session layer.

What the CloudBooks document says (``../shared/seeds/002_*``), and what this client
assumes where it is silent:

- root ``https://api.cloudbooks.com/v1/``; JSON bodies;
- ``Authorization: Bearer sk_live_...`` with an API key, or a user's access token from
  ``POST /auth/login`` (``{"email", "password"}`` -> ``{"token", "user"}``), renewed with
  ``POST /auth/refresh`` and revoked with ``POST /auth/logout`` (:func:`login`);
- errors ``{"error": {"code", "message", "details": {"field", "issue"}}}``;
- hourly budgets by plan, reported in usage headers; the document does not name them,
  so ``X-RateLimit-Limit``/``X-RateLimit-Remaining`` per hour are assumed;
- lists are not shown either: ``page``/``per_page`` with ``{"data": [...], "meta":
  {"total"}}`` is assumed; records are returned as plain objects.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

import attrs

from booqable_async.auth import Auth, LoginAuth, TokenAuth
from booqable_async.clock import Clock
from booqable_async.errors import DecodeError, UsageError
from booqable_async.pagination import Paginator, paginate
from booqable_async.profile import ApiProfile
from booqable_async.protocol import (
    JSON_MEDIA_TYPE,
    FixedPeriodHeaders,
    NumberedPages,
    ResponseFormat,
    UrlRule,
    error_envelope,
)
from booqable_async.retry import RetryPolicy
from booqable_async.session import Session, SessionClient
from booqable_async.transport import Transport

__all__ = ["CLOUDBOOKS", "CloudBooksClient", "Organization", "Project", "User", "login"]

#: The CloudBooks API as the session layer drives it.
CLOUDBOOKS: Final = ApiProfile(
    name="CloudBooks",
    urls=UrlRule(default="https://api.cloudbooks.com/v1/"),
    credentials=TokenAuth,
    credentials_help="create an API key in the CloudBooks Dashboard, or log in with login()",
    credential_option="api_key",
    env_credentials="CLOUDBOOKS_API_KEY",
    env_base_url="CLOUDBOOKS_BASE_URL",
    media_type=JSON_MEDIA_TYPE,
    response_format=ResponseFormat(
        read_errors=error_envelope, read_rate_limit=FixedPeriodHeaders(period=3600.0)
    ),
    pages=NumberedPages(
        items="data", total="meta.total", per="per_page", default_size=20, max_size=100
    ),
)


def login(email: str, password: str) -> LoginAuth:
    """Log in as a user: ``POST /auth/login``, refreshed and revoked by the session.

    Args:
        email: The user's e-mail address.
        password: The user's password (never logged or shown).

    Returns:
        The auth scheme to pass as ``auth=``.
    """
    return LoginAuth(
        credentials={"email": email, "password": password},
        login="auth/login",
        refresh="auth/refresh",
        logout="auth/logout",
        expires_in_field="expires_in",
    )


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise DecodeError(f"expected text in {key!r}, got {value!r}", f"/{key}")
    return value


def _when(data: Mapping[str, Any], key: str) -> datetime | None:
    value = data.get(key)
    if value is None:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise DecodeError(f"expected a timestamp in {key!r}, got {value!r}", f"/{key}") from None


def _object(payload: Any) -> Mapping[str, Any]:
    if not isinstance(payload, Mapping):
        raise DecodeError(f"expected a JSON object, got {type(payload).__name__}")
    return payload


@attrs.frozen
class User:
    """A CloudBooks user.

    Attributes:
        id: The user's id.
        email: E-mail address.
        name: Display name.
    """

    id: str
    email: str
    name: str | None = None

    @classmethod
    def from_json(cls, payload: Any) -> User:
        """Read a user object.

        Raises:
            DecodeError: Not a user.
        """
        data = _object(payload)
        name = data.get("name")
        return cls(_text(data, "id"), _text(data, "email"), name if isinstance(name, str) else None)


@attrs.frozen
class Organization:
    """An organization.

    Attributes:
        id: Its id.
        name: Its name.
        created_at: When it was created.
    """

    id: str
    name: str
    created_at: datetime | None = None

    @classmethod
    def from_json(cls, payload: Any) -> Organization:
        """Read an organization object.

        Raises:
            DecodeError: Not an organization.
        """
        data = _object(payload)
        return cls(_text(data, "id"), _text(data, "name"), _when(data, "created_at"))


@attrs.frozen
class Project:
    """A project of an organization.

    Attributes:
        id: Its id.
        organization_id: The organization it belongs to.
        name: Its name.
    """

    id: str
    organization_id: str
    name: str

    @classmethod
    def from_json(cls, payload: Any) -> Project:
        """Read a project object.

        Raises:
            DecodeError: Not a project.
        """
        data = _object(payload)
        return cls(_text(data, "id"), _text(data, "organization_id"), _text(data, "name"))


class CloudBooksClient(SessionClient):
    """The CloudBooks API: the current user, organizations and projects.

    Args:
        api_key: An API key (``sk_live_...``); default ``$CLOUDBOOKS_API_KEY``.
        auth: Another scheme instead, such as :func:`login` for a user's token.
        base_url: Another root (a test server); default ``$CLOUDBOOKS_BASE_URL`` or
            ``https://api.cloudbooks.com/v1/``.
        transport: The HTTP transport (default aiohttp).
        clock: The session's time sources (virtual time in tests).
        retry: The retry policy.
        rate_limit: ``True`` to follow the usage headers, ``False`` to send freely.

    Raises:
        UsageError: Missing credentials or bad settings.
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        auth: Auth | None = None,
        base_url: str | None = None,
        transport: Transport | None = None,
        clock: Clock | None = None,
        retry: RetryPolicy | None = None,
        rate_limit: bool = True,
    ) -> None:
        super().__init__(
            Session(
                profile=CLOUDBOOKS,
                token=api_key,
                auth=auth,
                base_url=base_url,
                transport=transport,
                clock=clock,
                retry=retry,
                rate_limit=rate_limit,
            )
        )

    async def me(self) -> User:
        """The user the credentials belong to (``GET /users/me``)."""
        response = await self.session.request("GET", ("users", "me"))
        return User.from_json(response.payload)

    async def update_me(self, *, name: str) -> User:
        """Change the current user's name (``PUT /users/me``)."""
        response = await self.session.request("PUT", ("users", "me"), json={"name": name})
        return User.from_json(response.payload)

    def organizations(self, *, per_page: int | None = None) -> Paginator[Organization]:
        """Every organization, page by page (``GET /organizations``)."""
        return paginate(self.session, "organizations", decode=Organization.from_json, size=per_page)

    async def organization(self, id: str) -> Organization:
        """One organization (``GET /organizations/{id}``)."""
        response = await self.session.request("GET", ("organizations", id))
        return Organization.from_json(response.payload)

    async def create_organization(self, name: str) -> Organization:
        """Create an organization (``POST /organizations``)."""
        if not name.strip():
            raise UsageError("an organization needs a name")
        response = await self.session.request("POST", "organizations", json={"name": name})
        return Organization.from_json(response.payload)

    def projects(self, *, organization_id: str | None = None) -> Paginator[Project]:
        """Every project, or one organization's (``GET /projects``)."""
        params = {"organization_id": organization_id} if organization_id else None
        return paginate(self.session, "projects", decode=Project.from_json, params=params)

    async def create_project(self, organization_id: str, name: str) -> Project:
        """Create a project (``POST /projects``)."""
        body = {"organization_id": organization_id, "name": name}
        response = await self.session.request("POST", "projects", json=body)
        return Project.from_json(response.payload)

    async def delete_project(self, id: str) -> None:
        """Delete a project (``DELETE /projects/{id}``)."""
        await self.session.request("DELETE", ("projects", id))
