"""Every complete Python example of docs/webhooks.md runs as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"
BLOCKS = re.findall(r"```python\n(.*?)```", PAGE.read_text(), flags=re.DOTALL)
COMPLETE = [b for b in BLOCKS if not b.startswith("# Fragment")]


def test_the_page_has_complete_examples():
    assert len(COMPLETE) >= 3


@pytest.mark.parametrize("source", COMPLETE, ids=[f"block{n}" for n in range(len(COMPLETE))])
def test_example_runs(source, capsys):
    exec(compile(source, str(PAGE), "exec"), {"__name__": "__docs__"})
    assert capsys.readouterr().out  # every complete example prints what it shows
