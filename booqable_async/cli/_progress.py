"""The pull progress bar (rich): records, pages, records per second, ETA from the total.

The paginator reports each page as it arrives in order (``on_page``) with the records so
far and the server's total (``stats[total]=count`` on the first page), which is all the
bar needs. It draws on stderr, only when stderr is a terminal (a log file gets the final
summary line instead), so stdout stays clean for ``--out -`` pipelines.
"""

from __future__ import annotations

from typing import IO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

__all__ = ["PullProgress", "RateColumn"]


class RateColumn(ProgressColumn):
    """Records per second, from rich's moving speed estimate."""

    def render(self, task: Task) -> Text:
        """Render the rate of ``task``."""
        speed = task.speed
        text = "? records/s" if speed is None else f"{speed:,.0f} records/s"
        return Text(text, style="progress.data.speed")


class PullProgress:
    """A progress bar for one pull (nothing is drawn when disabled).

    Args:
        resource: The resource pulled (the bar's label).
        stream: Where to draw (stderr).
        enabled: Draw at all; ``None`` draws only when ``stream`` is a terminal.
    """

    def __init__(self, resource: str, stream: IO[str], *, enabled: bool | None = None) -> None:
        self._resource = resource
        self._console = Console(file=stream)
        self.enabled = self._console.is_terminal if enabled is None else enabled
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        self.pages = 0

    def start(self, records_before: int = 0, total: int | None = None) -> None:
        """Show the bar, starting at ``records_before`` (a resumed pull)."""
        if not self.enabled or self._progress is not None:
            return
        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("records · {task.fields[pages]} pages ·"),
            RateColumn(),
            TextColumn("· ETA"),
            TimeRemainingColumn(),
            TextColumn("· elapsed"),
            TimeElapsedColumn(),
            console=self._console,
        )
        self._task = self._progress.add_task(
            f"pulling {self._resource}", total=total, completed=records_before, pages=0
        )
        self._progress.start()

    def page(self, page_number: int, records: int, total: int | None) -> None:
        """Record that a page arrived (the paginator's ``on_page`` callback)."""
        self.pages += 1
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, completed=records, total=total, pages=self.pages)

    def stop(self) -> None:
        """Stop refreshing (the last state stays on screen); idempotent."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
