"""Run every benchmark in this folder and print what each measured.

Benchmarks print ratios measured side by side in one run (never absolute targets): these
machines are shared and noisy. Each benchmark is a script ``bench_*.py`` with a ``main()``.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    if not scripts:
        print("No benchmarks yet. They land with the decoder, session and paginator issues.")
        return 0
    for script in scripts:
        print(f"== {script.name}")
        spec = importlib.util.spec_from_file_location(script.stem, script)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
