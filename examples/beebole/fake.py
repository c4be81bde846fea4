"""A small in-process Beebole: one POST endpoint, Basic auth, 200-with-error, quotas, xids.

Quotas count per token per day on an injectable clock: requests, and the bytes of
requests and answers. Past either, the fake answers ``"status": "error"`` (the client's
limiter normally stops first).
"""

from __future__ import annotations

import base64
import itertools
import time
from collections import deque
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import msgspec

from booqable_async.transport import HttpRequest, HttpResponse, MockTransport

__all__ = ["API_TOKEN", "FakeBeebole"]

#: The API token the fake accepts.
API_TOKEN = "bb7c4e1a9f2d8b3c6e0a5f4d1"
_DAY = 86400.0


class _Failure(Exception):
    def __init__(self, message: str, status: int = 200) -> None:
        self.status = status
        self.message = message
        super().__init__(message)


class FakeBeebole:
    """Beebole's API v2 for companies and projects.

    Args:
        clock: Seconds, monotonic (the daily quotas).
        daily_requests: Requests a token may make per day.
        daily_bytes: Bytes (requests and answers) a token may move per day.

    Attributes:
        served: Answers with ``"status": "ok"``.
        refused_quota: Requests refused because a quota was spent.
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        daily_requests: int = 4000,
        daily_bytes: int = 2048 * 1024,
    ) -> None:
        self._clock = clock
        self.daily_requests = daily_requests
        self.daily_bytes = daily_bytes
        self._ids = itertools.count(1)
        self._requests: deque[float] = deque()
        self._volume: deque[tuple[float, int]] = deque()
        self.companies: dict[int, dict[str, Any]] = {}
        self.projects: dict[int, dict[str, Any]] = {}
        self.served = 0
        self.refused_quota = 0

    def transport(self) -> MockTransport:
        """An in-process transport answering from this fake."""
        return MockTransport(self.handle)

    def add_company(self, name: str, xid: str | None = None) -> dict[str, Any]:
        """Store a company directly and return it."""
        company: dict[str, Any] = {"id": next(self._ids), "name": name, "active": True, "xid": xid}
        self.companies[company["id"]] = company
        return company

    # -- the server ---------------------------------------------------------------------

    def handle(self, request: HttpRequest) -> HttpResponse:
        """Answer one request."""
        if urlsplit(request.url).path.rstrip("/") != "/api/v2":
            return _answer(404, {"status": "error", "message": "Not found"})
        if request.method != "POST":
            return _answer(405, {"status": "error", "message": "Only POST is accepted"})
        if self._token(request) != API_TOKEN:
            return _answer(401, {"status": "error", "message": "Invalid API token"})
        try:
            self._spend(len(request.body or b""))
            document = msgspec.json.decode(request.body or b"{}")
            if not isinstance(document, dict) or not isinstance(document.get("service"), str):
                raise _Failure("The request needs a service")
            body = {"status": "ok", **self._service(document["service"], document)}
            self.served += 1
            status = 200
        except _Failure as failure:
            body, status = {"status": "error", "message": failure.message}, failure.status
        except msgspec.DecodeError:
            body, status = {"status": "error", "message": "The request is not JSON"}, 200
        response = _answer(status, body)
        self._volume.append((self._clock(), len(response.body)))
        return response

    @staticmethod
    def _token(request: HttpRequest) -> str | None:
        value = request.headers.get("Authorization") or ""
        if not value.startswith("Basic "):
            return None
        try:
            user, _, _ = base64.b64decode(value[len("Basic ") :]).decode().partition(":")
        except ValueError:
            return None
        return user

    def _spend(self, size: int) -> None:
        now = self._clock()
        while self._requests and self._requests[0] <= now - _DAY:
            self._requests.popleft()
        while self._volume and self._volume[0][0] <= now - _DAY:
            self._volume.popleft()
        if len(self._requests) >= self.daily_requests:
            self.refused_quota += 1
            raise _Failure("Daily request limit reached (4000 requests per day)")
        if sum(n for _, n in self._volume) >= self.daily_bytes:
            self.refused_quota += 1
            raise _Failure("Daily transfer limit reached (2048KB per day)")
        self._requests.append(now)
        self._volume.append((now, size))

    def _find(self, table: dict[int, dict[str, Any]], ref: Any, what: str) -> dict[str, Any]:
        if isinstance(ref, dict):
            if "xid" in ref:
                for record in table.values():
                    if record.get("xid") == ref["xid"]:
                        return record
            elif ref.get("id") in table:
                return table[ref["id"]]
        raise _Failure(f"Unknown {what}")

    @staticmethod
    def _shown(record: dict[str, Any]) -> dict[str, Any]:
        # "replace id with xid in all requests and responses"
        out = {k: v for k, v in record.items() if k not in ("id", "xid")}
        return {"xid": record["xid"], **out} if record.get("xid") else {"id": record["id"], **out}

    def _service(self, service: str, document: dict[str, Any]) -> dict[str, Any]:
        if service == "company.list":
            return {"companies": [self._shown(c) for c in self.companies.values()]}
        if service == "company.get":
            return {"company": self._shown(self._find(self.companies, document, "company"))}
        if service == "company.create":
            fields = document.get("company")
            if not isinstance(fields, dict) or not isinstance(fields.get("name"), str):
                raise _Failure("company.name is required")
            xid = fields.get("xid")
            if xid is not None and any(c.get("xid") == xid for c in self.companies.values()):
                raise _Failure(f"The xid {xid} is already used")
            return {"id": self.add_company(fields["name"], xid)["id"]}
        if service == "project.list":
            company = self._find(self.companies, document.get("company"), "company")
            projects = [p for p in self.projects.values() if p["company_id"] == company["id"]]
            return {"projects": [self._project(p) for p in projects]}
        if service == "project.create":
            fields = document.get("project")
            if not isinstance(fields, dict) or not isinstance(fields.get("name"), str):
                raise _Failure("project.name is required")
            company = self._find(self.companies, fields.get("company"), "company")
            project = {
                "id": next(self._ids),
                "name": fields["name"],
                "xid": fields.get("xid"),
                "company_id": company["id"],
            }
            self.projects[project["id"]] = project
            return {"id": project["id"]}
        raise _Failure(f"Unknown service: {service}")

    def _project(self, project: dict[str, Any]) -> dict[str, Any]:
        company = self.companies[project["company_id"]]
        shown = self._shown({k: v for k, v in project.items() if k != "company_id"})
        ref = {"xid": company["xid"]} if company.get("xid") else {"id": company["id"]}
        return {**shown, "company": ref}


def _answer(status: int, body: dict[str, Any]) -> HttpResponse:
    return HttpResponse(status, [("Content-Type", "application/json")], msgspec.json.encode(body))
