"""``python -m booqable_async.cli``: the ``booqable`` command."""

from __future__ import annotations

import sys

from booqable_async.cli import main

if __name__ == "__main__":  # pragma: no branch
    sys.exit(main())
