"""Sentinel values of the JSON:API layer."""

from __future__ import annotations

import enum
from typing import Any, Final

__all__ = ["NOT_LOADED", "UNSET", "NotLoadedType"]


class NotLoadedType(enum.Enum):
    """Type of :data:`NOT_LOADED` (an enum, so it pickles and narrows in mypy)."""

    NOT_LOADED = "NOT_LOADED"

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "NOT_LOADED"

    __str__ = __repr__


#: A relationship the document said nothing about: absent, or present with only
#: ``links``/``meta``. Distinct from ``None`` (a to-one known to be empty) and from
#: ``[]`` (a to-many known to be empty). Falsy, so ``if order.customer:`` reads well.
NOT_LOADED: Final = NotLoadedType.NOT_LOADED


class _Unset:
    """Default of a model field nobody gave a value; removed again by ``__init__``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNSET"


#: Typed ``Any`` so ``starts_at: datetime | None = attribute()`` type-checks.
UNSET: Any = _Unset()
