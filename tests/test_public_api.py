"""The public API changes only on purpose.

A module is public when no part of its dotted name starts with an underscore
(``booqable_async.transport`` is, ``booqable_async.transport._mock`` is not), and it
publishes exactly the names in its ``__all__``. ``tests/public_api.txt`` lists every public
module with those names; these tests compare the package with it and check that no public
package publishes, by accident, a name that belongs to another package or that it only
imported for its own use (docs/architecture.md, "Public and private").

To change the public API deliberately, regenerate the snapshot and review its diff::

    BOOQABLE_UPDATE_PUBLIC_API=1 .venv/bin/python -m pytest tests/test_public_api.py

then add a CHANGELOG line (**Breaking:** for a name removed, renamed or moved).
"""

from __future__ import annotations

import difflib
import importlib
import inspect
import os
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "booqable_async"
SNAPSHOT = Path(__file__).with_name("public_api.txt")
UPDATE_ENV = "BOOQABLE_UPDATE_PUBLIC_API"
HOW_TO_UPDATE = (
    f"If the change is deliberate, regenerate the snapshot with\n"
    f"    {UPDATE_ENV}=1 .venv/bin/python -m pytest tests/test_public_api.py\n"
    "review its diff and add a CHANGELOG line (**Breaking:** for a name removed, renamed or "
    "moved). If it is not, make the new module private (a leading underscore) or take the "
    "name out of __all__."
)
HEADER = f"""\
# The public API of booqable_async: every public module, then the names it exports (its
# __all__). A module is public when no part of its dotted name starts with "_".
# tests/test_public_api.py compares the package with this file, so the public API only
# changes on purpose. After a deliberate change regenerate it with
#     {UPDATE_ENV}=1 .venv/bin/python -m pytest tests/test_public_api.py
# review the diff, and add a CHANGELOG line (**Breaking:** for a name removed or moved).
"""

# Implementation modules still named like public ones; their package publishes their names,
# and they are to be renamed private (protocol/_request.py...). Until then they count as
# private here; delete an entry once its module is renamed.
NOT_YET_PRIVATE: frozenset[str] = frozenset()


def is_private(module_name: str) -> bool:
    return module_name in NOT_YET_PRIVATE or any(
        part.startswith("_") for part in module_name.split(".")[1:]
    )


def public_module_names() -> list[str]:
    """Every public module of the package, found on disk (``__main__`` modules excluded)."""
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__main__":  # runs the program when imported
            continue
        if parts[-1] == "__init__":
            parts.pop()
        if not is_private(".".join(parts)):
            names.append(".".join(parts))
    return sorted(names)


PUBLIC = public_module_names()


def exports(module: ModuleType) -> list[str]:
    exported = getattr(module, "__all__", None)
    assert exported is not None, f"{module.__name__} is public but declares no __all__"
    return sorted(exported)


def render() -> str:
    lines = [HEADER.rstrip("\n")]
    for name in PUBLIC:
        lines.append(name)
        lines.extend(f"    {export}" for export in exports(importlib.import_module(name)))
    return "\n".join(lines) + "\n"


def test_the_exports_match_the_snapshot() -> None:
    current = render()
    if os.environ.get(UPDATE_ENV):
        SNAPSHOT.write_text(current, encoding="utf-8")
    recorded = SNAPSHOT.read_text(encoding="utf-8") if SNAPSHOT.exists() else ""
    if current != recorded:
        diff = "".join(
            difflib.unified_diff(
                recorded.splitlines(keepends=True),
                current.splitlines(keepends=True),
                "tests/public_api.txt (recorded)",
                "the package now",
            )
        )
        pytest.fail(f"the public API changed:\n{diff}\n{HOW_TO_UPDATE}", pytrace=False)


@pytest.mark.parametrize("name", PUBLIC)
def test_every_export_resolves_and_is_public(name: str) -> None:
    module = importlib.import_module(name)
    for export in exports(module):
        assert export == "__version__" or not export.startswith("_"), (
            f"{name} exports the private name {export!r}"
        )
        assert hasattr(module, export), f"{name}.__all__ lists {export!r}, which does not exist"


def home(value: object) -> str | None:
    """The module that defines ``value`` (None for constants, which do not say)."""
    if inspect.ismodule(value):
        return value.__name__
    module = getattr(value, "__module__", None)
    if isinstance(module, str) and (inspect.isclass(value) or callable(value)):
        return module
    return None


def public_owner(module_name: str) -> str:
    """The public package or module a private module belongs to (its nearest public parent)."""
    parts = module_name.split(".")
    while is_private(".".join(parts)):
        parts.pop()
    return ".".join(parts)


def test_every_exported_name_has_one_public_home() -> None:
    # A name defined in a package's private modules is published by that package; one
    # defined in a private top-level module (booqable_async._client) by exactly one public
    # module. The top-level package re-exports freely: it gathers what programs need.
    problems = []
    published: dict[int, list[str]] = {}
    for name in PUBLIC:
        if name == "booqable_async":
            continue
        module = importlib.import_module(name)
        for export in exports(module):
            value = getattr(module, export)
            defined_in = home(value)
            if defined_in is None or not defined_in.startswith("booqable_async"):
                continue
            if inspect.ismodule(value):
                problems.append(f"{name} exports the module {export}; import it as a module")
                continue
            owner = public_owner(defined_in)
            if owner == "booqable_async":  # a private top-level module: one public home
                published.setdefault(id(value), []).append(f"{name}.{export}")
            elif owner != name:
                problems.append(
                    f"{name} exports {export}, which belongs to {owner}: users import it "
                    f"from there (take it out of {name}.__all__)"
                )
    problems += [
        f"{' and '.join(homes)} publish the same object: keep one"
        for homes in published.values()
        if len(homes) > 1
    ]
    assert not problems, "\n".join(problems)


def test_top_level_exports_come_from_public_homes() -> None:
    # Everything booqable_async re-exports is also published by the module it comes from,
    # so the documentation can always say where a name lives.
    import booqable_async

    elsewhere = {
        id(getattr(module, export))
        for module in map(importlib.import_module, PUBLIC)
        if module is not booqable_async
        for export in exports(module)
    }
    lonely = [
        export
        for export in exports(booqable_async)
        if export not in ("__version__", "errors", "BooqableClient")
        and id(getattr(booqable_async, export)) not in elsewhere
    ]
    assert not lonely, f"booqable_async exports {lonely} that no public module publishes"


@pytest.mark.parametrize("name", PUBLIC)
def test_package_namespaces_hold_only_their_exports(name: str) -> None:
    # ``from booqable_async.models import Registry`` must not work by accident just because
    # the package imported Registry for its own use: such imports take a private alias.
    module = importlib.import_module(name)
    if not hasattr(module, "__path__"):  # a plain module: its __all__ is the contract
        return
    exported = set(exports(module))
    stray = []
    for attribute, value in vars(module).items():
        if attribute.startswith("_") or attribute in exported or inspect.ismodule(value):
            continue
        defined_in = home(value)
        if defined_in is not None and defined_in.startswith("booqable_async"):
            stray.append(attribute)
    assert not stray, (
        f"{name} holds {stray} without exporting them; import them under a private alias "
        f"(`import X as _X`) or add them to __all__"
    )


def test_modules_are_found() -> None:
    # Guards the discovery itself: a broken walk would make every test above pass vacuously.
    assert "booqable_async" in PUBLIC
    assert "booqable_async.transport" in PUBLIC
    assert "booqable_async.transport._mock" not in PUBLIC
    assert not any(".models._generated" in name for name in PUBLIC)
    assert public_owner("booqable_async.jsonapi._decode") == "booqable_async.jsonapi"
    assert public_owner("booqable_async._client") == "booqable_async"
