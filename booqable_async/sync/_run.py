"""One company's sync as a job: checks, extract, load, and what changed.

:class:`SyncJob` is what the ``booqable sync`` command (and a job queue worker) runs. Its
dlt pipeline is named after the company (``booqable_<company>``), so state, marks and
pending work are kept per company; its dataset is ``booqable_<company>`` unless named.
Before reading anything it checks the destination: that it can be reached, that the
tables the sync wrote earlier still have their columns and types (a table altered by
hand would fail half way through a load), and it finishes a load a previous run left
pending (a crash or ``kill -9``). A run that fails loads nothing of its own: dlt commits
the resources' state in the same load as the rows, and a failed load resets the local
state to the destination's, so the next run reads the same changes again.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import attrs

from booqable_async.errors import BooqableError, UsageError
from booqable_async.pagination import DEFAULT_OVERLAP
from booqable_async.sync._destination import Destination, SyncError
from booqable_async.sync._source import ClientFactory, SyncStopped, booqable_source
from booqable_async.sync._tables import DEFAULT_RESOURCES, TableSpec, resolve_resources
from booqable_async.sync._tally import ResourceTally, SyncTally

if TYPE_CHECKING:
    from dlt import Pipeline

__all__ = [
    "WRITER_SETTINGS",
    "ResourceReport",
    "SyncJob",
    "SyncReport",
    "disable_telemetry",
    "pipeline_name",
]

#: The environment switch dlt reads for its anonymous usage telemetry.
TELEMETRY_ENV = "RUNTIME__DLTHUB_TELEMETRY"
#: Ids per classification query (``WHERE id IN (...)``).
_ID_CHUNK = 500
#: A load that runs out of DuckDB's memory limit is finished with this many times it.
_MORE_MEMORY = 4
#: dlt's file writers for a sync's pipeline (docs/sync.md, "Memory"). dlt holds 5,000
#: rows per table before writing them out (tens of MB for wide tables such as orders)
#: and its normalize step reads each such batch back whole; and one load statement
#: copies a whole file. Set under the pipeline's name, so other pipelines keep dlt's
#: defaults; a value you configure for the same key wins.
WRITER_SETTINGS: Mapping[str, int] = MappingProxyType(
    {
        "sources.booqable.data_writer.buffer_max_items": 500,
        "normalize.data_writer.buffer_max_items": 500,
        "normalize.data_writer.file_max_bytes": 16 * 2**20,
    }
)


def disable_telemetry() -> None:
    """Switch dlt's anonymous telemetry off for this process (unless set explicitly)."""
    os.environ.setdefault(TELEMETRY_ENV, "false")


def _names(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _slug(company: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", company.lower()).strip("_")
    if not slug:
        raise UsageError(f"company {company!r} gives no usable name (letters or digits)")
    return slug


def pipeline_name(company: str) -> str:
    """Return the dlt pipeline name of a company's sync (``booqable_<company>``)."""
    return f"booqable_{_slug(company)}"


@attrs.frozen
class ResourceReport:
    """What one run did to one table.

    Attributes:
        resource: The resource (and table).
        mode: ``snapshot`` (first run), ``incremental`` or ``full refresh``.
        new: Rows added.
        updated: Rows changed (archived ones not counted here).
        archived: Rows whose record was archived since the last run.
        deleted: Rows removed (the record was deleted in Booqable).
        requests: Requests made.
        budget_share: Requests as a share of the rate budget while the run made requests
            (``None`` when no answer stated the budget).
    """

    resource: str
    mode: str
    new: int = 0
    updated: int = 0
    archived: int = 0
    deleted: int = 0
    requests: int = 0
    budget_share: float | None = None

    @property
    def written(self) -> int:
        """Rows added, changed, archived or removed."""
        return self.new + self.updated + self.archived + self.deleted


@attrs.frozen
class SyncReport:
    """What one run did.

    Attributes:
        company: The company (state key).
        dataset: The dataset (schema) the tables live in.
        destination: Where, as shown in messages (a password masked).
        resources: One report per resource, in the order asked.
        elapsed: Seconds the run took.
        loaded: True when the run wrote anything (else the destination is untouched).
        budget: The rate budget as the API stated it: ``(limit, period seconds)``.
    """

    company: str
    dataset: str
    destination: str
    resources: tuple[ResourceReport, ...]
    elapsed: float
    loaded: bool
    budget: tuple[int, float] | None = None

    @property
    def requests(self) -> int:
        """Requests made in all."""
        return sum(r.requests for r in self.resources)

    @property
    def written(self) -> int:
        """Rows written in all."""
        return sum(r.written for r in self.resources)


def _root_cause(exc: BaseException) -> BaseException:
    """The most telling exception inside dlt's wrappers: ours if there is one."""
    seen: set[int] = set()
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append(current)
        inner = getattr(current, "exception", None)
        current = (
            inner
            if isinstance(inner, BaseException)
            else (current.__cause__ or current.__context__)
        )
    for item in chain:
        if isinstance(item, BooqableError):
            return item
    return chain[-1]


def _out_of_memory(exc: BaseException) -> bool:
    """True when DuckDB ran out of its memory limit."""
    return type(_root_cause(exc)).__name__ == "OutOfMemoryException"


def _describe(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


@attrs.frozen
class SyncJob:
    """One company's sync: where to read, what, and where to load.

    Args:
        client: Opens a client for the company (see
            :func:`~booqable_async.sync.client_factory`): one per resource and run, all
            sharing one rate limiter.
        company: The company's name for state: the pipeline is ``booqable_<company>``.
        destination: Where to load (:func:`~booqable_async.sync.duckdb_destination` or
            :func:`~booqable_async.sync.postgres_destination`).
        resources: The resources to sync (one table each).
        dataset: The dataset (schema) for the tables; default ``booqable_<company>``.
        pipelines_dir: dlt's working directory (pending loads, local state); the
            destination keeps the committed state, so losing it costs a re-read only.
        sweep: Also remove rows of records deleted in Booqable (lists every id).
        overlap: How far under the mark each run re-reads.
        page_size: Records per request.
        concurrency: Pages in flight per resource on a first run.
    """

    client: ClientFactory
    company: str
    destination: Destination
    resources: tuple[str, ...] = attrs.field(default=DEFAULT_RESOURCES, converter=_names)
    dataset: str | None = None
    pipelines_dir: Path = attrs.field(default=Path(".booqable-sync"), converter=Path)
    sweep: bool = False
    overlap: dt.timedelta = DEFAULT_OVERLAP
    page_size: int = 100
    concurrency: int = 4

    @property
    def pipeline_name(self) -> str:
        """The dlt pipeline name (state is kept per company under it)."""
        return pipeline_name(self.company)

    @property
    def dataset_name(self) -> str:
        """The dataset (schema) holding the tables."""
        return self.dataset or self.pipeline_name

    def specs(self) -> tuple[TableSpec, ...]:
        """Return the tables of this job.

        Raises:
            UsageError: An unknown or unsyncable resource.
        """
        return resolve_resources(self.resources)

    def run(
        self,
        *,
        tally: SyncTally | None = None,
        stop: threading.Event | None = None,
        before_load: Callable[[], object] | None = None,
    ) -> SyncReport:
        """Run the sync once and report what changed.

        Args:
            tally: Receives counts while the run goes (a progress display reads it).
            stop: Set it (from another thread) to stop at the next page; nothing of this
                run is loaded then.
            before_load: Called after reading, before loading (tests use it to stop a
                run at that point).

        Returns:
            The report.

        Raises:
            UsageError: A bad setting (unknown resource...), before any I/O.
            SyncError: The destination cannot be used or was changed by hand (nothing
                read), or loading failed (nothing of this run kept).
            SyncStopped: ``stop`` was set.
            BooqableError: Reading from Booqable failed (wrong token...); nothing loaded.
        """
        started = time.monotonic()
        specs = self.specs()
        self.dataset_name  # noqa: B018 - validates the company name before any I/O
        disable_telemetry()
        tally = tally if tally is not None else SyncTally()
        self.destination.prepare()
        pipeline = self._pipeline()
        self._connect(pipeline)
        self._finish_pending(pipeline)
        existing = self._check_tables(pipeline, specs)
        for spec in specs:
            if spec.resource not in existing:
                tally.count_only(spec.resource)  # counted in the table once loaded
        known = self._known_ids(pipeline, specs, existing) if self.sweep else {}
        source = booqable_source(
            self.client,
            [s.resource for s in specs],
            sweep=self.sweep,
            known_ids=known.get,
            overlap=self.overlap,
            page_size=self.page_size,
            concurrency=self.concurrency,
            tally=tally,
            stop=stop,
        )
        try:
            # DuckDB loads JSON Lines files in bulk; dlt's default there (INSERT
            # statements) took ten times as long and gigabytes of memory to parse.
            if self.destination.kind == "duckdb":
                pipeline.extract(source, loader_file_format="jsonl")
            else:
                pipeline.extract(source)
        except Exception as exc:
            raise self._failure("reading from Booqable failed", exc) from None
        if stop is not None and stop.is_set():
            # The resources ended early: drop what they read (and the positions they
            # moved); the next run starts from the destination's committed state.
            self._reset(pipeline)
            raise SyncStopped("stopped while reading; nothing of this run was loaded")
        previous = self._previous(pipeline, specs, existing, tally)
        if before_load is not None:
            before_load()
        loaded = self._load(pipeline)
        created = self._created(pipeline, specs, existing) if loaded else {}
        return SyncReport(
            company=self.company,
            dataset=self.dataset_name,
            destination=self.destination.shown,
            resources=tuple(self._report(s, tally, previous, created) for s in specs),
            elapsed=time.monotonic() - started,
            loaded=loaded,
            budget=tally.budget,
        )

    # -- steps ------------------------------------------------------------------------

    def _failure(
        self, what: str, exc: BaseException, *, retried: Destination | None = None
    ) -> BaseException:
        cause = _root_cause(exc)
        if isinstance(cause, BooqableError):
            return cause
        text = _describe(cause)
        if retried is not None and _out_of_memory(cause):
            text = (
                f"DuckDB needed more than {retried.memory_limit} of memory (its limit is "
                f"{self.destination.memory_limit}: raise it with --duckdb-memory or "
                "duckdb_destination(memory_limit=...)): " + text
            )
        return SyncError(self.destination.redact(f"{what}: {text}"))

    def _pipeline(self) -> Pipeline:
        import dlt

        try:
            self.pipelines_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SyncError(
                f"cannot create the sync's working directory {self.pipelines_dir}: "
                f"{exc.strerror or exc}"
            ) from None
        for key, value in WRITER_SETTINGS.items():
            scoped = f"{self.pipeline_name}.{key}"
            if scoped not in dlt.config:
                dlt.config[scoped] = value
        return dlt.pipeline(
            pipeline_name=self.pipeline_name,
            pipelines_dir=str(self.pipelines_dir),
            destination=self.destination.dlt(),
            dataset_name=self.dataset_name,
        )

    def _connect(self, pipeline: Pipeline) -> None:
        # Reaches the destination and, when the local working state is missing or
        # older, restores the committed one from it.
        try:
            pipeline.sync_destination()
        except Exception as exc:
            raise SyncError(
                self.destination.redact(
                    f"cannot use the destination {self.destination.shown}: "
                    f"{_describe(_root_cause(exc))}"
                )
            ) from None

    def _finish_pending(self, pipeline: Pipeline) -> None:
        # A previous run stopped after reading (crash, kill -9): its rows and state are
        # one package; load it before reading on from the state it carries.
        if not pipeline.has_pending_data:
            return
        try:
            pipeline.normalize()
            pipeline.load(workers=self.destination.load_workers)
        except Exception as exc:
            self._reset(pipeline)
            raise self._failure("loading the previous run's pending data failed", exc) from None

    def _reset(self, pipeline: Pipeline) -> None:
        # Forget local state and packages: the next run restores the state of the last
        # completed load from the destination and reads again from there.
        pipeline.drop()

    def _storage(self, pipeline: Pipeline, names: Iterable[str]) -> dict[str, dict[str, Any]]:
        with pipeline.destination_client() as client:
            found = client.get_storage_tables(list(names))  # type: ignore[attr-defined]
            return {name: dict(columns) for name, columns in found if columns}

    def _check_tables(
        self, pipeline: Pipeline, specs: Collection[TableSpec]
    ) -> dict[str, dict[str, Any]]:
        """Return the existing tables' columns; raise if one no longer matches the schema."""
        from dlt.common.schema.utils import has_table_seen_data

        names = [s.resource for s in specs]
        try:
            storage = self._storage(pipeline, names)
        except Exception as exc:
            raise self._failure("cannot read the destination's tables", exc) from None
        if not pipeline.schema_names:
            return storage  # nothing synced yet: nothing to compare with
        schema = pipeline.default_schema
        for name in names:
            table = schema.tables.get(name)
            if table is None:
                continue
            expected = {
                c: col for c, col in table.get("columns", {}).items() if col.get("data_type")
            }
            have = storage.get(name)
            where = f"{self.dataset_name}.{name} in {self.destination.shown}"
            fix = "restore it, or sync into a new database or dataset (--dataset) to start over"
            if have is None:
                if has_table_seen_data(table):
                    raise SyncError(f"table {where} is missing (dropped by hand?): {fix}")
                continue
            for column, spec in expected.items():
                found = have.get(column)
                if found is None:
                    raise SyncError(
                        f"table {where} has no column {column!r} any more (altered by hand?): {fix}"
                    )
                if found.get("data_type") and found["data_type"] != spec["data_type"]:
                    raise SyncError(
                        f"column {column!r} of {where} is {found['data_type']}, the sync wrote "
                        f"{spec['data_type']} (altered by hand?): {fix}"
                    )
        return storage

    def _select(
        self, pipeline: Pipeline, table: str, columns: str, ids: list[str] | None
    ) -> Iterator[Sequence[Any]]:
        with pipeline.sql_client() as client:
            qualified = client.make_qualified_table_name(table)
            if ids is None:
                yield from client.execute_sql(f"SELECT {columns} FROM {qualified}") or ()  # noqa: S608
                return
            for start in range(0, len(ids), _ID_CHUNK):
                chunk = ids[start : start + _ID_CHUNK]
                marks = ", ".join(["%s"] * len(chunk))
                yield from (
                    client.execute_sql(
                        f"SELECT {columns} FROM {qualified} WHERE id IN ({marks})",  # noqa: S608
                        *chunk,
                    )
                    or ()
                )

    def _known_ids(
        self, pipeline: Pipeline, specs: Collection[TableSpec], existing: Mapping[str, Any]
    ) -> dict[str, set[str]]:
        known: dict[str, set[str]] = {}
        try:
            for spec in specs:
                if spec.incremental and spec.resource in existing:
                    known[spec.resource] = {
                        row[0] for row in self._select(pipeline, spec.resource, "id", None)
                    }
        except Exception as exc:
            raise self._failure("cannot read the ids the destination holds", exc) from None
        return known

    def _previous(
        self,
        pipeline: Pipeline,
        specs: Collection[TableSpec],
        existing: Mapping[str, Mapping[str, Any]],
        tally: SyncTally,
    ) -> dict[str, dict[str, bool]]:
        """For each resource: the written ids the table held already, and their archived flag."""
        previous: dict[str, dict[str, bool]] = {}
        for spec in specs:
            ids = tally.resource(spec.resource).changed_ids
            columns = existing.get(spec.resource)
            if not ids or columns is None:
                previous[spec.resource] = {}
                continue
            flag = (
                "archived"
                if "archived" in columns
                else ("status = 'archived'" if "status" in columns else "FALSE")
            )
            try:
                rows = self._select(pipeline, spec.resource, f"id, {flag}", sorted(set(ids)))
                previous[spec.resource] = {row[0]: bool(row[1]) for row in rows}
            except Exception as exc:
                raise self._failure("cannot read the destination's rows", exc) from None
        return previous

    def _created(
        self, pipeline: Pipeline, specs: Collection[TableSpec], existing: Mapping[str, Any]
    ) -> dict[str, int]:
        """Rows of the tables this run created (every one of them is new)."""
        created: dict[str, int] = {}
        try:
            for name in [s.resource for s in specs if s.resource not in existing]:
                if name in self._storage(pipeline, [name]):
                    for (count,) in self._select(pipeline, name, "count(*)", None):
                        created[name] = int(count)
        except Exception as exc:
            raise self._failure("cannot count the rows loaded", exc) from None
        return created

    def _load(self, pipeline: Pipeline) -> bool:
        if not pipeline.has_pending_data:
            return False
        try:
            pipeline.normalize()
            info = pipeline.load(workers=self.destination.load_workers)
        except Exception as exc:
            if not _out_of_memory(exc) or self.destination.memory_limit is None:
                self._reset(pipeline)
                raise self._failure("loading into the destination failed", exc) from None
            # Some data needs more than the limit (a wide table of long texts): finish
            # the pending load once with more, rather than fail every run.
            roomier = self.destination.with_more_memory(_MORE_MEMORY)
            try:
                info = pipeline.load(destination=roomier.dlt(), workers=roomier.load_workers)
            except Exception as again:
                self._reset(pipeline)
                raise self._failure(
                    "loading into the destination failed", again, retried=roomier
                ) from None
        return bool(info.loads_ids)

    @staticmethod
    def _report(
        spec: TableSpec,
        tally: SyncTally,
        previous: Mapping[str, Mapping[str, bool]],
        created: Mapping[str, int],
    ) -> ResourceReport:
        counts: ResourceTally = tally.resource(spec.resource)
        if not counts.keep_ids:
            # A table this run created: every row in it is new.
            new, updated, archived = created.get(spec.resource, 0), 0, 0
        else:
            before = previous.get(spec.resource, {})
            archived_now = set(counts.archived_ids)
            changed = set(counts.changed_ids)
            new = sum(1 for i in changed if i not in before)
            archived = sum(
                1 for i in changed if i in before and i in archived_now and not before[i]
            )
            updated = len(changed) - new - archived
        return ResourceReport(
            resource=spec.resource,
            mode=counts.mode or spec.mode,
            new=new,
            updated=updated,
            archived=archived,
            deleted=counts.deleted,
            requests=counts.requests,
            budget_share=tally.budget_share(counts.requests),
        )
