"""Resume states: tokens and files round-trip; damaged ones are refused clearly."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from booqable_async.cli._resume import (
    ResumeState,
    default_resume_file,
    remove_quietly,
)
from booqable_async.errors import UsageError
from booqable_async.pagination import ResumePoint

POINT = ResumePoint(
    page_number=3,
    page_size=100,
    skip=17,
    items_yielded=217,
    params=(("filter[status]", "reserved"), ("include", "customer")),
    total=2000,
)
STATE = ResumeState(resource="orders", format="jsonl", point=POINT, offset=123_456)


def test_token_round_trip() -> None:
    token = STATE.to_token()
    assert "=" not in token
    assert token.isascii()
    assert ResumeState.from_token(f"  {token}\n") == STATE
    assert STATE.records == 217


def test_file_round_trip_is_atomic(tmp_path: Path) -> None:
    path = tmp_path / "orders.jsonl.resume.json"
    STATE.save(path)
    assert ResumeState.load(path) == STATE
    assert not (tmp_path / "orders.jsonl.resume.json.tmp").exists()
    stdout_state = ResumeState(resource="orders", format="csv", point=POINT)
    stdout_state.save(path)
    assert ResumeState.load(path).offset is None
    remove_quietly(path)
    remove_quietly(path)
    assert not path.exists()


def test_default_resume_file_sits_next_to_the_output() -> None:
    assert default_resume_file(Path("out/orders.jsonl")) == Path("out/orders.jsonl.resume.json")


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("!!!not base64!!!", "token is damaged"),
        (STATE.to_token()[:-12], "token is damaged"),
        ("e30", "not a booqable resume state"),  # {}
    ],
)
def test_damaged_tokens(token: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        ResumeState.from_token(token)


def test_other_versions_and_bad_fields_are_refused(tmp_path: Path) -> None:
    data = STATE.to_dict()
    path = tmp_path / "state.json"
    path.write_bytes(orjson.dumps({**data, "version": 99}))
    with pytest.raises(UsageError, match="version 99"):
        ResumeState.load(path)
    path.write_bytes(orjson.dumps({**data, "offset": -1}))
    with pytest.raises(UsageError, match="not a booqable resume state"):
        ResumeState.load(path)
    path.write_bytes(orjson.dumps({**data, "point": {"page_number": 0, "page_size": 1}}))
    with pytest.raises(UsageError, match="page_number"):
        ResumeState.load(path)
    path.write_bytes(b"not json")
    with pytest.raises(UsageError, match="is not a booqable resume file"):
        ResumeState.load(path)
    with pytest.raises(UsageError, match="no resume file"):
        ResumeState.load(tmp_path / "missing.json")
