"""A typed client for the Beebole API v2 on booqable_async's session layer.

From "How to Integrate Using the Beebole API" (``../shared/seeds/004_*``):

- one endpoint, ``POST https://beebole-apps.com/api/v2``, taking a JSON document that
  names the ``service`` (``company.list``, ``project.create``...);
- HTTP Basic with the API token as the user name (and any password);
- every HTTP 200 answer has ``"status": "ok"`` or ``"error"`` with a ``message``; other
  statuses are errors too (the profile reads both);
- per user, 4,000 requests and 2,048 KB a day: quotas the limiter enforces on our side
  (nothing reports them), raising ``QuotaExhausted`` rather than waiting for tomorrow;
- external ids: create a record with ``xid`` and from then on use ``xid`` instead of
  ``id`` in requests; answers name it by ``xid`` too.

Every call is a POST, so the session never repeats one that may have reached Beebole
(the library's write-safe retry rule); reads are cheap to repeat by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import attrs

from booqable_async.auth import BasicAuth
from booqable_async.clock import Clock
from booqable_async.errors import DecodeError, UsageError
from booqable_async.profile import ApiProfile
from booqable_async.protocol import (
    JSON_MEDIA_TYPE,
    RateLimit,
    ResponseFormat,
    UrlRule,
    status_envelope,
)
from booqable_async.ratelimit import Quota
from booqable_async.retry import RetryPolicy
from booqable_async.session import Session, SessionClient
from booqable_async.transport import Transport

__all__ = ["BEEBOLE", "BeeboleClient", "Company", "Project", "Ref"]


def _token_auth(token: str) -> BasicAuth:
    # "a username:password pair": the API token, and any password.
    return BasicAuth(token, "x")


def _no_headers(headers: Mapping[str, str]) -> RateLimit | None:
    # Beebole reports no budget in headers; its quotas are declared below.
    return None


#: Beebole as the session layer drives it.
BEEBOLE: Final = ApiProfile(
    name="Beebole",
    urls=UrlRule(default="https://beebole-apps.com/api/"),
    credentials=_token_auth,
    credentials_help="copy it from Beebole's API Token module",
    credential_option="api_token",
    env_credentials="BEEBOLE_API_TOKEN",
    env_base_url="BEEBOLE_BASE_URL",
    media_type=JSON_MEDIA_TYPE,
    response_format=ResponseFormat(
        read_errors=status_envelope, body_errors=status_envelope, read_rate_limit=_no_headers
    ),
    quotas=(Quota(4000, 86400.0), Quota(2048 * 1024, 86400.0, unit="bytes")),
    quota_max_wait=60.0,
)


@attrs.frozen
class Ref:
    """How a record is named: Beebole's ``id``, or the ``xid`` given at creation.

    Attributes:
        id: Beebole's id.
        xid: The external id (from your system), when the record has one.
    """

    id: int | None = None
    xid: str | None = None

    def __attrs_post_init__(self) -> None:
        if (self.id is None) == (self.xid is None):
            raise UsageError("name a record by exactly one of id= or xid=")

    def to_json(self) -> dict[str, Any]:
        """``{"id": 12}`` or ``{"xid": "crm-42"}``, as requests name records."""
        return {"id": self.id} if self.id is not None else {"xid": self.xid}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Ref:
        """Read the ``id`` or ``xid`` of an answer.

        Raises:
            DecodeError: Neither is there.
        """
        xid = data.get("xid")
        if isinstance(xid, str) and xid:
            return cls(xid=xid)
        record_id = data.get("id")
        if isinstance(record_id, int) and not isinstance(record_id, bool):
            return cls(id=record_id)
        raise DecodeError(f"expected an id or an xid, got {sorted(data)}", "")


def _name(data: Mapping[str, Any]) -> str:
    name = data.get("name")
    if not isinstance(name, str):
        raise DecodeError(f"expected a name, got {name!r}", "/name")
    return name


@attrs.frozen
class Company:
    """A client company.

    Attributes:
        ref: Its id or external id.
        name: Its name.
        active: Whether it is active.
    """

    ref: Ref
    name: str
    active: bool = True

    @classmethod
    def from_json(cls, data: Any) -> Company:
        """Read a company object.

        Raises:
            DecodeError: Not a company.
        """
        if not isinstance(data, Mapping):
            raise DecodeError(f"expected a company object, got {type(data).__name__}")
        return cls(Ref.from_json(data), _name(data), data.get("active") is not False)


@attrs.frozen
class Project:
    """A project of a company.

    Attributes:
        ref: Its id or external id.
        name: Its name.
        company: The company it belongs to.
    """

    ref: Ref
    name: str
    company: Ref

    @classmethod
    def from_json(cls, data: Any) -> Project:
        """Read a project object.

        Raises:
            DecodeError: Not a project.
        """
        if not isinstance(data, Mapping) or not isinstance(data.get("company"), Mapping):
            raise DecodeError("expected a project object with its company")
        return cls(Ref.from_json(data), _name(data), Ref.from_json(data["company"]))


def _list(payload: Mapping[str, Any], key: str) -> list[Any]:
    value = payload.get(key)
    if not isinstance(value, list):
        raise DecodeError(f"expected a list in {key!r}", f"/{key}")
    return value


class BeeboleClient(SessionClient):
    """Beebole's API v2: companies and projects, by id or external id.

    Args:
        api_token: The API token; default ``$BEEBOLE_API_TOKEN``.
        base_url: Another root (a test server); default ``$BEEBOLE_BASE_URL``.
        transport: The HTTP transport (default aiohttp).
        clock: The session's time sources (the daily quotas count on it).
        retry: The retry policy.
        profile: Another profile (smaller quotas for a shared token, say).

    Raises:
        UsageError: Missing token or bad settings.
    """

    def __init__(
        self,
        *,
        api_token: str | None = None,
        base_url: str | None = None,
        transport: Transport | None = None,
        clock: Clock | None = None,
        retry: RetryPolicy | None = None,
        profile: ApiProfile = BEEBOLE,
    ) -> None:
        super().__init__(
            Session(
                profile=profile,
                token=api_token,
                base_url=base_url,
                transport=transport,
                clock=clock,
                retry=retry,
            )
        )

    async def call(self, service: str, **document: Any) -> Mapping[str, Any]:
        """Call one service: ``POST /api/v2 {"service": ..., **document}``.

        Returns:
            The answer (``"status": "ok"`` and the service's members).

        Raises:
            ApplicationError: The answer said ``"status": "error"`` (its ``message``).
            QuotaExhausted: A daily quota is spent (nothing was sent).
        """
        response = await self.session.request("POST", "v2", json={"service": service, **document})
        payload = response.payload
        if not isinstance(payload, Mapping):
            raise DecodeError("expected a JSON object from Beebole")
        return payload

    async def companies(self) -> tuple[Company, ...]:
        """Every company (``company.list``)."""
        answer = await self.call("company.list")
        return tuple(Company.from_json(c) for c in _list(answer, "companies"))

    async def company(self, ref: Ref) -> Company:
        """One company by id or xid (``company.get``)."""
        answer = await self.call("company.get", **ref.to_json())
        return Company.from_json(answer.get("company"))

    async def create_company(self, name: str, *, xid: str | None = None) -> Ref:
        """Create a company (``company.create``); with ``xid``, it is named by it from now on."""
        company: dict[str, Any] = {"name": name}
        if xid is not None:
            company["xid"] = xid
        answer = await self.call("company.create", company=company)
        return Ref(xid=xid) if xid is not None else Ref.from_json(answer)

    async def projects(self, company: Ref) -> tuple[Project, ...]:
        """The projects of a company (``project.list``)."""
        answer = await self.call("project.list", company=company.to_json())
        return tuple(Project.from_json(p) for p in _list(answer, "projects"))

    async def create_project(self, name: str, company: Ref, *, xid: str | None = None) -> Ref:
        """Create a project in a company (``project.create``)."""
        project: dict[str, Any] = {"name": name, "company": company.to_json()}
        if xid is not None:
            project["xid"] = xid
        answer = await self.call("project.create", project=project)
        return Ref(xid=xid) if xid is not None else Ref.from_json(answer)
