"""The ``booqable`` command line: subcommands and options (argparse)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any, NoReturn

from booqable_async.cli._webhooks import add_webhooks_parser
from booqable_async.cli._writers import FORMATS
from booqable_async.errors import UsageError

__all__ = [
    "MAX_PAGE_SIZE",
    "CommandParser",
    "add_output_options",
    "add_paging_options",
    "build_parser",
    "command_index",
    "epilog",
    "glue_dash_values",
    "option",
]

#: Booqable answers 400 for ``page[size]`` over 100.
MAX_PAGE_SIZE = 100
#: Options whose value may start with "-" (``--sort -created_at``): argparse would take
#: such a value for an option, so they are glued with "=" before parsing.
_DASH_VALUES = frozenset({"--sort", "--token"})


def epilog(base_url_variable: str = "BOOQABLE_BASE_URL") -> str:
    """The help's closing note: where credentials come from, ``--demo``, exit codes."""
    return (
        "Credentials come from --token/--company/--base-url or BOOQABLE_API_KEY, "
        f"BOOQABLE_COMPANY, {base_url_variable}; without them the command refuses to run. "
        "--demo runs it against an embedded in-process demo company (FakeBooqable) instead. "
        "Exit codes: 0 ok, 1 API or network error, 2 bad command line (or no credentials), "
        "130 interrupted."
    )


_EPILOG = epilog()


class CommandParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are :class:`UsageError` (printed as one line)."""

    def error(self, message: str) -> NoReturn:
        """Raise the parse error as a UsageError instead of printing usage and exiting."""
        raise UsageError(f"{message} (see {self.prog} --help)")


def _whole(text: str, minimum: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(
            f"{text!r} must be at least 1" if minimum else f"{text!r} must be 0 or more"
        )
    return value


def _positive_int(text: str) -> int:
    return _whole(text, 1)


def _non_negative_int(text: str) -> int:
    return _whole(text, 0)


def _page_size(text: str) -> int:
    value = _whole(text, 1)
    if value > MAX_PAGE_SIZE:
        raise argparse.ArgumentTypeError(
            f"{text!r} is over {MAX_PAGE_SIZE}, Booqable's largest page (the pull pages anyway)"
        )
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
        "--demo",
        action="store_true",
        help="use the embedded demo company (no account, no network), even with credentials",
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


def _repeated(group: Any, flag: str, metavar: str, help: str, **extra: Any) -> None:
    """Add a repeatable option collecting its values in a list."""
    group.add_argument(flag, action="append", default=[], metavar=metavar, help=help, **extra)


def _query_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("query")
    _repeated(group, "--where", "FIELD=VALUE", "equality filter; a,b matches either; repeatable")
    _repeated(
        group,
        "--filter",
        "FIELD[OP]=VALUE",
        "filter with an operator (gte, not_eq, prefix, between low,high...); repeatable",
    )


def _shape_options(group: Any, fields_help: str) -> None:
    _repeated(group, "--include", "PATHS", "related records: a,b.c")
    _repeated(group, "--fields", "[TYPE=]NAMES", fields_help)


def _command(
    commands: Any, name: str, common: CommandParser, help: str, description: str
) -> CommandParser:
    """Add a subcommand taking a RESOURCE and the common options."""
    parser: CommandParser = commands.add_parser(
        name, parents=[common], help=help, description=description, epilog=_EPILOG
    )
    parser.add_argument("resource", metavar="RESOURCE", help="resource type, e.g. orders")
    return parser


def add_output_options(parser: argparse.ArgumentParser) -> Any:
    """Add a pull's ``--format`` and ``--out``; return their group (for more options)."""
    output = parser.add_argument_group("output")
    output.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="jsonl (default), csv or json; inferred from --out's extension",
    )
    output.add_argument(
        "--out", default=None, metavar="FILE", help="output file (default: stdout); dirs are made"
    )
    return output


def add_paging_options(parser: argparse.ArgumentParser) -> None:
    """Add a pull's ``--concurrency``, ``--page-size``, ``--resume`` and ``--resume-file``."""
    paging = parser.add_argument_group("paging and resuming")
    paging.add_argument(
        "--concurrency", type=_positive_int, default=4, metavar="N", help="pages in flight (4)"
    )
    paging.add_argument(
        "--page-size",
        type=_page_size,
        default=MAX_PAGE_SIZE,
        metavar="N",
        help="records per page (100)",
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


def build_parser() -> CommandParser:
    """Return the parser of the ``booqable`` command."""
    common = _common()
    parser = CommandParser(
        prog="booqable",
        description="Pull records from Booqable's API v4 (booqable v1 ...: the legacy API "
        "v1), or from an embedded demo company.",
        epilog=_EPILOG,
        parents=[common],
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    pull = _command(
        commands,
        "pull",
        common,
        "stream every record of a resource to a file (JSON Lines, CSV, JSON)",
        "Stream every record of RESOURCE, with a progress bar; resumable.",
    )
    _query_options(pull)
    shape = pull.add_argument_group("what each record carries")
    _shape_options(shape, "only these attributes: number,status or customers=name,email")
    _repeated(shape, "--extra-fields", "[TYPE=]NAMES", "attributes only returned on request")
    _repeated(shape, "--sort", "FIELDS", "-created_at,number")
    output = add_output_options(pull)
    _repeated(
        output,
        "--stat",
        "FIELD=AGG",
        "also report a statistic in the summary, e.g. grand_total_in_cents=sum",
    )
    add_paging_options(pull)

    get = _command(
        commands,
        "get",
        common,
        "print one record as JSON",
        "Print one record (and included ones) as JSON.",
    )
    get.add_argument("id", metavar="ID", help="the record id")
    _shape_options(get, "only these attributes")

    stats = _command(
        commands,
        "stats",
        common,
        "aggregate a resource: counts, sums, averages",
        "Compute statistics over every record matching the filters.",
    )
    _repeated(
        stats,
        "--stat",
        "FIELD=AGG",
        "total=count, grand_total_in_cents=sum,average, status=count; repeatable",
        required=True,
    )
    _query_options(stats)
    stats.add_argument("--format", choices=("text", "json"), default="text", help="text or json")

    from booqable_async.cli._v1 import add_v1_parser

    add_v1_parser(commands, common)
    add_webhooks_parser(commands)
    from booqable_async.cli._sync import add_sync_parser

    add_sync_parser(commands, common, _EPILOG)
    from booqable_async.cli._schedule import add_schedule_parser
    from booqable_async.cli._worker import add_worker_parser

    add_worker_parser(commands)
    add_schedule_parser(commands)

    serve = commands.add_parser(
        "serve-fake",
        help="serve the fake Booqable over HTTP (python -m booqable_async.testing.server)",
        description="Serve FakeBooqable with a demo company; options after serve-fake go to "
        "the server (see booqable serve-fake --help).",
        add_help=False,
    )
    serve.add_argument("server_args", nargs=argparse.REMAINDER)
    return parser


#: Common options that take a value (the next word, unless written ``--opt=value``).
_VALUED = frozenset(
    {"--token", "--company", "--base-url", "--demo-seed", "--demo-orders", "--retries", "--timeout"}
)


def command_index(argv: Sequence[str]) -> int | None:
    """Return the position of the subcommand in ``argv`` (after common options), or None."""
    skip = False
    for index, arg in enumerate(argv):
        if skip:
            skip = False
        elif arg.startswith("-"):
            skip = arg in _VALUED
        else:
            return index
    return None


def glue_dash_values(argv: Sequence[str]) -> list[str]:
    """Return ``argv`` with ``--sort -x`` glued into ``--sort=-x`` (else -x reads as an option)."""
    out: list[str] = []
    args = iter(argv)
    for arg in args:
        if arg in _DASH_VALUES:
            value = next(args, None)
            if value is None:
                out.append(arg)
            elif value.startswith("-") and not value.startswith("--"):
                out.append(f"{arg}={value}")
            else:
                out += [arg, value]
        else:
            out.append(arg)
    return out


def option(args: argparse.Namespace, name: str, default: object = None) -> object:
    """Read an option that may be absent (common options default to absent)."""
    return getattr(args, name, default)
