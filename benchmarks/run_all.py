"""Run every benchmark and write one markdown table of what they measured.

Each ``bench_*.py`` runs in a fresh interpreter (so one benchmark's imports, memory and
garbage never weigh on the next), prints its own report, and hands its headline rows back
through ``_results.emit``. The table goes to ``benchmarks/results.md`` (with the machine
and versions it was measured on; ``docs/performance.md`` includes that file) and is printed
at the end.

Benchmarks report ratios measured side by side in one run, never absolute targets: these
machines are shared and noisy.

Usage: ``python benchmarks/run_all.py`` (``make bench``) for everything, or
``python benchmarks/run_all.py decode pull`` for some (then nothing is written).
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

from _results import ROWS_ENV

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.md"
#: Run order: bottom layer first. Benchmarks not listed run afterwards, by name.
ORDER = [
    "protocol",
    "transport",
    "pipeline",
    "limiter",
    "decode",
    "facades",
    "pull",
    "memory",
    "adversarial",
    "import",
    "cli",
    "fake",
    "webhooks",
    "sync",
    "workers",
]
#: A benchmark running longer than this is stopped (make bench must end).
TIMEOUT = 15 * 60
COLUMNS = ("area", "measured", "ours", "reference", "ratio", "target")
HEADERS = ("Area", "Measured", "Ours", "Reference", "Ratio (ours / ref.)", "Target")


def scripts(selected: list[str]) -> list[Path]:
    found = {p.stem.removeprefix("bench_"): p for p in HERE.glob("bench_*.py")}
    names = [n for n in ORDER if n in found] + sorted(set(found) - set(ORDER))
    if selected:
        unknown = sorted(set(selected) - set(found))
        if unknown:
            raise SystemExit(f"unknown benchmark(s) {', '.join(unknown)}; known: {names}")
        names = [n for n in names if n in selected]
    return [found[n] for n in names]


def machine() -> list[str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = []
    for package in ("booqable-async", "aiohttp", "msgspec", "orjson", "httpx", "jsonapi-client"):
        try:
            versions.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{package} (not installed)")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return [
        f"- Machine: {cpu}, {os.cpu_count()} logical CPUs, {platform.system()} "
        f"{platform.release()}",
        f"- Python {platform.python_version()} ({platform.python_implementation()}); "
        + "; ".join(versions),
        f"- Load average when the run started: {load}",
    ]


def table(rows: list[dict[str, str]]) -> list[str]:
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")

    lines = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    lines += ["| " + " | ".join(cell(row.get(c, "")) for c in COLUMNS) + " |" for row in rows]
    return lines


def run(script: Path, rows_file: str) -> tuple[int, float]:
    env = {**os.environ, ROWS_ENV: rows_file, "PYTHONDONTWRITEBYTECODE": "1"}
    started = time.perf_counter()
    try:
        code = subprocess.run(
            [sys.executable, str(script)], env=env, cwd=HERE.parent, timeout=TIMEOUT, check=False
        ).returncode
    except subprocess.TimeoutExpired:
        print(f"!! {script.name} took longer than {TIMEOUT} s and was stopped")
        code = -1
    return code, time.perf_counter() - started


def main(argv: list[str]) -> int:
    chosen = scripts(argv)
    header = machine()
    started = datetime.datetime.now(datetime.timezone.utc)
    failed: list[str] = []
    durations: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        rows_file = os.path.join(tmp, "rows.jsonl")
        Path(rows_file).touch()
        for script in chosen:
            print(f"== {script.name}", flush=True)
            code, seconds = run(script, rows_file)
            durations.append(f"{script.stem.removeprefix('bench_')} {seconds:.0f} s")
            if code != 0:
                failed.append(script.name)
                print(f"!! {script.name} exited with {code}")
        rows = [json.loads(line) for line in Path(rows_file).read_text().splitlines() if line]
    total = (datetime.datetime.now(datetime.timezone.utc) - started).total_seconds()
    lines = [
        "## Results of the last `make bench` run",
        "",
        f"Written by `make bench` (benchmarks/run_all.py) on {started:%Y-%m-%d %H:%M} UTC in "
        f"{total / 60:.1f} min. Every ratio compares two things measured side by side in "
        "this run; absolute figures vary with the machine and its load.",
        "",
        *header,
        f"- Run times: {', '.join(durations)}",
        "",
        *table(rows),
        "",
    ]
    if failed:
        lines += [f"Failed: {', '.join(failed)}", ""]
    text = "\n".join(lines)
    print()
    print(text)
    if not argv:
        RESULTS.write_text(text, encoding="utf-8")
        print(f"written to {RESULTS.relative_to(HERE.parent)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
