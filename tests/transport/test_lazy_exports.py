"""The transport package loads aiohttp and httpx only when their transport is asked for."""

from __future__ import annotations

import subprocess
import sys

import pytest

import booqable_async.transport as transport_package

PROBE = """
import sys
import booqable_async.transport as t
assert "aiohttp" not in sys.modules and "httpx" not in sys.modules, "imported eagerly"
t.AiohttpTransport
assert "aiohttp" in sys.modules and "httpx" not in sys.modules, "aiohttp pulled httpx"
t.HttpxTransport
assert "httpx" in sys.modules
print("ok")
"""


def test_importing_the_package_imports_no_http_library() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_public_names() -> None:
    assert {"AiohttpTransport", "HttpxTransport", "MockTransport"} <= set(transport_package.__all__)
    assert "HttpxTransport" in dir(transport_package)
    assert transport_package.AiohttpTransport.__name__ == "AiohttpTransport"


def test_unknown_attribute() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        _ = transport_package.Nope  # type: ignore[attr-defined]
