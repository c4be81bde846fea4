"""The ``booqable`` console script, run in a subprocess against a fake served on 127.0.0.1."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import DEMO, Served, clean_env, expected_demo, run_cli, serve

pytestmark = pytest.mark.slow

FAKE = expected_demo()
ORDERS = {o["id"]: o for o in FAKE.all("orders")}
CUSTOMERS = {c["id"]: c for c in FAKE.all("customers")}


def read_records(path: Path, fmt: str) -> list[dict[str, Any]]:
    text = path.read_text()
    if fmt == "jsonl":
        return [json.loads(line) for line in text.splitlines()]
    if fmt == "json":
        data = json.loads(text)
        assert isinstance(data, list)
        return data
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "json"])
def test_pull_every_order_in_every_format(served: Served, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"orders.{fmt}"
    result = run_cli("pull", "orders", "--out", str(out), "--page-size", "25", env=served.env())
    assert result.returncode == 0, result.stderr
    records = read_records(out, fmt)
    ids = [r["id"] for r in records]
    assert sorted(ids) == sorted(ORDERS)  # every id exactly once
    assert len(ids) == len(set(ids)) == DEMO["orders"]
    for record in records:
        expected = ORDERS[record["id"]]
        if fmt == "csv":
            assert record["number"] == (
                "" if expected["number"] is None else str(expected["number"])
            )
            assert record["status"] == expected["status"]
            assert int(record["grand_total_in_cents"]) == expected["grand_total_in_cents"]
        else:
            assert record["type"] == "orders"
            assert record["attributes"]["number"] == expected["number"]
            assert record["attributes"]["status"] == expected["status"]
    assert f"pulled {DEMO['orders']} orders (5 pages) into {out}" in result.stderr
    assert served.token not in result.stderr + result.stdout
    assert not Path(f"{out}.resume.json").exists()


def test_pull_filters_and_include(served: Served, tmp_path: Path) -> None:
    out = tmp_path / "reserved.jsonl"
    result = run_cli(
        "pull",
        "orders",
        "--where",
        "status=reserved,started",
        "--filter",
        "number[gte]=10",
        "--include",
        "customer",
        "--sort",
        "-number",
        "--out",
        str(out),
        env=served.env(),
    )
    assert result.returncode == 0, result.stderr
    records = read_records(out, "jsonl")
    expected = sorted(
        (
            o
            for o in ORDERS.values()
            if o["status"] in ("reserved", "started") and (o["number"] or 0) >= 10
        ),
        key=lambda o: -o["number"],
    )
    assert expected, "the demo company has reserved orders"
    assert [r["id"] for r in records] == [o["id"] for o in expected]
    for record in records:
        customer = record["relationships"]["customer"]["data"]
        owner = ORDERS[record["id"]]["customer_id"]
        if owner is None:
            assert customer is None
        else:
            assert customer["id"] == owner
            assert customer["attributes"]["name"] == CUSTOMERS[owner]["name"]


def test_pull_to_stdout_as_json_lines(served: Served) -> None:
    result = run_cli("pull", "customers", "--fields", "name", env=served.env())
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert sorted(r["id"] for r in lines) == sorted(CUSTOMERS)
    assert all(set(r["attributes"]) == {"name"} for r in lines)
    assert "into stdout" in result.stderr


def test_get_prints_the_record_with_included_ones(served: Served) -> None:
    order = next(o for o in ORDERS.values() if o["customer_id"])
    result = run_cli("get", "orders", order["id"], "--include", "customer", env=served.env())
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["id"] == order["id"]
    assert record["attributes"]["number"] == order["number"]
    customer = record["relationships"]["customer"]["data"]
    assert customer["attributes"]["name"] == CUSTOMERS[order["customer_id"]]["name"]


def test_stats(served: Served) -> None:
    result = run_cli(
        "stats",
        "orders",
        "--stat",
        "total=count",
        "--stat",
        "grand_total_in_cents=sum",
        "--where",
        "status=reserved",
        "--format",
        "json",
        env=served.env(),
    )
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout)
    reserved = [o for o in ORDERS.values() if o["status"] == "reserved"]
    assert stats["total"]["count"] == len(reserved)
    assert stats["grand_total_in_cents"]["sum"] == sum(o["grand_total_in_cents"] for o in reserved)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["pull", "orders", "--filter", "number[gte]=ten"],
            "filter number: 'ten' is not an integer",
        ),
        (["pull", "orders", "--where", "stauts=new"], "unknown filter field 'stauts'"),
        (["pull", "ordres"], "unknown Booqable resource type 'ordres'; did you mean 'orders'?"),
        (
            ["pull", "orders", "--include", "lines"],
            "'lines' is not allowed on list (allowed: coupon, customer, properties, "
            "start_location, stop_location); get() allows it",
        ),
        (["pull", "orders", "--page-size", "500"], "over 100"),
        (["stats", "orders", "--stat", "number=sum"], "stats"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(
    served: Served, args: list[str], message: str
) -> None:
    result = run_cli(*args, env=served.env())
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_wrong_token_is_one_line_exit_1_and_never_shows_the_token(served: Served) -> None:
    secret = "sekrit-token-1234567890abcdef"
    result = run_cli("pull", "orders", env=served.env(BOOQABLE_API_KEY=secret))
    assert result.returncode == 1
    assert "HTTP 401" in result.stderr
    assert "check the access token" in result.stderr
    assert secret not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr
    debug = run_cli("--debug", "get", "orders", "x", env=served.env(BOOQABLE_API_KEY=secret))
    assert debug.returncode == 1
    assert "Traceback" in debug.stderr
    assert secret not in debug.stderr + debug.stdout


def test_server_errors_are_retried_then_reported(tmp_path: Path) -> None:
    flaky = serve("--faults", "503@2,500@3")
    try:
        out = tmp_path / "orders.jsonl"
        ok = run_cli("pull", "orders", "--out", str(out), "--page-size", "50", env=flaky.env())
        assert ok.returncode == 0, ok.stderr
        assert sorted(r["id"] for r in read_records(out, "jsonl")) == sorted(ORDERS)
    finally:
        flaky.stop()
    broken = serve("--faults", "500@2-1000")
    try:
        out = tmp_path / "broken.json"
        failed = run_cli(
            "pull",
            "orders",
            "--out",
            str(out),
            "--page-size",
            "50",
            "--retries",
            "0",
            env=broken.env(),
        )
        assert failed.returncode == 1
        lines = failed.stderr.strip().splitlines()
        assert lines[0].startswith("booqable: error: HTTP 500 for GET http://127.0.0.1:")
        assert "stopped by an error after 50 of 120 orders" in lines[1]
        assert f"they are in {out}.partial (a valid json document)" in lines[1]
        assert "--resume-file" in lines[2]
        # The partial file is a valid JSON array of the first page; the output is not made.
        assert len(read_records(tmp_path / "broken.json.partial", "json")) == 50
        assert not out.exists()
    finally:
        broken.stop()


def test_no_credentials_is_an_error_not_the_demo_company(tmp_path: Path) -> None:
    # A cron job whose environment lost BOOQABLE_* used to pull 2,000 fake orders, exit 0.
    out = tmp_path / "demo" / "orders.jsonl"
    refused = run_cli("pull", "orders", "--out", str(out), env=clean_env())
    assert refused.returncode == 2
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("booqable: error: no credentials")
    for name in ("BOOQABLE_COMPANY", "BOOQABLE_API_KEY", "--demo"):
        assert name in lines[0]
    assert not out.parent.exists()  # nothing was written, not even the directory


def test_demo_runs_in_process_and_says_so_in_one_line(tmp_path: Path) -> None:
    out = tmp_path / "demo" / "orders.jsonl"
    result = run_cli(
        "pull",
        "orders",
        "--demo",
        "--demo-orders",
        "60",
        "--include",
        "customer",
        "--out",
        str(out),
        "--stat",
        "grand_total_in_cents=sum",
        env=clean_env(),
    )
    assert result.returncode == 0, result.stderr
    notes = result.stderr.strip().splitlines()
    assert len(notes) == 2
    assert notes[0].startswith("booqable: --demo: using the embedded demo company")
    assert "grand_total_in_cents sum:" in notes[1]
    assert len(read_records(out, "jsonl")) == 60
    forced = run_cli(
        "--demo",
        "stats",
        "orders",
        "--stat",
        "total=count",
        "--demo-orders",
        "7",
        env=clean_env(BOOQABLE_API_KEY="x", BOOQABLE_COMPANY="acme"),
    )
    assert forced.returncode == 0, forced.stderr
    assert forced.stderr.startswith("booqable: --demo: using the embedded demo company")
    assert forced.stdout.strip() == "total count: 7"


def test_serve_fake_delegates_to_the_server() -> None:
    result = run_cli(
        "serve-fake",
        "--orders",
        "3",
        "--customers",
        "2",
        "--product-groups",
        "1",
        "--lifetime",
        "0.2",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("BOOQABLE_BASE_URL=http://127.0.0.1:")
    assert "3 orders" in result.stdout


def test_module_entry_point_and_help() -> None:
    import subprocess

    result = subprocess.run(
        [sys.executable, "-m", "booqable_async.cli", "pull", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=clean_env(),
    )
    assert result.returncode == 0
    assert "--resume-file" in result.stdout
