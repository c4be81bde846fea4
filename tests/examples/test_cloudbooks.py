"""The CloudBooks example client against its fake: keys, logins, errors, budget, pages."""

from __future__ import annotations

import pytest

from booqable_async import RetryPolicy, errors
from booqable_async.auth import LoginAuth
from examples.cloudbooks import CloudBooksClient, Organization, login
from examples.cloudbooks.fake import API_KEY, EMAIL, PASSWORD, FakeCloudBooks
from tests.conftest import LeakGuard
from tests.virtual_time import SteppedTime

ROOT = "https://api.cloudbooks.com/v1"


@pytest.fixture(autouse=True)
def secrets(leak_guard: LeakGuard) -> None:
    leak_guard.register(API_KEY, PASSWORD)


def books(fake: FakeCloudBooks, time: SteppedTime, **options: object) -> CloudBooksClient:
    settings: dict[str, object] = {"base_url": ROOT, "transport": fake.transport()}
    settings.update(options)
    return CloudBooksClient(clock=time.clock(), **settings)  # type: ignore[arg-type]


async def test_an_api_key_as_bearer() -> None:
    time = SteppedTime()
    fake = FakeCloudBooks(clock=time)
    async with books(fake, time, api_key=API_KEY) as client:
        me = await client.me()
        assert (me.email, me.name) == (EMAIL, "Ada")
        assert (await client.update_me(name="Ada L.")).name == "Ada L."
    assert fake.logins == 0


async def test_login_refresh_and_logout() -> None:
    time = SteppedTime()
    fake = FakeCloudBooks(clock=time, token_lifetime=600.0)
    auth = login(EMAIL, PASSWORD)
    async with books(fake, time, auth=auth) as client:
        await client.me()
        time.now = 500.0  # more than a minute left: the same token
        await client.me()
        assert (fake.logins, fake.refreshes) == (1, 0)
        time.now = 560.0  # within a minute of the end: refreshed before the request
        await client.me()
        assert (fake.logins, fake.refreshes) == (1, 1)
        fake.expire_tokens()  # revoked server-side: the 401 leads to a new login
        await client.create_organization("After revocation")
        assert fake.logins == 2
        assert len(fake.organizations) == 1  # the POST was sent once more, and made once
    assert fake.logouts == 1
    assert isinstance(auth, LoginAuth)
    assert not auth.logged_in


async def test_bad_credentials() -> None:
    time = SteppedTime()
    fake = FakeCloudBooks(clock=time)
    async with books(fake, time, auth=login(EMAIL, "not-the-password-1")) as client:
        with pytest.raises(errors.Unauthorized, match="login refused") as info:
            await client.me()
    assert info.value.codes == ("invalid_credentials",)
    async with books(fake, time, auth=login("not-an-email", PASSWORD)) as client:
        with pytest.raises(errors.Unauthorized) as malformed:
            await client.me()
    assert malformed.value.errors[0].pointer == "/email"
    async with books(fake, time, api_key="sk_live_wrong000000000000") as client:
        with pytest.raises(errors.Unauthorized, match="unauthorized: Authentication credentials"):
            await client.me()


async def test_errors_map_to_the_tree() -> None:
    time = SteppedTime()
    fake = FakeCloudBooks(clock=time)
    async with books(fake, time, api_key=API_KEY) as client:
        with pytest.raises(errors.BadRequest) as info:
            await client.create_project("org_missing", "X")
        (error,) = info.value.errors
        assert (error.code, error.detail, error.pointer) == (
            "invalid_request",
            "Unknown organization",
            "/organization_id",
        )
        with pytest.raises(errors.NotFound):
            await client.organization("org_missing")
        with pytest.raises(errors.UsageError, match="needs a name"):
            await client.create_organization(" ")


async def test_pages_deliver_every_organization_once() -> None:
    time = SteppedTime()
    fake = FakeCloudBooks(clock=time)
    for n in range(45):
        fake.add_organization(f"Org {n}")
    async with books(fake, time, api_key=API_KEY) as client:
        organizations = await client.organizations(per_page=10).collect()
        assert [o.name for o in organizations] == [f"Org {n}" for n in range(45)]
        assert isinstance(organizations[0], Organization)
        assert organizations[0].created_at is not None
        first = organizations[0]
        assert await client.organization(first.id) == first
        project = await client.create_project(first.id, "Books")
        assert [p.id for p in await client.projects(organization_id=first.id).collect()] == [
            project.id
        ]
        await client.delete_project(project.id)
        assert await client.projects().collect() == []
        with pytest.raises(errors.UsageError, match="maximum of 100"):
            client.organizations(per_page=101)


async def test_the_hourly_budget_is_spread_not_exceeded() -> None:
    time = SteppedTime()
    fake = FakeCloudBooks(clock=time, hourly_limit=30)
    async with books(fake, time, api_key=API_KEY) as client:
        for _ in range(45):
            await client.me()
    # 45 requests on a budget of 30 an hour: spread over more than an hour, never refused.
    assert fake.limited == 0
    assert time.now > 3600.0


async def test_without_the_limiter_the_budget_runs_out_as_429() -> None:
    time = SteppedTime()
    fake = FakeCloudBooks(clock=time, hourly_limit=5)
    async with books(
        fake, time, api_key=API_KEY, rate_limit=False, retry=RetryPolicy(max_attempts=2)
    ) as client:
        for _ in range(5):
            await client.me()
        with pytest.raises(errors.RateLimited) as info:
            await client.me()
    assert info.value.codes == ("rate_limit_exceeded",)
    assert info.value.rate_limit is not None
    assert (info.value.rate_limit.limit, info.value.rate_limit.remaining) == (5, 0)
