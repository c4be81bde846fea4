"""The per-resource position of an incremental sync, kept in dlt's resource state.

``changes_since`` re-reads a window under the high-water mark (the overlap) and the
records that share the mark's timestamp, so nothing committed late or at an equal
timestamp is missed. Re-reading is cheap; re-*writing* is not: a sync with nothing new
must write nothing. So the state also remembers which ids were delivered at which
``updated_at`` inside that window, and a record that comes back unchanged is dropped.
The memory is bounded by the records changed within the overlap before the mark.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from booqable_async.pagination import parse_timestamp

__all__ = ["Cursor"]


def _key(moment: dt.datetime) -> str:
    # Fixed width (microseconds always written): these texts sort like the instants.
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@attrs.frozen
class Cursor:
    """Where the next incremental run of one resource starts.

    Attributes:
        mark: The newest ``updated_at`` delivered (``None`` before the first run).
        recent: Ids delivered per ``updated_at`` (canonical UTC text) inside the overlap
            window under ``mark``.
    """

    mark: dt.datetime | None = None
    recent: Mapping[str, frozenset[str]] = attrs.field(factory=dict)

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> Cursor:
        """Read the cursor from a resource state dict (missing or damaged: a fresh one)."""
        mark = parse_timestamp(state.get("mark"))
        raw = state.get("recent")
        recent: dict[str, frozenset[str]] = {}
        if isinstance(raw, Mapping):
            for stamp, ids in raw.items():
                if isinstance(stamp, str) and isinstance(ids, list):
                    recent[stamp] = frozenset(i for i in ids if isinstance(i, str))
        return cls(mark, recent)

    def to_state(self) -> dict[str, Any]:
        """Return the JSON-ready form stored in dlt's resource state (sorted: stable)."""
        return {
            "mark": None if self.mark is None else _key(self.mark),
            "recent": {stamp: sorted(ids) for stamp, ids in sorted(self.recent.items())},
        }

    def seen(self, record_id: str, updated_at: dt.datetime) -> bool:
        """True when this exact version (id at this ``updated_at``) was delivered already."""
        ids = self.recent.get(_key(updated_at))
        return ids is not None and record_id in ids

    def advance(
        self,
        mark: dt.datetime | None,
        delivered: Iterable[tuple[str, dt.datetime]],
        overlap: dt.timedelta,
    ) -> Cursor:
        """Return the cursor after a run that delivered ``delivered`` and reached ``mark``.

        Args:
            mark: The feed's high-water mark after the run.
            delivered: ``(id, updated_at)`` of every record the run delivered.
            overlap: How far under the mark the next run re-reads.
        """
        merged: dict[str, set[str]] = {stamp: set(ids) for stamp, ids in self.recent.items()}
        for record_id, updated_at in delivered:
            merged.setdefault(_key(updated_at), set()).add(record_id)
        newest = mark if self.mark is None or (mark is not None and mark > self.mark) else self.mark
        if newest is None:
            return Cursor(None, {})
        floor = _key(newest - overlap)
        kept = {stamp: frozenset(ids) for stamp, ids in merged.items() if stamp >= floor}
        return Cursor(newest, kept)
