"""The in-process transport: requests go straight to a FakeBooqable, no sockets."""

from __future__ import annotations

from typing import TYPE_CHECKING

from booqable_async.errors import ConnectionReset, ProtocolError
from booqable_async.transport import HttpRequest, HttpResponse, MockTransport

if TYPE_CHECKING:
    from booqable_async.testing._fake import FakeBooqable

__all__ = ["FakeTransport"]


class FakeTransport(MockTransport):
    """A :class:`~booqable_async.transport.MockTransport` answering from a :class:`FakeBooqable`.

    Injected faults surface as a real transport would report them: a dropped connection is
    :class:`~booqable_async.errors.ConnectionReset` (``request_sent`` False before
    processing, True after), a cut body is :class:`~booqable_async.errors.ProtocolError`,
    and a delay awaits the fake's ``sleep``. Recording requests and closing work as for
    any ``MockTransport`` (sending after :meth:`aclose` raises ``UsageError``; the fake
    keeps its data).

    Attributes:
        fake: The fake server answering.
        requests: Every request sent, in order.
        closed: True once :meth:`aclose` ran.
    """

    def __init__(self, fake: FakeBooqable) -> None:
        super().__init__(self._answer)
        self.fake = fake

    async def _answer(self, request: HttpRequest) -> HttpResponse:
        outcome = self.fake.handle(request)
        if outcome.reset == "before":
            raise _reset(request, sent=False)
        if outcome.delay:
            await self.fake.sleep(outcome.delay)
        if outcome.reset == "after":
            raise _reset(request, sent=True)
        response = outcome.response
        if outcome.truncate:
            got = len(response.body) // 2
            raise ProtocolError(
                f"response body truncated: got {got} of {len(response.body)} bytes",
                method=request.method,
                url=request.url,
                request_sent=True,
            )
        return response


def _reset(request: HttpRequest, *, sent: bool) -> ConnectionReset:
    when = "after the request was sent" if sent else "before the request was processed"
    return ConnectionReset(
        f"connection reset by peer {when}",
        method=request.method,
        url=request.url,
        request_sent=sent,
    )
