"""Finding secrets in text: logs, reprs, strs and exception messages.

Two nets, used by the suite-wide log guard (tests/conftest.py) and by tests/security:

- **known secrets**: the credentials tests hand to the library (tokens, api_key values,
  cookies, refresh tokens, signing secrets). A test using a new one registers it with the
  ``leak_guard`` fixture (``leak_guard.register("...")``) or adds it to
  :data:`KNOWN_SECRETS`;
- **shapes** no correct output ever contains: an ``Authorization``/``Cookie`` value, a
  ``Bearer``/``Basic`` credential or an ``api_key``/``token`` query value that is not the
  ``REDACTED`` mask, a JWT, or a FakeBooqable access token (``fake-`` + 32 hex digits).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Credentials for tests/security and tests/e2e, in realistic shapes (Booqable access
# tokens are 64 hex digits; the v1 api_key 32), so the heuristics of redact_text meet what
# production meets.
TOKEN = "5e1a0c2b7d9f4e3a8b6c1d0e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a"
API_KEY = "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6"
COOKIE = "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA--c0ffee1234deadbeef5678"
ACCESS_TOKEN = "oat_7Hq2Lm9Xv4Rt8Kp1Wz6Ns3Jd5Fg0Bc2Yh"
REFRESH_TOKEN = "ort_3Vb8Nk1Qp6Zx9Cm4Lt7Rs2Wd5Hj0Fg8Ey"
CLIENT_SECRET = "ocs_9Pa4Ke7Tu2Wm5Zq8Xr1Lv6Nb3Hs0Jd4Gf"
AUTH_CODE = "oac_2Xw7Lq4Kp9Rt6Mz1Nv8Bs3Hd5Jf0Gc7Ye"
SIGNING_SECRET = "hs256-s1gn1ng-53cr3t-for-single-use-tokens-0042"

#: Credentials used by tests across the suite (kept in one place so every log line of every
#: test is checked for them).
KNOWN_SECRETS: frozenset[str] = frozenset(
    {
        "tok-very-secret-0123456789",  # tests/session
        "s3cr3t-token",  # tests/transport
        "very-secret-refresh",  # tests/test_auth.py (OAuth2 refresh token)
        "key-in-query-999",
        "abc123cookie",
        "k3y-S3CR3T",
        "k3yk3yk3y123456789",
        "abcd1234efgh5678",
        "SECRET-KEY",
        TOKEN,
        API_KEY,
        COOKIE,
        ACCESS_TOKEN,
        REFRESH_TOKEN,
        CLIENT_SECRET,
        AUTH_CODE,
        SIGNING_SECRET,
    }
)

_NOT_MASK = r"(?!REDACTED|\*)"
#: Shapes that are a leak wherever they appear.
LEAK_SHAPES: tuple[re.Pattern[str], ...] = (
    re.compile(r"(?i)\b(?:bearer|basic)\s+" + _NOT_MASK + r"[A-Za-z0-9._~+/=-]{4,}"),
    re.compile(
        r"(?i)\b(?:authorization|proxy-authorization|cookie|set-cookie)['\"]?\s*[:=]\s*['\"]?"
        + _NOT_MASK
        + r"[A-Za-z0-9]"
    ),
    re.compile(
        r"(?i)[?&](?:api_key|apikey|access_token|refresh_token|token|client_secret)="
        + _NOT_MASK
        + r"[^&\s'\"]"
    ),
    re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"),
    re.compile(r"\bfake-[0-9a-f]{32}\b"),
)


def find_leaks(text: str, extra: Iterable[str] = ()) -> list[str]:
    """Return what in ``text`` is a secret: known or registered values, then leak shapes.

    Args:
        text: Any text (a log line, a repr, an exception message).
        extra: More secrets to look for (registered by the test).

    Returns:
        The leaked values found, empty when the text is clean.
    """
    found = [secret for secret in (*KNOWN_SECRETS, *extra) if secret and secret in text]
    for shape in LEAK_SHAPES:
        found.extend(match.group(0) for match in shape.finditer(text))
    return found


def masked(text: str, leaks: Iterable[str]) -> str:
    """``text`` with the leaked values replaced, safe to show in a failure message."""
    for leak in sorted(set(leaks), key=len, reverse=True):
        text = text.replace(leak, f"<LEAK {leak[:4]}…>")
    return text
