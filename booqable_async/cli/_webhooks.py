"""``booqable webhooks listen``: receive webhooks while developing, print each event.

In the spirit of ``stripe listen``: it serves a :class:`~booqable_async.webhooks.
WebhookReceiver` on a local port and prints one line per accepted event (or its JSON with
``--json``). Booqable must reach the URL it prints: expose the port with a tunnel and
subscribe the public URL (``client.webhook_endpoints.subscribe(url, events=[...])``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
from collections.abc import Mapping
from typing import IO, Any

import msgspec

from booqable_async.cli._errors import EXIT_OK
from booqable_async.errors import UsageError
from booqable_async.webhooks import WebhookEvent, WebhookReceiver

__all__ = ["ENV_SECRET", "add_webhooks_parser", "listen"]

#: Environment variable holding the URL secret (default: a new one per run).
ENV_SECRET = "BOOQABLE_WEBHOOK_SECRET"  # noqa: S105 - a variable name, not a secret


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port (0-65535; 0 picks a free one)")
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be a whole number of at least 1")
    return value


def add_webhooks_parser(commands: Any) -> None:
    """Add ``booqable webhooks listen`` to the command's subparsers."""
    webhooks = commands.add_parser(
        "webhooks",
        help="receive Booqable webhooks while developing (webhooks listen)",
        description="Webhook tools. Try: booqable webhooks listen --port 8787",
    )
    actions = webhooks.add_subparsers(dest="webhooks_command", metavar="ACTION", required=True)
    listen_parser = actions.add_parser(
        "listen",
        help="serve a webhook receiver on a local port and print each event",
        description="Serve a webhook receiver and print each event as it arrives. It "
        "checks the URL secret, the method, the content type and the size, and drops "
        "repeated deliveries, as in production.",
    )
    listen_parser.add_argument(
        "--port", type=_port, default=8787, metavar="N", help="port to listen on (8787)"
    )
    listen_parser.add_argument(
        "--host", default="127.0.0.1", help="address to bind (127.0.0.1: this machine only)"
    )
    listen_parser.add_argument(
        "--path", default="/booqable", metavar="PATH", help="URL path before the secret"
    )
    listen_parser.add_argument(
        "--secret",
        default=None,
        help=f"URL secret (default ${ENV_SECRET}, else a new random one per run)",
    )
    listen_parser.add_argument(
        "--events",
        action="append",
        default=[],
        metavar="NAMES",
        help="only these events: order.reserved,customer.created (default: all)",
    )
    listen_parser.add_argument(
        "--json", action="store_true", help="print each payload as one JSON line"
    )
    listen_parser.add_argument(
        "--max-events", type=_count, default=None, metavar="N", help="stop after N events"
    )


def _describe(event: WebhookEvent) -> str:
    return (
        f"{event.created_at.isoformat()}  {event.event}  {event.resource_type} "
        f"{event.record_id or '-'}  (delivery {event.id}, v{event.version})"
    )


async def listen(args: argparse.Namespace, stdout: IO[str], stderr: IO[str]) -> int:
    """Run the listener until ``--max-events`` events arrived or the command is stopped.

    Args:
        args: Parsed options of ``webhooks listen``.
        stdout: Where events go, one per line.
        stderr: Where the address and the summary go.

    Returns:
        The exit code (0).

    Raises:
        UsageError: A bad secret or event list.
    """
    from aiohttp import web

    environ: Mapping[str, str] = os.environ
    secret = args.secret or environ.get(ENV_SECRET) or WebhookReceiver.new_secret()
    names = [n.strip() for value in args.events for n in value.split(",") if n.strip()]
    done = asyncio.Event()
    count = 0

    async def show(event: WebhookEvent) -> None:
        nonlocal count
        line = msgspec.json.encode(dict(event.raw)).decode() if args.json else _describe(event)
        stdout.write(line + "\n")
        stdout.flush()
        count += 1
        if args.max_events is not None and count >= args.max_events:
            done.set()

    receiver = WebhookReceiver(
        show, secret=secret, events=names or None, accept_unknown=not names, concurrency=1
    )
    runner = web.AppRunner(
        receiver.aiohttp_app(), access_log=None, handle_signals=False, shutdown_timeout=2.0
    )
    await runner.setup()
    try:
        site = web.TCPSite(runner, args.host, args.port)
        try:
            await site.start()
        except OSError as exc:
            raise UsageError(f"cannot listen on {args.host}:{args.port}: {exc.strerror}") from None
        port = runner.addresses[0][1]
        path = "/" + args.path.strip("/") if args.path.strip("/") else ""
        print(
            f"booqable: listening on http://{args.host}:{port}{path}/{secret}\n"
            "booqable: expose this port (a tunnel), then subscribe its public URL ending in "
            "the same path: client.webhook_endpoints.subscribe(url, events=[...]). "
            "Ctrl-C stops.",
            file=stderr,
            flush=True,
        )
        try:
            await done.wait()
        except asyncio.CancelledError:
            print(f"booqable: stopped after {count} events", file=stderr, flush=True)
            raise
        await receiver.drain()
    finally:
        await runner.cleanup()
    print(f"booqable: {count} events received", file=stderr, flush=True)
    return EXIT_OK
