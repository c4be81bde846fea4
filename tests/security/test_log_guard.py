"""The suite-wide log guard (tests/conftest.py) really captures and really catches leaks."""

from __future__ import annotations

import logging

from booqable_async.session import Session
from booqable_async.transport import HttpRequest, HttpResponse, MockTransport
from tests.conftest import LeakGuard
from tests.leaks import TOKEN, find_leaks, masked


def _ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse(200, {"Content-Type": "application/vnd.api+json"}, b'{"data": []}')


async def test_library_debug_logs_reach_the_guard(leak_guard: LeakGuard) -> None:
    async with Session(company="acme", token=TOKEN, transport=MockTransport(_ok)) as session:
        await session.request("GET", "orders", params={"api_key": TOKEN})
    sent = [line for line in leak_guard.lines if "sending GET" in line]
    assert sent, "the library's DEBUG lines are captured"
    assert "Authorization" in sent[0]
    assert "api_key=REDACTED" in sent[0]
    assert leak_guard.leaks() == []


def test_a_leaking_line_is_caught() -> None:
    # A guard of our own, so this deliberate leak does not fail the test itself.
    guard = LeakGuard()
    guard.register("registered-only-here")
    logger = logging.getLogger("booqable_async.tests.guard")
    logger.addHandler(guard)
    logger.propagate = False
    try:
        logger.debug("headers=%s", {"Authorization": f"Bearer {TOKEN}"})
        logger.debug("GET https://x/api/1/orders?api_key=abc%s", "def")
        logger.debug("value registered-only-here in a message")
        logger.debug("masked: Authorization: REDACTED, api_key=REDACTED")
        try:
            raise RuntimeError("token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig")
        except RuntimeError:
            logger.exception("hook failed")
    finally:
        logger.removeHandler(guard)
        logger.propagate = True
    leaked = guard.leaks()
    assert len(leaked) == 4  # every line but the masked one
    assert not any("masked:" in line for line, _ in leaked)
    assert any("hook failed" in line and "eyJ" in line for line, _ in leaked)  # traceback
    shown = masked(leaked[0][0], leaked[0][1])
    assert TOKEN not in shown


def test_shapes_do_not_flag_masked_or_harmless_text() -> None:
    for text in (
        "Authorization: REDACTED",
        "Headers([('Authorization', 'REDACTED'), ('Cookie', 'REDACTED')])",
        "GET https://acme.booqable.com/api/4/orders?api_key=REDACTED&page%5Bsize%5D=1",
        "pass either token= or auth=, not both",
        "request id 1d6f0b52-8c1e-4a55-9d4c-0c2b1e0a9f11",
    ):
        assert find_leaks(text) == [], text
