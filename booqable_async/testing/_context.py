"""What every request handler of the fake shares: the store, ids, the clock, transactions."""

from __future__ import annotations

import contextlib
import copy
import random
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timezone
from typing import Any

from booqable_async.errors import UsageError
from booqable_async.schema import get_schema, has_schema
from booqable_async.testing._store import Record, Store, default_value
from booqable_async.testing._values import format_datetime

__all__ = ["Context"]

# UUID version 4 and RFC 4122 variant bits.
_CLEAR = ~((0xF000 << 64) | (0xC000 << 48)) & ((1 << 128) - 1)
_SET = (0x4000 << 64) | (0x8000 << 48)


class Context:
    """The fake's state: records, deterministic ids and the (injectable) wall clock.

    Args:
        seed: Seeds the id generator, so the same calls produce the same ids.
        wall_clock: Returns epoch seconds; used for ``created_at``/``updated_at`` and JWT
            expiry.
    """

    def __init__(self, seed: int, wall_clock: Callable[[], float]) -> None:
        self.store = Store()
        self.rng = random.Random(f"ids:{seed}")
        self.wall_clock = wall_clock
        self._undo: list[Callable[[], None]] | None = None
        #: Told of every committed change as ``observer(type, before, after)`` (``before``
        #: None: created; ``after`` None: removed); a transaction reports once per record,
        #: at commit. FakeBooqable's webhook deliveries listen here.
        self.observer: Callable[[str, Record | None, Record | None], None] | None = None
        self._touched: dict[tuple[str, str], tuple[str, Record | None, Record | None]] = {}

    def new_id(self) -> str:
        """Return a fresh, deterministic UUID4 string."""
        # Same bits as uuid.UUID(int=..., version=4), formatted directly (seeding makes
        # thousands of ids; this is several times faster).
        value = (self.rng.getrandbits(128) & _CLEAR) | _SET
        h = f"{value:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def now(self) -> str:
        """Return the current time in Booqable's timestamp format."""
        return format_datetime(self.now_datetime())

    def now_datetime(self) -> datetime:
        """Return the current time as an aware datetime."""
        return datetime.fromtimestamp(self.wall_clock(), tz=timezone.utc)

    # -- records ------------------------------------------------------------------------

    def build(
        self, type_name: str, values: Mapping[str, Any], *, record_id: str | None = None
    ) -> Record:
        """Return a complete record of ``type_name``: defaults, then ``values``.

        Write-only attributes are dropped (the server never returns them), except foreign
        keys.

        Raises:
            UsageError: ``values`` names an attribute the type does not have.
        """
        if not has_schema(type_name):
            raise UsageError(f"unknown Booqable resource type {type_name!r}")
        schema = get_schema(type_name)
        unknown = sorted(set(values) - set(schema.attributes) - {"id"})
        if unknown:
            raise UsageError(
                f"{type_name} has no attribute(s) {', '.join(unknown)}; "
                f"known: {', '.join(sorted(schema.attributes))}"
            )
        record: Record = {"id": record_id or str(values.get("id") or self.new_id())}
        now = self.now()
        for name, spec in schema.attributes.items():
            if name == "id":
                continue
            if spec.writeonly:
                # Write-only foreign keys (order_delivery_rates.order_id) are kept so the
                # relation can be followed; they are never rendered.
                if name.endswith("_id") and name in values:
                    record[name] = values[name]
                continue
            if name in values:
                record[name] = copy.deepcopy(values[name])
            elif name in ("created_at", "updated_at"):
                record[name] = now
            else:
                record[name] = default_value(type_name, spec)
        return record

    def insert(self, type_name: str, record: Record) -> Record:
        """Store a new record (undone if the surrounding transaction fails)."""
        self.store.insert(type_name, record)
        if self._undo is not None:
            self._undo.append(lambda: _discard(self.store.remove(type_name, record["id"])))
        self._changed(type_name, None, record)
        return record

    def update(self, type_name: str, record: Record, changes: Mapping[str, Any]) -> Record:
        """Change attributes of a stored record in place (undoable)."""
        if self._undo is not None:
            before = dict(record)

            def restore() -> None:
                record.clear()
                record.update(before)
                self.store.changed(type_name)

            self._undo.append(restore)
        before_change = dict(record) if self.observer is not None else None
        record.update(changes)
        self.store.changed(type_name)
        self._changed(type_name, before_change, record)
        return record

    def remove(self, type_name: str, record: Record) -> Record:
        """Delete a stored record (undoable)."""
        self.store.remove(type_name, record["id"])
        if self._undo is not None:
            self._undo.append(lambda: _discard(self.store.insert(type_name, record)))
        self._changed(type_name, record, None)
        return record

    def _changed(self, type_name: str, before: Record | None, after: Record | None) -> None:
        if self.observer is None:
            return
        if self._undo is None:
            self.observer(type_name, before, after)
            return
        key = (type_name, str((after or before or {}).get("id")))
        first = self._touched.get(key)
        self._touched[key] = (type_name, before if first is None else first[1], after)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Apply every change inside the block, or none when it raises."""
        if self._undo is not None:
            yield  # nested: the outer transaction owns the undo log
            return
        self._undo = []
        try:
            yield
        except BaseException:
            for undo in reversed(self._undo):
                undo()
            raise
        finally:
            self._undo = None
            touched, self._touched = self._touched, {}
        if self.observer is not None:
            for type_name, before, after in touched.values():
                if before is not None or after is not None:
                    self.observer(type_name, before, after)


def _discard(_: object) -> None:
    """Drop a return value (undo callbacks return nothing)."""
