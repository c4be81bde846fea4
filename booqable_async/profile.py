"""API profiles: what one REST API style needs from the session layer, as one value.

The session (auth -> limiter -> retry(send) -> decipher) is the same for every API; a
profile says what differs (docs/profiles.md):

- where the API lives (:class:`~booqable_async.protocol.UrlRule`) and which environment
  variables hold the company, the root and the credentials;
- where credentials go: what ``token=`` becomes (a Bearer token, ``?api_key=``, an
  ``X-API-Key`` header, HTTP Basic...);
- how answers are read (:class:`~booqable_async.protocol.ResponseFormat`): the error
  body format, failures reported in 2xx bodies, the rate-limit headers (one window or
  several);
- budgets the API states but does not report (:class:`~booqable_async.ratelimit.Quota`);
- how pages are followed (a :class:`~booqable_async.protocol.PageStyle`).

:data:`BOOQABLE_V4` is the default; ``booqable_async.v1.BOOQABLE_V1`` is Booqable's
legacy API, and ``examples/`` holds profiles for three other APIs::

    session = Session(profile=my_profile, token="...")
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Final
from urllib.parse import urlsplit

import attrs

from booqable_async.auth import Auth, TokenAuth
from booqable_async.protocol import (
    JSON_MEDIA_TYPE,
    JSONAPI_FORMAT,
    JSONAPI_MEDIA_TYPE,
    GraphitiPages,
    PageStyle,
    ResponseFormat,
    UrlRule,
)
from booqable_async.ratelimit import Quota

__all__ = ["BOOQABLE_V4", "ApiProfile"]


def _quotas(value: Iterable[Quota]) -> tuple[Quota, ...]:
    return tuple(value)


@attrs.frozen
class ApiProfile:
    """One API style, as the session layer drives it.

    Attributes:
        name: Shown in messages and reprs (``Booqable v4``).
        urls: Where the API lives: a root per company, or one fixed root.
        credentials: What ``token=`` becomes: a callable taking the secret and
            returning an :class:`~booqable_async.auth.Auth` (``TokenAuth`` for Bearer,
            ``QueryKeyAuth`` for ``?api_key=``, ``lambda t: BasicAuth(t, "x")``...).
        credentials_help: Where to get a credential, for the "no credentials" message.
        credential_option: What the client calls the credential argument, for messages
            (``token``, ``api_key``).
        env_credentials: Environment variable read when no credential is passed.
        env_company: Environment variable read when neither company nor root is passed.
        env_base_url: Environment variable holding a root instead (wins over the company).
        media_type: ``Accept`` and ``Content-Type`` of requests.
        response_format: How error bodies, failures in 2xx bodies and rate-limit
            headers are read.
        quotas: Budgets the API states but never reports (daily quotas).
        quota_max_wait: Longest a quota may hold a request before
            :class:`~booqable_async.errors.QuotaExhausted` is raised instead.
        pages: How pages are numbered and read.
        trailing_slash: Paths end with ``/`` (``/api/files/``), as the API routes them.
    """

    name: str
    urls: UrlRule
    credentials: Callable[[str], Auth] = TokenAuth
    credentials_help: str = "see the API's documentation for how to get one"
    credential_option: str = "token"
    env_credentials: str | None = None
    env_company: str | None = None
    env_base_url: str | None = None
    media_type: str = JSON_MEDIA_TYPE
    response_format: ResponseFormat = JSONAPI_FORMAT
    quotas: tuple[Quota, ...] = attrs.field(default=(), converter=_quotas)
    quota_max_wait: float | None = None
    pages: PageStyle = attrs.field(factory=GraphitiPages)
    trailing_slash: bool = False

    def missing_company(self) -> str:
        """The message for a session given neither a company nor a root."""
        example = self.urls.example().replace("<company>", "your-slug")
        names = [n for n in (self.env_company, self.env_base_url) if n]
        env = f", or set {' or '.join(names)}" if names else ""
        return f"which company? pass company='your-slug' (as in {example}) or base_url=...{env}"

    def missing_credentials(self) -> str:
        """The message for a session given no credentials."""
        env = f", or set {self.env_credentials}" if self.env_credentials else ""
        return (
            f"no credentials: pass {self.credential_option}='...' or auth=...{env} "
            f"({self.credentials_help})"
        )

    def company_hint(self, company: str, base_url: str) -> str:
        """Say what a company slug is, when its host name does not resolve."""
        host = urlsplit(base_url).hostname or base_url
        template = self.urls.template or ""
        parts = urlsplit(template.replace("{company}", "SLUG").replace("{version}", ""))
        origin = f"{parts.scheme}://{parts.netloc}" if parts.netloc else template
        env = f" or {self.env_company}" if self.env_company else ""
        return (
            f"no host {host}: is {company!r} your company slug? It is the SLUG in "
            f"{origin} (company={env})"
        )


#: Booqable's API v4 (JSON:API, Graphiti): the default profile of every session.
BOOQABLE_V4: Final = ApiProfile(
    name="Booqable v4",
    urls=UrlRule(
        template="https://{company}.booqable.com/api/{version}/", versions=("4", "boomerang")
    ),
    credentials=TokenAuth,
    credentials_help="create an access token in Booqable under Settings > API keys",
    env_credentials="BOOQABLE_API_KEY",
    env_company="BOOQABLE_COMPANY",
    env_base_url="BOOQABLE_BASE_URL",
    media_type=JSONAPI_MEDIA_TYPE,
    response_format=JSONAPI_FORMAT,
    pages=GraphitiPages(),
)
