"""The command run in process: every command, error path and interrupt, with coverage."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import shlex
import signal
import sys
from pathlib import Path
from typing import Any

import pytest

import booqable_async.cli
from booqable_async import BooqableClient
from booqable_async.cli._connect import Backend, Connection
from booqable_async.errors import UsageError
from booqable_async.query import Query
from booqable_async.retry import RetryPolicy
from booqable_async.testing import FakeBooqable
from tests.cli.conftest import clean_env, fake_factory, run_main

DEMO30 = FakeBooqable.demo(seed=0, orders=30, customers=10, product_groups=3)
DEMO30_IDS = [o["id"] for o in DEMO30.listed("orders")]  # newest first, as GET /orders


def small_demo(**kwargs: Any) -> FakeBooqable:
    return FakeBooqable.demo(seed=0, orders=30, customers=10, product_groups=3, **kwargs)


def ids_in(path: Path, fmt: str = "jsonl") -> list[str]:
    text = path.read_text()
    if fmt == "json":
        return [r["id"] for r in json.loads(text)]
    if fmt == "csv":
        return [r["id"] for r in csv.DictReader(io.StringIO(text))]
    return [json.loads(line)["id"] for line in text.splitlines()]


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "json"])
def test_pull_from_the_embedded_demo(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"o.{fmt}"
    result = run_main(
        ["pull", "orders", "--demo", "--demo-orders", "30", "--out", str(out), "--page-size", "7"]
    )
    assert result.code == 0, result.err
    assert ids_in(out, fmt) == [o["id"] for o in FakeBooqable.demo(orders=30).listed("orders")]
    assert "embedded demo company" in result.err
    assert "pulled 30 orders (5 pages)" in result.err


def test_pull_to_stdout(capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    fake = small_demo()
    result = run_main(["pull", "orders", "--fields", "number"], factory=fake_factory(fake))
    assert result.code == 0, result.err
    lines = capfdbinary.readouterr().out.decode().splitlines()
    assert [json.loads(line)["id"] for line in lines] == DEMO30_IDS


def test_pull_with_stats_summary_and_extra_fields(tmp_path: Path) -> None:
    fake = small_demo()
    out = tmp_path / "o.csv"
    result = run_main(
        [
            "pull",
            "orders",
            "--out",
            str(out),
            "--format",
            "csv",
            "--where",
            "status=reserved",
            "--stat",
            "grand_total_in_cents=sum,average",
            "--stat",
            "total=count",
            "--sort",
            "-number",
            "--no-progress",
        ],
        factory=fake_factory(fake),
    )
    assert result.code == 0, result.err
    reserved = [o for o in fake.all("orders") if o["status"] == "reserved"]
    assert sorted(ids_in(out, "csv")) == sorted(o["id"] for o in reserved)
    total = sum(o["grand_total_in_cents"] for o in reserved)
    assert f"grand_total_in_cents sum: {total:,} (= {total / 100:,.2f})" in result.err
    assert f"total count: {len(reserved)}" in result.err


def test_get_and_stats(tmp_path: Path) -> None:
    fake = small_demo()
    order = next(o for o in fake.all("orders") if o["customer_id"])
    got = run_main(
        ["get", "orders", order["id"], "--include", "customer", "--fields", "number"],
        factory=fake_factory(fake),
    )
    assert got.code == 0, got.err
    record = json.loads(got.out)
    assert record["attributes"] == {"number": order["number"]}
    assert record["relationships"]["customer"]["data"]["id"] == order["customer_id"]

    stats = run_main(
        ["stats", "orders", "--stat", "status=count", "--stat", "total=count"],
        factory=fake_factory(fake),
    )
    assert stats.code == 0, stats.err
    statuses: dict[str, int] = {}
    for o in fake.all("orders"):
        statuses[o["status"]] = statuses.get(o["status"], 0) + 1
    first = stats.out.splitlines()[0]
    assert first.startswith("status count: ")
    assert all(f"{k}: {v}" in first for k, v in statuses.items())
    assert "total count: 30" in stats.out

    as_json = run_main(
        ["stats", "orders", "--stat", "total=count", "--format", "json"],
        factory=fake_factory(fake),
    )
    assert json.loads(as_json.out) == {"total": {"count": 30}}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["pull", "orders", "--where", "number=x"], "filter number: 'x' is not an integer"),
        (["pull", "orders", "--filter", "bogus"], "--filter takes field[operator]=value"),
        (["pull", "orders", "--stat", "nope"], "--stat takes field=aggregation"),
        (["pull", "orders", "--resume", "abc", "--resume-file", "x"], "not both"),
        (["pull", "orders", "--resume", "!!"], "token is damaged"),
        (["pull", "orders", "--resume-file", "/nonexistent/x"], "no resume file"),
        (["pull", "orders", "--concurrency", "0"], "must be at least 1"),
        (["pull", "orders", "--page-size", "x"], "is not a whole number"),
        (["pull", "orders", "--demo-orders", "-1"], "must be 0 or more"),
        (["pull", "orders", "--demo-orders", "y"], "is not a whole number"),
        (["pull", "orders", "--timeout", "0"], "must be more than 0"),
        (["pull", "orders", "--timeout", "soon"], "is not a number of seconds"),
        (["pull", "order_fulfillments"], "Booqable offers no list for order_fulfillments"),
        (["get", "orders", " "], "ID must not be empty"),
        (["get", "orders", "x", "--include", "nope"], "include"),
        (["stats", "orders", "--stat", "total=sum"], "stats"),
        (["pull"], "the following arguments are required: RESOURCE"),
        ([], "the following arguments are required: COMMAND"),
    ],
)
def test_usage_errors(argv: list[str], message: str) -> None:
    result = run_main(argv)
    assert result.code == 2
    assert message in result.err
    assert result.err.startswith("booqable: error: ")
    assert len(result.err.strip().splitlines()) == 1


def test_resume_state_for_another_pull_is_refused(tmp_path: Path) -> None:
    fake = small_demo(faults="500@2")
    out = tmp_path / "o.jsonl"
    first = run_main(
        ["pull", "orders", "--out", str(out), "--page-size", "10", "--retries", "0"],
        factory=fake_factory(fake, retry=RetryPolicy.never()),
    )
    assert first.code == 1
    token = first.err.split("--resume ")[-1].strip()
    other = run_main(["pull", "customers", "--resume", token])
    assert other.code == 2
    assert "belongs to a pull of orders, not customers" in other.err
    fmt = run_main(["pull", "orders", "--resume", token, "--out", "x.csv"])
    assert fmt.code == 2
    assert "belongs to a jsonl output, not csv: add --format jsonl" in fmt.err
    query = run_main(
        ["pull", "orders", "--resume", token, "--out", str(out), "--where", "status=new"],
        factory=fake_factory(fake),
    )
    assert query.code == 2
    assert "different query" in query.err
    # The partial file was changed since: resuming into it would corrupt it.
    partial = Path(f"{out}.partial")
    partial.write_text("")
    changed = run_main(
        ["pull", "orders", "--resume", token, "--out", str(out)], factory=fake_factory(fake)
    )
    assert changed.code == 2
    assert "it was changed since" in changed.err
    partial.unlink()
    gone = run_main(
        ["pull", "orders", "--resume", token, "--out", str(out)], factory=fake_factory(fake)
    )
    assert gone.code == 2
    assert f"the interrupted pull's '{partial}' is gone" in gone.err
    assert not out.exists()


def test_failure_mid_pull_then_resume(tmp_path: Path) -> None:
    fake = small_demo(faults="500@3")
    out = tmp_path / "o.json"
    out.write_text("[]\n")  # the previous export
    argv = ["pull", "orders", "--out", str(out), "--page-size", "10", "--concurrency", "1"]
    failed = run_main(argv, factory=fake_factory(fake, retry=RetryPolicy.never()))
    assert failed.code == 1
    lines = failed.err.strip().splitlines()
    assert lines[0].startswith("booqable: error: HTTP 500 for GET ")
    assert "stopped by an error after 20 of 30 orders" in lines[1]
    assert out.read_text() == "[]\n"
    assert ids_in(Path(f"{out}.partial"), "json") == DEMO30_IDS[:20]
    command = shlex.split(lines[2].split("continue with: ", 1)[1])
    resumed = run_main(command[1:], factory=fake_factory(fake))
    assert resumed.code == 0, resumed.err
    assert ids_in(out, "json") == DEMO30_IDS
    assert not Path(f"{out}.partial").exists()


def test_failure_on_the_first_page_just_reports_it(tmp_path: Path) -> None:
    fake = small_demo(token="right")
    out = tmp_path / "o.jsonl"

    async def wrong_token(connection: Connection, stderr: Any) -> Backend:
        transport = fake.transport()
        client = BooqableClient(base_url=fake.base_url, token="wrong", transport=transport)
        return Backend(client, cleanup=(transport,))

    out.write_text('{"id": "kept"}\n')  # a good export from yesterday
    result = run_main(["pull", "orders", "--out", str(out)], factory=wrong_token)
    assert result.code == 1
    lines = result.err.strip().splitlines()
    assert lines[0].startswith("booqable: error: HTTP 401")
    assert lines[0].endswith("(check the access token: BOOQABLE_API_KEY or --token)")
    # It used to truncate the file and call the empty result a valid document.
    assert lines[1] == (
        f"booqable: stopped by an error before any orders arrived; {out} is untouched."
    )
    assert len(lines) == 2
    assert out.read_text() == '{"id": "kept"}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o.jsonl"]  # nothing left behind
    get = run_main(["get", "orders", "x"], factory=wrong_token)
    assert get.code == 1
    assert "HTTP 401" in get.err


def test_unreachable_server_is_a_transport_error() -> None:
    env = clean_env(BOOQABLE_API_KEY="t0ken-value", BOOQABLE_BASE_URL="http://127.0.0.1:9/api/4")
    result = run_main(
        ["stats", "orders", "--stat", "total=count", "--retries", "0", "--timeout", "5"], env=env
    )
    assert result.code == 1
    assert result.err.startswith("booqable: error: could not connect")
    assert "t0ken-value" not in result.err


def interrupting_sleep(fake_sleep: Any = None) -> Any:
    async def sleep(seconds: float) -> None:
        os.kill(os.getpid(), signal.SIGINT)
        await asyncio.sleep(seconds)

    return sleep


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_in_process_then_resume(tmp_path: Path) -> None:
    # The third request is "delayed": the fake's sleep sends us SIGINT, as a user would.
    fake = small_demo(faults="delay=30@3", sleep=interrupting_sleep())
    out = tmp_path / "o.jsonl"
    out.write_text("")
    argv = ["pull", "orders", "--out", str(out), "--page-size", "10", "--concurrency", "1"]
    stopped = run_main(argv, factory=fake_factory(fake))
    assert stopped.code == 130, stopped.err
    assert out.read_text() == ""
    assert ids_in(Path(f"{out}.partial")) == DEMO30_IDS[:20]
    assert "interrupted after 20 of 30 orders" in stopped.err
    command = shlex.split(stopped.err.split("continue with: ", 1)[1].splitlines()[0])
    resumed = run_main(command[1:], factory=fake_factory(fake))
    assert resumed.code == 0, resumed.err
    assert ids_in(out) == DEMO30_IDS


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_outside_a_pull() -> None:
    fake = small_demo(faults="delay=30@1", sleep=interrupting_sleep())
    result = run_main(["stats", "orders", "--stat", "total=count"], factory=fake_factory(fake))
    assert result.code == 130
    assert result.err.strip() == "booqable: interrupted"


def test_records_moving_during_the_pull_is_a_one_line_warning(tmp_path: Path) -> None:
    holder: dict[str, FakeBooqable] = {}

    async def adding_sleep(seconds: float) -> None:
        holder["fake"].add("orders", status="new")

    fake = small_demo(faults="delay=1@2", sleep=adding_sleep)
    holder["fake"] = fake
    out = tmp_path / "o.jsonl"
    result = run_main(
        ["pull", "orders", "--out", str(out), "--page-size", "10", "--concurrency", "1"],
        factory=fake_factory(fake),
    )
    assert result.code == 0, result.err
    warning = [line for line in result.err.splitlines() if "warning" in line]
    assert len(warning) == 1
    assert warning[0].startswith("booqable: warning: the collection changed while paging")


def test_rich_missing_says_how_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "rich", None)
    assert booqable_async.cli.main(["pull", "orders"]) == 1
    assert capsys.readouterr().err.strip() == booqable_async.cli.INSTALL_HINT
    assert "pip install 'booqable-async[cli]'" in booqable_async.cli.INSTALL_HINT


def test_package_main_runs_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    code = booqable_async.cli.main(
        ["--demo", "stats", "orders", "--demo-orders", "3", "--stat", "total=count"]
    )
    assert code == 0
    assert capsys.readouterr().out.strip() == "total count: 3"


def test_serve_fake_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_main(
        [
            "--debug",
            "serve-fake",
            "--orders",
            "2",
            "--customers",
            "1",
            "--product-groups",
            "1",
            "--lifetime",
            "0.05",
        ]
    )
    assert result.code == 0
    assert "BOOQABLE_BASE_URL=http://127.0.0.1:" in capsys.readouterr().out


def test_broken_pipe_is_quiet() -> None:
    class Closed(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError

    fake = small_demo()
    out, err = Closed(), io.StringIO()
    from booqable_async.cli._main import main

    code = main(
        ["stats", "orders", "--stat", "total=count"],
        environ=clean_env(BOOQABLE_BASE_URL="http://fake.invalid/api/4", BOOQABLE_API_KEY="t"),
        stdout=out,
        stderr=err,
        backend_factory=fake_factory(fake),
    )
    assert code == 1
    assert err.getvalue() == ""


def test_debug_prints_the_traceback() -> None:
    fake = small_demo(faults="500@1")
    result = run_main(
        ["--debug", "get", "orders", "x"], factory=fake_factory(fake, retry=RetryPolicy.never())
    )
    assert result.code == 1
    assert "Traceback (most recent call last)" in result.err
    assert result.err.strip().splitlines()[-1].startswith("booqable: error: HTTP 500")


def test_an_unknown_operator_is_the_apis_usage_error_before_any_request() -> None:
    # It used to be sent as a hash filter, filter[number][greater]=5, and fail as HTTP 400.
    fake = small_demo()
    result = run_main(
        ["pull", "orders", "--filter", "number[greater]=5"], factory=fake_factory(fake)
    )
    assert result.code == 2
    with pytest.raises(UsageError) as api:
        Query().filter("number", "greater", 5)
    assert result.err == f"booqable: error: {api.value}\n"
    assert "did you mean 'gt'" in result.err
    assert len(fake.requests) == 0
    # The same holds for stats, and a dict where no hash filter exists is refused too.
    stats = run_main(
        ["stats", "orders", "--stat", "total=count", "--filter", "number[greater]=5"],
        factory=fake_factory(fake),
    )
    assert stats.code == 2
    assert "did you mean 'gt'" in stats.err
    assert len(fake.requests) == 0


def client_factory(fake: FakeBooqable, **options: Any) -> Any:
    async def factory(connection: Connection, stderr: Any) -> Backend:
        return Backend(fake.client(**options))

    return factory


@pytest.mark.parametrize(
    ("faults", "left_behind"),
    [
        (None, []),  # auth: the token is refused (401)
        ("500@1", []),  # the first page fails
        ("500@3", ["o.csv.partial", "o.csv.resume.json"]),  # mid-pull
        ("reset_after@2", ["o.csv.partial", "o.csv.resume.json"]),  # the connection drops
    ],
)
def test_no_failure_changes_an_existing_output(
    tmp_path: Path, faults: str, left_behind: list[str]
) -> None:
    fake = small_demo(faults=faults)
    out = tmp_path / "o.csv"
    out.write_bytes(b"id\r\nyesterday\r\n")
    out.chmod(0o640)
    argv = ["pull", "orders", "--out", str(out), "--page-size", "10", "--concurrency", "1"]
    token = fake.token if faults else "wrong"
    failed = run_main(argv, factory=client_factory(fake, token=token, retry=RetryPolicy.never()))
    assert failed.code == 1, failed.err
    assert out.read_bytes() == b"id\r\nyesterday\r\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["o.csv", *left_behind])
    # The next good run replaces it whole (keeping its permission bits).
    done = run_main(argv, factory=fake_factory(fake))
    assert done.code == 0, done.err
    assert ids_in(out, "csv") == DEMO30_IDS
    assert out.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o.csv"]
    if left_behind:  # the fresh run said it replaced the earlier run's partial file
        assert f"the unfinished {out}.partial of an earlier pull is replaced" in done.err
