"""A typed client for the Booga Enterprise REST API (files) on booqable_async's session layer.

From the "Using the API" guide (``../shared/seeds/003_*``):

- root ``https://api.boogaenterprise.com`` (beta: ``https://beta-api.boogaenterprise.com``),
  paths like ``/api/files/`` with a trailing slash;
- the key as ``Authorization: Bearer <key>`` or ``X-API-Key: <key>``, both accepted;
- limit/offset pages ``{"count", "next", "previous", "results"}`` (``limit`` 1-100,
  default 20);
- errors ``{"detail", "code"}``, and for a 400 a map of field -> messages;
- 60 requests per minute and 3,600 per hour by default, reported on every response in
  ``X-RateLimit-Limit-Minute``/``-Remaining-Minute``/``-Limit-Hour``/``-Remaining-Hour``;
  the session's limiter honours both windows at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Final, Literal

import attrs

from booqable_async.auth import HeaderKeyAuth, TokenAuth
from booqable_async.clock import Clock
from booqable_async.errors import DecodeError, UsageError
from booqable_async.pagination import Paginator, paginate
from booqable_async.profile import ApiProfile
from booqable_async.protocol import (
    JSON_MEDIA_TYPE,
    OffsetPages,
    ResponseFormat,
    UrlRule,
    WindowHeaders,
    detail_code,
)
from booqable_async.ratelimit import RateLimiter
from booqable_async.retry import RetryPolicy
from booqable_async.session import Session, SessionClient
from booqable_async.transport import Transport

__all__ = ["BETA_URL", "BOOGA", "BoogaClient", "File"]

#: The beta environment's root.
BETA_URL: Final = "https://beta-api.boogaenterprise.com/"

#: Booga Enterprise as the session layer drives it.
BOOGA: Final = ApiProfile(
    name="Booga Enterprise",
    urls=UrlRule(default="https://api.boogaenterprise.com/"),
    credentials=TokenAuth,
    credentials_help="create an API key in the API Management console",
    credential_option="api_key",
    env_credentials="BOOGA_API_KEY",
    env_base_url="BOOGA_BASE_URL",
    media_type=JSON_MEDIA_TYPE,
    response_format=ResponseFormat(
        read_errors=detail_code,
        read_rate_limit=WindowHeaders({"Minute": 60.0, "Hour": 3600.0}),
    ),
    pages=OffsetPages(),
    trailing_slash=True,
)


def _when(data: Mapping[str, Any], key: str) -> datetime | None:
    value = data.get(key)
    if value is None:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise DecodeError(f"expected a timestamp in {key!r}, got {value!r}", f"/{key}") from None


@attrs.frozen
class File:
    """A stored file.

    Attributes:
        id: Its id (a UUID).
        name: File name.
        size: Bytes.
        content_type: Media type.
        created_at: When it was uploaded.
        updated_at: When it last changed.
    """

    id: str
    name: str
    size: int
    content_type: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @classmethod
    def from_json(cls, payload: Any) -> File:
        """Read a file object.

        Raises:
            DecodeError: Not a file.
        """
        if not isinstance(payload, Mapping):
            raise DecodeError(f"expected a file object, got {type(payload).__name__}")
        file_id, name, size = payload.get("id"), payload.get("name"), payload.get("size")
        if not isinstance(file_id, str) or not isinstance(name, str) or not isinstance(size, int):
            raise DecodeError(f"a file needs id, name and size, got {sorted(payload)}", "")
        content_type = payload.get("content_type")
        return cls(
            file_id,
            name,
            size,
            content_type if isinstance(content_type, str) else None,
            _when(payload, "created_at"),
            _when(payload, "updated_at"),
        )


class BoogaClient(SessionClient):
    """Booga Enterprise files: list (filtered, sorted), get, create, rename, delete.

    Args:
        api_key: The API key; default ``$BOOGA_API_KEY``.
        key_header: Send it as ``X-API-Key`` instead of ``Authorization: Bearer``.
        beta: Talk to the beta environment.
        base_url: Another root (a test server); default ``$BOOGA_BASE_URL``.
        transport: The HTTP transport (default aiohttp).
        clock: The session's time sources (virtual time in tests).
        retry: The retry policy.
        rate_limit: ``True`` follows the per-minute and per-hour headers; or a limiter.
        max_concurrency: Requests in flight at once.

    Raises:
        UsageError: Missing key or bad settings.
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        key_header: bool = False,
        beta: bool = False,
        base_url: str | None = None,
        transport: Transport | None = None,
        clock: Clock | None = None,
        retry: RetryPolicy | None = None,
        rate_limit: bool | RateLimiter = True,
        max_concurrency: int = 8,
    ) -> None:
        if beta and base_url is not None:
            raise UsageError("pass beta=True or base_url=, not both")
        auth = HeaderKeyAuth(api_key, header="X-API-Key") if key_header and api_key else None
        super().__init__(
            Session(
                profile=BOOGA,
                token=None if auth is not None else api_key,
                auth=auth,
                base_url=BETA_URL if beta else base_url,
                transport=transport,
                clock=clock,
                retry=retry,
                rate_limit=rate_limit,
                max_concurrency=max_concurrency,
            )
        )

    def files(
        self,
        *,
        search: str | None = None,
        ordering: str | None = None,
        created_after: date | None = None,
        status: Literal["active", "archived"] | None = None,
        limit: int | None = None,
        concurrency: int = 4,
    ) -> Paginator[File]:
        """Every file matching the filters, page by page (``GET /api/files/``).

        Args:
            search: Free text over names.
            ordering: A field to sort on, ``-`` for descending (``-created_at``).
            created_after: Only files created after this date.
            status: Only files with this status.
            limit: Records per page (1-100, default 20).
            concurrency: Pages fetched at once once the count is known.
        """
        params: dict[str, str] = {}
        if search:
            params["search"] = search
        if ordering:
            params["ordering"] = ordering
        if created_after is not None:
            params["created_after"] = created_after.isoformat()
        if status is not None:
            params["status"] = status
        return paginate(
            self.session,
            ("api", "files"),
            decode=File.from_json,
            params=params,
            size=limit,
            concurrency=concurrency,
        )

    async def file(self, id: str) -> File:
        """One file (``GET /api/files/{id}/``)."""
        response = await self.session.request("GET", ("api", "files", id))
        return File.from_json(response.payload)

    async def create_file(self, name: str, *, content_type: str, size: int) -> File:
        """Register a file (``POST /api/files/``); a 400 lists every field's problems."""
        body = {"name": name, "content_type": content_type, "size": size}
        response = await self.session.request("POST", ("api", "files"), json=body)
        return File.from_json(response.payload)

    async def rename_file(self, id: str, name: str) -> File:
        """Rename a file (``PATCH /api/files/{id}/``)."""
        response = await self.session.request("PATCH", ("api", "files", id), json={"name": name})
        return File.from_json(response.payload)

    async def delete_file(self, id: str) -> None:
        """Delete a file (``DELETE /api/files/{id}/``)."""
        await self.session.request("DELETE", ("api", "files", id))
