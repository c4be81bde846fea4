"""Bad input: one line, a distinct exit code, nothing written, the database as it was."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.sync.conftest import DATASET, Env, cli_args, run_cli, snapshot

TABLES = ("customers", "orders")


async def _synced(env: Env) -> dict[str, object]:
    result = await run_cli(*cli_args(env, *TABLES))
    assert result.code == 0, result.err
    return snapshot(env.db, TABLES)


def _one_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    assert lines[0].startswith("booqable: error: "), text
    return lines[0]


async def test_an_unknown_resource_is_a_usage_error_before_any_request(env: Env) -> None:
    result = await run_cli(*cli_args(env, "ordres"))

    assert result.code == 2
    line = _one_line(result.err)
    assert "ordres" in line
    assert "orders" in line  # the suggestion
    assert not env.db.exists()
    assert len(env.fake.requests) == 0


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("availabilities",), "needs filter["),
        (("--all", "orders"), "not both"),
        (("--destination", "postgres"), "needs --dsn"),
        (("--destination", "postgres", "--dsn", "mysql://x/y"), "postgresql://"),
        (("--every", "soon"), "not an interval"),
        (("--duckdb-memory", "plenty"), "a size like 64MB"),
        (
            ("--destination", "postgres", "--dsn", "postgresql://h/d", "--duckdb-memory", "1GB"),
            "--duckdb-memory is for DuckDB",
        ),
    ],
)
async def test_other_usage_errors(env: Env, args: tuple[str, ...], expected: str) -> None:
    argv = cli_args(env)
    if "--destination" in args:
        at = argv.index("--db")
        del argv[at : at + 2]
    result = await run_cli(*argv, *args)

    assert result.code == 2, result.err
    assert expected in _one_line(result.err)
    assert len(env.fake.requests) == 0


async def test_no_credentials_without_demo_exits_non_zero(tmp_path: Path) -> None:
    result = await run_cli("sync", "--db", str(tmp_path / "x.duckdb"), "--no-progress")

    assert result.code == 2
    line = _one_line(result.err)
    for name in ("BOOQABLE_COMPANY", "BOOQABLE_API_KEY", "--demo"):
        assert name in line
    assert not (tmp_path / "x.duckdb").exists()


async def test_a_wrong_token_loads_nothing_and_keeps_the_database(env: Env) -> None:
    before = await _synced(env)
    env.fake.update("customers", env.fake.all("customers")[0]["id"], name="Changed")
    argv = cli_args(env, *TABLES)
    argv[argv.index("--token") + 1] = "wrong-token-1234"

    result = await run_cli(*argv)

    assert result.code == 1
    line = _one_line(result.err)
    assert "401" in line or "nauthori" in line
    assert "wrong-token-1234" not in result.err
    assert snapshot(env.db, TABLES) == before


async def test_an_unwritable_path_is_one_line(env: Env, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")

    result = await run_cli(*cli_args(env, *TABLES, db=blocker / "sub" / "b.duckdb"))

    assert result.code == 1
    assert "cannot write the database" in _one_line(result.err)
    assert len(env.fake.requests) == 0


async def test_a_wrong_dsn_is_one_line_without_the_password(env: Env, free_port: int) -> None:
    argv = cli_args(env, *TABLES)
    at = argv.index("--db")
    del argv[at : at + 2]
    dsn = f"postgresql://sync:s3cret-pw@127.0.0.1:{free_port}/nowhere"

    result = await run_cli(*argv, "--destination", "postgres", "--dsn", dsn)

    assert result.code == 1
    line = _one_line(result.err)
    assert "cannot use the destination" in line
    assert "s3cret-pw" not in result.err
    assert len(env.fake.requests) == 0


@pytest.mark.parametrize(
    ("alteration", "expected"),
    [
        ("ALTER TABLE {t} DROP COLUMN email", "has no column 'email'"),
        ("ALTER TABLE {t} ALTER COLUMN archived TYPE VARCHAR", "column 'archived'"),
        ("DROP TABLE {t}", "is missing"),
    ],
)
async def test_a_table_altered_by_hand_stops_the_sync_before_reading(
    env: Env, alteration: str, expected: str
) -> None:
    await _synced(env)
    with duckdb.connect(str(env.db)) as connection:
        connection.execute(alteration.format(t=f"{DATASET}.customers"))
    altered = snapshot(env.db, ("orders",))
    env.fake.update("orders", env.fake.all("orders")[0]["id"], tag_list=["changed"])
    requests = len(env.fake.requests)

    result = await run_cli(*cli_args(env, *TABLES))

    assert result.code == 1
    line = _one_line(result.err)
    assert expected in line
    assert "customers" in line
    assert len(env.fake.requests) == requests  # nothing was read
    assert snapshot(env.db, ("orders",)) == altered
