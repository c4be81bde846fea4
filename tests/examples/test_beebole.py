"""The Beebole example client against its fake: Basic auth, 200-with-error, xids, quotas."""

from __future__ import annotations

import attrs
import pytest

from booqable_async import errors
from booqable_async.ratelimit import Quota
from examples.beebole import BEEBOLE, BeeboleClient, Company, Ref
from examples.beebole.fake import API_TOKEN, FakeBeebole
from tests.conftest import LeakGuard
from tests.virtual_time import SteppedTime

ROOT = "https://beebole-apps.com/api"


@pytest.fixture(autouse=True)
def secrets(leak_guard: LeakGuard) -> None:
    leak_guard.register(API_TOKEN)


def beebole(fake: FakeBeebole, time: SteppedTime, **options: object) -> BeeboleClient:
    settings: dict[str, object] = {"api_token": API_TOKEN, "transport": fake.transport(), **options}
    return BeeboleClient(base_url=ROOT, clock=time.clock(), **settings)  # type: ignore[arg-type]


async def test_companies_and_projects_by_external_id() -> None:
    time = SteppedTime()
    fake = FakeBeebole(clock=time)
    async with beebole(fake, time) as client:
        acme = await client.create_company("Acme", xid="crm-42")
        assert acme == Ref(xid="crm-42")
        assert await client.company(acme) == Company(Ref(xid="crm-42"), "Acme")
        beta = await client.create_company("Beta")
        assert beta.id is not None
        assert (await client.company(beta)).name == "Beta"
        await client.create_project("Site", acme, xid="prj-1")
        await client.create_project("Shop", acme)
        projects = await client.projects(acme)
        assert [(p.name, p.company) for p in projects] == [("Site", acme), ("Shop", acme)]
        assert projects[0].ref == Ref(xid="prj-1")
        assert projects[1].ref.id is not None
        assert [c.name for c in await client.companies()] == ["Acme", "Beta"]
    # Requests named the company by its xid, never by Beebole's id.
    assert fake.companies[1]["xid"] == "crm-42"
    with pytest.raises(errors.UsageError, match="exactly one of id= or xid="):
        Ref()


async def test_a_200_that_says_error_is_an_application_error_sent_once() -> None:
    time = SteppedTime()
    fake = FakeBeebole(clock=time)
    transport = fake.transport()
    async with beebole(fake, time, transport=transport) as client:
        with pytest.raises(errors.ApplicationError) as info:
            await client.call("timesheet.explode")
        assert (info.value.status, info.value.errors[0].detail) == (
            200,
            "Unknown service: timesheet.explode",
        )
        await client.create_company("Acme", xid="crm-42")
        with pytest.raises(errors.ApplicationError, match="already used"):
            await client.create_company("Acme again", xid="crm-42")
        with pytest.raises(errors.ApplicationError, match="Unknown company"):
            await client.company(Ref(id=999))
    assert len(transport.requests) == 4  # refusals are final: nothing was retried
    assert len(fake.companies) == 1


async def test_basic_auth_and_a_wrong_token() -> None:
    time = SteppedTime()
    fake = FakeBeebole(clock=time)
    transport = fake.transport()
    async with beebole(fake, time, transport=transport) as client:
        await client.companies()
    assert transport.requests[0].headers["Authorization"].startswith("Basic ")
    async with beebole(fake, time, api_token="wrong-token-0000000") as client:
        with pytest.raises(errors.Unauthorized, match="Invalid API token"):
            await client.companies()


async def test_the_daily_request_quota_stops_before_beebole_refuses() -> None:
    time = SteppedTime()
    fake = FakeBeebole(clock=time)
    transport = fake.transport()
    async with beebole(fake, time, transport=transport) as client:
        for _ in range(4000):
            await client.call("company.list")
        with pytest.raises(errors.QuotaExhausted) as info:
            await client.companies()
        assert (info.value.limit, info.value.unit) == (4000, "requests")
        assert info.value.retry_after == pytest.approx(86460.0)  # a day and a minute of margin
        assert len(transport.requests) == 4000  # the 4,001st was never sent
        time.now += 86500.0  # a day later the quota has room again
        assert await client.companies() == ()
    assert fake.refused_quota == 0


async def test_the_daily_volume_quota() -> None:
    time = SteppedTime()
    fake = FakeBeebole(clock=time)
    for n in range(300):
        fake.add_company(f"Company with a long name for the volume test {n:04d}")
    calls = 0

    async def pull_until_refused(client: BeeboleClient) -> None:
        nonlocal calls
        while True:
            await client.companies()
            calls += 1

    async with beebole(fake, time) as client:
        with pytest.raises(errors.QuotaExhausted) as info:
            await pull_until_refused(client)
    assert info.value.unit == "bytes"
    assert info.value.limit == 2048 * 1024
    assert 50 < calls < 4000
    assert fake.refused_quota == 0


async def test_without_client_quotas_beebole_refuses_in_a_200() -> None:
    time = SteppedTime()
    fake = FakeBeebole(clock=time, daily_requests=3)
    unlimited = attrs.evolve(BEEBOLE, quotas=())
    async with beebole(fake, time, profile=unlimited) as client:
        for _ in range(3):
            await client.companies()
        with pytest.raises(errors.ApplicationError, match="Daily request limit reached"):
            await client.companies()
    assert fake.refused_quota == 1
    assert attrs.evolve(BEEBOLE, quotas=[Quota(10, 60.0)]).quotas == (Quota(10, 60.0),)
