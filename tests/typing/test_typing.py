"""Run mypy on the typing fixtures: accept_facades.py passes, reject_facades.py fails as marked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from mypy import api

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
_MARK = re.compile(r"\S.*  # E: (?P<text>.+)$")
_LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): error: (?P<message>.*)$")


def mypy_errors(path: Path) -> dict[int, list[str]]:
    stdout, stderr, _ = api.run(["--strict", "--no-error-summary", str(path.relative_to(ROOT))])
    assert not stderr, stderr
    errors: dict[int, list[str]] = {}
    for line in stdout.splitlines():
        match = _LINE.match(line)
        if match and Path(match["file"]).name == path.name:
            errors.setdefault(int(match["line"]), []).append(match["message"])
    return errors


@pytest.mark.slow
def test_mypy_rejects_misspelled_and_read_only_attributes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the mypy settings and cache in pyproject.toml / .mypy_cache
    path = HERE / "reject_facades.py"
    expected = {
        number: match["text"].strip()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if (match := _MARK.search(line))
    }
    errors = mypy_errors(path)
    assert set(errors) == set(expected), (errors, expected)
    for number, text in expected.items():
        assert any(text in message for message in errors[number]), (number, errors[number])
