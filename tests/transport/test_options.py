"""Constructor options of both real transports: validation and the borrowed-native rule."""

from __future__ import annotations

from typing import Any

import aiohttp
import httpx
import pytest

from booqable_async import errors
from booqable_async.transport import AiohttpTransport, HttpxTransport, Timeout, Transport

# (transport class, the keyword that lends a native, its specific pool option, a bad value)
BACKENDS = [
    pytest.param(AiohttpTransport, "session", ("limit_per_host", 5), id="aiohttp"),
    pytest.param(HttpxTransport, "client", ("max_keepalive_connections", 5), id="httpx"),
]
CLASSES = [pytest.param(p.values[0], id=p.id) for p in BACKENDS]


async def _native(keyword: str) -> Any:
    return aiohttp.ClientSession() if keyword == "session" else httpx.AsyncClient()


async def _close(native: Any) -> None:
    await (native.close() if isinstance(native, aiohttp.ClientSession) else native.aclose())


@pytest.mark.parametrize("cls", CLASSES)
def test_construction_works_outside_an_event_loop(cls: type[AiohttpTransport]) -> None:
    transport = cls(limit=10, verify=False)
    assert isinstance(transport, Transport)
    assert not transport.closed
    keyword = "session" if cls is AiohttpTransport else "client"
    assert repr(transport) == f"<{cls.__name__} owned {keyword}, open, limit=10>"


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"limit": -1}, "limit must be"),
        ({"limit": True}, "limit must be"),
        ({"keepalive_timeout": 0}, "keepalive_timeout must be"),
        ({"keepalive_timeout": "15"}, "keepalive_timeout must be"),
        ({"verify": "yes"}, "verify must be"),
        ({"timeout": 30}, "timeout must be"),
        ({"timeout": Timeout(total=-1)}, "Timeout.total"),
        ({"timeout": Timeout(connect=0)}, "Timeout.connect"),
        ({"max_body_size": 0}, "max_body_size must be"),
        ({"max_body_size": "big"}, "max_body_size must be"),
        ({"session": object()}, "session must be an aiohttp.ClientSession"),
        ({"client": object()}, "client must be an httpx.AsyncClient"),
        ({"limit_per_host": -1}, "limit_per_host must be"),
        ({"max_keepalive_connections": -1}, "max_keepalive_connections must be"),
        ({"max_keepalive_connections": True}, "max_keepalive_connections must be"),
    ],
)
def test_invalid_options(cls: type[Any], options: dict[str, Any], match: str) -> None:
    with pytest.raises((errors.UsageError, TypeError)) as info:
        cls(**options)
    # An option of the other backend is simply not a keyword of this one.
    if isinstance(info.value, TypeError):
        assert "unexpected keyword argument" in str(info.value)
    else:
        assert info.match(match)


@pytest.mark.parametrize(("cls", "keyword", "specific"), BACKENDS)
@pytest.mark.parametrize(
    "option",
    [("limit", 5), ("keepalive_timeout", 1.0), ("verify", False), ("trust_env", True), None],
)
async def test_pool_options_conflict_with_a_borrowed_native(
    cls: type[Any], keyword: str, specific: tuple[str, Any], option: tuple[str, Any] | None
) -> None:
    name, value = option or specific
    native = await _native(keyword)
    try:
        with pytest.raises(errors.UsageError, match=f"with {keyword}= configure them on your"):
            cls(**{keyword: native, name: value})
        # Options that apply per request are fine, and so are defaults given explicitly.
        transport = cls(**{keyword: native}, timeout=Timeout(5), max_body_size=10, limit=100)
        assert "borrowed" in repr(transport)
    finally:
        await _close(native)
