"""Helpers for the CLI tests: the console script, served fakes, in-process runs."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import pytest

from booqable_async import BooqableClient
from booqable_async.cli._connect import Backend, Connection
from booqable_async.cli._main import main as cli_main
from booqable_async.clock import Clock
from booqable_async.testing import FakeBooqable

#: The demo company the served fakes hold (small: the suite stays fast).
DEMO = {"seed": 5, "orders": 120, "customers": 30, "product_groups": 4}
#: Credentials in the environment of in-process runs wired to a fake by a factory.
FACTORY_CREDENTIALS = {"BOOQABLE_BASE_URL": "http://fake.invalid/api/4", "BOOQABLE_API_KEY": "t"}
#: Longest any one subprocess may take; a hang fails the test instead of the suite.
LIMIT = 60.0


def booqable_exe() -> str:
    """The ``booqable`` console script installed next to this interpreter."""
    exe = Path(sys.executable).with_name("booqable")
    assert exe.exists(), "install the package (make install) to get the console script"
    return str(exe)


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without BOOQABLE_* credentials, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOOQABLE_")}
    env.pop("COVERAGE_PROCESS_START", None)
    env.update(extra)
    return env


def expected_demo() -> FakeBooqable:
    """The same demo company the served fakes hold (same seed, same records)."""
    return FakeBooqable.demo(
        seed=DEMO["seed"],
        orders=DEMO["orders"],
        customers=DEMO["customers"],
        product_groups=DEMO["product_groups"],
    )


@attrs.frozen
class Served:
    """A fake served over HTTP by ``python -m booqable_async.testing.server``."""

    process: subprocess.Popen[str]
    base_url: str
    token: str

    def env(self, **extra: str) -> dict[str, str]:
        values = {"BOOQABLE_BASE_URL": self.base_url, "BOOQABLE_API_KEY": self.token, **extra}
        return clean_env(**values)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:  # pragma: no cover - a hung server
                self.process.kill()
                self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


def serve(*options: str) -> Served:
    """Start a served fake with the small demo company (and ``options``)."""
    cmd = [
        sys.executable,
        "-m",
        "booqable_async.testing.server",
        "--port",
        "0",
        "--seed",
        str(DEMO["seed"]),
        "--orders",
        str(DEMO["orders"]),
        "--customers",
        str(DEMO["customers"]),
        "--product-groups",
        str(DEMO["product_groups"]),
        "--lifetime",
        "120",
        *options,
    ]
    process = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=clean_env()
    )
    assert process.stdout is not None
    values: dict[str, str] = {}
    while len(values) < 2:
        line = process.stdout.readline()
        if not line:  # pragma: no cover - the server failed to start
            process.wait(timeout=LIMIT)
            raise RuntimeError("the fake server did not start")
        key, _, value = line.strip().partition("=")
        values[key] = value
    process.stdout.readline()  # the human line
    return Served(process, values["BOOQABLE_BASE_URL"], values["BOOQABLE_API_KEY"])


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    """One served fake for a whole test module (read-only tests share it)."""
    server = serve()
    yield server
    server.stop()


def run_cli(
    *args: str, env: Mapping[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the console script to completion (bounded in time)."""
    return subprocess.run(
        [booqable_exe(), *args],
        capture_output=True,
        text=True,
        env=dict(env) if env is not None else clean_env(),
        cwd=cwd,
        timeout=LIMIT,
        check=False,
    )


@attrs.frozen
class Result:
    """An in-process run of the command."""

    code: int
    out: str
    err: str


def fake_factory(fake: FakeBooqable, **client_options: Any) -> Any:
    """A backend factory wiring the command to ``fake`` in process (no retries' waits)."""
    client_options.setdefault("clock", Clock(sleep=_no_sleep))

    async def factory(connection: Connection, stderr: Any) -> Backend:
        transport = fake.transport()
        client = BooqableClient(
            base_url=fake.base_url, token=fake.token, transport=transport, **client_options
        )
        return Backend(client, cleanup=(transport,))

    return factory


async def _no_sleep(seconds: float) -> None:
    return None


def run_main(
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    factory: Any = None,
) -> Result:
    """Run the command in this process (covered by coverage) and capture its output.

    With a ``factory`` (the fake behind it) and no ``env``, the environment carries
    credentials, as a real run against a server would: the factory ignores them.
    """
    out, err = io.StringIO(), io.StringIO()
    if env is None:
        env = clean_env(**(FACTORY_CREDENTIALS if factory is not None else {}))
    code = cli_main(
        list(argv),
        environ=env,
        stdout=out,
        stderr=err,
        backend_factory=factory,
    )
    return Result(code, out.getvalue(), err.getvalue())
