"""Booqable-shaped error answers, copied from the recorded exchanges and doc examples.

Shapes (catalog ``global.error_format`` and ``recorded/``):

- 400 from Graphiti's request validator (recorded ``raises-error-for-invalid-create-
  attributes``): ``code: bad_request``, ``title: Request Error``, ``detail``,
  ``source.pointer`` (``data/attributes/<name>``, no leading slash) and ``meta`` with
  ``attribute``, ``message`` and the specific ``code`` (``unknown_attribute``...). Served as
  ``application/json``.
- 404 for a missing record (recorded ``raises-error-for-invalid-order-id``): only ``code:
  resources_not_found``, ``status`` and ``title``.
- 404 for a route the API lacks (recorded ``delete__raises-error-for-invalid-order-id``): a
  Rails routing-error JSON body, not JSON:API.
- 422 (doc examples): ``code``, ``status``, ``title``, ``detail`` and ``meta`` (availability
  problems put ``blocking``/``warning`` lists there).
- 422 for a record that fails model validation (an enum value outside the list, a missing
  or unknown related record, a period that ends before it starts): graphiti_errors'
  validation format, one error object per problem, each with a JSON pointer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "JSON",
    "JSONAPI",
    "FakeError",
    "attribute_error",
    "bad_request",
    "error_object",
    "invalid_attributes",
    "invalid_record",
    "not_found",
    "routing_error",
    "simple_error",
    "unprocessable",
    "validation_object",
]

#: Content type of successful JSON:API answers (recorded).
JSONAPI = "application/vnd.api+json; charset=utf-8"
#: Content type of Graphiti request errors and DELETE answers (recorded).
JSON = "application/json; charset=utf-8"


class FakeError(Exception):
    """An error answer the fake sends instead of a success document.

    Attributes:
        status: HTTP status.
        document: The JSON body (``{"errors": [...]}`` or a non-JSON:API body).
        content_type: The ``Content-Type`` to send.
        headers: Extra response headers (``Retry-After``...).
    """

    def __init__(
        self,
        status: int,
        document: Mapping[str, Any],
        *,
        content_type: str = JSONAPI,
        headers: Sequence[tuple[str, str]] = (),
    ) -> None:
        self.status = status
        self.document = dict(document)
        self.content_type = content_type
        self.headers = tuple(headers)
        super().__init__(f"HTTP {status}: {self.document}")


def error_object(
    status: int,
    code: str,
    title: str,
    detail: str | None = None,
    *,
    pointer: str | None = None,
    parameter: str | None = None,
    meta: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Build one JSON:API error object in Booqable's member order."""
    obj: dict[str, Any] = {"code": code, "status": str(status), "title": title}
    if detail is not None:
        obj["detail"] = detail
    if pointer is not None:
        obj["source"] = {"pointer": pointer}
    elif parameter is not None:
        obj["source"] = {"parameter": parameter}
    if meta is not None:
        obj["meta"] = dict(meta)
    return obj


def bad_request(
    detail: str, *, parameter: str | None = None, pointer: str | None = None
) -> FakeError:
    """Return a 400 ``bad_request`` error (bad query parameter or malformed body)."""
    obj = error_object(
        400, "bad_request", "Request Error", detail, parameter=parameter, pointer=pointer, meta={}
    )
    return FakeError(400, {"errors": [obj]}, content_type=JSON)


def attribute_error(path: Sequence[str], message: str, code: str) -> dict[str, Any]:
    """Build one Graphiti request-validation error for the attribute at ``path``.

    Args:
        path: Keys from the document root, e.g. ``("data", "attributes", "foo")``.
        message: Graphiti's message (``is an unknown attribute``).
        code: The specific code put in ``meta.code`` (``unknown_attribute``).
    """
    dotted = ".".join(path)
    return error_object(
        400,
        "bad_request",
        "Request Error",
        f"{dotted} {message}",
        pointer="/".join(path),
        meta={"attribute": dotted, "message": message, "code": code},
    )


def invalid_attributes(errors: Sequence[dict[str, Any]]) -> FakeError:
    """Return the 400 answer carrying every attribute error found in a write."""
    return FakeError(400, {"errors": list(errors)}, content_type=JSON)


def not_found() -> FakeError:
    """Return the recorded 404 for an unknown record id."""
    obj = error_object(404, "resources_not_found", "Resource(s) not found")
    return FakeError(404, {"errors": [obj]})


def routing_error(method: str, path: str) -> FakeError:
    """Return the recorded Rails routing 404 for an operation the API does not offer."""
    body = {
        "status": 404,
        "error": "Not Found",
        "exception": f'#<ActionController::RoutingError: No route matches [{method}] "{path}">',
        "traces": {"Application Trace": [], "Framework Trace": [], "Full Trace": []},
    }
    return FakeError(404, body, content_type="application/json; charset=UTF-8")


def unprocessable(
    code: str, title: str, detail: str, meta: Mapping[str, Any] | None = None
) -> FakeError:
    """Return a 422 like the documented examples (``items_not_available``...)."""
    obj = error_object(422, code, title, detail)
    obj["meta"] = None if meta is None else dict(meta)
    return FakeError(422, {"errors": [obj]})


def _humanize(attribute: str) -> str:
    # Rails' full_message: "legal_type" -> "Legal type", "properties.property_type" ->
    # "Properties property type".
    return attribute.replace(".", " ").replace("_", " ").capitalize()


def validation_object(
    attribute: str, message: str, code: str, *, relationship: bool = False
) -> dict[str, Any]:
    """Build one model-validation error as graphiti_errors serializes it.

    graphiti_errors' ``Validation::Serializer``: ``code: unprocessable_entity``, ``title:
    Validation Error``, ``detail`` (Rails' full message), ``source.pointer``
    (``/data/attributes/<name>``, or ``/data/relationships/<name>`` for associations and
    nested records) and ``meta`` with ``attribute``, ``message`` and Rails' error ``code``
    (``inclusion``, ``blank``...).

    Args:
        attribute: The model attribute (``legal_type``) or association (``customer``).
        message: Rails' message (``is not included in the list``, ``must exist``).
        code: Rails' error detail code.
        relationship: Point at ``/data/relationships/`` instead of ``/data/attributes/``.
    """
    member = "relationships" if relationship else "attributes"
    return error_object(
        422,
        "unprocessable_entity",
        "Validation Error",
        f"{_humanize(attribute)} {message}",
        pointer=f"/data/{member}/{attribute}",
        meta={"attribute": attribute, "message": message, "code": code},
    )


def invalid_record(errors: Sequence[dict[str, Any]]) -> FakeError:
    """Return the 422 answer carrying every model-validation error of a write."""
    return FakeError(422, {"errors": list(errors)})


def simple_error(status: int, code: str, title: str, detail: str | None = None) -> FakeError:
    """Return a JSON:API error with one object (401, 403, 429, 5xx...)."""
    return FakeError(status, {"errors": [error_object(status, code, title, detail, meta={})]})
