"""The three ways to serve: in-process transport, aiohttp app over 127.0.0.1, the CLI."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import aiohttp
import orjson
import pytest

from booqable_async.testing import FakeBooqable
from booqable_async.testing.server import build_parser, main, serve
from booqable_async.transport import HttpRequest, Transport

ROOT = Path(__file__).resolve().parents[2]


async def test_in_process_transport_is_a_transport() -> None:
    fake = FakeBooqable()
    fake.add("customers", name="Jane")
    transport = fake.transport()
    assert isinstance(transport, Transport)
    async with transport:
        response = await transport.send(
            HttpRequest(
                "GET", f"{fake.base_url}/customers", {"Authorization": f"Bearer {fake.token}"}
            )
        )
    assert response.status == 200
    assert orjson.loads(response.body)["data"][0]["attributes"]["name"] == "Jane"
    assert fake.base_url == "https://demo.booqable.com/api/4"
    assert fake.requests[-1].path == "/api/4/customers"


def _session() -> aiohttp.ClientSession:
    # force_close: one connection per request, so aiohttp never retries on a stale one.
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True))


async def test_aiohttp_app_over_loopback() -> None:
    fake = FakeBooqable()
    fake.add("customers", name="Jane")
    headers = {"Authorization": f"Bearer {fake.token}"}
    async with fake.serve() as served, _session() as session:
        assert served.base_url.startswith("http://127.0.0.1:")
        assert served.port > 0
        async with session.get(
            f"{served.base_url}/customers?filter[name]=jane", headers=headers
        ) as r:
            assert r.status == 200
            assert r.headers["Content-Type"] == "application/vnd.api+json; charset=utf-8"
            assert r.headers["X-Ratelimit-Limit"] == "10000"
            assert (await r.json(content_type=None))["data"][0]["attributes"]["name"] == "Jane"
        body = b'{"data":{"type":"customers","attributes":{"name":"Bob"}}}'
        async with session.post(f"{served.base_url}/customers", data=body, headers=headers) as r:
            assert r.status == 201
        async with session.get(f"{served.base_url}/customers") as r:
            assert r.status == 401
        async with session.get(
            f"http://127.0.0.1:{served.port}/api/boomerang/customers", headers=headers
        ) as r:
            assert r.status == 200
    assert fake.count("customers") == 2


async def test_http_faults_break_the_connection() -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    fake = FakeBooqable(
        faults="reset_before@1,reset_after@2,truncate@3,html502@4,delay=2@5", sleep=sleep
    )
    headers = {"Authorization": f"Bearer {fake.token}"}
    body = b'{"data":{"type":"customers","attributes":{"name":"Bob"}}}'
    async with fake.serve() as served, _session() as session:
        url = f"{served.base_url}/customers"
        with pytest.raises(aiohttp.ClientError):
            async with session.post(url, data=body, headers=headers) as r:
                await r.read()
        assert fake.count("customers") == 0
        with pytest.raises(aiohttp.ClientError):
            async with session.post(url, data=body, headers=headers) as r:
                await r.read()
        assert fake.count("customers") == 1  # processed, then the connection dropped
        with pytest.raises(aiohttp.ClientPayloadError):
            async with session.get(url, headers=headers) as r:
                await r.read()
        async with session.get(url, headers=headers) as r:
            assert r.status == 502
            assert "text/html" in r.headers["Content-Type"]
        async with session.get(url, headers=headers) as r:
            assert r.status == 200
    assert slept == [2.0]


async def test_app_can_be_mounted_by_the_caller() -> None:
    from aiohttp import web

    fake = FakeBooqable(require_auth=False)
    app = fake.app()
    assert isinstance(app, web.Application)
    runner = web.AppRunner(app, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        async with _session() as session, session.get(f"http://127.0.0.1:{port}/api/4/orders") as r:
            assert r.status == 200
    finally:
        await runner.cleanup()


async def test_serve_function_prints_and_stops(capsys: pytest.CaptureFixture[str]) -> None:
    args = build_parser().parse_args(
        [
            "--orders",
            "5",
            "--customers",
            "3",
            "--product-groups",
            "2",
            "--seed",
            "4",
            "--rate-limit",
            "50/60",
            "--faults",
            "503@100",
            "--token",
            "tok",
        ]
    )
    stop = asyncio.Event()
    task = asyncio.create_task(serve(args, stop))
    for _ in range(200):
        await asyncio.sleep(0.01)
        if "Ctrl-C" in capsys.readouterr().out or task.done():
            break
    out = capsys.readouterr().out
    stop.set()
    await asyncio.wait_for(task, 10)
    out += capsys.readouterr().out
    assert "FakeBooqable stopped." in out


async def test_serve_lifetime_ends_the_server(capsys: pytest.CaptureFixture[str]) -> None:
    args = build_parser().parse_args(
        [
            "--orders",
            "0",
            "--customers",
            "0",
            "--product-groups",
            "0",
            "--lifetime",
            "0.05",
            "--no-auth",
        ]
    )
    await asyncio.wait_for(serve(args), 10)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("BOOQABLE_BASE_URL=http://127.0.0.1:")
    assert lines[1].startswith("BOOQABLE_API_KEY=fake-")
    assert "0 orders" in lines[2]


def test_main_reports_bad_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--rate-limit", "fast", "--orders", "0"]) == 2
    assert "rate limit must look like" in capsys.readouterr().err
    assert main(["--orders", "-1"]) == 2
    assert main(["--faults", "oops"]) == 2
    assert (
        main(["--port", "1", "--host", "203.0.113.1", "--orders", "0", "--lifetime", "0.01"]) == 1
    )


@pytest.mark.slow
def test_command_line_server_serves_and_stops_on_sigterm() -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "booqable_async.testing.server",
            "--port",
            "0",
            "--orders",
            "30",
            "--customers",
            "10",
            "--product-groups",
            "4",
            "--seed",
            "9",
            "--lifetime",
            "60",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip().split("=", 1)[1]
        token = process.stdout.readline().strip().split("=", 1)[1]
        summary = process.stdout.readline()
        assert "30 orders" in summary

        async def fetch() -> tuple[int, dict[str, object]]:
            async with (
                _session() as session,
                session.get(
                    f"{base_url}/orders?stats[total]=count&page[size]=1",
                    headers={"Authorization": f"Bearer {token}"},
                ) as r,
            ):
                return r.status, await r.json(content_type=None)

        status, body = asyncio.run(fetch())
        assert status == 200
        assert body["meta"] == {"stats": {"total": {"count": 30}}}
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=15)
        assert process.returncode == 0, err
        assert "FakeBooqable stopped." in out
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=5)


async def test_signed_token_over_http_uses_the_raw_path() -> None:
    import jwt
    from yarl import URL

    from .test_auth import independent_jti_data

    fake = FakeBooqable(wall_clock=lambda: 1_751_328_000.0)
    kid = fake.add_signing_key("HS256", "k" * 32)
    fullpath = "/api/4/customers?filter%5Bname%5D=Jane%20Doe&page%5Bsize%5D=5"

    def token(method: str, body: bytes | None = None) -> str:
        claims = {
            "iss": "https://demo.booqable.com",
            "sub": fake.employee_id,
            "aud": fake.company_id,
            "iat": 1_751_328_000,
            "exp": 1_751_328_600,
            "jti": f"abc.{independent_jti_data(method, fullpath, body)}",
        }
        return jwt.encode(
            claims, "k" * 32, algorithm="HS256", headers={"kid": kid, "kind": "single_use"}
        )

    async with fake.serve() as served, _session() as session:
        url = URL(f"http://127.0.0.1:{served.port}{fullpath}", encoded=True)
        async with session.get(url, headers={"Authorization": f"Bearer {token('GET')}"}) as r:
            assert r.status == 200
        body = b'{"data":{"type":"customers","attributes":{"name":"Jane Doe"}}}'
        async with session.post(
            url, data=body, headers={"Authorization": f"Bearer {token('POST', body)}"}
        ) as r:
            assert r.status == 201
        async with session.post(
            url, data=body + b" ", headers={"Authorization": f"Bearer {token('POST', body)}"}
        ) as r:
            assert r.status == 401


def test_served_fake_is_exported_lazily() -> None:
    import booqable_async.testing as testing

    assert testing.ServedFake.__name__ == "ServedFake"
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        testing.nope  # noqa: B018
