"""Where a sync writes: a DuckDB file (the embedded default) or a PostgreSQL database."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import attrs

from booqable_async.errors import BooqableError, UsageError

if TYPE_CHECKING:
    from dlt.common.destination import Destination as DltDestination

__all__ = ["Destination", "SyncError", "duckdb_destination", "postgres_destination"]


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
    """

    kind: str
    path: Path | None = None
    dsn: str | None = attrs.field(default=None, repr=False)

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
            return dlt.destinations.duckdb(str(self.path))
        return dlt.destinations.postgres(credentials=self.dsn or "")


def duckdb_destination(path: str | os.PathLike[str]) -> Destination:
    """Return a DuckDB file destination (created on the first load).

    Raises:
        UsageError: An empty path.
    """
    if not str(path).strip():
        raise UsageError("the DuckDB path must not be empty (e.g. --db booqable.duckdb)")
    return Destination("duckdb", path=Path(path))


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
