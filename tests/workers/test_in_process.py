"""The workers in this process: tenants file, schedules, statuses, parking, the commands.

A SyncWorker runs on the test's event loop against fakes served over HTTP and a real
redis-server; the end-to-end tests with worker processes are in test_fleet.py and
test_recovery.py.
"""

from __future__ import annotations

import asyncio
import io
import json
import time
from pathlib import Path

import pytest
from redis.asyncio import Redis

from booqable_async import errors
from booqable_async.auth import OAuth2Auth, OAuth2Token, TokenAuth
from booqable_async.cli._main import main
from booqable_async.workers import (
    JobOptions,
    Scheduler,
    StatusStore,
    create_worker,
    load_config,
    parse_config,
)
from tests.redis_server import RedisServer
from tests.workers.conftest import Fleet, add_companies

TENANT = {"company": "acme", "token_env": "ACME"}


def test_a_tenants_file_is_read_with_defaults_and_paths(tmp_path: Path) -> None:
    (tmp_path / "token").write_text("file-token\n")
    (tmp_path / "oauth.json").write_text(json.dumps(OAuth2Token("at", "rt").to_dict()))
    (tmp_path / "tenants.toml").write_text(
        """
[defaults]
schedule = "*/5 * * * *"
database = "db/{company}.duckdb"
pipelines_dir = "work"
resources = ["orders"]

[[tenants]]
company = "acme"
token_env = "ACME"

[[tenants]]
company = "globex"
token_file = "token"
schedule = "0 * * * *"
sweep = true
page_size = 50

[[tenants]]
company = "initech"
oauth = { client_id_env = "ID", client_secret_env = "SECRET", token_file = "oauth.json" }

[[tenants]]
company = "local"
base_url = "http://127.0.0.1:1/api/4"
token = "inline"
dsn_env = "DSN"
"""
    )
    config = load_config(tmp_path / "tenants.toml")
    assert config.pipelines_dir == tmp_path / "work"
    acme, globex, initech, local = config.select(())
    assert acme.schedule == "*/5 * * * *"
    assert acme.resources == ("orders",)
    assert globex.schedule == "0 * * * *"
    assert globex.sweep
    environ = {"ACME": "env-token", "ID": "id", "SECRET": "secret", "DSN": "postgresql://x@h/db"}
    assert isinstance(acme.auth(environ), TokenAuth)
    assert isinstance(globex.auth(environ), TokenAuth)
    assert isinstance(initech.auth(environ), OAuth2Auth)
    assert isinstance(local.auth(environ), TokenAuth)
    assert acme.destination(environ).path == tmp_path / "db" / "acme.duckdb"
    assert local.destination(environ).kind == "postgres"
    job = globex.sync_job(False, config.pipelines_dir, environ)
    assert job.page_size == 50
    assert job.company == "globex"
    assert "env-token" not in repr(acme)
    assert "inline" not in repr(local)
    assert config.select(["globex"]) == [globex]
    # A refreshed OAuth2 token goes back to its file, readable by its owner only.
    assert initech.oauth is not None
    initech.oauth.save(OAuth2Token("new-at", "new-rt"))
    saved = tmp_path / "oauth.json"
    assert json.loads(saved.read_text())["access_token"] == "new-at"
    assert saved.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "no \\[\\[tenants\\]\\]"),
        ({"tenants": [TENANT], "extra": 1}, "unknown setting"),
        ({"tenants": [TENANT], "defaults": []}, "must be a table"),
        ({"tenants": [TENANT], "defaults": {"colour": 1}}, "unknown setting"),
        ({"tenants": ["acme"]}, "must be a table"),
        ({"tenants": [{"company": ""}]}, "non-empty"),
        ({"tenants": [{"company": "a"}]}, "exactly one of"),
        ({"tenants": [{**TENANT, "token": "t"}]}, "exactly one of"),
        ({"tenants": [{**TENANT, "schedule": "often"}]}, "not a cron"),
        ({"tenants": [{**TENANT, "resources": "orders"}]}, "list of resource"),
        ({"tenants": [{**TENANT, "resources": ["nope"]}]}, "nope"),
        ({"tenants": [{**TENANT, "sweep": "yes"}]}, "true or false"),
        ({"tenants": [{**TENANT, "page_size": 500}]}, "1 to 100"),
        ({"tenants": [{**TENANT, "oauth": 1, "token_env": None}]}, "exactly one"),
        ({"tenants": [{"company": "a", "oauth": 1}]}, "oauth must be a table"),
        ({"tenants": [{"company": "a", "oauth": {"x": 1}}]}, "unknown setting"),
        ({"tenants": [TENANT, TENANT]}, "listed twice"),
    ],
)
def test_bad_tenants_files_are_usage_errors(data: dict[str, object], message: str) -> None:
    with pytest.raises(errors.UsageError, match=message):
        parse_config(data)


def test_unreadable_files_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(errors.UsageError, match="cannot read the tenants file"):
        load_config(tmp_path / "missing.toml")
    (tmp_path / "bad.toml").write_text("[[tenants]\n")
    with pytest.raises(errors.UsageError, match="not valid TOML"):
        load_config(tmp_path / "bad.toml")
    config = parse_config(
        {
            "tenants": [
                {"company": "a", "token_file": str(tmp_path / "none")},
                {"company": "b", "token_file": str(tmp_path / "empty")},
                {
                    "company": "c",
                    "oauth": {
                        "client_id_env": "I",
                        "client_secret_env": "S",
                        "token_file": str(tmp_path / "none"),
                    },
                },
                {"company": "d", "token_env": "UNSET"},
            ]
        }
    )
    (tmp_path / "empty").write_text("")
    a, b, c, d = config.select(())
    with pytest.raises(errors.UsageError, match="cannot read the token file"):
        a.auth({})
    with pytest.raises(errors.UsageError, match="is empty"):
        b.auth({})
    with pytest.raises(errors.UsageError, match="OAuth2 token file"):
        c.auth({"I": "i", "S": "s"})
    with pytest.raises(errors.UsageError, match="UNSET is not set"):
        d.auth({})
    with pytest.raises(errors.UsageError, match="no tenant 'zz'"):
        config.tenant("zz")


async def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = await asyncio.to_thread(main, list(argv), environ={}, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


async def test_a_worker_syncs_parks_and_reports(fleet: Fleet, redis_server: RedisServer) -> None:
    await add_companies(fleet, 2, (1000, 1.0))
    config = load_config(fleet.config)
    environ = fleet.environ()
    environ["TOKEN_1"] = "revoked-token"  # the second company's token is rejected
    worker = create_worker(
        config,
        redis_server.url,
        options=JobOptions(heartbeat=2, retries=3, retry_delay=0.1),
        environ=environ,
        schedule_every=0.2,
        sweep_every=1,
    )
    await worker.queue.connect()
    running = asyncio.create_task(worker.start())
    try:
        assert worker.scheduler is not None
        # Nothing is due on a fresh deployment: the next cron time is noted.
        assert await worker.scheduler.run_due(time.time()) == []
        queue_args = ("--redis", redis_server.url, "--config", str(fleet.config))
        code, out, _ = await _cli("schedule", "run", *queue_args)
        assert code == 0
        assert out.count(": queued") == 2
        await fleet.wait_until(
            lambda s: (
                s.get("co0") is not None
                and s["co0"].state == "ok"
                and s.get("co1") is not None
                and s["co1"].parked
            )
        )
        code, out, _ = await _cli("schedule", "list", *queue_args)
        assert code == 0
        assert "co0" in out
        assert "parked" in out
        assert "booqable schedule unpark co1" in out
        assert "revoked-token" not in out
        # A parked company is neither run nor queued by hand until unparked.
        code, out, _ = await _cli("schedule", "run", "co1", *queue_args)
        assert "parked (unpark it first)" in out
        code, out, _ = await _cli("schedule", "unpark", "co1", *queue_args)
        assert "unparked" in out
        code, out, _ = await _cli("schedule", "park", "co0", "--reason", "holiday", *queue_args)
        assert "co0: parked" in out
        # Made due now: the scheduler skips the parked one and queues the other.
        client = Redis.from_url(redis_server.url)
        try:
            await client.hset("booqable:workers:booqable:next", mapping={"co0": 1, "co1": 1})
        finally:
            await client.aclose()
        assert await worker.scheduler.run_due(time.time()) == ["co1"]
        await fleet.wait_until(lambda s: s["co1"].parked and s["co1"].updated is not None)
    finally:
        await worker.stop()
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
        await worker.queue.disconnect()
    fleet.assert_exactly_once(fleet.companies[0])


async def test_schedule_ticks_once_per_interval_and_with_the_lock(
    redis_server: RedisServer,
) -> None:
    from saq.queue.redis import RedisQueue

    config = parse_config({"tenants": [{**TENANT, "schedule": "* * * * *"}]})
    queue = RedisQueue.from_url(redis_server.url, name="ticks")
    status = StatusStore(queue.redis, "ticks")
    one = Scheduler(queue, config.tenants.values(), status, JobOptions(), every=30)
    other = Scheduler(queue, config.tenants.values(), status, JobOptions(), every=30)
    try:
        await queue.connect()
        assert await one.tick() == []  # notes the next run
        assert await one.tick() == []  # too soon
        assert await other.tick() == []  # the lock is held
        nexts = await one.next_runs()
        assert await one.run_due(nexts["acme"] + 1) == ["acme"]
        assert await one.run_due(nexts["acme"] + 1) == []  # moved on
    finally:
        await queue.disconnect()


async def test_commands_need_redis_and_a_tenants_file(tmp_path: Path) -> None:
    code, _, err = await _cli("worker")
    assert code == 2
    assert "--redis" in err
    code, _, err = await _cli("schedule", "list", "--redis", "redis://127.0.0.1:1/0")
    assert code == 2
    assert "--config" in err
