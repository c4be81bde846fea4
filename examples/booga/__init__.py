"""Booga Enterprise: Bearer or ``X-API-Key``, limit/offset pages, two budgets at once.

::

    from examples.booga import BoogaClient

    async with BoogaClient(api_key="bge_...") as booga:
        async for file in booga.files(search="report", ordering="-created_at"):
            ...
"""

from examples.booga.client import BETA_URL, BOOGA, BoogaClient, File

__all__ = ["BETA_URL", "BOOGA", "BoogaClient", "File"]
