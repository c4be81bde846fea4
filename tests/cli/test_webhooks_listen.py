"""booqable webhooks listen: a local receiver that prints events."""

from __future__ import annotations

import asyncio
import io
import re

import aiohttp
import orjson
import pytest

from booqable_async.cli._main import main
from tests.webhooks.conftest import body, free_port

SECRET = "listen-secret-0123456789abcdef"


DEFAULT = (b"{broken", body(id="one"), body(id="one"), body(id="two", event="x.y"))


async def _run_listener(
    *extra: str, payloads: tuple[bytes, ...] = DEFAULT
) -> tuple[int, str, str, list[int]]:
    stdout, stderr = io.StringIO(), io.StringIO()
    argv = ["webhooks", "listen", "--port", "0", "--secret", SECRET, *extra]
    running = asyncio.create_task(asyncio.to_thread(main, argv, stdout=stdout, stderr=stderr))
    for _ in range(500):
        found = re.search(r"listening on (http://\S+)", stderr.getvalue())
        if found or running.done():
            break
        await asyncio.sleep(0.01)
    assert found, stderr.getvalue()
    url = found.group(1)
    assert url.endswith(f"/booqable/{SECRET}")
    statuses = []
    async with aiohttp.ClientSession() as http:
        for payload in payloads:
            async with http.post(
                url, data=payload, headers={"Content-Type": "application/json"}
            ) as response:
                statuses.append(response.status)
    code = await running
    return code, stdout.getvalue(), stderr.getvalue(), statuses


async def test_listen_prints_each_event_once():
    code, out, err, statuses = await _run_listener("--max-events", "2")
    assert code == 0
    assert statuses == [400, 200, 200, 200]
    lines = out.splitlines()
    assert len(lines) == 2
    assert "customer.updated  customers" in lines[0]
    assert "(delivery one, v4)" in lines[0]
    assert "x.y" in lines[1]  # development shows events the library does not know yet
    assert "2 events received" in err


async def test_listen_json_and_event_filter():
    code, out, _, statuses = await _run_listener(
        "--max-events",
        "1",
        "--json",
        "--events",
        "customer.updated",
        payloads=(b"{broken", body(id="two", event="x.y"), body(id="one")),
    )
    assert code == 0
    assert statuses == [400, 200, 200]
    (line,) = out.splitlines()
    assert orjson.loads(line)["id"] == "one"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--port", "70000"], "not a port"),
        (["--port", "x"], "not a port number"),
        (["--max-events", "0"], "at least 1"),
        (["--secret", "short"], "at least 16"),
    ],
)
def test_listen_usage_errors(argv, message):
    stderr = io.StringIO()
    code = main(["webhooks", "listen", *argv], stdout=io.StringIO(), stderr=stderr)
    assert code == 2
    assert message in stderr.getvalue()


async def test_port_in_use_is_a_usage_error():
    port = free_port()
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", port)
    try:
        stderr = io.StringIO()
        code = await asyncio.to_thread(
            main,
            ["webhooks", "listen", "--port", str(port), "--secret", SECRET],
            stdout=io.StringIO(),
            stderr=stderr,
        )
    finally:
        server.close()
        await server.wait_closed()
    assert code == 2
    assert "cannot listen" in stderr.getvalue()


def test_max_events_must_be_a_number():
    stderr = io.StringIO()
    code = main(["webhooks", "listen", "--max-events", "many"], stdout=io.StringIO(), stderr=stderr)
    assert code == 2
    assert "at least 1" in stderr.getvalue()
