"""Shared helpers for the session tests: canned answers and a recording server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from booqable_async.transport import HttpRequest, HttpResponse

TOKEN = "tok-very-secret-0123456789"
BASE = "https://acme.booqable.com/api/4/"
JSONAPI = "application/vnd.api+json"


def answer(
    status: int = 200,
    body: Any = None,
    *,
    limit: tuple[int, int, int] | None = (50, 60, 49),
    headers: dict[str, str] | None = None,
    request_id: str | None = "req-1",
) -> HttpResponse:
    """A Booqable-shaped answer with rate-limit headers."""
    fields = {"Content-Type": JSONAPI}
    if limit is not None:
        fields.update(
            {
                "X-Ratelimit-Limit": str(limit[0]),
                "X-Ratelimit-Period": str(limit[1]),
                "X-Ratelimit-Remaining": str(limit[2]),
            }
        )
    if request_id:
        fields["X-Request-Id"] = request_id
    fields.update(headers or {})
    payload = body if body is not None else {"data": []}
    if status >= 400 and body is None:
        payload = {"errors": [{"code": "oops", "status": str(status), "title": "failed"}]}
    return HttpResponse(status, fields, orjson.dumps(payload))


class Script:
    """A handler answering from a list (the last answer repeats), recording requests."""

    def __init__(self, *answers: HttpResponse | BaseException | Callable[[], Any]) -> None:
        self.answers = list(answers)
        self.requests: list[HttpRequest] = []

    def __call__(self, request: HttpRequest) -> HttpResponse:
        self.requests.append(request)
        item = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(item, BaseException):
            raise item
        if callable(item) and not isinstance(item, HttpResponse):
            result: HttpResponse = item()
            return result
        return item
