"""The session driven by an API profile: roots, credentials, media types, messages."""

from __future__ import annotations

import attrs
import pytest

from booqable_async import errors
from booqable_async.auth import BasicAuth, QueryKeyAuth, TokenAuth
from booqable_async.profile import BOOQABLE_V4, ApiProfile
from booqable_async.protocol import JSON_MEDIA_TYPE, UrlRule
from booqable_async.session import Session
from booqable_async.transport import HttpRequest, HttpResponse, MockTransport

PLAIN = ApiProfile(
    name="Plain",
    urls=UrlRule(default="https://api.example.test/v2/"),
    credentials=lambda key: QueryKeyAuth(key, param="key"),
    credentials_help="ask the admin",
    credential_option="api_key",
    env_credentials="PLAIN_KEY",
    env_base_url="PLAIN_URL",
    media_type=JSON_MEDIA_TYPE,
    trailing_slash=True,
)
PER_COMPANY = ApiProfile(
    name="Per company",
    urls=UrlRule(template="https://{company}.example.test/api/{version}/", versions=("2", "3")),
    env_company="PC_COMPANY",
)


def recorder() -> tuple[MockTransport, list[HttpRequest]]:
    seen: list[HttpRequest] = []

    def handle(request: HttpRequest) -> HttpResponse:
        seen.append(request)
        return HttpResponse(200, {"Content-Type": "application/json"}, b"{}")

    return MockTransport(handle), seen


def test_the_default_profile_is_booqable_v4() -> None:
    session = Session(company="acme", token="t0ken-abc")
    assert session.profile is BOOQABLE_V4
    assert session.base_url == "https://acme.booqable.com/api/4/"
    assert isinstance(session.settings.auth, TokenAuth)


async def test_a_profile_decides_root_credentials_media_type_and_slash() -> None:
    transport, seen = recorder()
    async with Session(profile=PLAIN, token="s3cr3t-key-42", transport=transport) as session:
        assert session.base_url == "https://api.example.test/v2/"
        await session.request("POST", ("things", "a b"), json={"x": 1})
    (request,) = seen
    assert request.url == "https://api.example.test/v2/things/a%20b/?key=s3cr3t-key-42"
    assert request.headers["Accept"] == "application/json"
    assert request.headers["Content-Type"] == "application/json"
    assert "s3cr3t-key-42" not in repr(session)


def test_environment_variables_are_the_profiles(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLAIN_KEY", "from-env-key-7")
    monkeypatch.setenv("PLAIN_URL", "https://proxy.example.test/x")
    monkeypatch.setenv("BOOQABLE_API_KEY", "not-this-one")
    session = Session(profile=PLAIN)
    assert session.base_url == "https://proxy.example.test/x/"
    assert repr(session.settings.auth) == "QueryKeyAuth(key=REDACTED)"


def test_missing_credentials_name_the_profiles_option_and_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PLAIN_KEY", raising=False)
    with pytest.raises(errors.UsageError) as info:
        Session(profile=PLAIN)
    assert str(info.value) == (
        "no credentials: pass api_key='...' or auth=..., or set PLAIN_KEY (ask the admin)"
    )
    with pytest.raises(errors.UsageError, match="pass either api_key= or auth="):
        Session(profile=PLAIN, token="k-1", auth=BasicAuth("u"))


def test_a_company_template_takes_versions_and_a_company(monkeypatch: pytest.MonkeyPatch) -> None:
    session = Session(profile=PER_COMPANY, company="Acme", token="t", api_version="3")
    assert session.base_url == "https://acme.example.test/api/3/"
    assert Session(profile=PER_COMPANY, company="acme", token="t").base_url.endswith("/api/2/")
    with pytest.raises(errors.UsageError, match="api_version must be one of '2', '3'"):
        Session(profile=PER_COMPANY, company="acme", token="t", api_version="4")
    with pytest.raises(errors.UsageError, match="company must be the company slug"):
        Session(profile=PER_COMPANY, company="evil.test/x", token="t")
    monkeypatch.delenv("PC_COMPANY", raising=False)
    with pytest.raises(errors.UsageError) as info:
        Session(profile=PER_COMPANY, token="t")
    assert "which company? pass company='your-slug' (as in https://your-slug.example.test" in str(
        info.value
    )
    assert str(info.value).endswith("or set PC_COMPANY")
    monkeypatch.setenv("PC_COMPANY", "beta")
    assert Session(profile=PER_COMPANY, token="t").base_url == "https://beta.example.test/api/2/"


def test_a_single_host_api_takes_no_company() -> None:
    with pytest.raises(errors.UsageError, match="has one address"):
        Session(profile=PLAIN, company="acme", token="k-1")
    with pytest.raises(errors.UsageError, match="exactly one of company= or base_url="):
        Session(profile=PER_COMPANY, company="a", base_url="https://x.test", token="t")


def test_a_profile_must_be_a_profile() -> None:
    with pytest.raises(errors.UsageError, match=r"profile must be a booqable_async\.profile"):
        Session(profile="v1", token="t", company="acme")  # type: ignore[typeddict-item]


def test_a_profile_without_a_company_template_gives_a_generic_hint() -> None:
    hint = BOOQABLE_V4.company_hint("nosuchco", "https://nosuchco.booqable.com/api/4/")
    assert hint == (
        "no host nosuchco.booqable.com: is 'nosuchco' your company slug? It is the SLUG in "
        "https://SLUG.booqable.com (company= or BOOQABLE_COMPANY)"
    )
    bare = attrs.evolve(PER_COMPANY, env_company=None)
    assert bare.company_hint("x", "https://x.example.test/api/2/").endswith("(company=)")


def test_the_example_of_a_rule_shows_placeholders() -> None:
    assert UrlRule().example() == "https://..."
    assert UrlRule(template="https://{company}.x.test/{version}/").example() == (
        "https://<company>.x.test//"
    )
    assert not UrlRule(default="https://x.test/").needs_company
