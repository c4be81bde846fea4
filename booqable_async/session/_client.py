"""``SessionClient``: the base of a typed client over one session.

What every client built on the session layer shares (the Booqable v1 client, the
clients in ``examples/``): it owns one :class:`Session`, is an async context manager,
and closing it closes the session (revoking a login token, closing a transport the
session created)::

    class FilesClient(SessionClient):
        def __init__(self, *, api_key: str) -> None:
            super().__init__(Session(profile=FILES_API, token=api_key))

        async def file(self, id: str) -> File:
            response = await self.session.request("GET", ("files", id))
            return File.from_json(response.payload)
"""

from __future__ import annotations

from types import TracebackType

from typing_extensions import Self

from booqable_async.session._core import Session

__all__ = ["SessionClient"]


class SessionClient:
    """A client over one :class:`Session`; use it as ``async with``, or call :meth:`aclose`.

    Args:
        session: The session every call of the client goes through.
    """

    def __init__(self, session: Session) -> None:
        self._session = session

    @property
    def session(self) -> Session:
        """The request pipeline every call goes through."""
        return self._session

    @property
    def base_url(self) -> str:
        """The API root requests go to."""
        return self._session.base_url

    @property
    def closed(self) -> bool:
        """True once :meth:`aclose` ran."""
        return self._session.closed

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self._session.base_url!r})"

    async def __aenter__(self) -> Self:
        await self._session.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the session: revoke a login token, close a transport the session made."""
        await self._session.aclose()
