"""Booqable as a dlt source: one merged table per resource, read incrementally.

Each resource is a dlt resource (an async generator run on dlt's extraction loop) with
primary key ``id`` and write disposition ``merge``. How it reads:

* **first run** of an incremental resource (no mark in its state): a *snapshot*: the
  newest ``updated_at`` is noted, every page is fetched (several at once), then
  ``changes_since`` catches up from that mark for whatever changed during the walk. If
  the collection's size changed mid-walk (offset pages may have shifted), it walks again
  by ``updated_at`` instead.
* **later runs**: ``changes_since`` from the mark kept in the resource state (keyset pages
  on ``updated_at``, overlap and ties handled there); versions delivered before are
  dropped, so an unchanged resource costs one request and writes nothing.
* **full refresh** resources (no ``updated_at`` filter): every record is listed; only
  those whose content digest changed are written, and ids that disappeared are removed.
* the optional **sweep** lists every id (``fields[type]=id``), takes the ids the
  destination holds that Booqable no longer lists, confirms each with an id filter, and
  removes those rows (dlt's ``hard_delete`` column hint).

State (marks, recent ids, digests) lives in dlt's resource state, which dlt commits in
the same load as the rows: a run that fails or is killed leaves the previous state and
tables as they were, and the next run redoes the work.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections import deque
from collections.abc import AsyncIterator, Callable, Collection, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import msgspec

from booqable_async.errors import BooqableError, TotalMismatch, UsageError
from booqable_async.pagination import (
    DEFAULT_OVERLAP,
    Paginator,
    changes_since,
    parse_timestamp,
)
from booqable_async.query import Query
from booqable_async.sync._cursor import Cursor
from booqable_async.sync._rows import Row, RowFetch
from booqable_async.sync._tables import DEFAULT_RESOURCES, TableSpec, resolve_resources
from booqable_async.sync._tally import SyncTally

if TYPE_CHECKING:
    from dlt.extract import DltResource, DltSource

    from booqable_async._client import BooqableClient

__all__ = [
    "DELETED_COLUMN",
    "ClientFactory",
    "KnownIds",
    "SyncStopped",
    "booqable_source",
]

#: Opens a client for one resource's reads (called on dlt's extraction loop).
ClientFactory = Callable[[], "BooqableClient"]
#: The ids a destination table holds for a resource (``None``: the table does not exist).
KnownIds = Callable[[str], "Collection[str] | None"]

#: The column dlt's ``hard_delete`` hint reads: a row carrying ``True`` deletes its id.
DELETED_COLUMN = "_booqable_deleted"
#: The mark of a resource that was empty at its first run: every later record is newer.
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
#: Ids per confirmation request (``filter[id]=a,b,...``), short enough for any URL limit.
_CONFIRM_CHUNK = 50


class SyncStopped(BooqableError):
    """The sync was asked to stop (Ctrl-C); nothing of this run was loaded."""


class _Stop(Exception):
    """Unwinds one resource's readers when the stop flag is set (never leaves it)."""


class _Shifted(Exception):
    """A first run's offset pages shifted: a record came back on a nearby page."""


@attrs.frozen
class _Options:
    client: ClientFactory
    overlap: dt.timedelta
    page_size: int
    concurrency: int
    sweep: bool
    known_ids: KnownIds | None
    tally: SyncTally
    stop: threading.Event | None


def _is_archived(row: Mapping[str, Any]) -> bool:
    # Most archivable records carry a flag; orders say so in their status.
    return row.get("archived") is True or row.get("status") == "archived"


def _digest(row: Row) -> str:
    text = msgspec.json.encode(row, order="sorted", enc_hook=str)
    return hashlib.blake2b(text, digest_size=8).hexdigest()


class _Reader:
    """Reads one resource for one run and keeps its state up to date."""

    def __init__(
        self, spec: TableSpec, fetch: RowFetch, state: dict[str, Any], options: _Options
    ) -> None:
        self.spec = spec
        self.fetch = fetch
        self.state = state
        self.options = options
        self.name = spec.resource
        self.query = Query().page(size=options.page_size)
        # Versions delivered in this run, by id: a record met twice (walk, then catch-up)
        # is written once; dlt's dedup_sort keeps the newest if two versions meet. Only
        # versions at or above `floor` can be met again, so only those are remembered.
        self.delivered: dict[str, dt.datetime] = {}
        self.floor: dt.datetime | None = None

    def _check_stop(self) -> None:
        if self.options.stop is not None and self.options.stop.is_set():
            raise _Stop

    def _emit(self, rows: Iterable[Row], cursor: Cursor | None = None) -> list[Row]:
        self._check_stop()
        out: list[Row] = []
        for row in rows:
            stamp = parse_timestamp(row.get("updated_at"))
            if stamp is not None:
                if cursor is not None and cursor.seen(row["id"], stamp):
                    continue
                if self.floor is None or stamp >= self.floor:
                    if self.delivered.get(row["id"]) == stamp:
                        continue
                    self.delivered[row["id"]] = stamp
            out.append(row)
        if out:
            self.options.tally.rows(
                self.name, (r["id"] for r in out), (r["id"] for r in out if _is_archived(r))
            )
        return out

    def _paginator(self, query: Query, *, dedupe: bool = True) -> Paginator[Row]:
        return Paginator(
            self.fetch,
            query,
            concurrency=self.options.concurrency,
            dedupe=dedupe,
            on_total_mismatch="raise",
        )

    async def _walk(self) -> AsyncIterator[list[Row]]:
        """Every record by offset pages (several in flight); raise if the pages shifted.

        Records created or deleted mid-walk shift the offset pages: a record moves onto
        the next page (met twice) or the previous one (missed). The paginator checks
        the count against the total; a record met again shows up within a few pages of
        the first time (the pages in flight when the list changed), so only the ids of
        the last few pages are kept, not every id of the collection.
        """
        recent: deque[set[str]] = deque(maxlen=2 * self.options.concurrency + 2)
        async with self._paginator(self.query, dedupe=False).pages() as pages:
            async for page in pages:
                ids = {row["id"] for row in page.data}
                if any(not ids.isdisjoint(seen) for seen in recent):
                    raise _Shifted
                recent.append(ids)
                batch = self._emit(page.data)
                if batch:
                    yield batch

    async def read(self) -> AsyncIterator[list[Row]]:
        tally = self.options.tally
        if not self.spec.incremental:
            tally.started_reading(self.name, "full refresh")
            async for batch in self._full_refresh():
                yield batch
        else:
            cursor = Cursor.from_state(self.state)
            tally.started_reading(self.name, "incremental" if cursor.mark else "snapshot")
            async for batch in self._incremental(cursor):
                yield batch
            if self.options.sweep:
                async for batch in self._sweep():
                    yield batch
        tally.finished(self.name)

    # -- incremental ------------------------------------------------------------------

    async def _newest(self) -> dt.datetime | None:
        page = await self.fetch.page(Query().sort("-updated_at").page(size=1))
        return parse_timestamp(page.data[0].get("updated_at")) if page.data else None

    async def _incremental(self, cursor: Cursor) -> AsyncIterator[list[Row]]:
        since = cursor.mark
        if since is None:
            newest = await self._newest()
            if newest is None:
                # Empty today: everything created later is newer than the epoch.
                self.state.update(Cursor(_EPOCH, {}).to_state())
                return
            # The catch-up below re-reads from `newest - overlap`: only versions from
            # there on can come twice (this keeps memory flat on a big first run).
            self.floor = newest - self.options.overlap
            try:
                async for batch in self._walk():
                    yield batch
                since = newest
            except (TotalMismatch, _Shifted):
                # Records were added or removed mid-walk: offset pages may have skipped
                # one. Walk again by updated_at (keyset pages cannot skip).
                since, self.floor = _EPOCH, None
        feed = changes_since(
            self.fetch,
            self.query,
            since,
            overlap=self.options.overlap if since != _EPOCH else dt.timedelta(0),
            timestamp_of=lambda row: row.get("updated_at"),
        )
        pending: list[Row] = []
        async for row in feed:
            pending.append(row)
            if len(pending) >= self.options.page_size:
                batch = self._emit(pending, cursor)
                pending = []
                if batch:
                    yield batch
        batch = self._emit(pending, cursor)
        if batch:
            yield batch
        mark = max(feed.high_water_mark, since)
        self.state.update(
            cursor.advance(mark, self.delivered.items(), self.options.overlap).to_state()
        )

    # -- full refresh -----------------------------------------------------------------

    async def _list_all(self) -> list[Row]:
        for attempt in (1, 2):
            try:
                return [row async for row in self._paginator(self.query)]
            except TotalMismatch:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    async def _full_refresh(self) -> AsyncIterator[list[Row]]:
        old = self.state.get("digests")
        old_digests: Mapping[str, str] = old if isinstance(old, Mapping) else {}
        rows = await self._list_all()
        digests = {row["id"]: _digest(row) for row in rows}
        changed = self._emit(r for r in rows if old_digests.get(r["id"]) != digests[r["id"]])
        gone = sorted(set(old_digests) - set(digests))
        self.state["digests"] = digests
        if changed:
            yield changed
        if gone:
            yield self._deletions(gone)

    # -- deletions --------------------------------------------------------------------

    def _deletions(self, ids: Sequence[str]) -> list[Row]:
        self._check_stop()
        self.options.tally.deleted(self.name, len(ids))
        return [{"id": record_id, DELETED_COLUMN: True} for record_id in ids]

    async def _sweep(self) -> AsyncIterator[list[Row]]:
        known_ids = self.options.known_ids
        known = known_ids(self.name) if known_ids is not None else None
        if not known:
            return
        id_fields = {t: ["id"] for t in self.spec.record_types}
        listed: set[str] = set()
        async for row in self._paginator(self.query.fields(**id_fields)):
            listed.add(row["id"])
        candidates = sorted(set(known) - listed - set(self.delivered))
        gone: list[str] = []
        # Offset pages may skip an id when records are deleted mid-sweep: confirm each
        # candidate by asking for it before removing a row.
        for start in range(0, len(candidates), _CONFIRM_CHUNK):
            chunk = candidates[start : start + _CONFIRM_CHUNK]
            query = Query().where(id=chunk).fields(**id_fields).page(size=len(chunk))
            page = await self.fetch.page(query)
            present = {row["id"] for row in page.data}
            gone += [i for i in chunk if i not in present]
        if gone:
            yield self._deletions(gone)


def _resource(spec: TableSpec, options: _Options) -> DltResource:
    import dlt

    columns: dict[str, dict[str, Any]] = {name: dict(col) for name, col in spec.columns.items()}
    columns[DELETED_COLUMN] = {
        "name": DELETED_COLUMN,
        "data_type": "bool",
        "nullable": True,
        "hard_delete": True,
    }
    if spec.incremental:
        # Two versions of a record in one load (walk, then catch-up): keep the newest.
        columns["updated_at"] = {**columns["updated_at"], "dedup_sort": "desc"}

    async def read() -> AsyncIterator[list[Row]]:
        # A stop ends the resource early, as if it were done, leaving its state as it
        # was (the next run reads the same changes). Raising out of it instead makes dlt
        # close the other resources' generators while they await a page, which asyncio
        # reports as errors on stderr.
        state: dict[str, Any] = dlt.current.resource_state()
        if options.stop is not None and options.stop.is_set():
            return
        try:
            async with options.client() as client:
                fetch = RowFetch(client.session.request, spec, options.tally.request)
                async for batch in _Reader(spec, fetch, state, options).read():
                    yield batch
        except _Stop:
            return

    return dlt.resource(
        read,
        name=spec.resource,
        table_name=spec.resource,
        primary_key="id",
        write_disposition="merge",
        columns=columns,
    )


def booqable_source(
    client: ClientFactory,
    resources: Iterable[str] = DEFAULT_RESOURCES,
    *,
    sweep: bool = False,
    known_ids: KnownIds | None = None,
    overlap: dt.timedelta = DEFAULT_OVERLAP,
    page_size: int = 100,
    concurrency: int = 4,
    tally: SyncTally | None = None,
    stop: threading.Event | None = None,
) -> DltSource:
    """Return a dlt source reading one Booqable company.

    Args:
        client: Opens a :class:`~booqable_async.BooqableClient` for the company; called
            once per resource on dlt's extraction event loop (the client is closed when
            the resource is done). Make every client share one rate limiter
            (:func:`client_factory` does), so all resources spend one budget.
        resources: Resource types to load, one table each (default: the core set).
        sweep: Also find records deleted in Booqable and remove their rows (needs
            ``known_ids``).
        known_ids: The ids each destination table holds (for the sweep).
        overlap: How far under the last mark each run re-reads (clock skew, late
            commits); unchanged records found there are not written again.
        page_size: Records per request (Booqable allows at most 100).
        concurrency: Pages in flight per resource during a first (snapshot) run.
        tally: Where counts are reported (a fresh one by default).
        stop: When set, resources end at the next page without moving their position
            (the next run reads those changes again); what they read is still loaded
            unless you drop the package (:class:`SyncJob` does, then raises
            :class:`SyncStopped`).

    Returns:
        The source (schema ``booqable``); pass it to ``pipeline.run(...)``.

    Raises:
        UsageError: An unknown or unsyncable resource, or a bad setting.
    """
    import dlt

    specs = resolve_resources(resources)
    if not isinstance(overlap, dt.timedelta) or overlap < dt.timedelta(0):
        raise UsageError(f"overlap must be a timedelta >= 0, got {overlap!r}")
    if isinstance(page_size, bool) or not isinstance(page_size, int) or not 1 <= page_size <= 100:
        raise UsageError(f"page_size must be an int from 1 to 100, got {page_size!r}")
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise UsageError(f"concurrency must be an int >= 1, got {concurrency!r}")
    if not callable(client):
        raise UsageError("client must be a function returning a BooqableClient")
    options = _Options(
        client=client,
        overlap=overlap,
        page_size=page_size,
        concurrency=concurrency,
        sweep=sweep,
        known_ids=known_ids,
        tally=tally if tally is not None else SyncTally(),
        stop=stop,
    )
    tables = [_resource(spec, options) for spec in specs]

    # Hashes and arrays stay JSON in their column (max_table_nesting=0): no child tables.
    # section: dlt looks up this source's settings under sources.booqable (WRITER_SETTINGS).
    @dlt.source(name="booqable", section="booqable", max_table_nesting=0)
    def booqable() -> list[DltResource]:
        return tables

    source: DltSource = booqable()
    return source
