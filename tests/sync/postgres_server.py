"""A real PostgreSQL server for tests: 127.0.0.1, a free port, a temporary data directory.

Uses Debian's ``postgresql`` package (``initdb``/``pg_ctl`` in
``/usr/lib/postgresql/*/bin``; ``.ci/run`` installs it when missing). PostgreSQL refuses
to run as root, so under root (CI) the server runs as the package's ``postgres`` user.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["find_bin", "postgres_server"]

LIMIT = 60.0


def find_bin() -> Path | None:
    """The directory holding ``initdb`` and ``pg_ctl``, or None."""
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        path = Path(candidate)
        if (path / "initdb").exists() and (path / "pg_ctl").exists():
            return path
    found = shutil.which("pg_ctl")
    return Path(found).parent if found and shutil.which("initdb") else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def _as_owner(argv: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return argv
    return ["runuser", "-u", "postgres", "--", *argv]


@contextmanager
def postgres_server(bin_dir: Path) -> Iterator[str]:
    """Run a server until the block ends; yields a DSN for database ``sync``."""
    root = Path(tempfile.mkdtemp(prefix="booqable-pg-"))
    data = root / "data"
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    port = _free_port()
    run = {"check": True, "capture_output": True, "timeout": LIMIT}
    try:
        subprocess.run(
            _as_owner([str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"]),
            **run,  # type: ignore[call-overload]
        )
        options = f"-h 127.0.0.1 -p {port} -k {root} -c fsync=off"
        subprocess.run(
            _as_owner(
                [
                    str(bin_dir / "pg_ctl"),
                    "-D",
                    str(data),
                    "-o",
                    options,
                    "-w",
                    "-l",
                    str(root / "log"),
                    "start",
                ]
            ),
            **run,  # type: ignore[call-overload]
        )
        import psycopg2

        admin = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres")
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute("CREATE DATABASE sync")
        admin.close()
        yield f"postgresql://postgres:unused-pw@127.0.0.1:{port}/sync"
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                _as_owner([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                capture_output=True,
                timeout=LIMIT,
                check=False,
            )
        shutil.rmtree(root, ignore_errors=True)
