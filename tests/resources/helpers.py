"""Documents built from the catalog, canned answers and a recording handler."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from typing import Any

import orjson

from booqable_async._client import BooqableClient
from booqable_async.schema import AttributeSpec, get_schema
from booqable_async.transport import HttpRequest, HttpResponse, MockTransport

BASE = "https://acme.booqable.com/api/4/"
TOKEN = "tok-facades-0123456789"
_ids = itertools.count(1)

#: A JSON value for each catalog type; values are what Booqable sends.
SAMPLE_VALUES: dict[str, Any] = {
    "string": "text",
    "uuid": "7d1a2f4e-0000-4000-8000-000000000001",
    "integer": 7,
    "float": 1.5,
    "boolean": True,
    "datetime": "2024-05-01T10:00:00.000000+00:00",
    "date": "2024-05-01",
    "hash": {"key": "value"},
    "carrierwave_file": {"url": "/uploads/file.png"},
}


def sample_value(spec: AttributeSpec) -> Any:
    """A JSON value an attribute of this spec may carry."""
    if spec.enum and spec.type != "array":
        return spec.enum[0]
    if spec.type == "array":
        return [spec.enum[0]] if spec.enum else (["a", "b"] if spec.items == "string" else [])
    if spec.type == "enum":
        return "value"
    return SAMPLE_VALUES[spec.type]


def new_id() -> str:
    return str(uuid.UUID(int=next(_ids)))


def resource_object(type_name: str, rid: str | None = None) -> dict[str, Any]:
    """A full resource object of ``type_name``: every documented attribute set."""
    schema = get_schema(type_name)
    attributes = {
        name: sample_value(spec)
        for name, spec in schema.attributes.items()
        if name != "id" and not spec.writeonly
    }
    return {"id": rid or new_id(), "type": type_name, "attributes": attributes}


def list_document(type_name: str, count: int = 2) -> dict[str, Any]:
    """A list answer for ``type_name`` (unions: one record of each concrete type)."""
    types = get_schema(type_name).concrete_types()
    data = [resource_object(types[i % len(types)]) for i in range(max(count, len(types)))]
    return {"data": data, "meta": {"stats": {"total": {"count": len(data)}}}}


def answer(status: int = 200, body: Any = None) -> HttpResponse:
    """A Booqable-shaped answer."""
    headers = {
        "Content-Type": "application/vnd.api+json",
        "X-Ratelimit-Limit": "50",
        "X-Ratelimit-Period": "60",
        "X-Ratelimit-Remaining": "49",
    }
    return HttpResponse(status, headers, b"" if body is None else orjson.dumps(body))


class Recorder:
    """A MockTransport handler answering with ``respond(request)``; keeps the requests."""

    def __init__(self, respond: Callable[[HttpRequest], HttpResponse]) -> None:
        self.respond = respond
        self.requests: list[HttpRequest] = []

    def __call__(self, request: HttpRequest) -> HttpResponse:
        self.requests.append(request)
        return self.respond(request)

    @property
    def last_json(self) -> Any:
        return orjson.loads(self.requests[-1].body)


def client_for(handler: Callable[[HttpRequest], HttpResponse]) -> BooqableClient:
    """A client over MockTransport(handler), without rate limiting."""
    return BooqableClient(
        company="acme", token=TOKEN, transport=MockTransport(handler), rate_limit=False
    )
