"""A small in-process Booga Enterprise: keys, scopes, per-minute and per-hour budgets, pages.

Budgets are sliding windows per key on an injectable clock (virtual time in tests);
every answer carries ``X-RateLimit-Limit-Minute``, ``X-RateLimit-Remaining-Minute``,
``X-RateLimit-Limit-Hour`` and ``X-RateLimit-Remaining-Hour``, and a request over
either budget is answered 429 with them. An optional latency (awaited through
``asyncio.sleep``) makes it a realistic peer for limiter simulations.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import deque
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import msgspec

from booqable_async.transport import HttpRequest, HttpResponse, MockTransport

__all__ = ["API_KEY", "READ_ONLY_KEY", "FakeBooga"]

#: A key with every scope.
API_KEY = "bge_a1b2c3d4e5f6a7b8c9d0e1f2"
#: A key that may only read.
READ_ONLY_KEY = "bge_r3ad0n1y9f8e7d6c5b4a3"
_HOST = "https://api.boogaenterprise.com"


class _Refusal(Exception):
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        self.status = status
        self.body = body
        super().__init__(status)


def _detail(status: int, detail: str, code: str) -> _Refusal:
    return _Refusal(status, {"detail": detail, "code": code})


class _Window:
    def __init__(self, limit: int, period: float) -> None:
        self.limit = limit
        self.period = period
        self.log: deque[float] = deque()

    def remaining(self, now: float) -> int:
        while self.log and self.log[0] <= now - self.period:
            self.log.popleft()
        return max(self.limit - len(self.log), 0)


class FakeBooga:
    """Booga Enterprise's files API, as its guide describes it.

    Args:
        clock: Seconds, monotonic (the budgets).
        per_minute: Requests allowed per minute per key.
        per_hour: Requests allowed per hour per key.
        latency: Seconds each request spends on the wire (each way), or ``None``.

    Attributes:
        served: Requests answered 2xx.
        limited: Requests answered 429.
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        per_minute: int = 60,
        per_hour: int = 3600,
        latency: Callable[[], float] | None = None,
    ) -> None:
        self._clock = clock
        self._latency = latency
        self._budgets = {
            key: (_Window(per_minute, 60.0), _Window(per_hour, 3600.0))
            for key in (API_KEY, READ_ONLY_KEY)
        }
        self.files: dict[str, dict[str, Any]] = {}
        self.served = 0
        self.limited = 0

    def transport(self) -> MockTransport:
        """An in-process transport answering from this fake."""
        return MockTransport(self.handle)

    def add_file(
        self, name: str, *, size: int = 1024, content_type: str = "application/pdf"
    ) -> dict[str, Any]:
        """Store a file directly and return it."""
        stamp = "2026-03-15T10:30:00Z"
        record: dict[str, Any] = {
            "id": str(uuid.UUID(int=len(self.files) + 1, version=4)),
            "name": name,
            "size": size,
            "content_type": content_type,
            "status": "active",
            "created_at": stamp,
            "updated_at": stamp,
        }
        self.files[record["id"]] = record
        return record

    # -- the server ---------------------------------------------------------------------

    async def handle(self, request: HttpRequest) -> HttpResponse:
        """Answer one request (after the optional latency)."""
        if self._latency is not None:
            await asyncio.sleep(self._latency())
        key = self._key(request)
        headers: list[tuple[str, str]] = []
        try:
            if key is None:
                raise _detail(
                    401, "Authentication credentials were not provided.", "not_authenticated"
                )
            if key not in self._budgets:
                raise _detail(401, "Invalid API key.", "authentication_failed")
            headers = self._count(key)
            status, body = self._route(request, key)
        except _Refusal as refusal:
            status, body = refusal.status, refusal.body
            if isinstance(refusal, _RateLimited):
                headers = refusal.headers
        if self._latency is not None:
            await asyncio.sleep(self._latency())
        if 200 <= status < 300:
            self.served += 1
        payload = b"" if body is None else msgspec.json.encode(body)
        return HttpResponse(status, [("Content-Type", "application/json"), *headers], payload)

    @staticmethod
    def _key(request: HttpRequest) -> str | None:
        value = request.headers.get("Authorization")
        if value is not None and value.startswith("Bearer "):
            return value[len("Bearer ") :]
        return request.headers.get("X-API-Key")

    def _count(self, key: str) -> list[tuple[str, str]]:
        now = self._clock()
        minute, hour = self._budgets[key]
        allowed = minute.remaining(now) > 0 and hour.remaining(now) > 0
        if allowed:
            minute.log.append(now)
            hour.log.append(now)
        headers = [
            ("X-RateLimit-Limit-Minute", str(minute.limit)),
            ("X-RateLimit-Remaining-Minute", str(minute.remaining(now))),
            ("X-RateLimit-Limit-Hour", str(hour.limit)),
            ("X-RateLimit-Remaining-Hour", str(hour.remaining(now))),
        ]
        if not allowed:
            self.limited += 1
            raise _RateLimited({"detail": "Request was throttled.", "code": "throttled"}, headers)
        return headers

    def _route(self, request: HttpRequest, key: str) -> tuple[int, Any]:
        parts = urlsplit(request.url)
        if not parts.path.endswith("/"):
            raise _detail(404, "Not found.", "not_found")  # Django routes end with a slash
        segments = [s for s in parts.path.split("/") if s]
        if segments[:2] != ["api", "files"] or len(segments) > 3:
            raise _detail(404, "Not found.", "not_found")
        method = request.method
        if method != "GET" and key == READ_ONLY_KEY:
            raise _detail(
                403, "You do not have permission to perform this action.", "permission_denied"
            )
        body = msgspec.json.decode(request.body) if request.body else None
        if len(segments) == 2:
            if method == "GET":
                return 200, self._list(dict(parse_qsl(parts.query)), parts.path)
            if method == "POST":
                return 201, self._create(body)
            raise _detail(405, f'Method "{method}" not allowed.', "method_not_allowed")
        record = self.files.get(segments[2])
        if record is None:
            raise _detail(404, "Not found.", "not_found")
        if method == "GET":
            return 200, record
        if method == "PATCH":
            name = body.get("name") if isinstance(body, dict) else None
            if not isinstance(name, str) or not name:
                raise _Refusal(400, {"name": ["This field may not be blank."]})
            record["name"] = name
            return 200, record
        if method == "DELETE":
            del self.files[record["id"]]
            return 204, None
        raise _detail(405, f'Method "{method}" not allowed.', "method_not_allowed")

    def _list(self, params: dict[str, str], path: str) -> dict[str, Any]:
        problems: dict[str, list[str]] = {}
        try:
            limit = int(params.get("limit", "20"))
            offset = int(params.get("offset", "0"))
        except ValueError:
            raise _Refusal(400, {"limit": ["A valid integer is required."]}) from None
        if not 1 <= limit <= 100:
            problems["limit"] = ["Ensure this value is between 1 and 100."]
        if offset < 0:
            problems["offset"] = ["Ensure this value is greater than or equal to 0."]
        if problems:
            raise _Refusal(400, problems)
        records = list(self.files.values())
        if params.get("search"):
            records = [r for r in records if params["search"].lower() in r["name"].lower()]
        if params.get("status"):
            records = [r for r in records if r["status"] == params["status"]]
        ordering = params.get("ordering")
        if ordering:
            field = ordering.lstrip("-")
            records.sort(key=lambda r: r.get(field) or "", reverse=ordering.startswith("-"))
        page = records[offset : offset + limit]
        query = {k: v for k, v in params.items() if k not in ("limit", "offset")}

        def link(at: int) -> str:
            return f"{_HOST}{path}?{urlencode({**query, 'limit': limit, 'offset': at})}"

        return {
            "count": len(records),
            "next": link(offset + limit) if offset + limit < len(records) else None,
            "previous": link(max(offset - limit, 0)) if offset > 0 else None,
            "results": page,
        }

    def _create(self, body: Any) -> dict[str, Any]:
        data = body if isinstance(body, dict) else {}
        problems: dict[str, list[str]] = {}
        if not isinstance(data.get("name"), str) or not data.get("name"):
            problems["name"] = ["This field is required."]
        size = data.get("size")
        if not isinstance(size, int) or size < 0:
            problems["size"] = ["Ensure this value is greater than or equal to 0."]
        if problems:
            raise _Refusal(400, problems)
        assert isinstance(size, int)  # checked above
        return self.add_file(data["name"], size=size, content_type=str(data.get("content_type")))


class _RateLimited(_Refusal):
    def __init__(self, body: dict[str, Any], headers: list[tuple[str, str]]) -> None:
        super().__init__(429, body)
        self.headers = headers
