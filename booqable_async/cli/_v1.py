"""``booqable v1 pull|get``: Booqable's legacy API v1 from the command line.

A group of its own rather than ``--api v1`` on ``pull`` and ``get``: v1 lists with a
search term (customers, orders) or a tag and collection (product groups), where v4 has
typed filters, includes, sparse fieldsets, sorting and statistics. A separate parser
offers exactly what v1 takes, so ``--help`` is honest and ``--where`` on a v1 pull is
refused by the parser instead of being silently ignored.

Everything else is the v4 commands' machinery: the same connection options and
environment (``BOOQABLE_API_KEY`` is the v1 API key, ``BOOQABLE_COMPANY``;
``BOOQABLE_V1_BASE_URL`` for another root), ``--demo`` against the demo company's v1
face, the same pull (partial file renamed over the output when complete, resume after
Ctrl-C or a failure, progress) and the same one-line errors. The API key travels as
``?api_key=`` and is masked wherever the library shows a URL, so it never reaches the
command's output, its ``--debug`` log or the resume command it prints.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from booqable_async.cli._args import add_output_options, add_paging_options, epilog
from booqable_async.cli._commands import GetOptions, pull_target
from booqable_async.cli._connect import ClientSeam
from booqable_async.cli._pull import PullOptions
from booqable_async.cli._writers import Column
from booqable_async.errors import UsageError
from booqable_async.query import Query, format_datetime

if TYPE_CHECKING:
    from booqable_async.pagination import Page, Paginator, ResumePoint
    from booqable_async.v1 import BooqableV1Client

__all__ = ["V1_RESOURCES", "V1Backend", "add_v1_parser", "export_record", "v1_options"]

#: What ``booqable v1`` lists and reads by id (v1 documents list and get for these).
V1_RESOURCES = ("customers", "orders", "product_groups")
#: Each listing option: the v1 parameter it sets and the resources that take it.
_LISTING = {
    "search": ("q", ("customers", "orders")),
    "tag": ("tag", ("product_groups",)),
    "collection": ("collection", ("product_groups",)),
    "collection_id": ("collection_id", ("product_groups",)),
}


def add_v1_parser(commands: Any, common: argparse.ArgumentParser) -> None:
    """Add ``booqable v1 pull`` and ``booqable v1 get`` to the command's subparsers."""
    closing = "The token is the v1 API key. " + epilog("BOOQABLE_V1_BASE_URL")
    group = commands.add_parser(
        "v1",
        help="pull or get records through Booqable's legacy API v1",
        description="Booqable's legacy API v1 (/api/1/). The token (--token or "
        "BOOQABLE_API_KEY) is the v1 API key; BOOQABLE_V1_BASE_URL points at another root.",
    )
    actions = group.add_subparsers(dest="v1_command", metavar="ACTION", required=True)
    pull = actions.add_parser(
        "pull",
        parents=[common],
        help="stream every record of a resource to a file (JSON Lines, CSV, JSON)",
        description="Stream every record of RESOURCE through API v1, with a progress "
        "bar; resumable. Records are v1's plain objects.",
        epilog=closing,
    )
    _resource(pull)
    listing = pull.add_argument_group("which records")
    listing.add_argument(
        "--search", metavar="TERM", help="customers, orders: where TERM shows up (v1's q=)"
    )
    listing.add_argument("--tag", metavar="NAME", help="product_groups: with this tag")
    listing.add_argument(
        "--collection", metavar="SLUG", help="product_groups: in the collection with this slug"
    )
    listing.add_argument(
        "--collection-id", metavar="ID", help="product_groups: in the collection with this id"
    )
    add_output_options(pull)
    add_paging_options(pull)
    get = actions.add_parser(
        "get",
        parents=[common],
        help="print one record as JSON",
        description="Print one record, as API v1 answers GET for it, as JSON.",
        epilog=closing,
    )
    _resource(get)
    get.add_argument("id", metavar="ID", help="the record id (customers, orders: or number)")
    for parser in (pull, get):
        parser.set_defaults(api="v1")


def _resource(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "resource", metavar="RESOURCE", choices=V1_RESOURCES, help=", ".join(V1_RESOURCES)
    )


def v1_options(args: argparse.Namespace) -> PullOptions | GetOptions:
    """Build and validate a ``booqable v1 pull`` or ``get``, before any I/O.

    Raises:
        UsageError: A listing option the resource does not take, an empty id, or a
            resume state of another pull.
    """
    resource: str = args.resource
    if args.v1_command == "get":
        if not args.id.strip():
            raise UsageError("ID must not be empty")
        return GetOptions(resource, args.id.strip(), Query())
    params: list[tuple[str, str]] = []
    for option, (name, takers) in _LISTING.items():
        value = getattr(args, option)
        if value is None:
            continue
        if resource not in takers:
            raise UsageError(
                f"{_flag(option)} is for {' and '.join(takers)}, not {resource} (v1 lists "
                f"{resource} {_listing_help(resource)})"
            )
        params.append((name, value))
    target = pull_target(args, resource, "v1")
    return PullOptions(
        resource=resource,
        query=Query().page(size=args.page_size),
        format=target.format,
        out=target.out,
        concurrency=args.concurrency,
        resume=target.resume,
        resume_file=target.resume_file,
        api="v1",
        params=tuple(params),
    )


def _flag(option: str) -> str:
    return "--" + option.replace("_", "-")


def _listing_help(resource: str) -> str:
    flags = [_flag(option) for option, (_, takers) in _LISTING.items() if resource in takers]
    return "with " + ", ".join(flags)


class V1Backend(ClientSeam):
    """The commands' seam over a :class:`~booqable_async.v1.BooqableV1Client`.

    The same methods as :class:`~booqable_async.cli._connect.Backend`: list with a
    paginator, one page, get, export a record, the CSV header.

    Args:
        client: An open v1 client (closed by :meth:`aclose`).
        cleanup: Extra things to close after the client.
    """

    _client: BooqableV1Client

    def __init__(self, client: BooqableV1Client, cleanup: Sequence[Any] = ()) -> None:
        super().__init__(client, cleanup)

    def _facade(self, resource: str) -> Any:
        # The resource is one of V1_RESOURCES (the parser's choices): a facade the client
        # has, looked up by name.
        return getattr(self._client, resource)

    def list(
        self,
        options: PullOptions,
        *,
        resume_from: ResumePoint | None,
        on_page: Callable[[int, int, int | None], object] | None,
    ) -> Paginator[Any]:
        """Return ``client.<resource>.list(q=..., per=..., ...)`` for a pull."""
        paginator: Paginator[Any] = self._facade(options.resource).list(
            **dict(options.params),
            per=options.query.page_size,
            concurrency=options.concurrency,
            resume_from=resume_from,
            on_page=on_page,
        )
        return paginator

    async def first_page(self, resource: str, query: Query) -> Page[Any]:
        """Return the first page of ``client.<resource>.list(per=...)`` (v1 has no stats)."""
        page: Page[Any] = await self._facade(resource).list(per=query.page_size)
        return page

    async def get(
        self,
        resource: str,
        record_id: str,
        *,
        include: Sequence[str],
        fields: Mapping[str, Sequence[str]] | None,
    ) -> Any:
        """Return ``client.<resource>.get(record_id)``.

        Raises:
            UsageError: ``include`` or ``fields`` given: v1 answers whole records.
        """
        if include or fields:
            raise UsageError("API v1 answers whole records: it takes no includes or fields")
        return await self._facade(resource).get(record_id)

    def export(self, record: Any, embed: int) -> dict[str, Any]:
        """Export with :func:`export_record` (``embed`` does not apply: v1 nests itself)."""
        return export_record(record)

    def columns(self, options: PullOptions) -> Sequence[Column]:
        """The CSV header: the v1 model's members, in its order (nested ones as JSON).

        Members the model does not name are left out, as v4's undocumented attributes
        are: JSON Lines keeps everything.
        """
        from booqable_async.v1._models import RECORD_TYPES

        model = RECORD_TYPES[options.resource]
        return [
            Column(field.name, field=field.name, flat=True)
            for field in attrs.fields(model)
            if field.name != "extra"
        ]


def export_record(record: Any) -> dict[str, Any]:
    """Return a v1 record as a JSON-ready dict: v1's members, as v1 names them.

    The model's members first (nested records and lists as dicts and lists, decimals as
    exact strings, timestamps as ISO 8601 in UTC with ``Z``), then the members it keeps
    in ``extra``, as they were sent.
    """
    out = {
        field.name: _plain(getattr(record, field.name))
        for field in attrs.fields(type(record))
        if field.name != "extra"
    }
    for name, value in record.extra.items():
        out.setdefault(name, value)
    return out


def _plain(value: Any) -> Any:
    if attrs.has(type(value)):
        return export_record(value)
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)  # exact: 0.1 as a float is not 0.1
    if isinstance(value, datetime):
        return format_datetime(value)
    return value
