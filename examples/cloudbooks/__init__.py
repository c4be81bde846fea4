"""CloudBooks: API keys or login tokens, ``{"error": {...}}`` errors, hourly budgets.

::

    from examples.cloudbooks import CloudBooksClient, login

    async with CloudBooksClient(auth=login("ada@example.com", "...")) as books:
        me = await books.me()
        async for org in books.organizations():
            ...
"""

from examples.cloudbooks.client import (
    CLOUDBOOKS,
    CloudBooksClient,
    Organization,
    Project,
    User,
    login,
)

__all__ = ["CLOUDBOOKS", "CloudBooksClient", "Organization", "Project", "User", "login"]
