"""The ``booqable`` command line: subcommands and options (argparse)."""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from typing import NoReturn

from booqable_async.cli._writers import FORMATS
from booqable_async.errors import UsageError

__all__ = ["CommandParser", "build_parser", "option", "parse_stats"]

_EPILOG = (
    "Credentials come from --token/--company/--base-url or BOOQABLE_API_KEY, "
    "BOOQABLE_COMPANY, BOOQABLE_BASE_URL. Without any (or with --demo) the command runs "
    "against an embedded in-process demo company (FakeBooqable). Exit codes: 0 ok, 1 API or "
    "network error, 2 bad command line, 130 interrupted."
)


class CommandParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are :class:`UsageError` (printed as one line)."""

    def error(self, message: str) -> NoReturn:
        """Raise the parse error as a UsageError instead of printing usage and exiting."""
        raise UsageError(f"{message} (see {self.prog} --help)")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be 0 or more")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be more than 0")
    return value


def _common() -> CommandParser:
    # SUPPRESS: an option given before the subcommand is not reset by the subcommand's
    # parser (which knows the same options) when it is not repeated after it.
    common = CommandParser(add_help=False, argument_default=argparse.SUPPRESS)
    group = common.add_argument_group("connection")
    group.add_argument("--token", help="access token (default $BOOQABLE_API_KEY)")
    group.add_argument("--company", help="company slug, as in SLUG.booqable.com")
    group.add_argument("--base-url", help="API root instead of --company (a proxy, a fake)")
    group.add_argument(
        "--demo", action="store_true", help="use the embedded demo company, even with credentials"
    )
    group.add_argument(
        "--demo-seed", type=_non_negative_int, metavar="N", help="demo company seed (default 0)"
    )
    group.add_argument(
        "--demo-orders", type=_non_negative_int, metavar="N", help="demo orders (default 2000)"
    )
    group.add_argument(
        "--retries",
        type=_non_negative_int,
        metavar="N",
        help="retries of a failed request that is safe to retry (default 4)",
    )
    group.add_argument(
        "--timeout", type=_seconds, metavar="SECONDS", help="per request attempt (default 30)"
    )
    out = common.add_argument_group("display")
    out.add_argument(
        "--no-progress", action="store_true", help="no progress bar (it only shows on a terminal)"
    )
    out.add_argument("--debug", action="store_true", help="show tracebacks and debug logging")
    return common


def _query_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("query")
    group.add_argument(
        "--where",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="equality filter; a,b matches either; repeatable",
    )
    group.add_argument(
        "--filter",
        action="append",
        default=[],
        metavar="FIELD[OP]=VALUE",
        help="filter with an operator (gte, not_eq, prefix, between low,high...); repeatable",
    )


def build_parser() -> CommandParser:
    """Return the parser of the ``booqable`` command."""
    common = _common()
    parser = CommandParser(
        prog="booqable",
        description="Pull records from Booqable's API v4 (or an embedded demo company).",
        epilog=_EPILOG,
        parents=[common],
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    pull = commands.add_parser(
        "pull",
        parents=[common],
        help="stream every record of a resource to a file (JSON Lines, CSV, JSON)",
        description="Stream every record of RESOURCE, with a progress bar; resumable.",
        epilog=_EPILOG,
    )
    pull.add_argument("resource", metavar="RESOURCE", help="resource type, e.g. orders")
    _query_options(pull)
    shape = pull.add_argument_group("what each record carries")
    shape.add_argument(
        "--include", action="append", default=[], metavar="PATHS", help="related records: a,b.c"
    )
    shape.add_argument(
        "--fields",
        action="append",
        default=[],
        metavar="[TYPE=]NAMES",
        help="only these attributes: number,status or customers=name,email",
    )
    shape.add_argument(
        "--extra-fields",
        action="append",
        default=[],
        metavar="[TYPE=]NAMES",
        help="attributes Booqable only returns on request",
    )
    shape.add_argument(
        "--sort", action="append", default=[], metavar="FIELDS", help="-created_at,number"
    )
    output = pull.add_argument_group("output")
    output.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="jsonl (default), csv or json; inferred from --out's extension",
    )
    output.add_argument(
        "--out", default=None, metavar="FILE", help="output file (default: stdout); dirs are made"
    )
    output.add_argument(
        "--stat",
        action="append",
        default=[],
        metavar="FIELD=AGG",
        help="also report a statistic in the summary, e.g. grand_total_in_cents=sum",
    )
    paging = pull.add_argument_group("paging and resuming")
    paging.add_argument(
        "--concurrency", type=_positive_int, default=4, metavar="N", help="pages in flight (4)"
    )
    paging.add_argument(
        "--page-size", type=_positive_int, default=100, metavar="N", help="records per page (100)"
    )
    paging.add_argument(
        "--resume", default=None, metavar="TOKEN", help="continue an interrupted pull"
    )
    paging.add_argument(
        "--resume-file",
        default=None,
        metavar="FILE",
        help="continue from a resume file (default one: OUT.resume.json)",
    )

    get = commands.add_parser(
        "get",
        parents=[common],
        help="print one record as JSON",
        description="Print one record (and included ones) as JSON.",
        epilog=_EPILOG,
    )
    get.add_argument("resource", metavar="RESOURCE", help="resource type, e.g. orders")
    get.add_argument("id", metavar="ID", help="the record id")
    get.add_argument(
        "--include", action="append", default=[], metavar="PATHS", help="related records: a,b.c"
    )
    get.add_argument(
        "--fields",
        action="append",
        default=[],
        metavar="[TYPE=]NAMES",
        help="only these attributes",
    )

    stats = commands.add_parser(
        "stats",
        parents=[common],
        help="aggregate a resource: counts, sums, averages",
        description="Compute statistics over every record matching the filters.",
        epilog=_EPILOG,
    )
    stats.add_argument("resource", metavar="RESOURCE", help="resource type, e.g. orders")
    stats.add_argument(
        "--stat",
        action="append",
        default=[],
        required=True,
        metavar="FIELD=AGG",
        help="total=count, grand_total_in_cents=sum,average, status=count; repeatable",
    )
    _query_options(stats)
    stats.add_argument("--format", choices=("text", "json"), default="text", help="text or json")

    serve = commands.add_parser(
        "serve-fake",
        help="serve the fake Booqable over HTTP (python -m booqable_async.testing.server)",
        description="Serve FakeBooqable with a demo company; options after serve-fake go to "
        "the server (see booqable serve-fake --help).",
        add_help=False,
    )
    serve.add_argument("server_args", nargs=argparse.REMAINDER)
    return parser


def option(args: argparse.Namespace, name: str, default: object = None) -> object:
    """Read an option that may be absent (common options default to absent)."""
    return getattr(args, name, default)


def parse_stats(values: Iterable[str]) -> dict[str, list[str]]:
    """Parse ``--stat field=agg[,agg]`` options into ``{field: [aggs]}``.

    Raises:
        UsageError: An option that is not ``field=aggregation``.
    """
    stats: dict[str, list[str]] = {}
    for value in values:
        field, sep, aggs = value.partition("=")
        names = [a.strip() for a in aggs.split(",") if a.strip()]
        if not sep or not field.strip() or not names:
            raise UsageError(
                f"--stat takes field=aggregation (total=count, grand_total_in_cents=sum), "
                f"got {value!r}"
            )
        bucket = stats.setdefault(field.strip(), [])
        bucket.extend(n for n in names if n not in bucket)
    return stats
