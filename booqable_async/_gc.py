"""Pausing the cyclic garbage collector while a large JSON document is parsed or built.

Used by the protocol layer (parsing a response body) and the JSON:API decoder (building
the object graph); it imports nothing of the package, so any layer may use it.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the ``with`` block.

    A JSON document has no reference cycles, and everything parsed or built from it stays
    reachable until the work ends, so a collection started meanwhile can free nothing;
    yet parsing and building allocate a container every few dozen bytes, and every few
    hundred allocations start a collection walking the young objects, with full
    collections of the whole growing heap on large pages (measured with
    benchmarks/bench_decode.py: at 10,000 orders they were most of the time; a 100-order
    page parses about a third faster). Memory use is unchanged (reference counting frees
    everything as usual). The previous state is restored even on error, and a collector
    already disabled stays so.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
