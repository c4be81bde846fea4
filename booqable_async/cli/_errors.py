"""How the command reports failures: one line on stderr and a distinct exit code.

Exit codes: ``0`` success, ``1`` the API or the network failed (or the output could not
be written), ``2`` the command line was wrong (nothing was sent), ``130`` interrupted by
Ctrl-C (``143`` by SIGTERM). Messages come from the library's exceptions, which never
contain a secret (URLs are redacted, header values never quoted).
"""

from __future__ import annotations

from booqable_async.errors import (
    BooqableError,
    Forbidden,
    PaginationError,
    RateLimited,
    Unauthorized,
    UsageError,
)

__all__ = [
    "EXIT_FAILURE",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_TERMINATED",
    "EXIT_USAGE",
    "describe",
    "exit_code",
    "one_line",
]

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143


def one_line(text: str) -> str:
    """Fold a multi-line message into one line.

    An ``invalid query:`` line followed by ``- a`` and ``- b`` lines becomes
    ``invalid query: a; b`` (the library's validation errors list one problem per line).
    """
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    if not lines:
        return ""
    head, rest = lines[0], [line.removeprefix("- ").strip() for line in lines[1:]]
    if not rest:
        return head
    return f"{head} {'; '.join(rest)}" if head.endswith(":") else f"{head}: {'; '.join(rest)}"


def _hint(exc: BaseException) -> str:
    if isinstance(exc, PaginationError) and exc.cause is not None:
        return _hint(exc.cause)
    if isinstance(exc, Unauthorized):
        return " (check the access token: BOOQABLE_API_KEY or --token)"
    if isinstance(exc, Forbidden):
        return " (the token's employee may lack the permission for this resource)"
    if isinstance(exc, RateLimited):
        return " (the company's request budget is spent; lower --concurrency or wait)"
    return ""


def describe(exc: BaseException) -> str:
    """Return the one-line message for an error (with a hint when one helps)."""
    if isinstance(exc, BooqableError):
        return one_line(str(exc)) + _hint(exc)
    if isinstance(exc, OSError):
        where = f" {exc.filename!s}" if exc.filename else ""
        return f"cannot access{where}: {exc.strerror or exc}"
    return f"internal error: {type(exc).__name__}: {one_line(str(exc))} (rerun with --debug)"


def exit_code(exc: BaseException) -> int:
    """Return the exit code for an error: 2 for usage errors, 1 otherwise."""
    return EXIT_USAGE if isinstance(exc, UsageError) else EXIT_FAILURE
