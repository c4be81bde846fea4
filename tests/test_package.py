from __future__ import annotations

import pytest

import booqable_async


def test_version_and_dir() -> None:
    assert booqable_async.__version__
    assert "errors" in dir(booqable_async)
    assert "BooqableClient" in dir(booqable_async)


def test_unknown_attribute() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = booqable_async.nope  # type: ignore[attr-defined]
