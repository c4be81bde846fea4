"""Worker test helpers: many fake companies over HTTP, a tenants file, worker processes.

Each company is a FakeBooqable of its own, served on the test's event loop (127.0.0.1, a
free port) with its own rate budget and real 429s; a middleware notes when each request
arrived. Workers run as real ``booqable worker`` processes on a real redis-server, and
their DuckDB files are read after they stop.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import duckdb
import pytest
from aiohttp import web
from redis.asyncio import Redis

from booqable_async.testing import FakeBooqable
from booqable_async.workers import CompanyStatus, StatusStore
from tests.redis_server import RedisServer, free_port

#: Small companies: every resource of the test has records, pages stay small.
COMPANY = {"orders": 120, "customers": 20, "product_groups": 4}
RESOURCES = ("customers", "orders", "lines")
LIMIT = 60.0


@attrs.define
class Company:
    """One fake company served over HTTP, with the arrival time of every request."""

    name: str
    fake: FakeBooqable
    runner: web.AppRunner
    port: int
    arrivals: list[tuple[float, int]] = attrs.field(factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/4"

    def statuses(self) -> list[int]:
        return [status for _, status in self.arrivals]


async def serve_company(name: str, seed: int, rate_limit: tuple[int, float]) -> Company:
    fake = FakeBooqable.demo(seed=seed, company=name, rate_limit=rate_limit, **COMPANY)
    app = fake.app()
    company: Company | None = None

    @web.middleware
    async def note(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        arrived = time.monotonic()
        response = await handler(request)
        assert company is not None
        company.arrivals.append((arrived, response.status))
        return response

    app.middlewares.append(note)
    runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    company = Company(name, fake, runner, port)
    return company


@attrs.define
class Fleet:
    """Companies, their tenants file, a Redis, and worker processes."""

    tmp: Path
    redis: RedisServer
    companies: list[Company] = attrs.field(factory=list)
    workers: list[asyncio.subprocess.Process] = attrs.field(factory=list)

    @property
    def config(self) -> Path:
        return self.tmp / "tenants.toml"

    def write_config(self, page_size: int = 5) -> None:
        lines = [
            "[defaults]",
            'schedule = "0 3 * * *"',
            f'database = "{self.tmp}/db/{{company}}.duckdb"',
            f'pipelines_dir = "{self.tmp}/pipelines"',
            f"resources = {list(RESOURCES)!r}".replace("'", '"'),
            f"page_size = {page_size}",
        ]
        for index, company in enumerate(self.companies):
            lines += [
                "",
                "[[tenants]]",
                f'company = "{company.name}"',
                f'base_url = "{company.base_url}"',
                f'token_env = "TOKEN_{index}"',
            ]
        (self.tmp / "db").mkdir(exist_ok=True)
        self.config.write_text("\n".join(lines) + "\n")

    def environ(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("BOOQABLE_")}
        env.pop("COVERAGE_PROCESS_START", None)
        env["RUNTIME__DLTHUB_TELEMETRY"] = "false"
        for index, company in enumerate(self.companies):
            env[f"TOKEN_{index}"] = company.fake.token
        return env

    async def start_worker(self, *extra: str) -> asyncio.subprocess.Process:
        exe = Path(sys.executable).with_name("booqable")
        assert exe.exists(), "install the package (make install) to get the console script"
        log = os.open(self.tmp / f"worker-{len(self.workers)}.log", os.O_WRONLY | os.O_CREAT)
        process = await asyncio.create_subprocess_exec(
            str(exe),
            "worker",
            "--redis",
            self.redis.url,
            "--config",
            str(self.config),
            "--heartbeat",
            "2",
            "--sweep-every",
            "1",
            "--retry-delay",
            "0.5",
            "--log-level",
            os.environ.get("WORKER_LOG_LEVEL", "warning"),
            *extra,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=log,
            env=self.environ(),
        )
        os.close(log)  # the worker has its own copy
        self.workers.append(process)
        return process

    async def schedule(self, *argv: str) -> str:
        exe = Path(sys.executable).with_name("booqable")
        process = await asyncio.create_subprocess_exec(
            str(exe),
            "schedule",
            *argv,
            "--redis",
            self.redis.url,
            "--config",
            str(self.config),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=self.environ(),
        )
        out, err = await asyncio.wait_for(process.communicate(), LIMIT)
        assert process.returncode == 0, err.decode()
        return out.decode()

    async def statuses(self) -> dict[str, CompanyStatus]:
        client = Redis.from_url(self.redis.url)
        try:
            return await StatusStore(client, "booqable").all()
        finally:
            await client.aclose()

    async def wait_until(
        self, done: Callable[[dict[str, CompanyStatus]], bool], limit: float = LIMIT
    ) -> dict[str, CompanyStatus]:
        deadline = time.monotonic() + limit
        while True:
            try:
                statuses = await self.statuses()
            except OSError:
                statuses = {}
            if done(statuses):
                return statuses
            if time.monotonic() > deadline:
                logs = "\n".join(p.read_text()[-3000:] for p in self.tmp.glob("worker-*.log"))
                pytest.fail(f"workers did not get there in {limit} s: {statuses}\n{logs}")
            await asyncio.sleep(0.2)

    async def stop_workers(self) -> None:
        for process in self.workers:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        for process in self.workers:
            try:
                await asyncio.wait_for(process.wait(), 30)
            except asyncio.TimeoutError:  # pragma: no cover - a stuck worker
                process.kill()
                await process.wait()

    def rows(self, company: Company, table: str) -> list[str]:
        """Ids of every row of a company's table (read after the workers stopped)."""
        path = self.tmp / "db" / f"{company.name}.duckdb"
        with duckdb.connect(str(path), read_only=True) as connection:
            dataset = f"booqable_{company.name}"
            return [
                r[0] for r in connection.execute(f"SELECT id FROM {dataset}.{table}").fetchall()
            ]

    def assert_exactly_once(self, company: Company) -> None:
        for table in RESOURCES:
            ids = self.rows(company, table)
            assert len(ids) == len(set(ids)), f"{company.name}.{table} has duplicates"
            assert len(ids) == company.fake.count(table), f"{company.name}.{table} incomplete"


def all_ok(names: list[str]) -> Callable[[dict[str, CompanyStatus]], bool]:
    return lambda statuses: all(
        statuses.get(n) is not None and statuses[n].state == "ok" for n in names
    )


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(free_port(), tmp_path).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def fleet(tmp_path: Path, redis_server: RedisServer) -> AsyncIterator[Fleet]:
    fleet = Fleet(tmp_path, redis_server)
    try:
        yield fleet
    finally:
        for process in fleet.workers:
            if process.returncode is None:
                process.kill()
                await process.wait()
        for company in fleet.companies:
            await company.runner.cleanup()


async def add_companies(fleet: Fleet, count: int, rate_limit: tuple[int, float]) -> None:
    for index in range(count):
        company = await serve_company(f"co{index}", seed=index, rate_limit=rate_limit)
        fleet.companies.append(company)
    fleet.write_config()


def budget_used(company: Company, limit: int, period: float) -> float:
    """Requests per period while the company was busy, as a share of its budget."""
    times = sorted(t for t, _ in company.arrivals)
    busy = times[-1] - times[0]
    return len(times) / (busy / period) / limit if busy > 0 else 0.0


__all__: list[Any] = []
