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


def test_the_v1_models_load_with_the_first_v1_delivery_only():
    # booqable_async.v1 brings the session layer and cattrs: a v4-only receiver never
    # pays for it.
    v4 = (
        "import booqable_async.webhooks as w, json; w.parse_event(json.dumps({'id': 'd',"
        " 'created_at': '2020-01-01T00:00:00Z', 'event': 'customer.updated',"
        " 'resource_type': 'customers', 'data': {'id': 'c'}}))"
    )
    for statement in ("import booqable_async.webhooks", v4):
        loaded = _modules_after(statement)
        assert "booqable_async.v1" not in loaded
        assert "cattrs" not in loaded
    v1 = (
        "import booqable_async.webhooks as w; w.parse_event('id=d&created_at=2020-01-01"
        "&event=customer.updated&object=Customer&data=%7B%22id%22%3A%22c%22%7D',"
        " 'application/x-www-form-urlencoded')"
    )
    assert "booqable_async.v1" in _modules_after(v1)
