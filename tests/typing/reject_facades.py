"""mypy --strict must reject every line marked with an ``E:`` comment here, and nothing else.

tests/typing/test_typing.py runs mypy on this file. Never run.
"""

from __future__ import annotations

from datetime import datetime

from booqable_async import BooqableClient


async def mistakes(client: BooqableClient) -> None:
    await client.customers.create(nmae="Jane")  # E: Unexpected keyword argument "nmae"
    await client.customers.create(number=5)  # E: Unexpected keyword argument "number"
    await client.customers.create(name=5)  # E: Argument "name" to "create" of "CustomersFacade"
    await client.orders.update("id", status="reserved")  # E: Unexpected keyword argument "status"
    await client.orders.delete("id")  # E: "OrdersFacade" has no attribute "delete"
    await client.items.create()  # E: "ItemsFacade" has no attribute "create"
    order = await client.orders.get("id")
    order.starts_at = "tomorrow"  # E: Incompatible types in assignment
    print(order.nubmer)  # E: "Order" has no attribute "nubmer"
    print(order.customer.name)  # E: Item "None" of "Customer | None" has no attribute "name"
    order.customer = "c1"  # E: Incompatible types in assignment
    order.lines = None  # E: Incompatible types in assignment
    order.id = None  # E: Incompatible types in assignment
    client.orders.list(concurency=2)  # E: Unexpected keyword argument "concurency"
    await client.order_fulfillments.book_product("o", "p", "2")  # E: Argument 3 to "book_product"
    await client.ordres.list()  # E: "BooqableClient" has no attribute "ordres"
    client.tags.changes_since(datetime.now())  # E: "TagsFacade" has no attribute "changes_since"
    client.orders.changes_since("2024-01-01")  # E: Argument 1 to "changes_since" of "OrdersFacade"
    client.with_options(transport=None)  # E: Unexpected keyword argument "transport"
    client.with_options(timeout="2")  # E: Argument "timeout" to "with_options" of "BooqableClient"
    BooqableClient(tokne="t")  # E: Unexpected keyword argument "tokne"
    BooqableClient(max_concurrency="8")  # E: Argument "max_concurrency" to "BooqableClient"
