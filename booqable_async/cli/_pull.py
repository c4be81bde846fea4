"""``booqable pull``: stream every record of a resource into a file, resumably.

The pull iterates the typed facade's paginator (concurrent, in-order pages; the first one
carries ``stats[total]=count`` for the ETA) and hands each record to a streaming writer
as soon as it arrives. Records go to ``OUT.partial``, renamed over ``OUT`` only when the
pull completes (see :mod:`booqable_async.cli._output`): a failed run never changes an
existing output. After every page the partial file is flushed and the resume state
(paginator position + byte offset of complete records) is saved next to it, so:

* Ctrl-C (or SIGTERM) stops at a record boundary, closes the document (a JSON array gets
  its ``]``) and prints the command that continues the pull;
* a failure the client could not retry away stops the same way, exit code 1;
* even a crash leaves a resume file at most one page behind, and resuming truncates the
  partial file to what that file vouches for: nothing is missing and nothing comes twice.
"""

from __future__ import annotations

import asyncio
import shlex
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import attrs

from booqable_async._validation import is_number
from booqable_async.cli._connect import AnyBackend
from booqable_async.cli._output import Output, partial_file
from booqable_async.cli._progress import PullProgress
from booqable_async.cli._resume import ResumeState, remove_quietly
from booqable_async.cli._writers import Writer, make_writer
from booqable_async.errors import PaginationError
from booqable_async.query import Query

__all__ = ["PullOptions", "PullResult", "PullStopped", "infer_format", "pull"]


@attrs.frozen
class PullOptions:
    """What to pull and where to write it.

    Attributes:
        resource: The resource type.
        query: The validated listing query (filters, includes, fields, sort, page size).
        format: ``jsonl``, ``csv`` or ``json``.
        out: Output file, or ``None`` for stdout.
        concurrency: Pages in flight.
        resume: State to continue from, or ``None`` for a fresh pull.
        resume_file: Where the resume state is kept (``None`` for stdout output).
        stats_query: The request whose ``meta.stats`` the summary line reports (same
            filters, ``--stat`` statistics), or ``None``.
        api: ``v4``, or ``v1`` (``booqable v1 pull``).
        params: Listing parameters the query does not carry (API v1's ``q``, ``tag``,
            ``collection``, ``collection_id``); the query then only sets the page size.
    """

    resource: str
    query: Query
    format: str = "jsonl"
    out: Path | None = None
    concurrency: int = 4
    resume: ResumeState | None = None
    resume_file: Path | None = None
    stats_query: Query | None = None
    api: str = "v4"
    params: tuple[tuple[str, str], ...] = ()

    @property
    def embed(self) -> int:
        """Relationship levels to embed in each exported record (deepest include path)."""
        return max((len(p.split(".")) for p in self.query.includes), default=0)


@attrs.frozen
class PullResult:
    """What a finished pull did.

    Attributes:
        records: Records written by this run.
        total_records: Records in the output (earlier runs included when resumed).
        pages: Pages fetched by this run.
        total: The server's total, when known.
        elapsed: Seconds this run took.
        stats: ``meta.stats`` of the ``--stat`` request, if any.
    """

    records: int
    total_records: int
    pages: int
    total: int | None
    elapsed: float
    stats: Mapping[str, Any] = attrs.field(factory=dict)


class PullStopped(Exception):
    """A pull stopped before the end (interrupted, or a failure); the output is valid.

    Attributes:
        state: Where to continue.
        written: Records written by this run.
        cause: The failure, or ``None`` when interrupted.
    """

    def __init__(self, state: ResumeState, written: int, cause: BaseException | None) -> None:
        super().__init__("pull stopped")
        self.state = state
        self.written = written
        self.cause = cause


def infer_format(format: str | None, out: str | None) -> str:
    """Return ``format``, or the one ``out``'s extension implies (``.csv``, ``.json``)."""
    if format is not None:
        return format
    suffix = Path(out).suffix.lower() if out and out != "-" else ""
    return {".csv": "csv", ".json": "json"}.get(suffix, "jsonl")


class _PullJob:
    """One pull: paginator, writer, progress and checkpoints wired together."""

    def __init__(
        self, backend: AnyBackend, options: PullOptions, writer: Writer, progress: PullProgress
    ) -> None:
        self.backend = backend
        self.options = options
        self.writer = writer
        self.progress = progress
        self.written = 0
        point = options.resume.point if options.resume is not None else None
        self.paginator = backend.list(options, resume_from=point, on_page=self.on_page)

    def state(self, offset: int | None) -> ResumeState:
        return ResumeState(
            resource=self.options.resource,
            format=self.options.format,
            point=self.paginator.resume_point,
            offset=offset if self.options.out is not None else None,
            api=self.options.api,
        )

    def on_page(self, page_number: int, records: int, total: int | None) -> None:
        if self.progress.pages == 0:
            self.progress.start(self.paginator.items_yielded, total)
        self.progress.page(page_number, records, total)
        # The paginator calls this when a page arrives, after the consumer finished every
        # earlier record: its resume point is this page's start and the writer holds
        # exactly the records before it. Saving both now makes a crash resumable.
        offset = self.writer.checkpoint()
        if self.options.resume_file is not None:
            self.state(offset).save(self.options.resume_file)

    async def run(self) -> None:
        export, embed, write = self.backend.export, self.options.embed, self.writer.write
        # Page by page: a page is written whole (no await in between, so an interrupt
        # lands between pages or while waiting for one), then flushed, so the file on
        # disk holds complete pages while the next one is awaited.
        async with self.paginator.pages() as pages:
            async for page in pages:
                for record in page.data:
                    write(export(record, embed))
                self.written += len(page.data)
                self.writer.checkpoint()


async def pull(
    backend: AnyBackend,
    options: PullOptions,
    stderr: IO[str],
    *,
    progress: bool | None = None,
    interrupted: asyncio.Event | None = None,
) -> PullResult:
    """Run a pull to the end, or stop it cleanly.

    Args:
        backend: The client seam.
        options: What to pull and where.
        stderr: Where the progress bar draws.
        progress: Draw the bar (``None``: when stderr is a terminal).
        interrupted: Set by the signal handler before it cancels the task, so a
            cancellation is told apart from one that is not a user's interrupt.

    Returns:
        What the pull did.

    Raises:
        PullStopped: Interrupted or failed; the output is a valid document and the state
            says how to continue.
        UsageError: Bad options (before any request).
        OSError: The output cannot be written.
    """
    started = time.perf_counter()
    output = Output.open(options.out, options.resume)
    if output.replaced_stale and output.partial is not None:
        print(
            f"booqable: note: starting over; the unfinished {output.partial} of an earlier "
            "pull is replaced (continue it with --resume-file instead)",
            file=stderr,
        )
    records_before = options.resume.records if options.resume is not None else 0
    try:
        columns = backend.columns(options) if options.format == "csv" else ()
        writer = make_writer(
            options.format,
            output.stream,
            columns=columns,
            fresh=output.fresh,
            records_before=records_before if not output.fresh else 0,
            base_offset=output.base_offset,
        )
        bar = PullProgress(options.resource, stderr, enabled=progress)
        run = _PullJob(backend, options, writer, bar)
        try:
            await run.run()
        except asyncio.CancelledError:
            if interrupted is None or not interrupted.is_set():
                raise
            _uncancel()
            raise PullStopped(_close(run), run.written, None) from None
        except PaginationError as exc:
            raise PullStopped(_close(run), run.written, exc) from exc
        finally:
            bar.stop()
        writer.close()
        output.commit()
    except PullStopped as stop:
        if stop.state.records == 0:
            output.discard(options.resume_file)  # nothing arrived: leave nothing behind
        else:
            output.close()  # kept beside the output for --resume
        raise
    except BaseException:
        # A crash-like end (a bug, a full disk, a cancellation that was no interrupt): the
        # partial file and the last page's resume state stay, as after kill -9.
        output.close()
        raise
    if options.resume_file is not None:
        remove_quietly(options.resume_file)
    stats: Mapping[str, Any] = {}
    if options.stats_query is not None:
        stats = (await backend.first_page(options.resource, options.stats_query)).stats
    return PullResult(
        records=run.written,
        total_records=run.paginator.items_yielded,
        pages=bar.pages,
        total=run.paginator.total,
        elapsed=time.perf_counter() - started,
        stats=stats,
    )


def _close(run: _PullJob) -> ResumeState:
    # Complete records only (each was one write); close the document, then save where
    # the complete records end, which is where a resumed pull continues writing.
    offset = run.writer.checkpoint()
    run.writer.close()
    state = run.state(offset)
    if run.options.resume_file is not None:
        state.save(run.options.resume_file)
    return state


def _uncancel() -> None:
    # The interrupt is handled here: clear the cancellation request (Python 3.11+) so
    # the cleanup awaits after this (closing the client) run normally.
    task = asyncio.current_task()
    uncancel = getattr(task, "uncancel", None)
    if uncancel is not None:  # pragma: no branch - Python 3.10 has no uncancel()
        uncancel()


def resume_command(argv: Sequence[str], state: ResumeState, resume_file: Path | None) -> str:
    """Return the command line that continues a pull (secrets left out).

    ``--resume``/``--resume-file`` options of ``argv`` are replaced; a ``--token`` given on
    the command line is dropped (give it again, or set ``BOOQABLE_API_KEY``).
    """
    kept: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        name = arg.split("=", 1)[0]
        if name in ("--resume", "--resume-file", "--token"):
            skip = "=" not in arg
            continue
        kept.append(arg)
    if resume_file is not None:
        kept += ["--resume-file", str(resume_file)]
    else:
        kept += ["--resume", state.to_token()]
    return shlex.join(["booqable", *kept])


def describe_result(result: PullResult, options: PullOptions) -> str:
    """Return the one-line summary of a finished pull."""
    where = str(options.out) if options.out is not None else "stdout"
    rate = result.records / result.elapsed if result.elapsed > 0 else 0.0
    text = (
        f"pulled {result.records:,} {options.resource} ({result.pages:,} pages) into {where} "
        f"in {result.elapsed:.2f} s ({rate:,.0f} records/s)"
    )
    if result.total_records != result.records:
        text += f"; {result.total_records:,} in the file with the earlier run(s)"
    asked = options.stats_query or Query()
    for field, aggs in result.stats.items():
        if isinstance(aggs, Mapping):
            for agg, value in aggs.items():
                # Only what --stat asked for (the page also carries the paginator's total).
                if asked.has_stat(field, agg):
                    text += f"; {field} {agg}: {format_stat(field, value)}"
    return text


def format_stat(field: str, value: Any) -> str:
    """Format one statistic: thousands separators; ``*_in_cents`` also as units."""
    if not is_number(value):
        return str(value)
    text = f"{value:,}" if isinstance(value, int) else f"{value:,.2f}"
    if field.endswith("_in_cents"):
        text += f" (= {value / 100:,.2f})"
    return text


def describe_stop(stop: PullStopped, options: PullOptions, argv: Sequence[str]) -> list[str]:
    """Return the lines printed when a pull stopped: what, where the records are, what next."""
    total = stop.state.point.total
    of = f" of {total:,}" if total is not None else ""
    done = stop.state.records
    what = "interrupted" if stop.cause is None else "stopped by an error"
    kind = f"a valid {options.format} document"
    if options.out is None:
        where = (
            f"stdout holds {'them' if done != 1 else 'it'} as {kind}"
            if done
            else f"stdout holds an empty, valid {options.format} document"
        )
    elif done == 0:
        where = f"{options.out} is untouched"
    else:
        where = (
            f"{'they are' if done != 1 else 'it is'} in {partial_file(options.out)} ({kind}); "
            f"{options.out} is untouched until the pull completes"
        )
    if done == 0:
        # Nothing to keep: running the same command again is the way to continue.
        return [f"booqable: {what} before any {options.resource} arrived; {where}."]
    lines = [f"booqable: {what} after {done:,}{of} {options.resource}; {where}."]
    lines.append(
        "booqable: continue with: " + resume_command(argv, stop.state, options.resume_file)
    )
    if options.resume_file is not None:
        lines.append(f"booqable: or with --resume {stop.state.to_token()}")
    if any(arg.split("=", 1)[0] == "--token" for arg in argv):
        lines.append(
            "booqable: (--token is left out above: give it again, or set BOOQABLE_API_KEY)"
        )
    return lines
