"""Turn parsed command-line options into validated work, before any I/O.

Everything a user can get wrong (an unknown resource, a filter the resource does not
have, a malformed value, an include path the operation does not allow, a damaged resume
token) is found here, so the command fails with one line and exit code 2 without
starting a client, let alone sending a request.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import attrs

from booqable_async.cli._pull import PullOptions, infer_format
from booqable_async.cli._resume import ResumeState, default_resume_file
from booqable_async.cli._values import (
    add_filters,
    parse_fieldsets,
    parse_filter,
    parse_names,
    parse_stats,
    parse_where,
)
from booqable_async.errors import UsageError
from booqable_async.query import Query
from booqable_async.schema import ResourceSchema, get_schema

__all__ = [
    "GetOptions",
    "PullTarget",
    "StatsOptions",
    "get_options",
    "pull_options",
    "pull_target",
    "stats_options",
]


def _schema_for(resource: str, operation: str) -> ResourceSchema:
    schema = get_schema(resource)  # UsageError with suggestions for unknown names
    if not schema.supports(operation):
        offered = ", ".join(sorted(schema.operations)) or "none"
        raise UsageError(
            f"Booqable offers no {operation} for {resource} (its operations: {offered})"
        )
    return schema


def _filtered(args: argparse.Namespace, schema: ResourceSchema) -> Query:
    specs = [parse_where(w, schema) for w in args.where]
    specs += [parse_filter(f, schema) for f in args.filter]
    return add_filters(Query(), specs)


def _shaped(query: Query, args: argparse.Namespace, resource: str) -> Query:
    includes = parse_names(args.include)
    if includes:
        query = query.include(*includes)
    fields = parse_fieldsets(args.fields, resource)
    if fields:
        query = query.fields(**fields)
    extra = parse_fieldsets(getattr(args, "extra_fields", None), resource)
    if extra:
        query = query.extra_fields(**extra)
    return query


def _stats_query(filters: Query, stats: list[str], schema: ResourceSchema) -> Query:
    query = filters.stats(**parse_stats(stats)).page(size=1)
    query.validate(schema, "list")
    return query


def pull_options(args: argparse.Namespace) -> PullOptions:
    """Build and validate a pull from ``booqable pull`` options.

    Raises:
        UsageError: Anything invalid, with what is allowed instead.
    """
    resource: str = args.resource
    schema = _schema_for(resource, "list")
    filters = _filtered(args, schema)
    query = _shaped(filters, args, resource)
    sort = parse_names(args.sort)
    if sort:
        query = query.sort(*sort)
    query = query.page(size=args.page_size)
    query.validate(schema, "list")
    stats_query = _stats_query(filters, args.stat, schema) if args.stat else None

    target = pull_target(args, resource, "v4")
    return PullOptions(
        resource=resource,
        query=query,
        format=target.format,
        out=target.out,
        concurrency=args.concurrency,
        resume=target.resume,
        resume_file=target.resume_file,
        stats_query=stats_query,
    )


@attrs.frozen
class PullTarget:
    """Where a pull writes, and the interrupted pull it continues (if any).

    Attributes:
        format: ``jsonl``, ``csv`` or ``json``.
        out: The output file, or ``None`` for stdout.
        resume: The state to continue from.
        resume_file: Where the state is kept (``None`` for stdout).
    """

    format: str
    out: Path | None
    resume: ResumeState | None
    resume_file: Path | None


def pull_target(args: argparse.Namespace, resource: str, api: str) -> PullTarget:
    """Read ``--format``, ``--out``, ``--resume`` and ``--resume-file`` of a pull.

    Raises:
        UsageError: Both resume options, or a resume state of another pull (another
            resource, format or API).
    """
    format = infer_format(args.format, args.out)
    out = Path(args.out) if args.out and args.out != "-" else None
    if args.resume is not None and args.resume_file is not None:
        raise UsageError("give --resume TOKEN or --resume-file FILE, not both")
    resume: ResumeState | None = None
    resume_file = default_resume_file(out) if out is not None else None
    if args.resume is not None:
        resume = ResumeState.from_token(args.resume)
    elif args.resume_file is not None:
        resume_file = Path(args.resume_file)
        resume = ResumeState.load(resume_file)
    if resume is not None:
        if resume.api != api:
            raise UsageError(
                f"this resume state belongs to a pull through API {resume.api}, not {api}"
            )
        if resume.resource != resource:
            raise UsageError(
                f"this resume state belongs to a pull of {resume.resource}, not {resource}"
            )
        if resume.format != format:
            raise UsageError(
                f"this resume state belongs to a {resume.format} output, not {format}: "
                f"add --format {resume.format}"
            )
    return PullTarget(format, out, resume, resume_file)


@attrs.frozen
class GetOptions:
    """A validated ``booqable get``.

    Attributes:
        resource: The resource type.
        record_id: The record id.
        query: Includes and fields (validated for the ``get`` operation).
    """

    resource: str
    record_id: str
    query: Query

    @property
    def embed(self) -> int:
        """Relationship levels to embed (deepest include path)."""
        return max((len(p.split(".")) for p in self.query.includes), default=0)

    @property
    def fields(self) -> dict[str, list[str]] | None:
        """Sparse fieldsets by type, or ``None``."""
        return {t: list(n) for t, n in self.query.fieldsets} or None


def get_options(args: argparse.Namespace) -> GetOptions:
    """Build and validate a ``booqable get``.

    Raises:
        UsageError: Anything invalid.
    """
    resource: str = args.resource
    schema = _schema_for(resource, "get")
    if not args.id.strip():
        raise UsageError("ID must not be empty")
    query = _shaped(Query(), args, resource)
    query.validate(schema, "get")
    return GetOptions(resource, args.id, query)


@attrs.frozen
class StatsOptions:
    """A validated ``booqable stats``.

    Attributes:
        resource: The resource type.
        query: Filters and statistics, one record per page (only ``meta`` matters).
        format: ``text`` or ``json``.
    """

    resource: str
    query: Query
    format: str = "text"


def stats_options(args: argparse.Namespace) -> StatsOptions:
    """Build and validate a ``booqable stats``.

    Raises:
        UsageError: Anything invalid.
    """
    resource: str = args.resource
    schema = _schema_for(resource, "list")
    return StatsOptions(
        resource, _stats_query(_filtered(args, schema), args.stat, schema), args.format
    )


def describe_stats(stats: Any) -> list[str]:
    """Return ``field aggregation: value`` lines for ``meta.stats``."""
    from booqable_async.cli._pull import format_stat

    lines = []
    for field, aggs in (stats or {}).items():
        if isinstance(aggs, dict):
            for agg, value in aggs.items():
                if isinstance(value, dict):
                    shown = ", ".join(f"{k}: {format_stat(field, v)}" for k, v in value.items())
                    lines.append(f"{field} {agg}: {shown}")
                else:
                    lines.append(f"{field} {agg}: {format_stat(field, value)}")
        else:
            lines.append(f"{field}: {aggs}")
    return lines
