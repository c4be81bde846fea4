"""Helpers for the FakeBooqable tests: fixed clocks and a one-call request helper."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from booqable_async.testing import FakeBooqable
from booqable_async.transport import HttpRequest, HttpResponse

#: A fixed "now" for created_at/updated_at and token expiry (2025-07-01T00:00:00Z).
NOW = 1_751_328_000.0


class Clock:
    """A settable clock: ``clock()`` returns the current value; ``advance`` moves it."""

    def __init__(self, start: float = 0.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock(1000.0)


@pytest.fixture
def wall() -> Clock:
    return Clock(NOW)


@pytest.fixture
def fake(clock: Clock, wall: Clock) -> FakeBooqable:
    return FakeBooqable(clock=clock, wall_clock=wall, raise_server_errors=True)


class Reply:
    """A response with its JSON body decoded."""

    def __init__(self, response: HttpResponse) -> None:
        self.response = response
        self.status = response.status
        self.headers = response.headers
        self.json: Any = orjson.loads(response.body) if response.body else None

    def __repr__(self) -> str:
        return f"Reply({self.status}, {self.json!r})"


def send(
    fake: FakeBooqable,
    method: str,
    path: str,
    body: Any = None,
    *,
    token: str | None = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    """Send one request to the fake's sans-I/O core and decode the answer."""
    raw = body if isinstance(body, bytes) or body is None else orjson.dumps(body)
    all_headers = {"Authorization": f"Bearer {token or fake.token}"}
    all_headers.update(headers or {})
    request = HttpRequest(method, f"https://demo.booqable.com{path}", all_headers, raw)
    return Reply(fake.handle(request).response)


def doc(type_name: str, attributes: dict[str, Any], record_id: str | None = None) -> dict[str, Any]:
    """A JSON:API write document."""
    data: dict[str, Any] = {"type": type_name, "attributes": attributes}
    if record_id is not None:
        data["id"] = record_id
    return {"data": data}
