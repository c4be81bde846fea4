"""Redaction: masking secrets in URLs, free text and echoed values before they are shown.

Every message, ``repr`` and log line of the library that shows a URL, server-supplied text
or a caller's bad argument passes through one of these functions, so a token, an
``api_key`` query value or a cookie never reaches a log (see docs/errors.md, "Secrets").
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = [
    "MASK",
    "SENSITIVE_HEADERS",
    "SENSITIVE_QUERY_KEYS",
    "clip",
    "redact_repr",
    "redact_text",
    "redact_url",
]

#: Header names whose values are secrets (compared lower-cased).
SENSITIVE_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "session-expiry-token",
        # API-key headers other REST APIs use (docs/profiles.md, "Credentials").
        "x-api-key",
        "api-key",
        "x-auth-token",
    }
)
#: Query keys whose values are secrets (compared lower-cased).
SENSITIVE_QUERY_KEYS = frozenset(
    {
        "api_key",
        "apikey",
        "api-key",
        "key",
        "access_token",
        "auth_token",
        "refresh_token",
        "token",
        "client_secret",
        "code",
    }
)
#: What a masked value is replaced with.
MASK = "REDACTED"


def redact_url(url: str) -> str:
    """Return ``url`` with secret query values and any userinfo password masked.

    Args:
        url: An absolute or relative URL.

    Returns:
        The same URL, safe to log or put in a message.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable url>"
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{MASK}@{netloc.rsplit('@', 1)[1]}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(key.lower() in SENSITIVE_QUERY_KEYS for key, _ in pairs):
            query = urlencode(
                [(k, MASK if k.lower() in SENSITIVE_QUERY_KEYS else v) for k, v in pairs],
                safe="[]",
            )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


# Free-text credential patterns, compiled once. Order matters: header lines and key=value
# pairs first (they keep their label), then bare JWTs and long opaque runs.
_HEADER_LINE_RE = re.compile(
    r"(?i)(?<![a-z])(proxy[-_]authorization|authorization|set[-_]cookie|cookie"
    r"|session[-_]expiry[-_]token|x[-_]api[-_]key|x[-_]auth[-_]token)([\"']?\s*(?:=>|[:=])\s*)[^\r\n]*"
)
_SCHEME_RE = re.compile(r"(?i)\b(bearer|basic)(\s+)[A-Za-z0-9._~+/=-]+")
_KEY_VALUE_RE = re.compile(
    r"(?i)(?<![a-z])(api[-_]?key|access[-_]token|refresh[-_]token|id[-_]token|client[-_]secret"
    r"|password|secret|token)([\"']?\s*(?:=>|[:=])\s*[\"']?)[^\s&\"',;<>]+"
)
_JWT_RE = re.compile(r"\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*)?")
_OPAQUE_RE = re.compile(r"[A-Za-z0-9_+=-]{24,}")
_UUID_RE = re.compile(
    r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
)
_HAS_DIGIT_RE = re.compile(r"[0-9]")
_HAS_LETTER_RE = re.compile(r"[A-Za-z]")


def _mask_opaque(match: re.Match[str]) -> str:
    run = match.group(0)
    # A long run mixing letters and digits is what tokens, API keys and session ids look
    # like; UUIDs (record and request ids) and plain words/numbers are kept.
    if _UUID_RE.fullmatch(run) or not _HAS_DIGIT_RE.search(run) or not _HAS_LETTER_RE.search(run):
        return run
    return MASK


def redact_text(text: str) -> str:
    """Mask anything in free text that looks like a credential.

    Used on every piece of server-supplied text that ends up in an exception message
    (error details, excerpts of HTML error pages). It masks header lines
    (``Authorization: ...``, ``Cookie: ...``), ``Bearer``/``Basic`` credentials,
    ``api_key=...``/``"token": "..."`` pairs, JWTs and long runs mixing letters and digits
    (API keys, session ids). UUIDs are kept: they are record and request ids.

    Args:
        text: Any text.

    Returns:
        The text with every credential-looking part replaced by ``REDACTED``.
    """
    text = _HEADER_LINE_RE.sub(rf"\1\2{MASK}", text)
    text = _SCHEME_RE.sub(rf"\1\2{MASK}", text)
    text = _KEY_VALUE_RE.sub(rf"\1\2{MASK}", text)
    text = _JWT_RE.sub(MASK, text)
    return _OPAQUE_RE.sub(_mask_opaque, text)


def redact_repr(value: object, limit: int = 80) -> str:
    """Return ``repr(value)`` scrubbed with :func:`redact_text` and clipped, for messages.

    Bad arguments are echoed in ``UsageError`` messages so the caller sees what was wrong;
    a token passed in the wrong argument must still never reach a log line.

    Args:
        value: The offending value.
        limit: Longest text returned (characters).

    Returns:
        The scrubbed, clipped ``repr``.
    """
    return clip(redact_text(repr(value)), limit)


def clip(text: str, limit: int) -> str:
    """Return ``text`` cut to at most ``limit`` characters, ending in ``…`` when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
