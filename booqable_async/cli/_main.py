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
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import IO, TypeVar

import orjson

from booqable_async.cli._args import build_parser, option
from booqable_async.cli._commands import (
    describe_stats,
    get_options,
    pull_options,
    stats_options,
)
from booqable_async.cli._connect import Backend, Connection, open_backend, resolve_connection
from booqable_async.cli._errors import (
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_TERMINATED,
    describe,
    exit_code,
)
from booqable_async.cli._pull import PullStopped, describe_result, describe_stop, pull

__all__ = ["Interrupt", "main"]

T = TypeVar("T")

#: Opens the client for a connection; tests pass another one (the seam).
BackendFactory = Callable[[Connection, IO[str]], Awaitable[Backend]]


class Interrupt:
    """Ctrl-C / SIGTERM bookkeeping: which signal arrived (the first one counts)."""

    def __init__(self) -> None:
        self.event = asyncio.Event()
        self.signum: int | None = None

    @property
    def exit_code(self) -> int:
        """130 for SIGINT, 143 for SIGTERM."""
        return EXIT_TERMINATED if self.signum == signal.SIGTERM else EXIT_INTERRUPTED


async def _guarded(work: Callable[[Interrupt], Awaitable[T]], stderr: IO[str]) -> T:
    """Run ``work`` with Ctrl-C and SIGTERM cancelling it (once) instead of killing us."""
    interrupt = Interrupt()
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    assert task is not None

    def on_signal(signum: int) -> None:
        if interrupt.event.is_set():
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


async def _run_pull(
    args: argparse.Namespace,
    argv: Sequence[str],
    connection: Connection,
    factory: BackendFactory,
    stderr: IO[str],
    interrupt: Interrupt,
) -> int:
    options = pull_options(args)
    backend = await factory(connection, stderr)
    try:
        progress = False if option(args, "no_progress") else None
        result = await pull(
            backend, options, stderr, progress=progress, interrupted=interrupt.event
        )
    except PullStopped as stop:
        if stop.cause is not None:
            print(f"booqable: error: {describe(stop.cause)}", file=stderr)
        for line in describe_stop(stop, options, argv):
            print(line, file=stderr)
        return EXIT_FAILURE if stop.cause is not None else interrupt.exit_code
    finally:
        await backend.aclose()
    print(f"booqable: {describe_result(result, options)}", file=stderr)
    return EXIT_OK


async def _run_get(
    args: argparse.Namespace,
    connection: Connection,
    factory: BackendFactory,
    stdout: IO[str],
    stderr: IO[str],
) -> int:
    options = get_options(args)
    backend = await factory(connection, stderr)
    try:
        record = await backend.get(
            options.resource,
            options.record_id,
            include=options.query.includes,
            fields=options.fields,
        )
        exported = backend.export(record, options.embed)
    finally:
        await backend.aclose()
    stdout.write(orjson.dumps(exported, option=orjson.OPT_INDENT_2).decode() + "\n")
    return EXIT_OK


async def _run_stats(
    args: argparse.Namespace,
    connection: Connection,
    factory: BackendFactory,
    stdout: IO[str],
    stderr: IO[str],
) -> int:
    options = stats_options(args)
    backend = await factory(connection, stderr)
    try:
        page = await backend.first_page(options.resource, options.query)
    finally:
        await backend.aclose()
    if options.format == "json":
        stdout.write(orjson.dumps(dict(page.stats), option=orjson.OPT_INDENT_2).decode() + "\n")
    else:
        for line in describe_stats(page.stats):
            stdout.write(line + "\n")
    return EXIT_OK


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
            demo company).

    Returns:
        0 on success, 1 for API/network/output failures, 2 for usage errors, 130 when
        interrupted (143 for SIGTERM).
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    environ = os.environ if environ is None else environ
    out = sys.stdout if stdout is None else stdout
    err = sys.stderr if stderr is None else stderr
    factory = open_backend if backend_factory is None else backend_factory
    if argv[:1] == ["serve-fake"]:
        from booqable_async.testing.server import main as serve_main

        return serve_main(argv[1:])
    debug = "--debug" in argv
    try:
        args = build_parser().parse_args(argv)
        if debug:
            logging.basicConfig(level=logging.DEBUG, stream=err)
        connection = resolve_connection(vars(args), environ)

        async def work(interrupt: Interrupt) -> int:
            if args.command == "pull":
                return await _run_pull(args, argv, connection, factory, err, interrupt)
            if args.command == "get":
                return await _run_get(args, connection, factory, out, err)
            return await _run_stats(args, connection, factory, out, err)

        return asyncio.run(_guarded(work, err))
    except KeyboardInterrupt as exc:
        code = exc.args[0] if exc.args and isinstance(exc.args[0], int) else EXIT_INTERRUPTED
        print("booqable: interrupted", file=err)
        return code
    except BrokenPipeError:
        # Output piped into a command that stopped reading (``| head``): not an error of
        # ours to report; keep Python from complaining again at exit.
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAILURE
    except Exception as exc:  # every failure ends as one line (and a traceback on --debug)
        if debug:
            traceback.print_exc(file=err)
        print(f"booqable: error: {describe(exc)}", file=err)
        return exit_code(exc)
