"""Small pieces of the command: messages, exit codes, connection settings, progress."""

from __future__ import annotations

import asyncio
import io
import runpy
import sys
from pathlib import Path

import attrs
import pytest

from booqable_async import cli
from booqable_async.cli._args import build_parser, command_index, glue_dash_values, option
from booqable_async.cli._commands import describe_stats
from booqable_async.cli._connect import Connection, resolve_connection
from booqable_async.cli._errors import EXIT_FAILURE, EXIT_USAGE, describe, exit_code, one_line
from booqable_async.cli._progress import PullProgress
from booqable_async.cli._pull import (
    PullOptions,
    PullStopped,
    describe_stop,
    format_stat,
    infer_format,
    pull,
    resume_command,
)
from booqable_async.cli._resume import ResumeState
from booqable_async.cli._values import parse_stats
from booqable_async.errors import (
    Forbidden,
    NotFound,
    PaginationError,
    RateLimited,
    Unauthorized,
    UsageError,
)
from booqable_async.pagination import ResumePoint
from booqable_async.query import Query
from booqable_async.testing import FakeBooqable
from tests.cli.conftest import fake_factory

STATE = ResumeState("orders", "jsonl", ResumePoint(page_number=2, page_size=10, items_yielded=10))


def test_one_line() -> None:
    assert one_line("invalid query for orders list:\n  - a\n  - b\n") == (
        "invalid query for orders list: a; b"
    )
    assert one_line("first\nsecond") == "first: second"
    assert one_line("  just one  ") == "just one"
    assert one_line("\n \n") == ""


def test_describe_and_exit_codes() -> None:
    assert describe(Unauthorized(401)).endswith(
        "(check the access token: BOOQABLE_API_KEY or --token)"
    )
    assert "lack the permission" in describe(Forbidden(403))
    assert "lower --concurrency" in describe(RateLimited(retry_after=3))
    assert describe(NotFound(404)) == "HTTP 404"
    wrapped = PaginationError("stopped", resume_point=ResumePoint(1, 25), cause=Unauthorized(401))
    assert describe(wrapped) == "stopped (check the access token: BOOQABLE_API_KEY or --token)"
    missing = FileNotFoundError(2, "No such file or directory", "/x/y")
    assert describe(missing) == "cannot access /x/y: No such file or directory"
    assert describe(PermissionError("nope")) == "cannot access: nope"
    assert describe(KeyError("k")) == "internal error: KeyError: 'k' (rerun with --debug)"
    assert exit_code(UsageError("x")) == EXIT_USAGE
    assert exit_code(NotFound(404)) == exit_code(OSError()) == EXIT_FAILURE


def test_connection_resolution() -> None:
    env = {"BOOQABLE_API_KEY": "secret-token", "BOOQABLE_COMPANY": "acme"}
    real = resolve_connection({}, env)
    assert (real.demo, real.token, real.company, real.base_url) == (
        False,
        "secret-token",
        "acme",
        None,
    )
    assert "secret-token" not in repr(real)
    assert repr(real) == "Connection('acme')"
    # Flags win over the environment; a base URL replaces the company.
    flags = resolve_connection({"token": "t2", "base_url": "http://h/api/4", "retries": 0}, env)
    assert (flags.token, flags.company, flags.base_url, flags.retries) == (
        "t2",
        None,
        "http://h/api/4",
        0,
    )
    from_env_url = resolve_connection({}, {**env, "BOOQABLE_BASE_URL": "http://e/api/4"})
    assert (from_env_url.company, from_env_url.base_url) == (None, "http://e/api/4")
    with pytest.raises(UsageError) as nothing:
        resolve_connection({"demo_orders": 0, "demo_seed": 3}, {})
    assert str(nothing.value) == (
        "no credentials: set BOOQABLE_COMPANY and BOOQABLE_API_KEY (or pass --company and "
        "--token), or pass --demo for the embedded demo company"
    )
    demo = resolve_connection({"demo": True, "demo_orders": 0, "demo_seed": 3}, {})
    assert demo.demo
    assert demo.reason == "--demo"
    assert (demo.demo_orders, demo.demo_seed) == (0, 3)
    assert repr(demo) == "Connection('demo')"
    forced = resolve_connection({"demo": True}, env)
    assert forced.demo
    assert forced.reason == "--demo"
    assert forced.token is None
    with pytest.raises(UsageError, match="no access token"):
        resolve_connection({}, {"BOOQABLE_COMPANY": "acme"})
    with pytest.raises(UsageError, match="which company"):
        resolve_connection({}, {"BOOQABLE_API_KEY": "t"})


def test_parser_details() -> None:
    assert glue_dash_values(["pull", "orders", "--sort", "-number", "--token", "-abc"]) == [
        "pull",
        "orders",
        "--sort=-number",
        "--token=-abc",
    ]
    assert glue_dash_values(["--sort", "number", "--sort", "--x", "--sort"]) == [
        "--sort",
        "number",
        "--sort",
        "--x",
        "--sort",
    ]
    args = build_parser().parse_args(["--demo", "pull", "orders", "--debug"])
    assert option(args, "demo") is True
    assert option(args, "debug") is True
    assert option(args, "token") is None
    assert option(args, "retries", 4) == 4
    assert parse_stats(["total=count", "amount_in_cents=sum, average", "total=count"]) == {
        "total": ["count"],
        "amount_in_cents": ["sum", "average"],
    }
    for bad in ("total", "=count", "total="):
        with pytest.raises(UsageError, match="--stat takes field=aggregation"):
            parse_stats([bad])


def test_command_index_skips_common_options() -> None:
    assert command_index(["serve-fake", "--port", "1"]) == 0
    assert command_index(["--token", "serve-fake", "--debug", "get", "orders", "serve-fake"]) == 3
    assert command_index(["--retries=1", "--demo", "stats"]) == 2
    assert command_index(["--debug"]) is None
    assert command_index([]) is None


def test_infer_format() -> None:
    assert infer_format(None, None) == "jsonl"
    assert infer_format(None, "-") == "jsonl"
    assert infer_format(None, "x.CSV") == "csv"
    assert infer_format(None, "x.json") == "json"
    assert infer_format(None, "x.ndjson") == "jsonl"
    assert infer_format("csv", "x.json") == "csv"


def test_resume_command_drops_secrets_and_old_resume_options() -> None:
    argv = [
        "pull",
        "orders",
        "--token",
        "s3cret",
        "--resume",
        "OLD",
        "--resume-file=old.json",
        "--where",
        "status=reserved,started",
        "--token=s3cret2",
        "--out",
        "my file.jsonl",
    ]
    with_file = resume_command(argv, STATE, Path("my file.jsonl.resume.json"))
    assert "s3cret" not in with_file
    assert "OLD" not in with_file
    assert "old.json" not in with_file
    assert with_file == (
        "booqable pull orders --where status=reserved,started --out 'my file.jsonl' "
        "--resume-file 'my file.jsonl.resume.json'"
    )
    with_token = resume_command(["pull", "orders"], STATE, None)
    assert with_token == f"booqable pull orders --resume {STATE.to_token()}"
    options = PullOptions(resource="orders", query=Query())
    lines = describe_stop(PullStopped(STATE, 10, None), options, argv)
    assert lines[0] == (
        "booqable: interrupted after 10 orders; stdout holds them as a valid jsonl document."
    )
    assert lines[-1].startswith("booqable: (--token is left out above")
    empty = attrs.evolve(STATE, point=attrs.evolve(STATE.point, items_yielded=0))
    assert describe_stop(PullStopped(empty, 0, None), options, argv) == [
        "booqable: interrupted before any orders arrived; stdout holds an empty, valid jsonl "
        "document."
    ]


def test_format_stat_and_describe_stats() -> None:
    assert format_stat("total", 2000) == "2,000"
    assert format_stat("grand_total_in_cents", 123456) == "123,456 (= 1,234.56)"
    assert format_stat("discount_percentage", 12.345) == "12.35"
    assert format_stat("flag", True) == "True"
    assert format_stat("x", None) == "None"
    assert describe_stats({"total": {"count": 3}, "odd": 5}) == ["total count: 3", "odd: 5"]
    assert describe_stats(None) == []


def test_progress_bar_draws_when_enabled() -> None:
    stream = io.StringIO()
    bar = PullProgress("orders", stream, enabled=True)
    bar.start(records_before=10, total=40)
    bar.start()  # already started: nothing changes
    bar.page(2, 20, 40)
    bar.page(3, 40, 40)
    bar.stop()
    bar.stop()
    assert bar.pages == 2
    assert "pulling orders" in stream.getvalue()
    assert "40/40 records" in stream.getvalue()
    quiet = PullProgress("orders", io.StringIO())
    assert quiet.enabled is False  # not a terminal
    quiet.start()
    quiet.page(1, 1, None)
    quiet.stop()


async def test_a_cancellation_that_is_no_interrupt_propagates(tmp_path: Path) -> None:
    release = asyncio.Event()

    async def stall(seconds: float) -> None:
        await release.wait()

    fake = FakeBooqable.demo(
        orders=30, customers=5, product_groups=2, faults="delay=1@2", sleep=stall
    )
    backend = await fake_factory(fake)(Connection(demo=True), io.StringIO())
    options = PullOptions(
        resource="orders", query=Query().page(size=10), out=tmp_path / "o.jsonl", concurrency=1
    )
    task = asyncio.ensure_future(pull(backend, options, io.StringIO(), interrupted=asyncio.Event()))
    for _ in range(100):
        await asyncio.sleep(0)
        if len(fake.requests) >= 2:
            break
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await backend.aclose()


def test_python_dash_m(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(
        sys,
        "argv",
        ["booqable", "--demo", "stats", "orders", "--demo-orders", "2", "--stat", "total=count"],
    )
    with pytest.raises(SystemExit) as exit_info:
        runpy.run_path(str(Path(cli.__file__).with_name("__main__.py")), run_name="__main__")
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == "total count: 2"
