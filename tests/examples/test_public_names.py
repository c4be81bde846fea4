"""The examples are written as users would write them: public names of the library only."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FILES = sorted(EXAMPLES.rglob("*.py"))


def library_imports(path: Path) -> list[tuple[str, str]]:
    """Every (module, name) a file imports from booqable_async."""
    found: list[tuple[str, str]] = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("booqable_async"):
            found.extend((node.module or "", alias.name) for alias in node.names)
        elif isinstance(node, ast.Import):
            found.extend((a.name, "") for a in node.names if a.name.startswith("booqable_async"))
    return found


def test_there_are_three_example_apis() -> None:
    assert {p.parent.name for p in FILES} >= {"cloudbooks", "booga", "beebole"}


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(EXAMPLES)))
def test_only_public_modules_and_names(path: Path) -> None:
    for module, name in library_imports(path):
        assert not any(part.startswith("_") for part in module.split(".")), (path, module)
        assert not name.startswith("_"), (path, module, name)
        if name:
            exported = importlib.import_module(module).__all__
            assert name in exported, f"{path.name}: {name} is not in {module}.__all__"
