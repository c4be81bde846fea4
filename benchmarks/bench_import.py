"""Import cost: booqable_async next to its dependencies alone.

Each measurement is a fresh interpreter (``python -X importtime`` would disturb timing)
that times only the import statement with ``perf_counter``; the variants run interleaved,
round after round, and the median of each is compared with the median of importing the
dependencies alone (aiohttp, attrs, msgspec, tenacity, yarl). Target (issue 6):
``import booqable_async`` at most 1.3x the dependencies.

Also shown, for what a program really pays:

- ``from booqable_async import BooqableClient``: the client, session, decoder and query
  layers (aiohttp itself loads on the first request);
- ``... + client.orders``: one facade and its model;
- every facade and model: what lazy loading saves.
"""

from __future__ import annotations

import statistics
import subprocess
import sys

from _results import Row, emit, ms, times

ROUNDS = 15

DEPS = "import aiohttp, attrs, msgspec, tenacity, yarl"
VARIANTS = {
    "dependencies alone": DEPS,
    "import booqable_async": "import booqable_async",
    "from booqable_async import BooqableClient": (
        "from booqable_async import BooqableClient; BooqableClient"
    ),
    "client + client.orders": (
        "from booqable_async import BooqableClient\n"
        "BooqableClient(company='acme', token='t').orders"
    ),
    "client + every facade and model": (
        "from booqable_async import BooqableClient\n"
        "from booqable_async.resources import FACADES\n"
        "from booqable_async.models import REGISTRY\n"
        "c = BooqableClient(company='acme', token='t')\n"
        "[c.resource(t) for t in FACADES]; [REGISTRY[t] for t in REGISTRY]"
    ),
}


def measure(code: str) -> float:
    """Seconds the statements take in a fresh interpreter (startup excluded)."""
    program = f"import time\n_t = time.perf_counter()\n{code}\nprint(time.perf_counter() - _t)\n"
    out = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    ).stdout
    return float(out.strip().splitlines()[-1])


def main() -> None:
    samples: dict[str, list[float]] = {name: [] for name in VARIANTS}
    for _ in range(ROUNDS):
        for name, code in VARIANTS.items():
            samples[name].append(measure(code))
    medians = {name: statistics.median(values) for name, values in samples.items()}
    base = medians["dependencies alone"]
    print(f"import time, median of {ROUNDS} fresh interpreters each (interleaved):")
    for name, value in medians.items():
        print(f"  {name:<42} {value * 1000:7.1f} ms  {value / base:5.2f}x dependencies")
    ratio = medians["import booqable_async"] / base
    verdict = "OK" if ratio <= 1.3 else "OVER"
    print(f"import booqable_async / dependencies alone = {ratio:.2f} (target <= 1.3: {verdict})")
    emit(
        Row(
            "import",
            f"{name} (fresh interpreter, median of {ROUNDS})",
            ms(value),
            f"dependencies alone {ms(base)}",
            times(value / base),
            "≤ 1.3x" if name == "import booqable_async" else "",
        )
        for name, value in medians.items()
        if name != "dependencies alone"
    )


if __name__ == "__main__":
    main()
