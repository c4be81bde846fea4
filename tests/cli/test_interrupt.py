"""Ctrl-C, SIGTERM and kill -9 mid-pull: the output is untouched, the partial file is valid,
and a resume completes it with no gap or duplicate."""

from __future__ import annotations

import csv
import io
import json
import shlex
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.cli.conftest import LIMIT, Served, booqable_exe, expected_demo, run_cli, serve

pytestmark = pytest.mark.slow

ORDER_IDS = [o["id"] for o in expected_demo().listed("orders")]  # newest first, as GET /orders


def wait_for_lines(path: Path, count: int, process: subprocess.Popen[str]) -> None:
    """Poll (a few ms at a time, bounded) until ``path`` holds ``count`` lines."""
    deadline = time.monotonic() + LIMIT
    while time.monotonic() < deadline:
        if path.exists() and path.read_bytes().count(b"\n") >= count:
            return
        assert process.poll() is None, "the pull ended before it could be interrupted"
        time.sleep(0.005)
    raise AssertionError(f"{path} never reached {count} lines")  # pragma: no cover


#: What the output held before the interrupted pull: it must hold exactly this after it.
PREVIOUS = b"the previous good export\n"


def interrupted_pull(
    served: Served, out: Path, fmt: str, lines: int, sig: int
) -> subprocess.CompletedProcess[str]:
    """Start a pull into ``out`` (which holds :data:`PREVIOUS`), signal it mid-way."""
    out.write_bytes(PREVIOUS)
    args = [
        booqable_exe(),
        "pull",
        "orders",
        "--out",
        str(out),
        "--format",
        fmt,
        "--page-size",
        "10",
        "--concurrency",
        "1",
    ]
    process = subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=served.env()
    )
    try:
        # Requests 1 and 2 are fast, the third (page 3) is slow: the partial file then
        # holds exactly two pages while the pull waits.
        wait_for_lines(partial_of(out), lines, process)
        process.send_signal(sig)
        stdout, stderr = process.communicate(timeout=LIMIT)
    finally:
        if process.poll() is None:  # pragma: no cover - it did not stop
            process.kill()
            process.wait()
    return subprocess.CompletedProcess(args, process.returncode, stdout, stderr)


def partial_of(out: Path) -> Path:
    return out.with_name(out.name + ".partial")


def resume_args(stderr: str, option: str) -> list[str]:
    line = next(line for line in stderr.splitlines() if option in line and "booqable pull" in line)
    command = shlex.split(line.split(": ", 2)[-1] if "continue with" in line else line)
    assert command[0] == "booqable"
    return command[1:]


def test_ctrl_c_leaves_a_valid_json_array_and_the_resume_file_completes_it(tmp_path: Path) -> None:
    served = serve("--faults", "delay=30@3")
    try:
        out = tmp_path / "orders.json"
        stopped = interrupted_pull(served, out, "json", 20, signal.SIGINT)
        assert stopped.returncode == 130, stopped.stderr
        assert out.read_bytes() == PREVIOUS
        partial = json.loads(partial_of(out).read_text())  # valid JSON: the array was closed
        assert [r["id"] for r in partial] == ORDER_IDS[:20]
        assert "interrupted after 20 of 120 orders" in stopped.stderr
        assert f"they are in {out}.partial (a valid json document)" in stopped.stderr
        assert f"{out} is untouched until the pull completes" in stopped.stderr
        args = resume_args(stopped.stderr, "--resume-file")
        assert (tmp_path / "orders.json.resume.json").exists()

        resumed = run_cli(*args, env=served.env())
        assert resumed.returncode == 0, resumed.stderr
        ids = [r["id"] for r in json.loads(out.read_text())]
        assert ids == ORDER_IDS  # no gap, no duplicate, in order
        assert "pulled 100 orders" in resumed.stderr
        assert "120 in the file" in resumed.stderr
        assert not (tmp_path / "orders.json.resume.json").exists()
        assert not partial_of(out).exists()
    finally:
        served.stop()


def test_sigterm_on_csv_and_resume_by_token(tmp_path: Path) -> None:
    served = serve("--faults", "delay=30@3")
    try:
        out = tmp_path / "orders.csv"
        stopped = interrupted_pull(served, out, "csv", 21, signal.SIGTERM)  # header + 20
        assert stopped.returncode == 143, stopped.stderr
        assert out.read_bytes() == PREVIOUS
        rows = list(csv.DictReader(io.StringIO(partial_of(out).read_text())))
        assert [r["id"] for r in rows] == ORDER_IDS[:20]
        token = next(
            line.split("--resume ", 1)[1]
            for line in stopped.stderr.splitlines()
            if line.startswith("booqable: or with --resume ")
        )
        # The file form was removed by hand: the token alone is enough.
        (tmp_path / "orders.csv.resume.json").unlink()
        resumed = run_cli(
            "pull",
            "orders",
            "--out",
            str(out),
            "--page-size",
            "10",
            "--resume",
            token,
            env=served.env(),
        )
        assert resumed.returncode == 0, resumed.stderr
        rows = list(csv.DictReader(io.StringIO(out.read_text())))
        assert [r["id"] for r in rows] == ORDER_IDS
        assert out.read_text().count("id,amount_in_cents") == 1  # one header
    finally:
        served.stop()


def test_kill_9_mid_pull_leaves_the_output_untouched_and_the_partial_resumable(
    tmp_path: Path,
) -> None:
    served = serve("--faults", "delay=30@3")
    try:
        out = tmp_path / "orders.jsonl"
        killed = interrupted_pull(served, out, "jsonl", 20, signal.SIGKILL)
        assert killed.returncode == -signal.SIGKILL
        assert killed.stderr == ""  # no chance to say anything
        assert out.read_bytes() == PREVIOUS
        lines = partial_of(out).read_text().splitlines()
        assert [json.loads(line)["id"] for line in lines] == ORDER_IDS[:20]
        resume_file = tmp_path / "orders.jsonl.resume.json"
        # Saved when page 2 arrived, before its records were written: one page behind.
        assert json.loads(resume_file.read_text())["point"]["items_yielded"] == 10

        resumed = run_cli(
            "pull",
            "orders",
            "--out",
            str(out),
            "--page-size",
            "10",
            "--resume-file",
            str(resume_file),
            env=served.env(),
        )
        assert resumed.returncode == 0, resumed.stderr
        ids = [json.loads(line)["id"] for line in out.read_text().splitlines()]
        assert ids == ORDER_IDS  # the page after the checkpoint was cut and fetched again
        assert not partial_of(out).exists()
        assert not resume_file.exists()
    finally:
        served.stop()
