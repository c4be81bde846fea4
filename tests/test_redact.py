"""Redaction: what may be shown of URLs, server text and echoed values."""

from __future__ import annotations

import pytest

from booqable_async._redact import redact_repr, redact_text, redact_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://h/api/4/orders", "https://h/api/4/orders"),
        ("https://h/a?api_key=s3cr3t&page[size]=1", "https://h/a?api_key=REDACTED&page[size]=1"),
        ("https://h/a?API_KEY=s3cr3t", "https://h/a?API_KEY=REDACTED"),
        ("https://user:pass@h/a", "https://REDACTED@h/a"),
        ("http://[::1", "<unparseable url>"),
    ],
)
def test_redact_url(url: str, expected: str) -> None:
    assert redact_url(url) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Authorization: Bearer abc", "Authorization: REDACTED"),
        ("HTTP_AUTHORIZATION: Bearer abc", "HTTP_AUTHORIZATION: REDACTED"),
        ('"HTTP_COOKIE"=>"s=abc", "x"=>1', '"HTTP_COOKIE"=>REDACTED'),
        ("Set-Cookie: _session=abc; path=/\nnext line", "Set-Cookie: REDACTED\nnext line"),
        ("session-expiry-token: abc", "session-expiry-token: REDACTED"),
        ("sent Bearer abc.def-ghi", "sent Bearer REDACTED"),
        ("basic dXNlcjpwYXNz", "basic REDACTED"),
        ("api_key=abc&x=1", "api_key=REDACTED&x=1"),
        ("X-Api-Key: abc", "X-Api-Key: REDACTED"),
        ('{"token":"abc","a":1}', '{"token":"REDACTED","a":1}'),
        ("{'access_token': 'abc'}", "{'access_token': 'REDACTED'}"),
        ("password: hunter2", "password: REDACTED"),
        ("client_secret=xyz", "client_secret=REDACTED"),
        ("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln here", "jwt REDACTED here"),
        ("key 8f14e45fceea167a5a36dedd4bea2543!", "key REDACTED!"),
        # Kept: UUIDs (record and request ids), words, numbers, ordinary prose.
        ("id 3e037580-3d7a-4d23-876c-f0ba1a481bb7", "id 3e037580-3d7a-4d23-876c-f0ba1a481bb7"),
        ("stock_item_archivations_are_fine", "stock_item_archivations_are_fine"),
        ("123456789012345678901234567890", "123456789012345678901234567890"),
        ("token expired", "token expired"),
        ("the tokens are fine", "the tokens are fine"),
        ("code: items_not_available", "code: items_not_available"),
        ("", ""),
    ],
)
def test_redact_text(text: str, expected: str) -> None:
    assert redact_text(text) == expected


def test_redact_repr_scrubs_and_clips() -> None:
    token = "5e1a0c2b7d9f4e3a8b6c1d0e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a"
    assert redact_repr(token) == "'REDACTED'"
    assert redact_repr(12.5) == "12.5"
    long = redact_repr("word " * 100)
    assert len(long) == 80
    assert long.endswith("…")
