"""Booqable into a database on dlt: incremental, merged, archives and deletions kept.

Needs the ``sync`` extra (``pip install 'booqable-async[sync]'``: dlt and DuckDB; add
``postgres`` for PostgreSQL). Importing this package switches dlt's anonymous telemetry
off for the process unless ``RUNTIME__DLTHUB_TELEMETRY`` is set explicitly.

Two ways in (docs/sync.md):

* :class:`SyncJob`: one company into DuckDB or PostgreSQL, with checks and a report
  (what ``booqable sync`` runs)::

      job = SyncJob(
          client=client_factory(company="acme", token="..."),
          company="acme",
          destination=duckdb_destination("booqable.duckdb"),
      )
      report = job.run()

* :func:`booqable_source`: the dlt source itself, for a pipeline of your own and any
  dlt destination.
"""

from __future__ import annotations

from importlib.util import find_spec

from booqable_async.sync._clients import client_factory
from booqable_async.sync._destination import (
    DUCKDB_MEMORY_LIMIT,
    DUCKDB_THREADS,
    Destination,
    SyncError,
    duckdb_destination,
    postgres_destination,
)
from booqable_async.sync._run import (
    TELEMETRY_ENV,
    WRITER_SETTINGS,
    ResourceReport,
    SyncJob,
    SyncReport,
    disable_telemetry,
    pipeline_name,
)
from booqable_async.sync._source import (
    DELETED_COLUMN,
    ClientFactory,
    SyncStopped,
    booqable_source,
)
from booqable_async.sync._tables import (
    DEFAULT_RESOURCES,
    TableSpec,
    all_resources,
    resolve_resources,
    table_spec,
)
from booqable_async.sync._tally import ResourceTally, SyncTally

# Nothing above imports dlt; switch its telemetry off before anything does: nothing this
# package runs phones home.
disable_telemetry()
if find_spec("dlt") is None:  # pragma: no cover - the extra is installed wherever tests run
    raise ImportError(
        "booqable_async.sync needs the 'sync' extra (dlt, duckdb): "
        "pip install 'booqable-async[sync]'"
    )

__all__ = [
    "DEFAULT_RESOURCES",
    "DELETED_COLUMN",
    "DUCKDB_MEMORY_LIMIT",
    "DUCKDB_THREADS",
    "TELEMETRY_ENV",
    "WRITER_SETTINGS",
    "ClientFactory",
    "Destination",
    "ResourceReport",
    "ResourceTally",
    "SyncError",
    "SyncJob",
    "SyncReport",
    "SyncStopped",
    "SyncTally",
    "TableSpec",
    "all_resources",
    "booqable_source",
    "client_factory",
    "disable_telemetry",
    "duckdb_destination",
    "pipeline_name",
    "postgres_destination",
    "resolve_resources",
    "table_spec",
]
