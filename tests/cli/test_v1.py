"""``booqable v1 pull|get``: the legacy API v1 from the command line, and its API key.

The key travels in every URL (``?api_key=``): whatever happens (a DEBUG log, an error
in the middle of a pull, a refused key, a redirect whose Location repeats it), it must
never reach the command's stdout or stderr.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from booqable_async import Query
from booqable_async.cli._connect import AnyBackend, Connection, open_backend
from booqable_async.cli._resume import ResumeState
from booqable_async.cli._v1 import export_record
from booqable_async.errors import UsageError
from booqable_async.pagination import ResumePoint
from booqable_async.testing import FakeBooqable
from booqable_async.transport import HttpRequest, HttpResponse, MockTransport, Transport
from tests.cli.conftest import Result, Served, clean_env, run_cli, run_main
from tests.conftest import LeakGuard
from tests.leaks import API_KEY, find_leaks, masked

WRONG_KEY = "f0e1d2c3b4a5968778695a4b3c2d1e0f"


@pytest.fixture(autouse=True)
def _keys_are_secrets(leak_guard: LeakGuard) -> None:
    leak_guard.register(API_KEY)
    leak_guard.register(WRONG_KEY)


def small_demo(**kwargs: Any) -> FakeBooqable:
    fake = FakeBooqable.demo(seed=0, orders=30, customers=45, product_groups=3, **kwargs)
    fake.add_token(API_KEY)
    return fake


def v1_env(fake: FakeBooqable, key: str = API_KEY) -> dict[str, str]:
    """The environment of a real run against ``fake``'s v1 face."""
    return clean_env(BOOQABLE_V1_BASE_URL=fake.v1_base_url, BOOQABLE_API_KEY=key)


def through(transport: Callable[[], Transport]) -> Any:
    """The command's own ``open_backend``, with a transport to the fake (no sockets).

    Everything else is what a real run does: the key comes from the environment (or
    ``--token``) through the connection into the client.
    """

    async def factory(connection: Connection, stderr: Any) -> AnyBackend:
        return await open_backend(connection, stderr, transport=transport())

    return factory


def assert_no_key(result: Result, *keys: str) -> None:
    for text in (result.out, result.err):
        for key in keys or (API_KEY,):
            assert key not in text
            leaks = find_leaks(text, {key})
            assert not leaks, masked(text, leaks)


async def v1_records(fake: FakeBooqable, resource: str, **params: Any) -> list[dict[str, Any]]:
    async with fake.v1_client() as client:
        facade = getattr(client, resource)
        return [export_record(r) async for r in facade.list(**params)]


def jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


# -- what it does ---------------------------------------------------------------------


@pytest.mark.parametrize("resource", ["customers", "orders", "product_groups"])
def test_pull_every_record_as_v1_shows_it(tmp_path: Path, resource: str) -> None:
    fake = small_demo()
    out = tmp_path / f"{resource}.jsonl"
    result = run_main(
        ["v1", "pull", resource, "--out", str(out), "--page-size", "10"],
        env=v1_env(fake),
        factory=through(fake.transport),
    )
    assert result.code == 0, result.err
    expected = asyncio.run(v1_records(fake, resource))
    assert expected
    assert jsonl(out) == json.loads(json.dumps(expected))
    assert len({r["id"] for r in expected}) == len(expected)
    assert result.err.startswith(f"booqable: pulled {len(expected)} {resource} ")
    assert all(r.startswith("/api/1/") for r in (q.path for q in fake.requests))
    if resource == "orders":
        assert jsonl(out)[0]["customer"]["name"]  # v1 nests each order's customer


def test_pull_from_the_demo_company_in_csv_and_json(tmp_path: Path) -> None:
    csv_out, json_out = tmp_path / "c.csv", tmp_path / "c.json"
    for out in (csv_out, json_out):
        result = run_main(
            ["v1", "pull", "orders", "--demo", "--demo-orders", "25", "--out", str(out)]
        )
        assert result.code == 0, result.err
        assert "through its API v1 face" in result.err
    rows = list(csv.DictReader(io.StringIO(csv_out.read_text())))
    records = json.loads(json_out.read_text())
    assert [r["id"] for r in rows] == [r["id"] for r in records]
    assert len(rows) == 25
    first_row, first = rows[0], records[0]
    assert list(first_row)[:4] == ["id", "created_at", "updated_at", "number"]
    assert first_row["status"] == first["status"]
    assert json.loads(first_row["customer"]) == first["customer"]  # nested: JSON in a cell
    assert first_row["tags"] == json.dumps(first["tags"], separators=(",", ":"))
    assert "extra" not in first_row
    # The members the model does not name are in JSON (legacy_id), never in CSV.
    assert "legacy_id" in first
    assert "legacy_id" not in first_row


def test_search_and_tag_reach_v1(tmp_path: Path) -> None:
    fake = small_demo()
    some = asyncio.run(v1_records(fake, "customers"))[3]
    term = some["name"].split()[0]
    out = tmp_path / "found.jsonl"
    found = run_main(
        ["v1", "pull", "customers", "--search", term, "--out", str(out)],
        env=v1_env(fake),
        factory=through(fake.transport),
    )
    assert found.code == 0, found.err
    expected = asyncio.run(v1_records(fake, "customers", q=term))
    assert [r["id"] for r in jsonl(out)] == [r["id"] for r in expected]
    assert some["id"] in [r["id"] for r in expected]
    assert len(expected) < fake.count("customers")
    assert any(f"q={term}" in r.query for r in fake.requests)
    tagged = run_main(
        ["v1", "pull", "product_groups", "--tag", "nope", "--collection-id", "c1"],
        env=v1_env(fake),
        factory=through(fake.transport),
    )
    assert tagged.code == 0, tagged.err
    assert "tag=nope" in fake.requests[-1].query
    assert "collection_id=c1" in fake.requests[-1].query


def test_get_by_id_or_number(tmp_path: Path) -> None:
    fake = small_demo()

    async def read() -> tuple[dict[str, Any], dict[str, Any]]:
        async with fake.v1_client() as client:
            return (
                export_record(await client.orders.get(3)),
                export_record(
                    await client.product_groups.get(fake.listed("product_groups")[0]["id"])
                ),
            )

    order, group = asyncio.run(read())
    by_number = run_main(
        ["v1", "get", "orders", "3"], env=v1_env(fake), factory=through(fake.transport)
    )
    assert by_number.code == 0, by_number.err
    assert json.loads(by_number.out) == json.loads(json.dumps(order))
    assert order["lines"]  # single records nest their lines
    by_id = run_main(
        ["v1", "get", "product_groups", group["id"]],
        env=v1_env(fake),
        factory=through(fake.transport),
    )
    assert json.loads(by_id.out) == json.loads(json.dumps(group))
    missing = run_main(
        ["v1", "get", "customers", "nobody"], env=v1_env(fake), factory=through(fake.transport)
    )
    assert missing.code == 1
    assert missing.err.startswith("booqable: error: HTTP 404")
    assert_no_key(by_number)
    assert_no_key(missing)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["v1", "pull", "customers", "--tag", "x"], "--tag is for product_groups, not customers"),
        (["v1", "pull", "product_groups", "--search", "x"], "--search is for customers and orders"),
        (["v1", "pull", "customers", "--where", "name=x"], "unrecognized arguments: --where"),
        (["v1", "pull", "stock_items"], "invalid choice: 'stock_items'"),
        (["v1", "get", "orders", " "], "ID must not be empty"),
        (["v1", "pull", "orders", "--page-size", "500"], "over 100"),
        (["v1", "stats", "orders"], "invalid choice: 'stats'"),
    ],
)
def test_the_command_line_is_checked_before_anything_starts(argv: list[str], message: str) -> None:
    result = run_main([*argv, "--demo"], env=clean_env())
    assert result.code == 2
    assert message in result.err
    assert "demo company" not in result.err  # nothing was started


def test_no_credentials_is_exit_2_naming_the_variables_and_demo() -> None:
    result = run_main(["v1", "pull", "customers"], env=clean_env())
    assert result.code == 2
    assert result.err == (
        "booqable: error: no credentials: set BOOQABLE_COMPANY and BOOQABLE_API_KEY (or pass "
        "--company and --token), or pass --demo for the embedded demo company\n"
    )
    # v4's base URL points at /api/4/: v1 does not take it for a company.
    v4_only = run_main(
        ["v1", "get", "orders", "1"],
        env=clean_env(BOOQABLE_BASE_URL="https://acme.booqable.com/api/4/", BOOQABLE_API_KEY="k"),
    )
    assert v4_only.code == 2
    assert "which company? set BOOQABLE_COMPANY" in v4_only.err
    assert "or BOOQABLE_V1_BASE_URL" in v4_only.err
    no_key = run_main(["v1", "get", "orders", "1"], env=clean_env(BOOQABLE_COMPANY="acme"))
    assert no_key.code == 2
    assert "no API key: set BOOQABLE_API_KEY or pass --token" in no_key.err


def test_the_company_and_key_make_the_v1_root() -> None:
    seen: list[str] = []

    def answer(request: HttpRequest) -> HttpResponse:
        seen.append(request.url)
        return HttpResponse(
            200, {"Content-Type": "application/json"}, b'{"customer": {"id": "c1"}}'
        )

    result = run_main(
        ["v1", "get", "customers", "c1"],
        env=clean_env(BOOQABLE_COMPANY="acme", BOOQABLE_API_KEY=API_KEY),
        factory=through(lambda: MockTransport(answer)),
    )
    assert result.code == 0, result.err
    assert json.loads(result.out)["id"] == "c1"
    assert seen == [f"https://acme.booqable.com/api/1/customers/c1?api_key={API_KEY}"]
    assert_no_key(result)


# -- safe output ----------------------------------------------------------------------


def test_a_failure_mid_pull_keeps_the_output_then_resumes(tmp_path: Path) -> None:
    fake = small_demo(faults="GET:503@3")
    out = tmp_path / "customers.json"
    out.write_text("[]\n")  # yesterday's export
    argv = ["v1", "pull", "customers", "--out", str(out), "--page-size", "10", "--concurrency", "1"]
    failed = run_main([*argv, "--retries", "0"], env=v1_env(fake), factory=through(fake.transport))
    assert failed.code == 1
    lines = failed.err.strip().splitlines()
    assert lines[0].startswith("booqable: error: HTTP 503 for GET ")
    assert "api_key=REDACTED" in lines[0]
    assert "stopped by an error after 20 of 45 customers" in lines[1]
    assert out.read_text() == "[]\n"
    command = shlex.split(lines[2].split("continue with: ", 1)[1])
    assert command[:4] == ["booqable", "v1", "pull", "customers"]
    resumed = run_main(command[1:], env=v1_env(fake), factory=through(fake.transport))
    assert resumed.code == 0, resumed.err
    ids = [r["id"] for r in json.loads(out.read_text())]
    assert ids == [r["id"] for r in asyncio.run(v1_records(fake, "customers"))]
    assert not Path(f"{out}.partial").exists()
    assert_no_key(failed)
    assert_no_key(resumed)


def test_a_resume_state_of_another_api_is_refused(tmp_path: Path) -> None:
    point = ResumePoint(page_number=2, page_size=10, items_yielded=10)
    v4_state = ResumeState("customers", "jsonl", point).to_token()
    result = run_main(["v1", "pull", "customers", "--resume", v4_state, "--demo"], env=clean_env())
    assert result.code == 2
    assert "belongs to a pull through API v4, not v1" in result.err
    v1_state = ResumeState("customers", "jsonl", point, api="v1").to_token()
    back = run_main(["pull", "customers", "--resume", v1_state, "--demo"], env=clean_env())
    assert back.code == 2
    assert "belongs to a pull through API v1, not v4" in back.err
    # States written before v1 pulls existed have no api: they are v4's.
    legacy = ResumeState("customers", "jsonl", point).to_dict()
    del legacy["api"]
    assert ResumeState.from_dict(legacy).api == "v4"
    legacy["api"] = "v9"
    with pytest.raises(UsageError, match="not a booqable resume state"):
        ResumeState.from_dict(legacy)


# -- the API key never shows ----------------------------------------------------------


def test_debug_logging_masks_the_key(tmp_path: Path) -> None:
    fake = small_demo()
    out = tmp_path / "o.jsonl"
    result = run_main(
        ["--debug", "v1", "pull", "orders", "--out", str(out), "--page-size", "10"],
        env=v1_env(fake),
        factory=through(fake.transport),
    )
    assert result.code == 0, result.err
    assert "DEBUG" in result.err
    assert "api_key=REDACTED" in result.err
    assert len(jsonl(out)) == 30
    assert_no_key(result)


@pytest.mark.parametrize("faults", ["GET:503@2-9", "GET:reset_before@2-9", "GET:html502@2-9"])
def test_errors_mid_pull_never_show_the_key(tmp_path: Path, faults: str) -> None:
    fake = small_demo(faults=faults)
    out = tmp_path / "c.csv"
    result = run_main(
        [
            "--debug",
            "v1",
            "pull",
            "customers",
            "--out",
            str(out),
            "--page-size",
            "10",
            "--concurrency",
            "1",
            "--retries",
            "1",
            "--token",
            API_KEY,
        ],
        env=clean_env(BOOQABLE_V1_BASE_URL=fake.v1_base_url),
        factory=through(fake.transport),
    )
    assert result.code == 1
    assert "DEBUG" in result.err
    assert "stopped by an error after 10 of 45 customers" in result.err
    assert "(--token is left out above" in result.err  # the resume command drops it
    # A single read that fails prints its traceback with --debug.
    got = run_main(
        ["--debug", "v1", "get", "customers", "1", "--retries", "0"],
        env=v1_env(fake),
        factory=through(fake.transport),
    )
    assert got.code == 1
    assert "Traceback (most recent call last)" in got.err
    assert_no_key(result)
    assert_no_key(got)


def test_a_wrong_key_is_401_and_never_shown(tmp_path: Path) -> None:
    fake = small_demo()
    out = tmp_path / "c.jsonl"
    out.write_text('{"id": "kept"}\n')
    pulled = run_main(
        ["--debug", "v1", "pull", "customers", "--out", str(out)],
        env=v1_env(fake, key=WRONG_KEY),
        factory=through(fake.transport),
    )
    assert pulled.code == 1
    assert "booqable: error: HTTP 401" in pulled.err
    assert "(check the access token: BOOQABLE_API_KEY or --token)" in pulled.err
    assert out.read_text() == '{"id": "kept"}\n'
    got = run_main(
        ["v1", "get", "orders", "1", "--token", WRONG_KEY],
        env=clean_env(BOOQABLE_V1_BASE_URL=fake.v1_base_url),
        factory=through(fake.transport),
    )
    assert got.code == 1
    assert got.err.startswith("booqable: error: HTTP 401")
    assert_no_key(pulled, WRONG_KEY)
    assert_no_key(got, WRONG_KEY)


@pytest.mark.parametrize("argv", [["v1", "get", "orders", "7"], ["v1", "pull", "customers"]])
def test_a_redirect_is_not_followed_and_its_location_never_shown(argv: list[str]) -> None:
    sent: list[str] = []

    def redirect(request: HttpRequest) -> HttpResponse:
        sent.append(request.url)
        location = request.url.replace("https://acme.booqable.com", "https://elsewhere.example")
        return HttpResponse(301, {"Location": location, "Content-Type": "text/html"}, b"Moved")

    result = run_main(
        ["--debug", *argv],
        env=clean_env(BOOQABLE_COMPANY="acme", BOOQABLE_API_KEY=API_KEY),
        factory=through(lambda: MockTransport(redirect)),
    )
    assert result.code == 1
    assert len(sent) == 1  # never followed
    assert "HTTP 301" in result.err
    assert_no_key(result)


def test_the_console_script_against_a_served_fake(served: Served, tmp_path: Path) -> None:
    """The whole real path: a subprocess, aiohttp, a socket, DEBUG logging on stderr."""
    out = tmp_path / "orders.jsonl"
    v1_root = served.base_url.replace("/api/4", "/api/1/")
    env = clean_env(BOOQABLE_V1_BASE_URL=v1_root, BOOQABLE_API_KEY=served.token)
    pulled = run_cli("--debug", "v1", "pull", "orders", "--out", str(out), env=env)
    assert pulled.returncode == 0, pulled.stderr
    assert "api_key=REDACTED" in pulled.stderr
    assert len(out.read_text().splitlines()) == 120
    refused = run_cli(
        "--debug", "v1", "get", "orders", "1", env={**env, "BOOQABLE_API_KEY": WRONG_KEY}
    )
    assert refused.returncode == 1
    assert "HTTP 401" in refused.stderr
    for run, key in ((pulled, served.token), (refused, WRONG_KEY)):
        for text in (run.stdout, run.stderr):
            assert key not in text
            assert not find_leaks(text, {key})


# -- the seam -------------------------------------------------------------------------


async def test_the_v1_backend_beyond_what_the_commands_use() -> None:
    fake = small_demo()
    backend = await open_backend(
        Connection(demo=False, token=API_KEY, base_url=fake.v1_base_url, api="v1"),
        io.StringIO(),
        transport=fake.transport(),
    )
    assert repr(Connection(demo=True, api="v1")) == "Connection('demo', api='v1')"
    page = await backend.first_page("customers", Query().page(size=5))
    assert len(page.data) == 5
    with pytest.raises(UsageError, match="takes no includes or fields"):
        await backend.get("orders", "1", include=["customer"], fields=None)
    await backend.aclose()
