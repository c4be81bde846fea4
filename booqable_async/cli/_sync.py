"""``booqable sync``: Booqable into DuckDB (or PostgreSQL), incrementally, on dlt.

The command builds a :class:`~booqable_async.sync.SyncJob` from the options, shows a
progress line per resource while it runs (on stderr, on a terminal) and prints a
summary table per resource (stdout). With ``--every`` it keeps syncing on an interval
until interrupted. Failures are one line; a failed run loads nothing of its own.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import threading
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import urlsplit

import attrs
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from booqable_async.cli._connect import Connection
from booqable_async.errors import UsageError
from booqable_async.session import ENV_API_KEY, ENV_COMPANY

if TYPE_CHECKING:
    from booqable_async.sync import ResourceTally, SyncJob, SyncReport

__all__ = [
    "SyncOptions",
    "add_sync_parser",
    "parse_interval",
    "render_summary",
    "run_sync_command",
    "sync_options",
]

#: Where the DuckDB file goes when --db is not given.
DEFAULT_DB = "booqable.duckdb"
#: dlt's working directory for PostgreSQL destinations (DuckDB: beside the file).
DEFAULT_PIPELINES_DIR = ".booqable-sync"
_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0}


def parse_interval(text: str) -> float:
    """Parse ``30s``, ``5m``, ``1h`` or plain seconds into seconds.

    Raises:
        argparse.ArgumentTypeError: Anything else, or a zero or negative interval.
    """
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*", text)
    if match is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not an interval like 30s, 5m or 1h")
    seconds = float(match.group(1)) * _UNITS.get(match.group(2) or "s", 1.0)
    if seconds <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be more than 0")
    return seconds


def add_sync_parser(commands: Any, common: argparse.ArgumentParser, epilog: str) -> None:
    """Add ``booqable sync`` to the command's subparsers."""
    parser = commands.add_parser(
        "sync",
        parents=[common],
        help="sync resources into DuckDB or PostgreSQL (incremental, merged)",
        description=(
            "Load RESOURCEs into tables, one per resource: the first run reads everything, "
            "later runs only what changed (archived records keep their flag; --sweep also "
            "removes rows of records deleted in Booqable). Exit codes: 0 ok, 1 API, "
            "network or destination error (nothing of the run loaded), 2 bad command "
            "line, 130 interrupted."
        ),
        epilog=epilog,
    )
    parser.add_argument(
        "resources",
        nargs="*",
        metavar="RESOURCE",
        help="resources to sync (default: customers, orders, lines, plannings, "
        "product_groups, products, stock_items, locations)",
    )
    parser.add_argument("--all", action="store_true", help="every resource a sync can read")
    where = parser.add_argument_group("destination")
    where.add_argument(
        "--destination",
        choices=("duckdb", "postgres"),
        default="duckdb",
        help="duckdb (default: a file) or postgres",
    )
    where.add_argument(
        "--db", default=None, metavar="PATH", help=f"DuckDB file (default {DEFAULT_DB})"
    )
    where.add_argument(
        "--duckdb-memory",
        default=None,
        metavar="SIZE",
        help="DuckDB's memory limit while loading (default 64MB; it spills the rest to disk)",
    )
    where.add_argument(
        "--dsn",
        default=None,
        metavar="URL",
        help="PostgreSQL URL postgresql://USER:PASSWORD@HOST:PORT/DB (default $BOOQABLE_SYNC_DSN)",
    )
    where.add_argument(
        "--dataset", default=None, metavar="NAME", help="schema for the tables (booqable_NAME)"
    )
    where.add_argument(
        "--name",
        default=None,
        metavar="NAME",
        help="the sync's name for its state (default: the company, or demo)",
    )
    where.add_argument(
        "--pipelines-dir",
        default=None,
        metavar="DIR",
        help="dlt working directory (default: beside the DuckDB file, or .booqable-sync)",
    )
    how = parser.add_argument_group("how")
    how.add_argument("--sweep", action="store_true", help="also remove rows of deleted records")
    how.add_argument(
        "--every",
        type=parse_interval,
        default=None,
        metavar="INTERVAL",
        help="keep syncing every INTERVAL (30s, 5m, 1h) until interrupted",
    )


@attrs.frozen
class SyncOptions:
    """A validated ``booqable sync``.

    Attributes:
        resources: Resource types, in order.
        destination: ``duckdb`` or ``postgres``.
        db: The DuckDB file.
        duckdb_memory: DuckDB's memory limit while loading (``None``: the default).
        dsn: The PostgreSQL URL.
        dataset: The dataset (``None``: ``booqable_<name>``).
        name: The state name.
        pipelines_dir: dlt's working directory.
        sweep: Remove rows of deleted records.
        every: Seconds between runs (``None``: run once).
    """

    resources: tuple[str, ...]
    destination: str
    db: Path | None
    duckdb_memory: str | None
    dsn: str | None = attrs.field(repr=False)
    dataset: str | None
    name: str
    pipelines_dir: Path
    sweep: bool
    every: float | None


def _state_name(args: argparse.Namespace, connection: Connection) -> str:
    if args.name:
        return str(args.name)
    if connection.demo:
        return "demo"
    if connection.company:
        return connection.company
    host = urlsplit(connection.base_url or "").hostname or ""
    if host.endswith(".booqable.com"):
        return host.split(".")[0]
    raise UsageError(
        "name this sync with --name NAME (its state and dataset are kept under it): "
        "--base-url does not tell which company it is"
    )


def sync_options(
    args: argparse.Namespace, connection: Connection, environ: dict[str, str] | Any
) -> SyncOptions:
    """Build and validate a ``booqable sync`` (before any I/O).

    Raises:
        UsageError: Anything invalid, with what to do instead.
    """
    from booqable_async.sync import (
        DEFAULT_RESOURCES,
        all_resources,
        duckdb_destination,
        resolve_resources,
    )

    if connection.demo and connection.reason != "--demo":
        # A scheduled sync with an unset environment must not fill a database with the
        # demo company: ask for credentials, or for the demo by name.
        raise UsageError(
            f"no credentials: set {ENV_COMPANY} and {ENV_API_KEY} (or pass --company and "
            "--token), or add --demo to sync the embedded demo company"
        )
    if args.all and args.resources:
        raise UsageError("name RESOURCEs or use --all, not both")
    names = all_resources() if args.all else tuple(args.resources) or DEFAULT_RESOURCES
    specs = resolve_resources(names)
    db: Path | None = None
    dsn: str | None = None
    if args.destination == "duckdb":
        if args.dsn:
            raise UsageError("--dsn is for --destination postgres; DuckDB takes --db PATH")
        db = Path(args.db or DEFAULT_DB)
        default_dir = db.with_suffix(".dlt") if db.suffix else Path(f"{db}.dlt")
        if args.duckdb_memory is not None:
            duckdb_destination(db, memory_limit=args.duckdb_memory)  # checks the size
    else:
        if args.db:
            raise UsageError("--db is for DuckDB; PostgreSQL takes --dsn URL")
        if args.duckdb_memory is not None:
            raise UsageError("--duckdb-memory is for DuckDB (--db PATH)")
        dsn = args.dsn or environ.get("BOOQABLE_SYNC_DSN") or None
        if not dsn:
            raise UsageError("--destination postgres needs --dsn URL (or $BOOQABLE_SYNC_DSN)")
        default_dir = Path(DEFAULT_PIPELINES_DIR)
    return SyncOptions(
        resources=tuple(s.resource for s in specs),
        destination=args.destination,
        db=db,
        duckdb_memory=args.duckdb_memory,
        dsn=dsn,
        dataset=args.dataset,
        name=_state_name(args, connection),
        pipelines_dir=Path(args.pipelines_dir) if args.pipelines_dir else default_dir,
        sweep=bool(args.sweep),
        every=args.every,
    )


def build_job(options: SyncOptions, connection: Connection, stderr: IO[str]) -> SyncJob:
    """Return the job for validated options (the demo company built in process)."""
    from booqable_async.retry import RetryPolicy
    from booqable_async.sync import (
        SyncJob,
        client_factory,
        duckdb_destination,
        postgres_destination,
    )

    client_options: dict[str, Any] = {}
    if connection.retries is not None:
        client_options["retry"] = RetryPolicy(max_attempts=connection.retries + 1)
    if connection.timeout is not None:
        client_options["timeout"] = connection.timeout
    if connection.demo:
        from booqable_async.testing import FakeBooqable

        fake = FakeBooqable.demo(seed=connection.demo_seed, orders=connection.demo_orders)
        print(
            f"booqable: --demo: syncing the embedded demo company (FakeBooqable seed "
            f"{connection.demo_seed}, {fake.count('orders'):,} orders, in this process: "
            "nothing leaves it)",
            file=stderr,
            flush=True,
        )
        factory = client_factory(
            base_url=fake.base_url, token=fake.token, transport=fake.transport, **client_options
        )
    else:
        factory = client_factory(
            company=connection.company,
            base_url=connection.base_url,
            token=connection.token,
            **client_options,
        )
    if options.db is not None:
        destination = (
            duckdb_destination(options.db)
            if options.duckdb_memory is None
            else duckdb_destination(options.db, memory_limit=options.duckdb_memory)
        )
    else:
        assert options.dsn is not None
        destination = postgres_destination(options.dsn)
    return SyncJob(
        client=factory,
        company=options.name,
        destination=destination,
        resources=options.resources,
        dataset=options.dataset,
        pipelines_dir=options.pipelines_dir,
        sweep=options.sweep,
    )


class SyncProgress:
    """One line per resource while a sync runs: mode, rows written, requests, time.

    Args:
        stream: Where to draw (stderr).
        enabled: Draw at all; ``None`` draws only when ``stream`` is a terminal.
        width: Fixed console width (tests); ``None`` follows the terminal.
    """

    def __init__(
        self, stream: IO[str], *, enabled: bool | None = None, width: int | None = None
    ) -> None:
        self._console = Console(file=stream, width=width)
        self.enabled = self._console.is_terminal if enabled is None else enabled
        self._progress = Progress(
            SpinnerColumn(finished_text="✓"),
            TextColumn("{task.description:<20.20}"),
            TextColumn("{task.fields[mode]:<12.12}"),
            TextColumn("{task.fields[rows]:>9,} rows"),
            TextColumn("{task.fields[requests]:>7,} req"),
            TimeElapsedColumn(),
            console=self._console,
            disable=not self.enabled,
        )
        self._tasks: dict[str, TaskID] = {}
        self._lock = threading.Lock()

    def __enter__(self) -> SyncProgress:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def update(self, tally: ResourceTally) -> None:
        """Show ``tally`` (called on dlt's extraction thread; rich locks itself)."""
        with self._lock:
            task = self._tasks.get(tally.resource)
            if task is None:
                task = self._tasks[tally.resource] = self._progress.add_task(
                    tally.resource, total=None, mode="", rows=0, requests=0
                )
        self._progress.update(
            task,
            mode=tally.mode,
            rows=tally.rows + tally.deleted,
            requests=tally.requests,
        )
        if tally.done:
            self._progress.update(task, total=1, completed=1)


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


#: How the summary names each mode: short, so that the table fits 80 columns.
MODE_LABELS = {"snapshot": "first", "incremental": "incr", "full refresh": "full"}


def render_summary(report: SyncReport, console: Console) -> None:
    """Print the per-resource summary table and one closing line (fits 80 columns).

    Modes show as ``first`` (the first run's snapshot), ``incr`` (incremental) and
    ``full`` (full refresh); budget is the share of the rate budget the requests used.
    """
    table = Table(box=None, padding=(0, 1), header_style="bold", pad_edge=False)
    table.add_column("resource", no_wrap=True, max_width=20, overflow="ellipsis")
    table.add_column("mode", no_wrap=True)
    for name in ("new", "updated", "archived", "deleted", "requests"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("budget", justify="right", no_wrap=True)
    for r in report.resources:
        table.add_row(
            r.resource,
            MODE_LABELS.get(r.mode, r.mode),
            f"{r.new:,}",
            f"{r.updated:,}",
            f"{r.archived:,}",
            f"{r.deleted:,}",
            f"{r.requests:,}",
            _share(r.budget_share),
        )
    console.print(table)
    wrote = f"{report.written:,} rows written" if report.loaded else "nothing changed"
    budget = f" (budget {report.budget[0]} per {report.budget[1]:g} s)" if report.budget else ""
    console.print(
        f"{wrote} · {report.requests:,} requests{budget} · {report.elapsed:.1f} s · "
        f"{report.destination} ({report.dataset})",
        highlight=False,
        soft_wrap=True,
    )


async def run_sync_command(
    args: argparse.Namespace,
    connection: Connection,
    environ: Any,
    stdout: IO[str],
    stderr: IO[str],
    interrupted: asyncio.Event,
    progress: bool | None,
) -> int:
    """Run ``booqable sync`` (once, or every ``--every``) and return the exit code.

    The sync runs on a worker thread (dlt is synchronous); an interrupt sets the job's
    stop flag, so it stops at the next page and loads nothing of that run.

    Raises:
        UsageError: Bad options (before any I/O).
        BooqableError: The run failed (one line from the caller).
    """
    from booqable_async.sync import SyncTally

    options = sync_options(args, connection, environ)
    job = build_job(options, connection, stderr)
    console = Console(file=stdout, soft_wrap=False)
    while True:
        stop = threading.Event()
        with SyncProgress(stderr, enabled=progress) as display:
            tally = SyncTally(on_change=display.update)
            try:
                report = await asyncio.to_thread(job.run, tally=tally, stop=stop)
            except asyncio.CancelledError:
                stop.set()
                raise
        render_summary(report, console)
        if options.every is None or interrupted.is_set():
            return 0
        print(f"booqable: next sync in {options.every:g} s (Ctrl-C stops)", file=stderr)
        await asyncio.sleep(options.every)
