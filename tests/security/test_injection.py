"""Host, path, query and header injection are refused or neutralised before any I/O."""

from __future__ import annotations

import string
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from booqable_async import errors
from booqable_async.protocol import base_url_for, build_request
from booqable_async.session import Session
from booqable_async.transport import AiohttpTransport, HttpxTransport, Transport
from tests.security.conftest import Recorder

BASE = base_url_for(company="acme")
HOST_CHARS = string.ascii_letters + string.digits + "-"
ANY_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
# Text rich in what changes a URL's meaning.
HOSTILE = st.lists(
    st.sampled_from([*"/\\.@:?#%&=;[] \t\r\n\x00", "..", "%2e", "%2F", "é", "а"])
    | st.characters(blacklist_categories=("Cs",)),
    max_size=15,
).map("".join)


@given(ANY_TEXT | HOSTILE | st.text(HOST_CHARS + ".", max_size=70))
def test_a_company_slug_is_one_host_label_or_refused(slug: str) -> None:
    try:
        url = base_url_for(company=slug)
    except errors.UsageError:
        return
    assert slug
    assert set(slug) <= set(HOST_CHARS)
    assert urlsplit(url).hostname == f"{slug.lower()}.booqable.com"
    assert url == f"https://{slug.lower()}.booqable.com/api/4/"


@pytest.mark.parametrize(
    "slug",
    [
        "evil.com/x",
        "a@b",
        "acme.evil",
        "acme:80",
        "acme#",
        "acme?x=1",
        "аcme",
        "",
        "-acme",
        "a" * 64,
    ],
)
def test_hostile_slugs_are_a_usage_error(slug: str) -> None:
    with pytest.raises(errors.UsageError, match="slug"):
        Session(company=slug, token="t")


@given(ANY_TEXT | HOSTILE)
def test_an_id_is_always_exactly_one_path_segment(record_id: str) -> None:
    try:
        request = build_request("GET", ("orders", record_id), base_url=BASE)
    except errors.UsageError:
        # Only what could never be one segment: empty, '.', '..', control characters.
        assert record_id in ("", ".", "..") or any(ord(c) < 32 or c == "\x7f" for c in record_id)
        return
    parts = urlsplit(request.url)
    assert parts.scheme == "https"
    assert parts.netloc == "acme.booqable.com"
    assert not parts.query
    assert not parts.fragment
    prefix, _, segment = parts.path.rpartition("/")
    assert prefix == "/api/4/orders"
    assert unquote(segment) == record_id


@given(
    st.lists(st.tuples(ANY_TEXT.filter(bool), ANY_TEXT | HOSTILE), min_size=1, max_size=5).filter(
        lambda pairs: all(
            "\x00" not in k + v and "\r" not in k + v and "\n" not in k + v for k, v in pairs
        )
    )
)
def test_query_values_can_never_add_parameters(pairs: list[tuple[str, str]]) -> None:
    try:
        request = build_request("GET", "orders", base_url=BASE, params=pairs)
    except errors.UsageError:
        return
    parts = urlsplit(request.url)
    assert parts.netloc == "acme.booqable.com"
    assert parts.path == "/api/4/orders"
    assert not parts.fragment
    assert parse_qsl(parts.query, keep_blank_values=True) == pairs


@pytest.mark.parametrize(
    "path",
    ["orders/../../admin", "../orders", "orders/./x", "orders//x", "https://evil.com/x"],
)
def test_string_paths_cannot_walk_out(path: str) -> None:
    with pytest.raises(errors.UsageError, match="not allowed"):
        build_request("GET", path, base_url=BASE)


@pytest.mark.parametrize(
    "token", ["abc\r\nX-Evil: 1", "abc\n", "tok\x00en", " padded", "trailing\t"]
)
def test_a_token_cannot_inject_headers(token: str) -> None:
    with pytest.raises(errors.UsageError, match="token must not contain"):
        Session(company="acme", token=token)


@pytest.mark.parametrize("value", ["a\r\nX-Evil: 1", "a\nb", "a\x00"])
def test_header_values_cannot_inject_headers(value: str) -> None:
    with pytest.raises(errors.UsageError, match="CR, LF or NUL"):
        build_request("GET", "orders", base_url=BASE, headers={"X-Custom": value})


@pytest.mark.parametrize("make", [AiohttpTransport, HttpxTransport], ids=["aiohttp", "httpx"])
@pytest.mark.parametrize(
    "record_id",
    ["../../../etc/passwd", "%2e%2e%2f%2e%2e%2fadmin", "a/b", "x?admin=1", "x#y", "@evil.com:80"],
)
async def test_hostile_ids_reach_the_server_as_one_segment(
    recorder: Recorder, make: type[Transport], record_id: str
) -> None:
    transport = make()
    async with Session(base_url=recorder.base_url, token="t", transport=transport) as session:
        await session.request("GET", ("orders", record_id))
    await transport.aclose()
    [seen] = recorder.seen
    prefix, _, segment = seen.raw_path.partition("?")[0].rpartition("/")
    assert prefix == "/api/4/orders"
    assert unquote(segment) == record_id
