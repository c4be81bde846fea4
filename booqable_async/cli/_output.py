"""Where ``booqable pull`` writes: a partial file beside the output, renamed over it at the end.

A pull never writes into its output file. It writes ``OUT.partial`` in the same directory
and, only when every record is in, renames it over ``OUT`` (``os.replace``: atomic on
POSIX and Windows, since both names are in one directory). Whatever stops a pull before
that (a wrong token, a failed first page, an error mid-way, Ctrl-C, ``kill -9``, a power
cut), ``OUT`` is exactly what it was before the command started: the previous good export
survives a failed run.

An interrupted pull keeps ``OUT.partial`` (a valid document when it stopped cleanly) next
to its resume state ``OUT.resume.json``; ``--resume`` continues writing into the partial
file and renames it when done. A pull stopped before any record arrived leaves nothing
behind.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from pathlib import Path
from typing import BinaryIO

from booqable_async.cli._resume import ResumeState, remove_quietly
from booqable_async.errors import UsageError

__all__ = ["Output", "partial_file"]


def partial_file(out: Path) -> Path:
    """Return where a pull into ``out`` writes until it completes (``out`` + ``.partial``)."""
    return out.with_name(out.name + ".partial")


class Output:
    """The byte stream a pull writes to, and what happens to it at the end.

    Use :meth:`open`; then :meth:`commit` after the last record, or :meth:`close` (keep the
    partial file for ``--resume``) or :meth:`discard` (nothing worth keeping) otherwise.

    Attributes:
        target: The output file, or ``None`` for stdout.
        partial: The file written until the pull completes (``None`` for stdout).
        stream: The binary stream to write to.
        fresh: True when a new document starts (False: an interrupted one is continued).
        base_offset: Bytes already in the partial file when continuing.
        replaced_stale: True when a fresh pull replaced the partial file of an earlier,
            unfinished pull (not resumed).
    """

    def __init__(
        self,
        target: Path | None,
        stream: BinaryIO,
        *,
        fresh: bool,
        base_offset: int = 0,
        replaced_stale: bool = False,
    ) -> None:
        self.target = target
        self.partial = partial_file(target) if target is not None else None
        self.stream = stream
        self.fresh = fresh
        self.base_offset = base_offset
        self.replaced_stale = replaced_stale
        self._closed = False

    @classmethod
    def open(cls, out: Path | None, resume: ResumeState | None) -> Output:
        """Open the stream: stdout, a new partial file, or the interrupted pull's one.

        Args:
            out: The output file, or ``None`` for stdout.
            resume: The state being resumed, if any.

        Returns:
            The open output.

        Raises:
            UsageError: The partial file no longer holds what the resume state vouches for.
            OSError: The partial file cannot be created or opened.
        """
        if out is None:
            return cls(None, sys.stdout.buffer, fresh=True)
        partial = partial_file(out)
        if resume is None or resume.offset is None:
            out.parent.mkdir(parents=True, exist_ok=True)
            stale = partial.exists()
            return cls(out, partial.open("wb"), fresh=True, replaced_stale=stale)
        if not partial.exists():
            raise UsageError(
                f"cannot resume into {str(out)!r}: the interrupted pull's {str(partial)!r} is "
                "gone; start the pull again without --resume/--resume-file"
            )
        stream = partial.open("r+b")
        size = stream.seek(0, 2)
        if size < resume.offset:
            stream.close()
            raise UsageError(
                f"cannot resume into {str(out)!r}: {str(partial)!r} holds {size} bytes but the "
                f"interrupted pull wrote {resume.offset}; it was changed since: start the pull "
                "again"
            )
        # Anything after the offset is a partial page written after the last checkpoint (or
        # a JSON array's closing bracket): it is fetched and written again.
        stream.truncate(resume.offset)
        stream.seek(resume.offset)
        return cls(out, stream, fresh=resume.offset == 0, base_offset=resume.offset)

    def commit(self) -> None:
        """Make the complete document the output: flush to disk, then rename it over ``OUT``.

        The partial file takes the old output's permission bits, so replacing an export
        does not change who may read it.
        """
        if self.target is None or self.partial is None:
            self.stream.flush()
            return
        self.stream.flush()
        os.fsync(self.stream.fileno())
        self.close()
        with contextlib.suppress(OSError):
            shutil.copymode(self.target, self.partial)
        os.replace(self.partial, self.target)

    def close(self) -> None:
        """Close the partial file, keeping it (stdout is left open); idempotent."""
        if self._closed or self.partial is None:
            return
        self._closed = True
        self.stream.close()

    def discard(self, resume_file: Path | None) -> None:
        """Close and delete the partial file and ``resume_file``: nothing to continue from."""
        self.close()
        if self.partial is not None:
            remove_quietly(self.partial)
        if resume_file is not None:
            remove_quietly(resume_file)
