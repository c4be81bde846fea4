"""The pull's progress line fits the terminal: one row at 80, 100 and 120 columns."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from booqable_async.cli._progress import PullLine, PullProgress, PullStatus

#: What a pull can show: a normal one, a start without figures, huge counts under a long
#: resource name, an unknown total, a day-long run.
STATES = [
    PullStatus("orders", 600, 2000, 6, 3800.4, 0.37, 1.2),
    PullStatus("orders", 0, None, 0, None, None, 0.0),
    PullStatus("stock_item_plannings", 1_234_567, 1_234_567, 12_346, 123_456.0, 0.0, 3725.0),
    PullStatus("order_delivery_rate_recalculations", 987_654, None, 9_877, None, None, 100_000.0),
    PullStatus("customers", 1, 1, 1, 0.5, None, 2.0),
]


def rendered(width: int, renderable: object) -> list[str]:
    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    console.print(renderable)
    return console.export_text().splitlines()


@pytest.mark.parametrize("width", [80, 100, 120])
@pytest.mark.parametrize("status", STATES, ids=lambda s: f"{s.resource}-{s.completed}")
def test_the_line_is_one_row_that_fits(width: int, status: PullStatus) -> None:
    lines = rendered(width, PullLine(status))
    assert len(lines) == 1, lines  # nothing wrapped onto a second row
    assert len(lines[0]) < width  # one cell to spare
    assert "…" not in lines[0]  # and nothing cropped
    assert f"{status.completed:,}" in lines[0]


def test_at_80_columns_the_essentials_show_and_the_rest_follows_with_room() -> None:
    status = STATES[0]
    narrow = rendered(80, PullLine(status))[0]
    assert narrow.startswith("pulling orders ━")
    assert "600/2,000 records" in narrow
    assert "3,800/s" in narrow
    assert "ETA 0:00:00" in narrow
    wide = rendered(120, PullLine(status))[0]
    assert "6 pages" in wide
    assert "0:00:01 elapsed" in wide


def test_very_narrow_terminals_drop_the_bar_then_cut_with_an_ellipsis() -> None:
    line = PullLine(STATES[3])
    label, bar, _stats = line.layout(40)
    assert (label, bar) == ("order_delivery_rate_recalculations", 0)
    text = rendered(40, line)
    assert len(text) == 1
    assert len(text[0]) <= 39
    assert text[0].endswith("…")


@pytest.mark.parametrize("width", [80, 100, 120])
def test_the_live_display_ends_on_one_row(width: int) -> None:
    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    progress = PullProgress("stock_item_plannings", io.StringIO(), enabled=True, console=console)
    progress.start(records_before=1_000_000, total=1_234_567)
    for number in range(1, 4):
        progress.page(number, 1_000_000 + number * 100, 1_234_567)
    progress.stop()
    lines = console.export_text().splitlines()  # the final frame (not a terminal)
    assert len(lines) == 1, lines
    assert len(lines[0]) < width
    assert "1,000,300/1,234,567 records" in lines[0]
    assert progress.line().status.pages == 3
