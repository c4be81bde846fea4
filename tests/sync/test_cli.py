"""``booqable sync`` as a user sees it: the demo, the summary and progress at 80 columns."""

from __future__ import annotations

import argparse
import asyncio
import io
from pathlib import Path

import pytest
from rich.console import Console

from booqable_async.cli._sync import SyncProgress, parse_interval, render_summary
from booqable_async.sync import DEFAULT_RESOURCES, ResourceReport, ResourceTally, SyncReport
from tests.sync.conftest import Env, cli_args, run_cli


async def test_demo_syncs_the_embedded_company_and_prints_a_summary(tmp_path: Path) -> None:
    db = tmp_path / "out" / "demo.duckdb"
    args = ("sync", "--demo", "--demo-orders", "40", "--db", str(db), "--no-progress")

    first = await run_cli(*args, "orders", "customers", "lines")
    second = await run_cli(*args, "orders", "customers", "lines")

    assert first.code == 0, first.err
    assert "--demo: syncing the embedded demo company" in first.err
    lines = first.out.splitlines()
    assert lines[0].split() == [
        "resource",
        "mode",
        "new",
        "updated",
        "archived",
        "deleted",
        "requests",
        "budget",
    ]
    assert lines[1].split()[:3] == ["orders", "first", "40"]
    assert "rows written" in lines[-1]
    assert f"{db} (booqable_demo)" in lines[-1]
    assert (tmp_path / "out" / "demo.dlt").is_dir()  # dlt's working dir beside the file
    assert second.code == 0, second.err
    assert "nothing changed" in second.out
    assert second.out.splitlines()[1].split()[:3] == ["orders", "incr", "0"]

    from booqable_async.sync.example import main, orders_with_customers

    rows = orders_with_customers(str(db), "booqable_demo", limit=3)
    assert len(rows) == 3
    assert all(isinstance(row[3], int) and row[3] >= 1 for row in rows)  # line counts
    assert main([str(db)]) == 0
    assert main([]) == 2


@pytest.mark.slow
async def test_an_unchanged_second_demo_sync_makes_one_request_per_resource(
    tmp_path: Path,
) -> None:
    # The demo company as `make demo` syncs it: its records were changed at different
    # moments, so the look-back under each mark holds far less than a page.
    args = ("sync", "--demo", "--db", str(tmp_path / "demo.duckdb"), "--no-progress")
    first = await run_cli(*args)
    assert first.code == 0, first.err

    second = await run_cli(*args)

    assert second.code == 0, second.err
    rows = [line.split() for line in second.out.splitlines()[1:-1]]
    assert [row[0] for row in rows] == list(DEFAULT_RESOURCES)
    assert all(row[1:7] == ["incr", "0", "0", "0", "0", "1"] for row in rows), second.out
    assert second.out.splitlines()[-1].startswith(
        f"nothing changed · {len(DEFAULT_RESOURCES)} requests"
    )


async def test_every_keeps_syncing_until_interrupted(env: Env) -> None:
    from booqable_async.cli._sync import build_job, run_sync_command, sync_options

    args = argparse.Namespace(
        resources=["orders"],
        all=False,
        destination="duckdb",
        db=str(env.db),
        duckdb_memory=None,
        dsn=None,
        dataset=None,
        name="every",
        pipelines_dir=str(env.tmp / "p"),
        sweep=False,
        every=0.05,
    )
    from booqable_async.cli._connect import Connection

    connection = Connection(demo=False, token=env.fake.token, base_url=env.served.base_url)
    job = build_job(sync_options(args, connection, {}), connection, io.StringIO())
    assert job.sweep is False
    assert job.destination.memory_limit == "64MB"
    roomy = argparse.Namespace(**{**vars(args), "duckdb_memory": "1GB"})
    job = build_job(sync_options(roomy, connection, {}), connection, io.StringIO())
    assert job.destination.memory_limit == "1GB"
    out, err = io.StringIO(), io.StringIO()
    task = asyncio.create_task(
        run_sync_command(args, connection, {}, out, err, asyncio.Event(), progress=False)
    )
    while out.getvalue().count("nothing changed") < 1:  # noqa: ASYNC110
        await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert out.getvalue().count("resource") >= 2
    assert "next sync in 0.05 s" in err.getvalue()


def _report() -> SyncReport:
    resources = tuple(
        ResourceReport(name, mode, 1234567, 89, 3, 2, 12345, 0.987)
        for name, mode in (
            ("stock_item_plannings", "full refresh"),
            ("orders", "incremental"),
            ("customers", "snapshot"),
        )
    )
    return SyncReport(
        "acme",
        "booqable_acme",
        "postgresql://sync:***@db.example.com:5432/warehouse",
        resources,
        12.5,
        True,
        (250, 60.0),
    )


def test_the_summary_fits_80_columns() -> None:
    stream = io.StringIO()
    render_summary(_report(), Console(file=stream, width=80, soft_wrap=False))
    lines = stream.getvalue().splitlines()

    assert len(lines) == 1 + 3 + 1  # header, a row each, the closing line: nothing wraps
    assert all(len(line) <= 80 for line in lines[:-1]), lines
    assert lines[1].split()[:3] == ["stock_item_plannings", "full", "1,234,567"]
    assert "99%" in lines[1]
    assert "budget 250 per 60 s" in lines[-1]


def test_progress_renders_one_line_per_resource_at_80_columns() -> None:
    stream = io.StringIO()
    progress = SyncProgress(stream, enabled=True, width=80)
    with progress:
        for name in ("stock_item_plannings", "orders"):
            tally = ResourceTally(name, mode="incremental", rows=1_234_567, requests=99_999)
            progress.update(tally)
        progress.update(ResourceTally("orders", mode="snapshot", rows=5, requests=1, done=True))
    text = stream.getvalue()
    final = [line for line in text.splitlines() if line.strip()][-2:]
    assert all(len(line) <= 80 for line in final), final
    assert "1,234,567 rows" in final[0]
    assert "99,999 req" in final[0]
    assert final[1].split()[1:4] == ["orders", "snapshot", "5"]


@pytest.mark.parametrize(("text", "seconds"), [("30s", 30), ("5m", 300), ("1h", 3600), ("2", 2)])
def test_intervals(text: str, seconds: float) -> None:
    assert parse_interval(text) == seconds


@pytest.mark.parametrize("text", ["0s", "five", "-1m", "1d"])
def test_bad_intervals(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        parse_interval(text)


async def test_base_url_without_a_name_asks_for_one(env: Env) -> None:
    argv = cli_args(env, "orders")
    at = argv.index("--name")
    del argv[at : at + 2]

    result = await run_cli(*argv)

    assert result.code == 2
    assert "--name" in result.err
