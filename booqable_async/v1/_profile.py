"""The API profile of Booqable's legacy API v1.

Facts (Booqable's v1 documentation, "Endpoint", "Authentication", "Errors"; summarised in
docs/v1.md): the root is ``https://{company_slug}.booqable.com/api/1/``; the API key
travels as ``?api_key=KEY`` on every request (so it is masked wherever a URL is shown);
bodies are plain JSON wrapped in a root key; lists page with ``page``/``per`` and carry
``meta.total_count``; the one documented error body is
``{"error": {"status": "items_not_available", "data": {"<product id>": {"available": 99,
"need": 199}}}}``, which is read as a :class:`~booqable_async.errors.ShortageError`.
The same Rails application answers v1 and v4, so the ``X-Ratelimit-*`` headers are read
as for v4.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import attrs

from booqable_async.auth import QueryKeyAuth
from booqable_async.profile import ApiProfile
from booqable_async.protocol import (
    JSON_MEDIA_TYPE,
    ErrorObject,
    NumberedPages,
    ResponseFormat,
    UrlRule,
    error_envelope,
    first_of,
    jsonapi_errors,
    parse_rate_limit,
)

__all__ = ["BOOQABLE_V1", "ENV_V1_BASE_URL", "v1_errors"]

#: Environment variable with a v1 root instead of the company's (a proxy, the fake).
ENV_V1_BASE_URL: Final = "BOOQABLE_V1_BASE_URL"

#: The code v1 gives an availability failure.
ITEMS_NOT_AVAILABLE: Final = "items_not_available"


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _shortage_entries(data: object) -> list[dict[str, Any]]:
    # {"<product id>": {"available": 99, "need": 199}} -> the availability entries the
    # error tree knows (reason, item_id, needed, available, shortage).
    if not isinstance(data, Mapping):
        return []
    entries: list[dict[str, Any]] = []
    for product_id, facts in data.items():
        if not isinstance(facts, Mapping):
            continue
        available = _count(facts.get("available"))
        need = _count(facts.get("need"))
        shortage = need - available if need is not None and available is not None else None
        entries.append(
            {
                "reason": "shortage",
                "item_id": str(product_id),
                "available": available,
                "needed": need,
                "shortage": shortage,
            }
        )
    return entries


def v1_errors(payload: Any) -> tuple[ErrorObject, ...]:
    """Read a v1 error body: ``{"error": {"status": "<code>", "message"?, "data"?}}``.

    ``items_not_available`` gets its per-product ``data`` as availability entries
    (``meta.blocking``), so a 422 with it raises
    :class:`~booqable_async.errors.ShortageError` listing what is short.

    Args:
        payload: The parsed body.

    Returns:
        One error object, or ``()`` for another shape.
    """
    found = error_envelope(payload)
    if not found:
        return ()
    error = found[0]
    if error.code != ITEMS_NOT_AVAILABLE:
        return found
    meta = {**error.meta, "blocking": _shortage_entries(error.meta.get("data"))}
    detail = error.detail or "one or more items are not available"
    return (attrs.evolve(error, detail=detail, meta=meta),)


#: Booqable's legacy API v1 (``from booqable_async.v1 import BooqableV1Client``).
BOOQABLE_V1: Final = ApiProfile(
    name="Booqable v1",
    urls=UrlRule(template="https://{company}.booqable.com/api/1/"),
    credentials=QueryKeyAuth,
    credentials_help=(
        "create an API key in Booqable under your account settings, "
        "https://<company>.booqable.com/account/edit"
    ),
    credential_option="api_key",
    env_credentials="BOOQABLE_API_KEY",
    env_company="BOOQABLE_COMPANY",
    env_base_url=ENV_V1_BASE_URL,
    media_type=JSON_MEDIA_TYPE,
    # A proxy or a newer deployment may answer JSON:API errors: read those too.
    response_format=ResponseFormat(
        read_errors=first_of(v1_errors, jsonapi_errors), read_rate_limit=parse_rate_limit
    ),
    pages=NumberedPages(),
)
