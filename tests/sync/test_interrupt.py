"""Ctrl-C (SIGINT) and SIGTERM during ``booqable sync``: a clean stop, then a rerun.

The command runs as a real process against the fake served on the test's loop and gets
the signal at two points of its first run: while reading (the run stops at the next page
and loads nothing), and while loading (the load finishes: a load is never left half
done). Either way it exits with 130 (SIGINT) or 143 (SIGTERM) and says
so in one line, and a rerun ends with the tables of one clean run into another file.
"""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import duckdb
import pytest

from booqable_async.sync import DEFAULT_RESOURCES
from tests.sync.conftest import (
    DATASET,
    Env,
    cli_args,
    console_script,
    pending,
    process_env,
    run_cli,
    table,
)

pytestmark = pytest.mark.slow

LIMIT = 60.0


def _row_counts(db: Path) -> dict[str, int]:
    """Rows per table of the dataset (a table that does not exist is absent)."""
    if not db.exists():
        return {}
    with duckdb.connect(str(db), read_only=True) as connection:
        names = [
            name
            for (name,) in connection.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = ?",
                [DATASET],
            ).fetchall()
        ]
        return {
            name: connection.execute(f"SELECT count(*) FROM {DATASET}.{name}").fetchone()[0]  # type: ignore[index]
            for name in names
        }


def _loading(env: Env) -> bool:
    """True once the run's package is normalized: its load has started."""
    return any((env.tmp / "pipelines" / "booqable_test").glob("load/normalized/*"))


async def _run_and_signal(
    env: Env, signum: int, *, after_requests: int | None
) -> tuple[int | None, str, str]:
    process = await asyncio.create_subprocess_exec(
        console_script(),
        *cli_args(env),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=process_env(),
    )
    start = len(env.fake.requests)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + LIMIT
    output = asyncio.ensure_future(process.communicate())
    try:
        while not output.done():
            assert loop.time() < deadline, "the sync did not get there"
            if after_requests is not None and len(env.fake.requests) - start >= after_requests:
                break
            if after_requests is None and _loading(env):
                break
            await asyncio.sleep(0.002)
        assert not output.done(), "the sync finished before it could be interrupted"
        process.send_signal(signum)
        out, err = await asyncio.wait_for(output, LIMIT)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    return process.returncode, out.decode(), err.decode()


@pytest.mark.parametrize(
    ("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["SIGINT", "SIGTERM"]
)
@pytest.mark.parametrize("after_requests", [10, None], ids=["reading", "loading"])
async def test_an_interrupted_sync_stops_cleanly_and_a_rerun_equals_a_clean_run(
    env: Env, signum: int, code: int, after_requests: int | None, tmp_path: Path
) -> None:
    returncode, out, err = await _run_and_signal(env, signum, after_requests=after_requests)

    assert returncode == code, err
    assert err.splitlines() == ["booqable: interrupted"], err
    assert out == ""  # no summary: the run did not finish
    counts = _row_counts(env.db)
    resources = {name: n for name, n in counts.items() if not name.startswith("_dlt_")}
    if after_requests is not None:
        # Stopped while reading: nothing of the run was loaded.
        assert resources == {}
        assert counts.get("_dlt_loads", 0) == 0
    else:
        # Stopped once reading was done: the load finished, whole.
        assert resources == {name: env.fake.count(name) for name in DEFAULT_RESOURCES}
        assert counts["_dlt_loads"] == 1
    assert not pending(env)

    rerun = await run_cli(*cli_args(env))
    assert rerun.code == 0, rerun.err
    clean_db = tmp_path / "clean" / "clean.duckdb"
    clean = await run_cli(*cli_args(env, db=clean_db, pipelines=tmp_path / "clean-pipelines"))
    assert clean.code == 0, clean.err
    for resource in DEFAULT_RESOURCES:
        assert table(env.db, resource) == table(clean_db, resource), resource
        assert len(table(env.db, resource)) == env.fake.count(resource)
