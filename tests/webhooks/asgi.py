"""Drive an ASGI application directly (no server): one request in, the answer out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import orjson

from tests.webhooks.conftest import SECRET, body


@attrs.frozen
class Answer:
    status: int
    json: Any
    headers: dict[str, str]
    chunks_read: int


async def call(
    app: Any,
    *,
    method: str = "POST",
    path: str = f"/booqable/{SECRET}",
    content_type: str | None = "application/json",
    chunks: Sequence[bytes] | None = None,
    content_length: int | str | None = "auto",
) -> Answer:
    parts = [body()] if chunks is None else list(chunks)
    headers = []
    if content_type is not None:
        headers.append((b"content-type", content_type.encode()))
    if content_length == "auto":
        content_length = sum(len(c) for c in parts)
    if content_length is not None:
        headers.append((b"content-length", str(content_length).encode()))
    scope = {"type": "http", "method": method, "path": path, "headers": headers}
    messages = [
        {"type": "http.request", "body": c, "more_body": i < len(parts) - 1}
        for i, c in enumerate(parts)
    ] or [{"type": "http.request", "body": b"", "more_body": False}]
    read = 0

    async def receive() -> dict[str, Any]:
        nonlocal read
        if read >= len(messages):
            return {"type": "http.disconnect"}
        read += 1
        return messages[read - 1]

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    start, content = sent
    return Answer(
        start["status"],
        orjson.loads(content["body"]),
        {k.decode(): v.decode() for k, v in start["headers"]},
        read,
    )
