"""Output: the partial file beside the output, renamed over it only on success."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from booqable_async.cli._output import Output, partial_file
from booqable_async.cli._resume import ResumeState
from booqable_async.errors import UsageError
from booqable_async.pagination import ResumePoint


def test_commit_creates_a_new_output_and_leaves_no_partial(tmp_path: Path) -> None:
    out = tmp_path / "new" / "orders.jsonl"  # neither the file nor its directory exists
    output = Output.open(out, None)
    assert output.partial == partial_file(out) == out.with_name("orders.jsonl.partial")
    output.stream.write(b'{"id": "1"}\n')
    assert not out.exists()  # nothing at the output's name until the end
    output.commit()
    assert out.read_bytes() == b'{"id": "1"}\n'
    assert not partial_file(out).exists()
    output.close()  # idempotent after the commit


def test_discard_removes_the_partial_and_the_resume_file(tmp_path: Path) -> None:
    out = tmp_path / "orders.csv"
    out.write_text("kept\n")
    resume_file = tmp_path / "orders.csv.resume.json"
    resume_file.write_text("{}")
    output = Output.open(out, None)
    output.stream.write(b"id\r\n")
    output.discard(resume_file)
    assert out.read_text() == "kept\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["orders.csv"]


def test_stdout_is_never_closed_or_renamed() -> None:
    output = Output.open(None, None)
    assert output.stream is sys.stdout.buffer
    assert (output.target, output.partial, output.fresh) == (None, None, True)
    output.discard(None)
    output.commit()
    assert not sys.stdout.buffer.closed


def test_resuming_needs_the_partial_file_as_it_was(tmp_path: Path) -> None:
    out = tmp_path / "orders.jsonl"
    state = ResumeState("orders", "jsonl", ResumePoint(2, 10, items_yielded=10), offset=4)
    with pytest.raises(UsageError, match="is gone"):
        Output.open(out, state)
    partial_file(out).write_bytes(b"ab")
    with pytest.raises(UsageError, match="holds 2 bytes but the interrupted pull wrote 4"):
        Output.open(out, state)
    partial_file(out).write_bytes(b"abcdEXTRA")
    output = Output.open(out, state)
    assert (output.fresh, output.base_offset) == (False, 4)
    output.stream.write(b"ef")
    output.commit()
    assert out.read_bytes() == b"abcdef"  # cut at the checkpoint, then appended
