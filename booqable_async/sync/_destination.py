"""Where a sync writes: a DuckDB file (the embedded default) or a PostgreSQL database."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import attrs

from booqable_async.errors import BooqableError, UsageError

if TYPE_CHECKING:
    from dlt.common.destination import Destination as DltDestination

__all__ = [
    "DUCKDB_MEMORY_LIMIT",
    "DUCKDB_THREADS",
    "Destination",
    "SyncError",
    "duckdb_destination",
    "postgres_destination",
]

#: DuckDB's memory for a sync's loads. Its own default is 80 % of the machine's memory,
#: and a first sync's merge took hundreds of megabytes of it; with files of at most
#: 16 MB per statement and one thread, merges of a million rows ran within 64 MB,
#: spilling to ``<database>.tmp`` beside the file (docs/performance.md). A load that
#: needs more (wide tables of long texts) is finished with four times it (SyncJob).
DUCKDB_MEMORY_LIMIT = "64MB"
#: DuckDB's threads for a sync's loads: memory beyond the limit grows per thread.
DUCKDB_THREADS = 1
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*((?:[KMGT]i?)?B)\s*", re.IGNORECASE)


class SyncError(BooqableError):
    """The sync could not run or load: a destination problem, or a table changed by hand.

    Nothing of the failed run was loaded; the message says what to fix.
    """


def _masked(dsn: str) -> str:
    parts = urlsplit(dsn)
    if parts.password is None:
        return dsn
    host = parts.hostname or ""
    if parts.port is not None:
        host += f":{parts.port}"
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


@attrs.frozen(repr=False)
class Destination:
    """A sync destination: a DuckDB file or a PostgreSQL database.

    Build one with :func:`duckdb_destination` or :func:`postgres_destination`.

    Attributes:
        kind: ``"duckdb"`` or ``"postgres"``.
        path: The DuckDB file.
        dsn: The PostgreSQL connection URL (never shown: see :attr:`shown`).
        memory_limit: DuckDB's memory limit while loading (``None``: DuckDB's default).
        threads: DuckDB's threads while loading (``None``: DuckDB's default).
    """

    kind: str
    path: Path | None = None
    dsn: str | None = attrs.field(default=None, repr=False)
    memory_limit: str | None = None
    threads: int | None = None

    def with_more_memory(self, factor: int) -> Destination:
        """Return this destination with ``factor`` times its DuckDB memory limit.

        Raises:
            UsageError: The destination has no memory limit.
        """
        match = _SIZE.fullmatch(self.memory_limit or "")
        if match is None:
            raise UsageError(f"{self!r} has no memory limit to raise")
        return attrs.evolve(
            self, memory_limit=f"{float(match.group(1)) * factor:g}{match.group(2)}"
        )

    @property
    def load_workers(self) -> int:
        """Load jobs dlt runs at once: 1 for DuckDB, dlt's default of 20 elsewhere.

        DuckDB has one writer, and each concurrent copy would hold buffers of its own.
        """
        return 1 if self.kind == "duckdb" else 20

    @property
    def shown(self) -> str:
        """The destination as messages show it (a password masked as ``***``)."""
        if self.path is not None:
            return str(self.path)
        return _masked(self.dsn or "")

    def __repr__(self) -> str:
        return f"Destination({self.kind}, {self.shown!r})"

    def redact(self, text: str) -> str:
        """Return ``text`` with the DSN's password replaced by ``***``."""
        if self.dsn:
            password = urlsplit(self.dsn).password
            if password:
                text = text.replace(password, "***")
            text = text.replace(self.dsn, self.shown)
        return text

    def prepare(self) -> None:
        """Make sure a DuckDB file can be created where asked.

        Raises:
            SyncError: Its directory cannot be created or written, or the path is a
                directory.
        """
        if self.path is None:
            return
        if self.path.is_dir():
            raise SyncError(f"cannot write the database {self.path}: it is a directory")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SyncError(
                f"cannot write the database {self.path}: {exc.strerror or exc} "
                f"(creating {exc.filename or self.path.parent})"
            ) from None
        if not os.access(self.path.parent, os.W_OK):
            raise SyncError(f"cannot write the database {self.path}: permission denied")

    def dlt(self) -> DltDestination[Any, Any]:
        """Return the dlt destination object."""
        import dlt

        if self.kind == "duckdb":
            from dlt.destinations.impl.duckdb.configuration import DuckDbCredentials

            settings: dict[str, Any] = {
                # Merges do not depend on the order rows were copied in; keeping it costs
                # memory on every large INSERT ... SELECT.
                "preserve_insertion_order": False
            }
            if self.memory_limit is not None:
                settings["memory_limit"] = self.memory_limit
            if self.threads is not None:
                settings["threads"] = self.threads
            return dlt.destinations.duckdb(
                DuckDbCredentials(str(self.path), global_config=settings)
            )
        return dlt.destinations.postgres(credentials=self.dsn or "")


def duckdb_destination(
    path: str | os.PathLike[str],
    *,
    memory_limit: str | None = DUCKDB_MEMORY_LIMIT,
    threads: int | None = DUCKDB_THREADS,
) -> Destination:
    """Return a DuckDB file destination (created on the first load).

    Args:
        path: The database file.
        memory_limit: DuckDB's memory limit while loading (``"64MB"``, ``"1GB"``...;
            ``None`` leaves DuckDB's default, 80 % of the machine's memory). DuckDB
            spills what does not fit to ``<path>.tmp``.
        threads: DuckDB's threads while loading (``None``: one per core).

    Raises:
        UsageError: An empty path, a memory limit that is not a size, or threads < 1.
    """
    if not str(path).strip():
        raise UsageError("the DuckDB path must not be empty (e.g. --db booqable.duckdb)")
    if memory_limit is not None and (
        not isinstance(memory_limit, str) or not _SIZE.fullmatch(memory_limit)
    ):
        raise UsageError(
            f"the DuckDB memory limit must be a size like 64MB or 1GB, got {memory_limit!r}"
        )
    if threads is not None and (
        isinstance(threads, bool) or not isinstance(threads, int) or threads < 1
    ):
        raise UsageError(f"DuckDB threads must be an int >= 1, got {threads!r}")
    return Destination(
        "duckdb",
        path=Path(path),
        memory_limit=None if memory_limit is None else memory_limit.replace(" ", ""),
        threads=threads,
    )


def postgres_destination(dsn: str) -> Destination:
    """Return a PostgreSQL destination (``postgresql://user:password@host:5432/db``).

    Needs the ``postgres`` extra (psycopg2).

    Raises:
        UsageError: Not a ``postgresql://`` URL with a database name.
    """
    if not isinstance(dsn, str):
        raise UsageError("the PostgreSQL DSN must be a string")
    parts = urlsplit(dsn)
    if parts.scheme not in ("postgres", "postgresql") or not parts.hostname:
        raise UsageError(
            "the PostgreSQL DSN must look like postgresql://USER:PASSWORD@HOST:PORT/DATABASE, "
            f"got {_masked(dsn)!r}"
        )
    if not parts.path.strip("/"):
        raise UsageError(f"the PostgreSQL DSN names no database: {_masked(dsn)!r}")
    return Destination("postgres", dsn=dsn)
