"""BooqableClient: construction, lazy facades, resource(), the escape hatch, currency."""

from __future__ import annotations

import subprocess
import sys

import orjson
import pytest

from booqable_async import BooqableClient
from booqable_async.errors import DecodeError, UsageError
from booqable_async.jsonapi import Document
from booqable_async.models import Currency, Order
from booqable_async.resources import CustomersFacade, OrdersFacade
from booqable_async.testing import FakeBooqable
from booqable_async.transport import MockTransport
from tests.resources.helpers import TOKEN, Recorder, answer, client_for, resource_object


def test_construction_needs_no_io_and_hides_the_token() -> None:
    transport = MockTransport(lambda request: answer(200, {}))
    client = BooqableClient(company="acme", token=TOKEN, transport=transport)
    assert client.base_url == "https://acme.booqable.com/api/4/"
    assert TOKEN not in repr(client)
    assert transport.requests == []
    assert not client.closed
    with pytest.raises(UsageError, match="no credentials"):
        BooqableClient(company="acme", token=None, auth=None, transport=transport)


def test_facades_are_lazy_cached_and_typed() -> None:
    client = client_for(lambda request: answer(200, {}))
    orders = client.orders
    assert isinstance(orders, OrdersFacade)
    assert client.orders is orders
    assert client.resource("orders") is orders
    assert isinstance(client.resource("customers"), CustomersFacade)
    other = client_for(lambda request: answer(200, {}))
    assert other.orders is not orders  # two clients share nothing
    assert other.session is not client.session


def test_resource_refuses_unknown_types() -> None:
    client = client_for(lambda request: answer(200, {}))
    with pytest.raises(UsageError, match="did you mean 'orders'"):
        client.resource("order")
    with pytest.raises(UsageError, match="must be a string"):
        client.resource(5)  # type: ignore[call-overload]


def test_a_facade_imports_only_what_it_needs() -> None:
    code = (
        "import sys\n"
        "from booqable_async import BooqableClient\n"
        "c = BooqableClient(company='acme', token='t')\n"
        "before = {m for m in sys.modules if m.startswith('booqable_async.models.')"
        " and not m.rpartition('.')[2].startswith('_')}\n"
        "c.orders\n"
        "after = {m for m in sys.modules if m.startswith(('booqable_async.models.',"
        " 'booqable_async.resources.'))}\n"
        "print(sorted(before), sorted(after))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    before, after = out.split("] [")
    assert before == "["
    modules = set(after.rstrip("]").replace("'", "").split(", "))
    assert "booqable_async.models._generated.orders" in modules
    assert "booqable_async.resources._generated.orders" in modules
    assert "booqable_async.models._generated.customers" not in modules
    models = [m for m in modules if m.startswith("booqable_async.models.")]
    assert len([m for m in models if not m.rpartition(".")[2].startswith("_")]) <= 3


async def test_request_escape_hatch() -> None:
    order = resource_object("orders", "o1")
    answers = iter(
        [answer(200, {"data": [order]}), answer(204), answer(200, {"data": [{"id": "x"}]})]
    )
    recorder = Recorder(lambda request: next(answers))
    async with client_for(recorder) as client:
        doc = await client.request("GET", "orders", params=[("filter[status]", "new")])
        assert isinstance(doc, Document)
        assert isinstance(doc.data, list)
        assert isinstance(doc.data[0], Order)
        empty = await client.request("POST", ("orders", "o1"), json={"a": 1})
        assert empty.data is None
        nested = await client.request("POST", "orders/search", json={}, nested_type="orders")
        assert isinstance(nested.primary[0], Order)
    first, second, _ = recorder.requests
    assert first.url.endswith("/orders?filter%5Bstatus%5D=new")
    assert (second.method, orjson.loads(second.body or b"")) == ("POST", {"a": 1})
    assert client.closed


async def test_currency_and_format_cents() -> None:
    # Every fake company has a currency (the euro of currencies__get__response), as a
    # real company always has one.
    fake = FakeBooqable()
    async with (
        fake.transport() as transport,
        BooqableClient(base_url=fake.base_url, token=fake.token, transport=transport) as client,
    ):
        currency = await client.currency()
        assert isinstance(currency, Currency)
        assert currency.iso_code == "EUR"
        assert await client.format_cents(123450) == "€1.234,50"
        assert await client.currency() is currency  # cached on the client
        with pytest.raises(UsageError, match="integer cents"):
            await client.format_cents(1.5)  # type: ignore[arg-type]
        fake.update("companies", fake.company_id, currency="usd")
        dollars = BooqableClient(base_url=fake.base_url, token=fake.token, transport=transport)
        assert await dollars.format_cents(123450) == "$1,234.50"
        fake.update("companies", fake.company_id, currency=None)
        other = BooqableClient(base_url=fake.base_url, token=fake.token, transport=transport)
        # A company without a currency is a setting to fix, not a broken document.
        with pytest.raises(UsageError, match="no currency set") as raised:
            await other.format_cents(100)
        assert not isinstance(raised.value, DecodeError)


async def test_request_paths_are_escaped() -> None:
    recorder = Recorder(lambda request: answer(200, {"data": None}))
    async with client_for(recorder) as client:
        await client.request("GET", ("orders", "a/b"))
    assert recorder.requests[0].url.endswith("/orders/a%2Fb")
