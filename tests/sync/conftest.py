"""Sync test helpers: a fake served over HTTP, jobs into temporary DuckDB files, reads.

The fake runs on the test's event loop (``fake.serve()`` on 127.0.0.1, a free port) and
the sync runs on a worker thread (dlt is synchronous and runs the resources on its own
event loop), exactly as ``booqable sync`` does, so the fake keeps answering meanwhile.
"""

from __future__ import annotations

import asyncio
import collections
import json
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import duckdb
import pytest

from booqable_async.retry import RetryPolicy
from booqable_async.session import Hooks, RequestEvent
from booqable_async.sync import (
    SyncJob,
    SyncReport,
    client_factory,
    duckdb_destination,
)
from booqable_async.testing import FakeBooqable, ServedFake

#: Small but complete: every default resource has records, no tie fills a page.
COMPANY = {"seed": 3, "orders": 150, "customers": 40, "product_groups": 6}
#: Retries with short real waits.
FAST_RETRY = RetryPolicy(max_attempts=6, backoff_base=0.01, backoff_cap=0.1, max_wait=2.0)
DATASET = "booqable_test"


def company() -> FakeBooqable:
    """A fresh fake holding the test company."""
    return FakeBooqable.demo(**COMPANY)


@attrs.define
class Traffic:
    """Requests the sync's clients made: (monotonic time, path, status)."""

    seen: list[tuple[float, str, int | None]] = attrs.field(factory=list)

    def hooks(self) -> Hooks:
        def on_response(event: RequestEvent) -> None:
            path = event.path.removeprefix("/api/4/")
            self.seen.append((time.monotonic(), path, event.status))

        return Hooks(on_response=on_response)

    def by_path(self) -> collections.Counter[str]:
        return collections.Counter(path for _, path, _ in self.seen)

    def statuses(self) -> collections.Counter[int | None]:
        return collections.Counter(status for _, _, status in self.seen)


@attrs.define
class Env:
    """A served fake and the paths one test syncs into."""

    fake: FakeBooqable
    served: ServedFake
    tmp: Path
    traffic: Traffic = attrs.field(factory=Traffic)

    @property
    def db(self) -> Path:
        return self.tmp / "booqable.duckdb"

    def job(self, resources: tuple[str, ...] | None = None, **options: Any) -> SyncJob:
        token = options.pop("token", self.fake.token)
        db = options.pop("db", self.db)
        factory = client_factory(
            base_url=self.served.base_url,
            token=token,
            retry=FAST_RETRY,
            hooks=self.traffic.hooks(),
            rate_limit=options.pop("rate_limit", True),
        )
        extra = {"resources": resources} if resources else {}
        return SyncJob(
            client=factory,
            company="test",
            destination=options.pop("destination", duckdb_destination(db)),
            dataset=DATASET,
            pipelines_dir=self.tmp / "pipelines",
            **extra,
            **options,
        )

    async def sync(self, job: SyncJob | None = None, **run: Any) -> SyncReport:
        return await asyncio.to_thread((job or self.job()).run, **run)


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    fake = company()
    served = await fake.serve().start()
    try:
        yield Env(fake, served, tmp_path)
    finally:
        await served.stop()


def table(db: Path, name: str, dataset: str = DATASET) -> dict[str, dict[str, Any]]:
    """Every row of a synced table by id, without dlt's bookkeeping columns."""
    with duckdb.connect(str(db), read_only=True) as connection:
        cursor = connection.execute(f"SELECT * FROM {dataset}.{name}")
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return {row["id"]: {k: v for k, v in row.items() if not k.startswith("_dlt_")} for row in rows}


def snapshot(db: Path, names: tuple[str, ...], dataset: str = DATASET) -> dict[str, Any]:
    """Full contents of tables (with dlt's load ids: equal means nothing was written)."""
    out: dict[str, Any] = {}
    with duckdb.connect(str(db), read_only=True) as connection:
        for name in names:
            rows = connection.execute(f"SELECT * FROM {dataset}.{name} ORDER BY id").fetchall()
            out[name] = rows
        out["_loads"] = connection.execute(
            f"SELECT load_id, status FROM {dataset}._dlt_loads ORDER BY load_id"
        ).fetchall()
    return out


def as_json(value: Any) -> Any:
    """A JSON column's value as Python data (DuckDB returns JSON as text)."""
    return json.loads(value) if isinstance(value, str) else value


Check = Callable[[Any, Any], bool]


@attrs.frozen
class CliResult:
    """An in-process run of ``booqable``."""

    code: int
    out: str
    err: str


async def run_cli(*argv: str, environ: dict[str, str] | None = None) -> CliResult:
    """Run the command in process, on a worker thread (it runs its own event loop)."""
    import io

    from booqable_async.cli._main import main

    out, err = io.StringIO(), io.StringIO()
    code = await asyncio.to_thread(main, list(argv), environ=environ or {}, stdout=out, stderr=err)
    return CliResult(code, out.getvalue(), err.getvalue())


def cli_args(
    env: Env, *extra: str, db: Path | None = None, pipelines: Path | None = None
) -> list[str]:
    """``booqable sync`` options pointing at the served fake and the test's paths."""
    return [
        "sync",
        "--base-url",
        env.served.base_url,
        "--token",
        env.fake.token,
        "--name",
        "test",
        "--dataset",
        DATASET,
        "--db",
        str(db or env.db),
        "--pipelines-dir",
        str(pipelines or env.tmp / "pipelines"),
        "--no-progress",
        *extra,
    ]


def console_script() -> str:
    """The installed ``booqable`` command (the tests run it as a real process)."""
    import sys

    exe = Path(sys.executable).with_name("booqable")
    assert exe.exists(), "install the package (make install) to get the console script"
    return str(exe)


def process_env() -> dict[str, str]:
    """The environment for ``booqable`` run as a process: no credentials, no telemetry."""
    import os

    environ = {k: v for k, v in os.environ.items() if not k.startswith("BOOQABLE_")}
    environ.pop("COVERAGE_PROCESS_START", None)
    environ["RUNTIME__DLTHUB_TELEMETRY"] = "false"
    return environ


def pending(env: Env) -> bool:
    """True when dlt's working directory holds a package read but not loaded yet."""
    root = env.tmp / "pipelines" / "booqable_test"
    return any(root.glob("load/normalized/*")) or any(root.glob("normalize/extracted/*"))


@pytest.fixture
def free_port() -> int:
    """A TCP port on 127.0.0.1 nothing listens on."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture(scope="session")
def postgres_dsn() -> Iterator[str]:
    """A DSN of a real PostgreSQL server started for the session (skips without one)."""
    import os

    from tests.sync.postgres_server import find_bin, postgres_server

    bin_dir = find_bin()
    if bin_dir is None:
        reason = "PostgreSQL is not installed (Debian package postgresql; .ci/run installs it)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    with postgres_server(bin_dir) as dsn:
        yield dsn
