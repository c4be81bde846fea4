"""The ``booqable`` command (console script; needs the ``cli`` extra for rich).

``booqable pull RESOURCE`` streams every record to JSON Lines, CSV or JSON with a progress
bar and can resume after Ctrl-C; ``booqable get``, ``booqable stats`` and
``booqable serve-fake`` complete it; ``booqable v1 pull|get`` do the same through the
legacy API v1. With ``--demo`` it runs against an embedded demo
company (:class:`~booqable_async.testing.FakeBooqable`); without credentials and without
``--demo`` it refuses to run. See docs/cli.md.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

__all__ = ["INSTALL_HINT", "main"]

#: What to do when rich (the ``cli`` extra) is missing.
INSTALL_HINT = (
    "booqable: the command-line tool needs the 'cli' extra (rich); install it with: "
    "pip install 'booqable-async[cli]'"
)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``booqable`` command and return its exit code.

    Args:
        argv: Arguments without the program name (default ``sys.argv[1:]``).

    Returns:
        0 on success, 1 for API/network/output failures (or a missing ``cli`` extra), 2 for
        a bad command line, 130 when interrupted by Ctrl-C (143 by SIGTERM).
    """
    # Everything else is imported here, after the check, so that a missing rich gives an
    # instruction instead of an ImportError traceback.
    try:
        import rich  # noqa: F401
    except ImportError:
        print(INSTALL_HINT, file=sys.stderr)
        return 1
    from booqable_async.cli._main import main as run

    return run(argv)
