"""Result rows: what each benchmark hands to ``run_all.py`` for the one results table.

A benchmark prints its own report and, at the end of ``main()``, calls :func:`emit` with
its headline measurements. Run on its own, ``emit`` does nothing; run by ``run_all.py``
(which sets ``BENCH_ROWS`` to a file), the rows are appended to that file as JSON lines.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass

#: Environment variable naming the JSON-lines file rows are appended to.
ROWS_ENV = "BENCH_ROWS"


@dataclass(frozen=True)
class Row:
    """One line of the results table.

    Attributes:
        area: The benchmark (``decode``, ``pull``...).
        measured: What was measured, in words.
        ours: Our figure, with its unit.
        reference: What it is compared with, and that figure.
        ratio: Measured side by side in this run (``1.95x``, ``98.0 %``...).
        target: The goal the issue set, if any.
    """

    area: str
    measured: str
    ours: str
    reference: str = ""
    ratio: str = ""
    target: str = ""


def emit(rows: Iterable[Row]) -> None:
    """Hand ``rows`` to run_all.py (no-op when the benchmark runs on its own)."""
    path = os.environ.get(ROWS_ENV)
    if not path:
        return
    with open(path, "a", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(asdict(row)) + "\n")


def ms(seconds: float) -> str:
    """Seconds as milliseconds text."""
    return f"{seconds * 1000:.1f} ms"


def us(seconds: float) -> str:
    """Seconds as microseconds text."""
    return f"{seconds * 1e6:.1f} µs"


def times(ratio: float) -> str:
    """A ratio as ``1.23x``."""
    return f"{ratio:.2f}x"
