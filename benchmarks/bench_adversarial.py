"""Adversarial sizes: does decoding stay linear on huge, densely linked documents?

The documents are ``tests/fuzz/test_adversarial_sizes.py``'s: ``n`` line resources, each
referencing 8 others, its parent (one include chain ``n`` long) and one of 100 orders that
are never included (stubs). The test suite proves they decode correctly without recursion;
this measures how the time grows. For n and 2n, side by side in one run, best of a few:

- ``decode`` time per resource, and the ratio of decode(2n) to decode(n) (linear: ~2.0);
- ``decode`` against ``orjson.loads`` of the same bytes with the cyclic GC paused, as
  ``decode`` parses (the parse any decoder pays; with the GC running, ``orjson.loads``
  alone takes two to three times longer on these container-heavy documents).

Also timed: refusing a 100,000-deep nesting attempt (a JSON bomb), which must be
immediate, not proportional to some deep recursion.
"""

from __future__ import annotations

import gc
import itertools
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _results import Row, emit, ms, times
from bench_decode import loads_gc_paused

from booqable_async import errors
from booqable_async.jsonapi import decode
from tests.fuzz.test_adversarial_sizes import _nested_arrays, dense_document

SIZES = (25_000, 50_000, 100_000)
ROUNDS = 5


def best_of(fn: object, body: bytes) -> float:
    """The best CPU time of ``ROUNDS`` calls of ``fn(body)`` (the result dropped each time)."""
    best = float("inf")
    for _ in range(ROUNDS):
        gc.collect()
        started = time.process_time()
        result = fn(body)  # type: ignore[operator]
        best = min(best, time.process_time() - started)
        del result
    return best


def main() -> None:
    rows = []
    decoded: dict[int, float] = {}
    for n in SIZES:
        body = dense_document(n)
        loads = best_of(loads_gc_paused, body)
        took = best_of(decode, body)
        decoded[n] = took
        print(
            f"n={n:>7,} ({len(body) / 1e6:5.1f} MB): decode {took * 1000:8.1f} ms "
            f"({took / n * 1e6:5.2f} µs a resource), orjson.loads (GC paused) "
            f"{loads * 1000:7.1f} ms, {took / loads:4.2f}x loads"
        )
        rows.append(
            Row(
                "adversarial",
                f"decode() of {n:,} lines, each linking 8 others + a parent chain {n:,} long",
                ms(took),
                f"orjson.loads, GC paused {ms(loads)}",
                times(took / loads),
            )
        )
    for small, large in itertools.pairwise(SIZES):
        growth = decoded[large] / decoded[small]
        print(f"decode({large:,}) / decode({small:,}) = {growth:.2f} (linear: 2.0)")
        rows.append(
            Row(
                "adversarial",
                f"growth of decode() time from {small:,} to {large:,} resources",
                times(growth),
                "linear growth 2.00x",
                times(growth / 2),
                "≈ 1.0x (linear)",
            )
        )
    bomb = _nested_arrays(100_000)
    started = time.perf_counter()
    try:
        decode(bomb)
    except errors.DecodeError:
        refused = time.perf_counter() - started
    else:
        raise SystemExit("a 100,000-deep nesting was not refused")
    print(f"100,000-deep nesting refused in {refused * 1000:.2f} ms")
    rows.append(Row("adversarial", "a 100,000-deep JSON nesting refused", ms(refused)))
    emit(rows)


if __name__ == "__main__":
    main()
