"""The receiver behind aiohttp: a request handler and a ready application."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from booqable_async.webhooks._receiver import WebhookReceiver

__all__ = ["handle", "make_app"]

#: Bytes read from the socket at a time while the size cap is checked.
_CHUNK = 64 * 1024


async def handle(receiver: WebhookReceiver, request: web.BaseRequest) -> web.StreamResponse:
    """Answer one aiohttp request with ``receiver``; the body is streamed, never buffered whole.

    Args:
        receiver: The webhook receiver.
        request: The aiohttp request.

    Returns:
        The response.
    """

    async def chunks() -> AsyncIterator[bytes]:
        async for chunk in request.content.iter_chunked(_CHUNK):
            yield chunk

    reply = await receiver.receive(
        request.method,
        request.path,
        request.headers.get("Content-Type"),
        request.content_length,
        chunks(),
    )
    return web.Response(status=reply.status, body=reply.body, headers=reply.headers)


def make_app(receiver: WebhookReceiver) -> web.Application:
    """Return an application routing every path to ``receiver``; shutdown drains it.

    Args:
        receiver: The webhook receiver.

    Returns:
        The aiohttp application.
    """

    async def route(request: web.Request) -> web.StreamResponse:
        return await handle(receiver, request)

    async def on_startup(app: web.Application) -> None:
        await receiver.start()

    async def on_shutdown(app: web.Application) -> None:
        await receiver.aclose()

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", route)
    app.on_startup.append(on_startup)
    app.on_shutdown.append(on_shutdown)
    return app
