"""docs/resources.md's include table is what the library enforces, per operation."""

from __future__ import annotations

import pytest

from booqable_async.schema import get_schema, resource_types
from tools.gen_docs import END, RESOURCES_DOC, START, include_table, replace_table


def enforced() -> dict[str, dict[str, tuple[str, ...]]]:
    # From the package's schema data (what validation reads), not from ../shared.
    return {t: dict(get_schema(t).includes) for t in resource_types()}


def test_the_committed_table_is_current() -> None:
    document = RESOURCES_DOC.read_text(encoding="utf-8")
    assert replace_table(document, include_table(enforced())) == document, (
        "docs/resources.md's include table is stale: run `make generate` and commit it"
    )


def test_orders_rows_say_lines_are_get_only() -> None:
    table = include_table(enforced())
    orders = next(line for line in table.splitlines() if line.startswith("| `orders` |"))
    listed, got = orders.split(" | ")[1:3]
    assert listed == "`coupon`, `customer`, `properties`, `start_location`, `stop_location`"
    assert "`lines`" in got
    assert "`lines.item`" in got
    assert "| `tags` |" not in table  # no includes anywhere: no row


def test_markers_are_required() -> None:
    with pytest.raises(SystemExit, match="markers are missing"):
        replace_table("no markers here", "| table |\n")
    assert replace_table(f"a\n{START}\nold\n{END}\nb", "new\n") == f"a\n{START}\nnew\n{END}\nb"
