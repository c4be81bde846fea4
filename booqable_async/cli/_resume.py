"""Where an interrupted ``booqable pull`` stands, as a token or a small JSON file.

A :class:`ResumeState` holds the paginator's :class:`~booqable_async.pagination.ResumePoint`
(page, position in it, records delivered, and the query it belongs to) plus what the
partial output file (``OUT.partial``) looked like at that point: its format and the byte
offset where complete records end. Resuming truncates the partial file there and appends,
so a pull interrupted by Ctrl-C, an error or a crash (the file form is rewritten after
every page) completes with no record missing and none twice.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import os
from pathlib import Path
from typing import Any

import attrs
import msgspec

from booqable_async.errors import UsageError
from booqable_async.pagination import ResumePoint

__all__ = ["STATE_VERSION", "ResumeState", "default_resume_file", "remove_quietly"]

#: Bumped when the state's layout or meaning changes; older states are refused with a
#: clear message. 2: the offset is into ``OUT.partial`` (version 1 wrote into ``OUT``).
STATE_VERSION = 2


@attrs.frozen
class ResumeState:
    """Everything needed to continue an interrupted pull.

    Attributes:
        resource: The resource type pulled.
        format: The output format (``jsonl``, ``csv``, ``json``).
        point: Where the paginator continues.
        offset: Bytes of the partial output file (``OUT.partial``) holding complete
            records (``None`` for stdout).
        api: The API pulled from (``v4``, or ``v1`` for ``booqable v1 pull``).
    """

    resource: str
    format: str
    point: ResumePoint
    offset: int | None = None
    api: str = "v4"

    @property
    def records(self) -> int:
        """Records already delivered (and written)."""
        return self.point.items_yielded

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "version": STATE_VERSION,
            "resource": self.resource,
            "format": self.format,
            "offset": self.offset,
            "point": self.point.to_dict(),
            "api": self.api,
        }

    @classmethod
    def from_dict(cls, data: Any) -> ResumeState:
        """Rebuild a state from :meth:`to_dict` output.

        Raises:
            UsageError: The data is not a resume state of this version.
        """
        try:
            if data["version"] != STATE_VERSION:
                raise UsageError(
                    f"this resume state has version {data['version']!r}; this booqable "
                    f"reads version {STATE_VERSION}: start the pull again"
                )
            offset = data["offset"]
            if offset is not None and (not isinstance(offset, int) or offset < 0):
                raise TypeError("offset")
            # States written before v1 pulls existed carry no api: they are v4's.
            api = data.get("api", "v4")
            if api not in ("v4", "v1"):
                raise ValueError("api")
            return cls(
                resource=str(data["resource"]),
                format=str(data["format"]),
                point=ResumePoint.from_dict(data["point"]),
                offset=offset,
                api=api,
            )
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, UsageError):
                raise
            raise UsageError("not a booqable resume state (damaged or from another tool)") from None

    def to_token(self) -> str:
        """Return the state as one copy-pasteable word (URL-safe base64 of its JSON)."""
        raw = msgspec.json.encode(self.to_dict())
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def from_token(cls, token: str) -> ResumeState:
        """Rebuild a state from :meth:`to_token`.

        Raises:
            UsageError: The token is damaged (truncated when copied, for instance).
        """
        text = token.strip()
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            data = msgspec.json.decode(raw)
        except (binascii.Error, ValueError):
            raise UsageError(
                "the --resume token is damaged (was it copied whole?); or resume with --resume-file"
            ) from None
        return cls.from_dict(data)

    def save(self, path: Path) -> None:
        """Write the state to ``path`` atomically (a crash leaves the old or the new one)."""
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(msgspec.json.format(msgspec.json.encode(self.to_dict())) + b"\n")
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> ResumeState:
        """Read a state :meth:`save` wrote.

        Raises:
            UsageError: The file is missing or is not a resume state.
        """
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise UsageError(f"no resume file {str(path)!r}: nothing to resume") from None
        try:
            data = msgspec.json.decode(raw)
        except ValueError:
            raise UsageError(f"{str(path)!r} is not a booqable resume file") from None
        return cls.from_dict(data)


def default_resume_file(out: Path) -> Path:
    """Return where a pull into ``out`` keeps its resume state (``out`` + ``.resume.json``)."""
    return out.with_name(out.name + ".resume.json")


def remove_quietly(path: Path) -> None:
    """Delete ``path`` if it exists."""
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
