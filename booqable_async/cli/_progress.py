"""The pull progress line (rich): records, pages, records per second, ETA, elapsed time.

The paginator reports each page as it arrives in order (``on_page``) with the records so
far and the server's total (``stats[total]=count`` on the first page), which is all the
line needs. It draws on stderr, only when stderr is a terminal (a log file gets the final
summary line instead), so stdout stays clean for ``--out -`` pipelines.

The line always fits the terminal on one row: rich's column layout crops every column a
little when the row is too narrow (``600…``) and wraps the rest onto a second line, so the
line is laid out here instead, from the console width at each refresh. The counts always
show; the ETA, the rate, the pages and the elapsed time follow while there is room, and
the bar takes what is left (or goes, below ten cells).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import IO

import attrs
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.progress import Progress, TaskID
from rich.progress_bar import ProgressBar
from rich.segment import Segment
from rich.text import Text

__all__ = ["PullLine", "PullProgress", "PullStatus"]

_SEPARATOR = " · "
#: Narrowest bar worth drawing, and the widest (a wider one tells nothing more).
_MIN_BAR = 10
_MAX_BAR = 40


def _clock_text(seconds: float | None) -> str:
    if seconds is None:
        return "-:--:--"
    return str(dt.timedelta(seconds=max(0, round(seconds))))


@attrs.frozen
class PullStatus:
    """Where a pull stands, as the progress line shows it.

    Attributes:
        resource: The resource pulled.
        completed: Records written (earlier runs of a resumed pull included).
        total: The server's total, when known.
        pages: Pages fetched by this run.
        speed: Records per second (rich's moving estimate), when known.
        remaining: Seconds left at that speed, when known.
        elapsed: Seconds since the line started.
    """

    resource: str
    completed: int
    total: int | None = None
    pages: int = 0
    speed: float | None = None
    remaining: float | None = None
    elapsed: float | None = None


@attrs.frozen
class PullLine:
    """One progress line laid out for the console's width (a rich renderable).

    Attributes:
        status: What to show.
    """

    status: PullStatus

    def layout(self, width: int) -> tuple[str, int, str]:
        """Return ``(label, bar_width, stats)`` fitting ``width`` cells (bar 0: no bar).

        Args:
            width: Cells available on the row.

        Returns:
            The label, the bar's width, and the figures after the bar.
        """
        s = self.status
        counts = f"{s.completed:,}/{s.total:,}" if s.total is not None else f"{s.completed:,}"
        # Optional figures, most useful first; shown in the order of ``shown`` below.
        optional = {
            "records": "records",
            "eta": f"ETA {_clock_text(s.remaining)}" if s.total is not None else "",
            "rate": f"{s.speed:,.0f}/s" if s.speed is not None else "?/s",
            "pages": f"{s.pages:,} page{'' if s.pages == 1 else 's'}",
            "elapsed": f"{_clock_text(s.elapsed)} elapsed",
        }

        def figures(chosen: set[str]) -> str:
            head = counts + (" records" if "records" in chosen else "")
            parts = [head] + [
                optional[k] for k in ("pages", "rate", "eta", "elapsed") if k in chosen
            ]
            return _SEPARATOR.join(p for p in parts if p)

        def fits(label: str, stats: str, bar: int) -> bool:
            return cell_len(label) + 1 + (bar + 1 if bar else 0) + cell_len(stats) <= width

        label = f"pulling {s.resource}"
        if not fits(label, counts, _MIN_BAR):
            label = s.resource
        chosen: set[str] = set()
        for key in optional:  # most useful first
            if fits(label, figures(chosen | {key}), _MIN_BAR):
                chosen.add(key)
        stats = figures(chosen)
        bar = min(_MAX_BAR, width - cell_len(label) - 2 - cell_len(stats))
        return label, bar if bar >= _MIN_BAR else 0, stats

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        """Render the line as one row of less than ``options.max_width`` cells."""
        # One cell stays free: a row filled to the last column makes some terminals
        # (Windows' console) move to the next row, which leaves a stray line behind.
        width = options.max_width - 1
        label, bar, stats = self.layout(width)
        line = Text(label, style="progress.description", no_wrap=True, end="")
        if bar:
            line.append(" ")
        head = list(line.render(console, end=""))
        tail = Text(" " + stats, style="progress.data.speed", no_wrap=True, end="")
        if not bar:
            # No room for a bar: text only, cut with an ellipsis rather than wrapped.
            whole = Text.assemble(line, tail, no_wrap=True, end="")
            whole.truncate(width, overflow="ellipsis")
            yield from whole.render(console, end="")
            yield Segment.line()
            return
        yield from head
        s = self.status
        progress_bar = ProgressBar(total=s.total, completed=s.completed, width=bar)
        yield from console.render(progress_bar, options.update(width=bar, height=1))
        yield from tail.render(console, end="")
        yield Segment.line()


class _LineProgress(Progress):
    """A rich ``Progress`` whose display is one :class:`PullLine` per task."""

    def __init__(self, line: Callable[[], PullLine], console: Console) -> None:
        self._line = line  # before Progress.__init__, which renders once
        super().__init__(console=console, transient=False)

    def get_renderables(self) -> Iterable[RenderableType]:
        """Yield the progress line (rich's documented way to customise the layout)."""
        yield self._line()


class PullProgress:
    """A progress line for one pull (nothing is drawn when disabled).

    Args:
        resource: The resource pulled (the line's label).
        stream: Where to draw (stderr).
        enabled: Draw at all; ``None`` draws only when ``stream`` is a terminal.
        console: The rich console to draw on (tests pass a fixed-width one); default a
            console on ``stream``.
    """

    def __init__(
        self,
        resource: str,
        stream: IO[str],
        *,
        enabled: bool | None = None,
        console: Console | None = None,
    ) -> None:
        self._resource = resource
        self._console = console if console is not None else Console(file=stream)
        self.enabled = self._console.is_terminal if enabled is None else enabled
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        self.pages = 0

    def status(self) -> PullStatus:
        """Return where the pull stands (what the line shows)."""
        if self._progress is None or self._task is None:
            return PullStatus(self._resource, 0, pages=self.pages)
        task = self._progress.tasks[0]
        return PullStatus(
            resource=self._resource,
            completed=int(task.completed),
            total=None if task.total is None else int(task.total),
            pages=self.pages,
            speed=task.speed,
            remaining=task.time_remaining,
            elapsed=task.elapsed,
        )

    def line(self) -> PullLine:
        """Return the progress line as it stands (what each refresh draws)."""
        return PullLine(self.status())

    def start(self, records_before: int = 0, total: int | None = None) -> None:
        """Show the line, starting at ``records_before`` (a resumed pull)."""
        if not self.enabled or self._progress is not None:
            return
        self._progress = _LineProgress(self.line, self._console)
        self._task = self._progress.add_task(
            f"pulling {self._resource}", total=total, completed=records_before
        )
        self._progress.start()

    def page(self, page_number: int, records: int, total: int | None) -> None:
        """Record that a page arrived (the paginator's ``on_page`` callback)."""
        self.pages += 1
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, completed=records, total=total)

    def stop(self) -> None:
        """Stop refreshing (the last state stays on screen); idempotent."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
