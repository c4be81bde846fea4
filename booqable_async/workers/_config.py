"""The tenants file: which companies the workers sync, how to reach them, where to load.

A TOML file (docs/workers.md)::

    [defaults]
    schedule = "*/15 * * * *"                    # cron, UTC
    database = "/var/lib/booqable/{company}.duckdb"
    pipelines_dir = "/var/lib/booqable/pipelines"

    [[tenants]]
    company = "acme"
    token_env = "ACME_BOOQABLE_TOKEN"            # the token is read when a job runs

    [[tenants]]
    company = "globex"
    schedule = "*/5 * * * *"
    oauth = { client_id_env = "APP_ID", client_secret_env = "APP_SECRET",
              token_file = "/var/lib/booqable/tokens/globex.json" }

Secrets never sit in the queue: a job carries the company's name only, and the worker
reads the token (from an environment variable, a file, or an OAuth2 token file it keeps
up to date) when the job runs. Nothing here puts a secret in a ``repr`` or a message.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
from croniter import croniter

from booqable_async.auth import Auth, OAuth2Auth, OAuth2Token, TokenAuth
from booqable_async.errors import UsageError
from booqable_async.ratelimit import RateLimiter

if TYPE_CHECKING:
    from booqable_async._client import BooqableClient
    from booqable_async.sync import Destination, SyncJob

__all__ = ["OAuthCredentials", "Tenant", "WorkersConfig", "load_config", "parse_config"]

#: When every company syncs unless its entry says otherwise: every 15 minutes.
DEFAULT_SCHEDULE = "*/15 * * * *"
_TENANT_KEYS = frozenset(
    {
        "company",
        "base_url",
        "token",
        "token_env",
        "token_file",
        "oauth",
        "schedule",
        "resources",
        "sweep",
        "database",
        "dsn_env",
        "dataset",
        "page_size",
    }
)
_DEFAULT_KEYS = frozenset(
    {"schedule", "resources", "sweep", "database", "dsn_env", "pipelines_dir", "page_size"}
)
_OAUTH_KEYS = frozenset({"client_id_env", "client_secret_env", "token_file"})


def _text(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise UsageError(f"{where} must be a non-empty string")
    return value


def _check_keys(table: Mapping[str, Any], allowed: frozenset[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise UsageError(
            f"{where}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(allowed))}"
        )


def _schedule(value: object, where: str) -> str:
    text = _text(value, where)
    if not croniter.is_valid(text):
        raise UsageError(f"{where} {text!r} is not a cron expression (e.g. '*/15 * * * *')")
    return text


@attrs.frozen
class OAuthCredentials:
    """Where an OAuth2 tenant's secrets are: the app's id and secret, and its token file.

    Attributes:
        client_id_env: Environment variable holding the OAuth application's client id.
        client_secret_env: Environment variable holding its client secret.
        token_file: JSON file with the current token (``OAuth2Token.to_dict()``);
            rewritten (mode 0600, atomically) whenever the token is refreshed.
    """

    client_id_env: str
    client_secret_env: str
    token_file: Path

    def auth(self, environ: Mapping[str, str]) -> OAuth2Auth:
        """Return an :class:`OAuth2Auth` from the token file, saving refreshed tokens there.

        Raises:
            UsageError: A variable is unset or the token file is missing or unreadable.
        """
        client_id = _from_env(environ, self.client_id_env)
        secret = _from_env(environ, self.client_secret_env)
        try:
            data = json.loads(self.token_file.read_text())
            token = OAuth2Token.from_dict(data)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise UsageError(
                f"cannot read the OAuth2 token file {self.token_file}: {type(exc).__name__} "
                "(write it with OAuth2Token.to_dict() after authorizing the app)"
            ) from None
        return OAuth2Auth(
            client_id=client_id, client_secret=secret, token=token, token_store=self.save
        )

    def save(self, token: OAuth2Token) -> None:
        """Write ``token`` to the token file (readable by its owner only; atomic)."""
        folder = self.token_file.parent
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".token-")
        try:
            with os.fdopen(handle, "w") as file:
                json.dump(token.to_dict(), file)
            os.chmod(temporary, 0o600)
            os.replace(temporary, self.token_file)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


def _from_env(environ: Mapping[str, str], name: str) -> str:
    value = environ.get(name)
    if not value:
        raise UsageError(f"environment variable {name} is not set (the tenants file names it)")
    return value


@attrs.frozen(repr=False)
class Tenant:
    """One company the workers sync.

    Attributes:
        company: The company's slug (``acme`` for ``acme.booqable.com``): its name in the
            queue, the status and the sync's state.
        base_url: API root instead of the company's (a proxy, the fake server).
        token: A token written in the file (prefer ``token_env`` or ``token_file``).
        token_env: Environment variable holding the access token.
        token_file: File holding the access token.
        oauth: OAuth2 credentials instead of a token.
        schedule: Cron expression (UTC) of its syncs.
        resources: The resources to sync (``None``: the sync's default set).
        sweep: Also find deleted records (lists every id) on each run.
        database: DuckDB file (``{company}`` is replaced), unless ``dsn_env`` is set.
        dsn_env: Environment variable holding a PostgreSQL DSN to load into instead.
        dataset: The dataset (schema) of its tables; default ``booqable_<company>``.
        page_size: Records per request (at most 100, Booqable's largest page).
    """

    company: str
    schedule: str = DEFAULT_SCHEDULE
    base_url: str | None = None
    token: str | None = None
    token_env: str | None = None
    token_file: Path | None = None
    oauth: OAuthCredentials | None = None
    resources: tuple[str, ...] | None = None
    sweep: bool = False
    database: str = "{company}.duckdb"
    dsn_env: str | None = None
    dataset: str | None = None
    page_size: int = 100

    def __repr__(self) -> str:
        return f"Tenant(company={self.company!r}, schedule={self.schedule!r})"

    def auth(self, environ: Mapping[str, str]) -> Auth:
        """Return the tenant's credentials, read now (environment, file or token file).

        Raises:
            UsageError: The variable is unset or the file missing or empty.
        """
        if self.oauth is not None:
            return self.oauth.auth(environ)
        if self.token_env is not None:
            return TokenAuth(_from_env(environ, self.token_env))
        if self.token_file is not None:
            try:
                token = self.token_file.read_text().strip()
            except OSError as exc:
                raise UsageError(
                    f"cannot read the token file {self.token_file}: {exc.strerror or exc}"
                ) from None
            if not token:
                raise UsageError(f"the token file {self.token_file} is empty")
            return TokenAuth(token)
        assert self.token is not None  # parse_config requires one of the four
        return TokenAuth(self.token)

    def destination(self, environ: Mapping[str, str]) -> Destination:
        """Return where the tenant's tables go (its DuckDB file or the PostgreSQL DSN)."""
        from booqable_async.sync import duckdb_destination, postgres_destination

        if self.dsn_env is not None:
            return postgres_destination(_from_env(environ, self.dsn_env))
        return duckdb_destination(self.database.replace("{company}", self.company))

    def client_factory(
        self, limiter: RateLimiter | bool, environ: Mapping[str, str], **options: Any
    ) -> Callable[[], BooqableClient]:
        """Return a function opening clients for this tenant that share ``limiter``."""
        from booqable_async.sync import client_factory

        auth = self.auth(environ)
        target: dict[str, Any] = (
            {"base_url": self.base_url} if self.base_url else {"company": self.company}
        )
        return client_factory(rate_limit=limiter, auth=auth, **target, **options)

    def sync_job(
        self,
        limiter: RateLimiter | bool,
        pipelines_dir: Path,
        environ: Mapping[str, str],
        **client_options: Any,
    ) -> SyncJob:
        """Return the tenant's sync, reading its secrets now.

        Raises:
            UsageError: Missing secrets or a bad setting (before any I/O).
        """
        from booqable_async.sync import DEFAULT_RESOURCES, SyncJob

        return SyncJob(
            client=self.client_factory(limiter, environ, **client_options),
            company=self.company,
            destination=self.destination(environ),
            resources=self.resources or DEFAULT_RESOURCES,
            dataset=self.dataset,
            pipelines_dir=pipelines_dir,
            sweep=self.sweep,
            page_size=self.page_size,
        )


@attrs.frozen
class WorkersConfig:
    """Every tenant, and where the sync keeps its working files.

    Attributes:
        tenants: The companies, by slug.
        pipelines_dir: dlt's working directory for every company (pending loads, state).
    """

    tenants: Mapping[str, Tenant]
    pipelines_dir: Path = Path(".booqable-sync")

    def tenant(self, company: str) -> Tenant:
        """Return the tenant ``company``.

        Raises:
            UsageError: No such tenant in the file.
        """
        try:
            return self.tenants[company]
        except KeyError:
            raise UsageError(f"no tenant {company!r} in the tenants file") from None

    def select(self, companies: Sequence[str]) -> list[Tenant]:
        """Return the named tenants (all of them when none are named)."""
        if not companies:
            return list(self.tenants.values())
        return [self.tenant(c) for c in companies]


def _tenant(entry: object, index: int, defaults: Mapping[str, Any], base: Path) -> Tenant:
    where = f"tenants[{index}]"
    if not isinstance(entry, Mapping):
        raise UsageError(f"{where} must be a table ([[tenants]])")
    _check_keys(entry, _TENANT_KEYS, where)
    company = _text(entry.get("company"), f"{where}.company")
    where = f"tenant {company!r}"
    given = [k for k in ("token", "token_env", "token_file", "oauth") if k in entry]
    if len(given) != 1:
        raise UsageError(
            f"{where} needs exactly one of token_env, token_file, oauth or token "
            f"(got {', '.join(given) or 'none'})"
        )
    merged = {**defaults, **entry}
    oauth = None
    if "oauth" in entry:
        table = entry["oauth"]
        if not isinstance(table, Mapping):
            raise UsageError(f"{where}.oauth must be a table")
        _check_keys(table, _OAUTH_KEYS, f"{where}.oauth")
        oauth = OAuthCredentials(
            client_id_env=_text(table.get("client_id_env"), f"{where}.oauth.client_id_env"),
            client_secret_env=_text(
                table.get("client_secret_env"), f"{where}.oauth.client_secret_env"
            ),
            token_file=base / _text(table.get("token_file"), f"{where}.oauth.token_file"),
        )
    resources = merged.get("resources")
    if resources is not None and (
        not isinstance(resources, list) or not all(isinstance(r, str) for r in resources)
    ):
        raise UsageError(f"{where}.resources must be a list of resource names")
    if resources is not None:
        from booqable_async.sync import resolve_resources

        resolve_resources(resources)
    sweep = merged.get("sweep", False)
    if not isinstance(sweep, bool):
        raise UsageError(f"{where}.sweep must be true or false")
    page_size = merged.get("page_size", 100)
    if not isinstance(page_size, int) or isinstance(page_size, bool) or not 1 <= page_size <= 100:
        raise UsageError(f"{where}.page_size must be a whole number from 1 to 100")
    return Tenant(
        company=company,
        schedule=_schedule(merged.get("schedule", DEFAULT_SCHEDULE), f"{where}.schedule"),
        base_url=_text(entry["base_url"], f"{where}.base_url") if "base_url" in entry else None,
        token=_text(entry["token"], f"{where}.token") if "token" in entry else None,
        token_env=_text(entry["token_env"], f"{where}.token_env") if "token_env" in entry else None,
        token_file=base / _text(entry["token_file"], f"{where}.token_file")
        if "token_file" in entry
        else None,
        oauth=oauth,
        resources=tuple(resources) if resources is not None else None,
        sweep=sweep,
        database=str(base / _text(merged.get("database", "{company}.duckdb"), f"{where}.database")),
        dsn_env=_text(merged["dsn_env"], f"{where}.dsn_env") if "dsn_env" in merged else None,
        dataset=_text(entry["dataset"], f"{where}.dataset") if "dataset" in entry else None,
        page_size=page_size,
    )


def parse_config(data: Mapping[str, Any], base: Path = Path()) -> WorkersConfig:
    """Build the configuration from a parsed tenants file.

    Args:
        data: The TOML document, parsed.
        base: Relative paths in it are relative to this directory (the file's).

    Returns:
        The configuration.

    Raises:
        UsageError: Unknown or missing settings, a bad cron expression, a company twice.
    """
    _check_keys(data, frozenset({"defaults", "tenants"}), "tenants file")
    defaults = data.get("defaults", {})
    if not isinstance(defaults, Mapping):
        raise UsageError("[defaults] must be a table")
    _check_keys(defaults, _DEFAULT_KEYS, "[defaults]")
    entries = data.get("tenants")
    if not isinstance(entries, list) or not entries:
        raise UsageError("the tenants file lists no [[tenants]]")
    tenant_defaults = {k: v for k, v in defaults.items() if k != "pipelines_dir"}
    tenants: dict[str, Tenant] = {}
    for index, entry in enumerate(entries):
        tenant = _tenant(entry, index, tenant_defaults, base)
        if tenant.company in tenants:
            raise UsageError(f"tenant {tenant.company!r} is listed twice")
        tenants[tenant.company] = tenant
    pipelines = defaults.get("pipelines_dir", ".booqable-sync")
    return WorkersConfig(
        tenants=tenants, pipelines_dir=base / _text(pipelines, "[defaults].pipelines_dir")
    )


def load_config(path: str | os.PathLike[str]) -> WorkersConfig:
    """Read a tenants file (TOML); relative paths in it are relative to the file.

    Raises:
        UsageError: The file is missing, not TOML, or has bad settings.
    """
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib

    file = Path(path)
    try:
        data = tomllib.loads(file.read_text())
    except OSError as exc:
        raise UsageError(f"cannot read the tenants file {file}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"the tenants file {file} is not valid TOML: {exc}") from None
    return parse_config(data, file.parent)
