"""Every name the benchmarks import from the package exists.

The benchmarks run outside the test suite (``make bench``), often importing inside
functions so that each child process measures its own imports; a module renamed private
would otherwise only show when someone next runs them.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def _package_imports(path: Path) -> list[tuple[str, str | None, int]]:
    """(module, name or None, line) of every ``booqable_async`` import in ``path``."""
    found: list[tuple[str, str | None, int]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [
                (alias.name, None, node.lineno)
                for alias in node.names
                if alias.name.split(".")[0] == "booqable_async"
            ]
        elif (
            isinstance(node, ast.ImportFrom)
            and node.level == 0
            and (node.module or "").split(".")[0] == "booqable_async"
        ):
            found += [(str(node.module), alias.name, node.lineno) for alias in node.names]
    return found


SCRIPTS = sorted(BENCHMARKS.glob("*.py"))


def test_the_benchmarks_are_found() -> None:
    assert len(SCRIPTS) >= 10
    assert sum(len(_package_imports(p)) for p in SCRIPTS) >= 20


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_every_package_import_resolves(script: Path) -> None:
    missing = []
    for module_name, name, line in _package_imports(script):
        try:
            module = importlib.import_module(module_name)
        except ImportError as error:
            missing.append(f"{script.name}:{line}: {module_name}: {error}")
            continue
        if name is not None and name != "*" and not hasattr(module, name):
            try:  # a submodule imported by name
                importlib.import_module(f"{module_name}.{name}")
            except ImportError:
                missing.append(f"{script.name}:{line}: {module_name} has no {name!r}")
    assert not missing, "\n".join(missing)
