"""Sentinels of the JSON:API layer (never visible to users)."""

from __future__ import annotations

from typing import Any, Final

__all__ = ["ABSENT", "CLEAN", "DECODING", "INCOMPLETE", "UNSET"]


class _Unset:
    """Default of every model attribute.

    What msgspec (or ``__init__``) leaves in a slot whose member the document (or the
    caller) did not give. ``__attrs_post_init__`` removes it again, so reading such a
    field raises ``NotLoadedError``.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNSET"

    def __reduce__(self) -> str:
        return "UNSET"


#: Typed ``Any`` so ``starts_at: datetime | None = attribute()`` type-checks.
UNSET: Any = _Unset()


class _Absent:
    """A member a document (or a snapshot) did not carry."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "ABSENT"


#: Marks "not there" in change snapshots and lookups.
ABSENT: Final[Any] = _Absent()


class _Clean:
    """Change-tracking state of a decoded record nobody has modified yet."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "CLEAN"


#: ``_jsonapi_snap`` of a decoded, unmodified record (the first write replaces it with a
#: dict of original values); ``None`` marks a record built locally.
CLEAN: Final[Any] = _Clean()


class _Marker:
    """A change-tracking state while a record is being built (see ``DECODING``)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


#: ``_jsonapi_snap`` while msgspec (or ``__init__``) fills a record.
DECODING: Final[Any] = _Marker("DECODING")
#: ``_jsonapi_snap`` of a record msgspec found a field missing on: some attribute slots
#: hold UNSET and must be cleared before the record is handed out.
INCOMPLETE: Final[Any] = _Marker("INCOMPLETE")
