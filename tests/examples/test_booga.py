"""The Booga Enterprise example client against its fake.

Includes the multi-window budget in virtual time: against a server enforcing 60 requests
per minute and 3,600 per hour at once, the limiter keeps 429s at or under 1 % while
using at least 90 % of the tighter window.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from datetime import date

import pytest

from booqable_async import RetryPolicy, errors
from booqable_async.clock import Clock
from booqable_async.ratelimit import RateLimiter
from booqable_async.transport import HttpRequest
from examples.booga import BETA_URL, BoogaClient, File
from examples.booga.fake import API_KEY, READ_ONLY_KEY, FakeBooga
from tests.conftest import LeakGuard
from tests.virtual_time import VirtualClock, run_virtual

ROOT = "https://api.boogaenterprise.com"


@pytest.fixture(autouse=True)
def secrets(leak_guard: LeakGuard) -> None:
    leak_guard.register(API_KEY, READ_ONLY_KEY)


def booga(fake: FakeBooga, key: str = API_KEY, **options: object) -> BoogaClient:
    settings: dict[str, object] = {"transport": fake.transport(), **options}
    return BoogaClient(api_key=key, base_url=ROOT, **settings)  # type: ignore[arg-type]


async def test_bearer_or_header_key_and_trailing_slashes() -> None:
    fake = FakeBooga()
    stored = fake.add_file("Q4-Report.pdf", size=1048576)
    for key_header in (False, True):
        transport = fake.transport()
        async with booga(fake, key_header=key_header, transport=transport) as client:
            file = await client.file(stored["id"])
        assert isinstance(file, File)
        assert (file.name, file.size, file.content_type) == (
            "Q4-Report.pdf",
            1048576,
            "application/pdf",
        )
        assert file.created_at is not None
        (sent,) = transport.requests
        assert sent.url == f"{ROOT}/api/files/{stored['id']}/"
        if key_header:
            assert sent.headers["X-API-Key"] == API_KEY
            assert "Authorization" not in sent.headers
        else:
            assert sent.headers["Authorization"] == f"Bearer {API_KEY}"


async def test_limit_offset_pages_with_filters() -> None:
    fake = FakeBooga()
    for n in range(45):
        fake.add_file(f"report-{n:02d}.pdf" if n % 3 else f"photo-{n:02d}.jpg")
    async with booga(fake) as client:
        every = await client.files(limit=10).collect()
        assert len({f.id for f in every}) == 45
        reports = await client.files(search="REPORT", ordering="-name", limit=7).collect()
        assert [f.name for f in reports] == sorted(
            (f.name for f in every if "report" in f.name), reverse=True
        )
        first = await client.files(created_after=date(2026, 1, 1), status="active")
        assert (first.total, len(first.data), first.links["previous"]) == (45, 20, None)
        assert (
            first.links["next"]
            == f"{ROOT}/api/files/?created_after=2026-01-01&status=active&limit=20&offset=20"
        )
        with pytest.raises(errors.UsageError, match="maximum of 100"):
            client.files(limit=500)


async def test_create_rename_delete_and_the_field_map_of_a_400() -> None:
    fake = FakeBooga()
    async with booga(fake) as client:
        made = await client.create_file("draft.txt", content_type="text/plain", size=12)
        assert (await client.rename_file(made.id, "final.txt")).name == "final.txt"
        with pytest.raises(errors.BadRequest) as info:
            await client.create_file("", content_type="text/plain", size=-1)
        assert [(e.pointer, e.detail) for e in info.value.errors] == [
            ("/name", "This field is required."),
            ("/size", "Ensure this value is greater than or equal to 0."),
        ]
        with pytest.raises(errors.BadRequest, match="may not be blank"):
            await client.rename_file(made.id, "")
        await client.delete_file(made.id)
        with pytest.raises(errors.NotFound, match="not_found: Not found"):
            await client.file(made.id)


async def test_bad_credentials_and_scopes() -> None:
    fake = FakeBooga()
    made = fake.add_file("a.pdf")
    async with booga(fake, key="bge_wrong00000000000000") as client:
        with pytest.raises(errors.Unauthorized) as bad:
            await client.file(made["id"])
    assert bad.value.codes == ("authentication_failed",)
    async with booga(fake, key=READ_ONLY_KEY) as client:
        assert (await client.file(made["id"])).name == "a.pdf"
        with pytest.raises(errors.Forbidden) as denied:
            await client.delete_file(made["id"])
    assert denied.value.codes == ("permission_denied",)
    with pytest.raises(errors.UsageError, match="beta=True or base_url="):
        BoogaClient(api_key=API_KEY, beta=True, base_url=ROOT)
    assert BoogaClient(api_key=API_KEY, beta=True).session.base_url == BETA_URL


async def test_a_request_without_a_key_is_refused_by_the_server() -> None:
    response = await FakeBooga().handle(HttpRequest("GET", f"{ROOT}/api/files/"))
    assert response.status == 401
    assert b"not_authenticated" in response.body


def simulate(
    per_minute: int, per_hour: int, minutes: int, *, limiter: bool = True
) -> tuple[int, int]:
    """Eight workers read files for `minutes` of virtual time; return (served, 429s)."""
    clock = VirtualClock()
    rng = random.Random(5)
    fake = FakeBooga(
        clock=clock,
        per_minute=per_minute,
        per_hour=per_hour,
        latency=lambda: rng.uniform(0.025, 0.15),
    )
    file_id = fake.add_file("hot.pdf")["id"]
    end = minutes * 60.0

    async def main() -> None:
        async with booga(
            fake,
            clock=Clock(monotonic=clock),
            retry=RetryPolicy(max_attempts=10),
            max_concurrency=8,
            rate_limit=RateLimiter(clock=Clock(monotonic=clock)) if limiter else False,
        ) as client:

            async def worker() -> None:
                while clock() < end:
                    # A 429 after the retries is counted by the fake; a job keeps going.
                    with contextlib.suppress(errors.RateLimited):
                        await client.file(file_id)

            await asyncio.gather(*(worker() for _ in range(8)))

    run_virtual(main(), clock)
    return fake.served, fake.limited


def test_sixty_a_minute_and_3600_an_hour_at_once() -> None:
    served, limited = simulate(60, 3600, 20)
    tighter = 60 * 20  # the minute window is the tighter one here
    assert limited <= 0.01 * (served + limited)
    assert served >= 0.9 * tighter


def test_an_hour_budget_tighter_than_its_minutes() -> None:
    # 60 a minute would spend 1,000 an hour in 17 minutes: the hour window must pace.
    served, limited = simulate(60, 1000, 120)
    assert limited <= 0.01 * (served + limited)
    assert served >= 0.9 * 2000


def test_without_the_limiter_the_same_job_meets_429s() -> None:
    served, limited = simulate(60, 3600, 5, limiter=False)
    assert limited > 0.1 * (served + limited)
