"""Every Python example in README.md and docs/*.md runs, and type-checks with mypy --strict.

The rules a block follows (docs/architecture.md, "Examples in the docs"):

* A block whose first line starts with ``# Fragment`` is a deliberate fragment (it needs a
  Redis server, a real account, or the names of the example around it); the comment says
  why. Fragments are only parsed (top-level ``await`` allowed): never run or type-checked.
* A block that defines ``test_*`` functions is a pytest module, run by pytest the way
  docs/testing.md says to set a suite up: the plugin enabled in ``conftest.py`` and
  ``asyncio_mode = auto``.
* Every other block is a complete program, run in an empty temporary directory. One that
  connects to a real account, ``BooqableClient(company="acme", token="...")`` (or
  ``Session(...)``), runs with one visible change: ``company="acme", token="..."``
  becomes ``company="acme", token="...", transport=docs_fake.transport()``, where
  ``docs_fake`` is a ``FakeBooqable`` with that company and token and a small demo data
  set. Nothing else is rewritten.

Runnable blocks and pytest modules are then type-checked together, as written, in one
``mypy --strict`` run. Every block, fragments included, imports only public names
(tests/public_api.txt), and every ``:::`` reference of the docs names a public module.
"""

from __future__ import annotations

import ast
import importlib
import re
import subprocess
import sys
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

from booqable_async.testing import FakeBooqable
from tests.test_public_api import is_private

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FRAGMENT = re.compile(r"^# Fragment\b\W*\w")  # the marker, then the reason
#: The one rewrite: a client for a real account talks to an in-process fake instead.
REAL_ACCOUNT = 'company="acme", token="..."'
ON_THE_FAKE = 'company="acme", token="...", transport=docs_fake.transport()'
FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<lang>[\w-]*)")
REFERENCE = re.compile(r"^::: (?P<path>[\w.]+)", re.MULTILINE)


class Block:
    """One fenced Python block of a page."""

    def __init__(self, page: Path, line: int, source: str) -> None:
        self.page = page
        self.line = line  # of the opening fence
        self.source = source

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"

    @property
    def module_name(self) -> str:
        stem = re.sub(r"\W", "_", self.page.stem.lower())
        return f"docs_{stem}_{self.line}"

    @property
    def is_fragment(self) -> bool:
        return bool(FRAGMENT.match(self.source))

    @property
    def is_pytest_module(self) -> bool:
        try:
            tree = ast.parse(self.source)
        except SyntaxError:  # reported, with its page and line, by the test that runs it
            return False
        return any(
            isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.name.startswith("test_")
            for node in tree.body
        )


def blocks_of(page: Path) -> Iterator[Block]:
    lines = page.read_text(encoding="utf-8").splitlines()
    number = 0
    while number < len(lines):
        match = FENCE.match(lines[number])
        if match is None:
            number += 1
            continue
        end = number + 1
        while not lines[end].strip().startswith("```"):
            end += 1
        if match["lang"] == "python":
            indent = len(match["indent"])
            body = "\n".join(line[indent:] for line in lines[number + 1 : end])
            yield Block(page, number + 1, body + "\n")
        number = end + 1


BLOCKS = [block for page in PAGES for block in blocks_of(page)]
FRAGMENTS = [b for b in BLOCKS if b.is_fragment]
RUNNABLE = [b for b in BLOCKS if not b.is_fragment]
PROGRAMS = [b for b in RUNNABLE if not b.is_pytest_module]
PYTEST_MODULES = [b for b in RUNNABLE if b.is_pytest_module]


def ids(blocks: list[Block]) -> list[str]:
    return [block.where for block in blocks]


def test_the_blocks_are_found() -> None:
    # Guards the extraction: a broken parser would make every test below pass vacuously.
    assert len(BLOCKS) >= 60
    assert len(PROGRAMS) > 3 * len(FRAGMENTS)
    assert PYTEST_MODULES
    readme = [b for b in BLOCKS if b.page.name == "README.md"]
    assert readme
    assert not readme[0].is_fragment


def parse(block: Block) -> ast.Module:
    flags = ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
    tree: ast.Module = compile(block.source, block.where, "exec", flags=flags)
    return tree


@pytest.mark.parametrize("block", BLOCKS, ids=ids(BLOCKS))
def test_imports_only_public_names(block: Block) -> None:
    problems = []
    for node in ast.walk(parse(block)):
        if isinstance(node, ast.Import):
            modules = [(alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules = [(node.module, [alias.name for alias in node.names])]
        else:
            continue
        for module_name, names in modules:
            if not module_name.startswith("booqable_async"):
                continue
            if is_private(module_name):
                problems.append(f"imports the private module {module_name}")
                continue
            exported = set(getattr(importlib.import_module(module_name), "__all__", ()))
            for name in names or ():
                if name not in exported and f"{module_name}.{name}" not in sys.modules:
                    problems.append(f"imports {name} from {module_name}, which does not export it")
    assert not problems, f"{block.where}: " + "; ".join(problems)


@pytest.mark.parametrize("block", FRAGMENTS, ids=ids(FRAGMENTS))
def test_fragments_parse(block: Block) -> None:
    parse(block)  # a SyntaxError names the page and line


@pytest.mark.parametrize("block", PROGRAMS, ids=ids(PROGRAMS))
def test_program_runs(block: Block, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    source = block.source.replace(REAL_ACCOUNT, ON_THE_FAKE)
    module = types.ModuleType(block.module_name)
    if source != block.source:
        module.docs_fake = FakeBooqable.demo(  # type: ignore[attr-defined]
            orders=30, customers=10, product_groups=3, company="acme", token="..."
        )
    # A real module (not a bare dict), so models defined by the block resolve their
    # annotations as they would in a user's file.
    monkeypatch.setitem(sys.modules, block.module_name, module)
    # What it prints is for the reader; its own asserts (and any exception) are the checks.
    exec(compile(source, block.where, "exec"), module.__dict__)


def test_pytest_modules_pass(tmp_path: Path) -> None:
    for block in PYTEST_MODULES:
        (tmp_path / f"test_{block.module_name}.py").write_text(block.source, encoding="utf-8")
    # The set-up docs/testing.md describes: the opt-in plugin and asyncio_mode = auto.
    (tmp_path / "conftest.py").write_text(
        'pytest_plugins = ["booqable_async.testing.pytest_plugin"]\n', encoding="utf-8"
    )
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n"
        "filterwarnings = error\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    expected = sum(
        1
        for block in PYTEST_MODULES
        for node in ast.parse(block.source).body
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and node.name.startswith("test_")
    )
    assert f"{expected} passed" in result.stdout, result.stdout


_MYPY_LINE = re.compile(r"^(?P<file>[^:]+\.py):(?P<line>\d+): (?P<kind>error|note): (?P<text>.*)$")


@pytest.mark.slow
def test_runnable_blocks_type_check(tmp_path: Path) -> None:
    by_file = {}
    for block in RUNNABLE:
        path = tmp_path / f"{block.module_name}.py"
        path.write_text(block.source, encoding="utf-8")
        by_file[path.name] = block
    # In a process of its own (mypy raises the interpreter's recursion limit for good,
    # which would change what later tests see), from the repository root: the project's
    # mypy settings and its warm cache.
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary"]
        + [str(tmp_path / name) for name in by_file],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert not result.stderr, result.stderr
    errors = []
    for line in result.stdout.splitlines():
        match = _MYPY_LINE.match(line)
        if match is None or match["kind"] != "error":
            continue
        block = by_file.get(Path(match["file"]).name)
        if block is None:
            errors.append(line)
            continue
        page_line = block.line + int(match["line"])
        errors.append(f"{block.page.relative_to(ROOT)}:{page_line}: {match['text']}")
    assert not errors, "mypy --strict on the docs examples:\n" + "\n".join(errors)


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_references_name_public_modules(page: Path) -> None:
    problems = []
    for match in REFERENCE.finditer(page.read_text(encoding="utf-8")):
        path = match["path"]
        parts = path.split(".")
        # The longest importable prefix is the module; the rest are attributes.
        for cut in range(len(parts), 0, -1):
            module_name = ".".join(parts[:cut])
            try:
                importlib.import_module(module_name)
            except ImportError:
                continue
            break
        if is_private(module_name):
            problems.append(f"::: {path} documents the private module {module_name}")
    assert not problems, f"{page.name}: " + "; ".join(problems)
