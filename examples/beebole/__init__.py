"""Beebole: one POST endpoint, HTTP Basic, failures in HTTP 200 bodies, daily quotas, xids.

::

    from examples.beebole import BeeboleClient, Ref

    async with BeeboleClient(api_token="...") as beebole:
        ref = await beebole.create_company("Acme", xid="crm-42")
        company = await beebole.company(Ref(xid="crm-42"))
"""

from examples.beebole.client import BEEBOLE, BeeboleClient, Company, Project, Ref

__all__ = ["BEEBOLE", "BeeboleClient", "Company", "Project", "Ref"]
