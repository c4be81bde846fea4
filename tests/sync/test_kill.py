"""``kill -9`` of ``booqable sync`` mid-run, then a rerun: the tables of a clean run.

The command runs as a real process (the console script) against the fake served on the
test's loop; it is killed with SIGKILL at several points: while reading, and between
reading and loading (a package waiting in dlt's working directory). The rerun finishes
what is pending and reads on; its tables must equal, row for row, those of one clean run
into another file, with no duplicates.
"""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import pytest

from booqable_async.sync import DEFAULT_RESOURCES
from tests.sync.conftest import (
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


async def _run_and_kill(env: Env, *, after_requests: int | None) -> None:
    process = await asyncio.create_subprocess_exec(
        console_script(),
        *cli_args(env),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
        env=process_env(),
    )
    start = len(env.fake.requests)
    deadline = asyncio.get_running_loop().time() + LIMIT
    try:
        while process.returncode is None:
            assert asyncio.get_running_loop().time() < deadline, "the sync did not get there"
            if after_requests is not None and len(env.fake.requests) - start >= after_requests:
                break
            if after_requests is None and pending(env):
                break
            await asyncio.sleep(0.002)
        assert process.returncode is None, "the sync finished before it could be killed"
        process.send_signal(signal.SIGKILL)
    finally:
        if process.returncode is None:
            process.kill()
        await asyncio.wait_for(process.wait(), LIMIT)
    assert process.returncode == -signal.SIGKILL


@pytest.mark.parametrize("after_requests", [3, 25, None], ids=["early", "mid-read", "pre-load"])
async def test_a_killed_sync_rerun_equals_a_clean_run(
    env: Env, after_requests: int | None, tmp_path: Path
) -> None:
    await _run_and_kill(env, after_requests=after_requests)
    if after_requests is None:
        assert pending(env), "the kill was meant to leave a package for the rerun"

    rerun = await run_cli(*cli_args(env))
    assert rerun.code == 0, rerun.err
    clean_db = tmp_path / "clean" / "clean.duckdb"
    clean = await run_cli(*cli_args(env, db=clean_db, pipelines=tmp_path / "clean-pipelines"))
    assert clean.code == 0, clean.err

    for resource in DEFAULT_RESOURCES:
        assert table(env.db, resource) == table(clean_db, resource), resource
        assert len(table(env.db, resource)) == env.fake.count(resource)
