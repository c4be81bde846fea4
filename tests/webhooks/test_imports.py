"""The webhook package loads no optional extra until asked."""

from __future__ import annotations

import subprocess
import sys

import pytest

from booqable_async import webhooks


def _modules_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_importing_the_package_loads_neither_webhooks_nor_redis():
    loaded = _modules_after("import booqable_async")
    assert "booqable_async.webhooks" not in loaded
    assert "redis" not in loaded


def test_importing_webhooks_loads_no_redis_and_no_aiohttp_server():
    loaded = _modules_after("import booqable_async.webhooks")
    assert "redis" not in loaded
    assert "aiohttp.web" not in loaded


def test_the_redis_store_is_reached_lazily():
    assert webhooks.RedisDedupeStore.__name__ == "RedisDedupeStore"
    with pytest.raises(AttributeError, match="no attribute"):
        _ = webhooks.Nope  # type: ignore[attr-defined]
