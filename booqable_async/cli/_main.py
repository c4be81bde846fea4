"""The ``booqable`` command: parse, validate, connect, run, report."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
import traceback
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from typing import IO, Any, TypeVar

import attrs
import msgspec

from booqable_async.cli._args import build_parser, command_index, glue_dash_values, option
from booqable_async.cli._commands import (
    GetOptions,
    StatsOptions,
    describe_stats,
    get_options,
    pull_options,
    stats_options,
)
from booqable_async.cli._connect import AnyBackend, Connection, open_backend, resolve_connection
from booqable_async.cli._errors import (
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_TERMINATED,
    describe,
    exit_code,
    one_line,
)
from booqable_async.cli._pull import (
    PullOptions,
    PullStopped,
    describe_result,
    describe_stop,
    pull,
)
from booqable_async.errors import PaginationError
from booqable_async.pagination import PaginationWarning

__all__ = ["Interrupt", "main"]

T = TypeVar("T")

#: Opens the client for a connection; tests pass another one (the seam).
BackendFactory = Callable[[Connection, IO[str]], Awaitable[AnyBackend]]


class Interrupt:
    """Ctrl-C / SIGTERM bookkeeping: which signal arrived (the first one counts)."""

    def __init__(self) -> None:
        self.event = asyncio.Event()
        self.signum: int | None = None

    @property
    def exit_code(self) -> int:
        """130 for SIGINT, 143 for SIGTERM."""
        return EXIT_TERMINATED if self.signum == signal.SIGTERM else EXIT_INTERRUPTED


def _warning_printer(stderr: IO[str]) -> Callable[..., None]:
    def show(message: Warning | str, category: type[Warning], *args: object, **kw: object) -> None:
        print(f"booqable: warning: {one_line(str(message))}", file=stderr)

    return show


async def _guarded(work: Callable[[Interrupt], Awaitable[T]], stderr: IO[str]) -> T:
    """Run ``work`` with Ctrl-C and SIGTERM cancelling it (once) instead of killing us."""
    interrupt = Interrupt()
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    assert task is not None

    def on_signal(signum: int) -> None:
        if interrupt.event.is_set():  # pragma: no cover - ends the process
            # A second Ctrl-C: the user does not want to wait for a clean stop.
            print("booqable: stopped at once (second interrupt)", file=stderr, flush=True)
            os._exit(interrupt.exit_code)
        interrupt.signum = signum
        interrupt.event.set()
        task.cancel()

    installed = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, on_signal, sig)
            installed.append(sig)
    try:
        return await work(interrupt)
    except asyncio.CancelledError:
        if interrupt.event.is_set():
            raise KeyboardInterrupt(interrupt.exit_code) from None
        raise
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


@attrs.frozen
class _Invocation:
    """One invocation: parsed options, where requests go, where output goes."""

    args: argparse.Namespace
    argv: Sequence[str]
    connection: Connection | None
    factory: BackendFactory
    stdout: IO[str]
    stderr: IO[str]
    interrupt: Interrupt
    environ: Mapping[str, str] = attrs.field(factory=dict)

    @contextlib.asynccontextmanager
    async def backend(self) -> AsyncIterator[AnyBackend]:
        """Open the client (after validation) and close it however the command ends."""
        backend = await self.factory(self.need_connection(), self.stderr)
        try:
            yield backend
        finally:
            await backend.aclose()

    def need_connection(self) -> Connection:
        """The resolved connection (every command but the offline ones has one)."""
        if self.connection is None:  # pragma: no cover - offline commands never ask
            raise RuntimeError(f"booqable {self.args.command} has no connection")
        return self.connection

    def print_json(self, data: object) -> None:
        """Write ``data`` to stdout as indented JSON."""
        self.stdout.write(msgspec.json.format(msgspec.json.encode(data)).decode() + "\n")


async def _run_pull(run: _Invocation, options: PullOptions) -> int:
    stderr = run.stderr
    try:
        async with run.backend() as backend:
            result = await pull(
                backend,
                options,
                stderr,
                progress=False if option(run.args, "no_progress") else None,
                interrupted=run.interrupt.event,
            )
    except PullStopped as stop:
        if stop.cause is not None:
            # The paginator's own advice (resume_from=...) is for library users: report
            # what failed, then the command line that continues.
            cause = stop.cause.cause if isinstance(stop.cause, PaginationError) else None
            print(f"booqable: error: {describe(cause or stop.cause)}", file=stderr)
        for line in describe_stop(stop, options, run.argv):
            print(line, file=stderr)
        return EXIT_FAILURE if stop.cause is not None else run.interrupt.exit_code
    print(f"booqable: {describe_result(result, options)}", file=stderr)
    return EXIT_OK


async def _run_get(run: _Invocation, options: GetOptions) -> int:
    async with run.backend() as backend:
        record = await backend.get(
            options.resource,
            options.record_id,
            include=options.query.includes,
            fields=options.fields,
        )
        exported = backend.export(record, options.embed)
    run.print_json(exported)
    return EXIT_OK


async def _run_stats(run: _Invocation, options: StatsOptions) -> int:
    async with run.backend() as backend:
        page = await backend.first_page(options.resource, options.query)
    if options.format == "json":
        run.print_json(dict(page.stats))
    else:
        for line in describe_stats(page.stats):
            run.stdout.write(line + "\n")
    return EXIT_OK


async def _run_v1(run: _Invocation, options: PullOptions | GetOptions) -> int:
    if isinstance(options, PullOptions):
        return await _run_pull(run, options)
    return await _run_get(run, options)


def _v1_options(args: argparse.Namespace) -> PullOptions | GetOptions:
    from booqable_async.cli._v1 import v1_options

    return v1_options(args)


async def _run_webhooks(run: _Invocation, options: argparse.Namespace) -> int:
    from booqable_async.cli._webhooks import listen

    return await listen(options, run.stdout, run.stderr)


async def _run_sync(run: _Invocation, options: argparse.Namespace) -> int:
    from booqable_async.cli._sync import run_sync_command

    return await run_sync_command(
        options,
        run.need_connection(),
        run.environ,
        run.stdout,
        run.stderr,
        run.interrupt.event,
        progress=False if option(run.args, "no_progress") else None,
    )


async def _run_worker(run: _Invocation, options: argparse.Namespace) -> int:
    from booqable_async.cli._worker import run_worker_command

    return await run_worker_command(options, run.environ, run.stderr)


async def _run_schedule(run: _Invocation, options: argparse.Namespace) -> int:
    from booqable_async.cli._schedule import run_schedule_command

    return await run_schedule_command(options, run.environ, run.stdout)


def _as_given(args: argparse.Namespace) -> argparse.Namespace:
    """For commands that check their own options as they start (before any I/O)."""
    return args


#: Each command: validate its options (no I/O), then run with them.
_COMMANDS: dict[
    str, tuple[Callable[[argparse.Namespace], Any], Callable[[_Invocation, Any], Awaitable[int]]]
] = {
    "pull": (pull_options, _run_pull),
    "get": (get_options, _run_get),
    "stats": (stats_options, _run_stats),
    "v1": (_v1_options, _run_v1),
    "sync": (_as_given, _run_sync),
    "webhooks": (_as_given, _run_webhooks),
    "worker": (_as_given, _run_worker),
    "schedule": (_as_given, _run_schedule),
}

#: Commands that need no credentials of their own (nor ``--demo``): they never talk to
#: Booqable, or read each company's from a tenants file.
_OFFLINE = frozenset({"webhooks", "worker", "schedule"})


def main(
    argv: Sequence[str] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    stdout: IO[str] | None = None,
    stderr: IO[str] | None = None,
    backend_factory: BackendFactory | None = None,
) -> int:
    """Run the ``booqable`` command and return its exit code.

    Args:
        argv: Arguments without the program name (default ``sys.argv[1:]``).
        environ: Environment for credentials (default ``os.environ``).
        stdout: Where records and results go (default ``sys.stdout``).
        stderr: Where progress, notes and errors go (default ``sys.stderr``).
        backend_factory: Opens the client (default: a ``BooqableClient``, or the embedded
            demo company with ``--demo``).

    Returns:
        0 on success, 1 for API/network/output failures, 2 for usage errors, 130 when
        interrupted (143 for SIGTERM).
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    environ = os.environ if environ is None else environ
    out = sys.stdout if stdout is None else stdout
    err = sys.stderr if stderr is None else stderr
    factory = open_backend if backend_factory is None else backend_factory
    at = command_index(argv)
    if at is not None and argv[at] == "serve-fake":
        # Everything after serve-fake belongs to the server's own parser.
        from booqable_async.testing.server import main as serve_main

        return serve_main(argv[at + 1 :])
    debug = "--debug" in argv
    with _debug_logging(err, debug):
        return _main(argv, environ, out, err, factory, debug, stdout is None)


@contextlib.contextmanager
def _debug_logging(stderr: IO[str], enabled: bool) -> Iterator[None]:
    """Send the library's DEBUG log (secrets already redacted) to stderr while running."""
    if not enabled:
        yield
        return
    logger = logging.getLogger("booqable_async")
    handler = logging.StreamHandler(stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def _main(
    argv: list[str],
    environ: Mapping[str, str],
    out: IO[str],
    err: IO[str],
    factory: BackendFactory,
    debug: bool,
    real_stdout: bool,
) -> int:
    try:
        args = build_parser().parse_args(glue_dash_values(argv))
        prepare, execute = _COMMANDS[args.command]
        # The command line is checked whole before the credentials: a typo is reported as
        # such, and nothing (no client, no demo company) starts for a wrong command.
        options = prepare(args)
        connection = None if args.command in _OFFLINE else resolve_connection(vars(args), environ)

        async def work(interrupt: Interrupt) -> int:
            run = _Invocation(args, argv, connection, factory, out, err, interrupt, environ)
            return await execute(run, options)

        with warnings.catch_warnings():
            # A paginator warning (records moved during the pull) is one line too.
            warnings.simplefilter("always", PaginationWarning)
            warnings.showwarning = _warning_printer(err)
            return asyncio.run(_guarded(work, err))
    except KeyboardInterrupt as exc:
        code = exc.args[0] if exc.args and isinstance(exc.args[0], int) else EXIT_INTERRUPTED
        print("booqable: interrupted", file=err)
        return code
    except BrokenPipeError:
        # Output piped into a command that stopped reading (``| head``): nothing to report;
        # point stdout at /dev/null so Python's flush at exit does not complain again.
        if real_stdout:
            with contextlib.suppress(OSError, ValueError):
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAILURE
    except Exception as exc:  # every failure ends as one line (and a traceback on --debug)
        if debug:
            traceback.print_exc(file=err)
        print(f"booqable: error: {describe(exc)}", file=err)
        return exit_code(exc)
