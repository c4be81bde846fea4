from __future__ import annotations

import json

import pytest

from booqable_async.webhooks import EVENT_NAMES, EventName, resource_type_of


def test_the_45_names_are_the_catalog_ones(shared_api):
    catalog = json.loads((shared_api / "catalog.json").read_text())
    enum = catalog["resources"]["webhook_endpoints"]["attributes"]["events"]["enum"]
    assert len(EVENT_NAMES) == 45
    assert set(EVENT_NAMES) == set(enum)


def test_known_names_are_members():
    assert EventName("order.reserved") is EventName.ORDER_RESERVED
    assert EventName.ORDER_RESERVED == "order.reserved"
    assert EventName.ORDER_RESERVED.is_known
    assert str(EventName.ORDER_RESERVED) == "order.reserved"
    assert repr(EventName.ORDER_RESERVED) == "EventName.ORDER_RESERVED"
    assert (EventName.ORDER_RESERVED.subject, EventName.ORDER_RESERVED.action) == (
        "order",
        "reserved",
    )


def test_unknown_names_never_break():
    name = EventName("order.teleported")
    assert isinstance(name, EventName)
    assert name == "order.teleported"
    assert not name.is_known
    assert repr(name) == "EventName('order.teleported')"
    assert name.resource_type == "orders"
    assert "order.teleported" not in EVENT_NAMES
    # Unknown members are not cached: a sender inventing names grows nothing.
    assert "order.teleported" not in EventName._value2member_map_
    assert EventName("gizmo.made").resource_type is None


@pytest.mark.parametrize("value", ["", None, 3])
def test_non_names_are_refused(value):
    with pytest.raises(ValueError, match="is not a valid EventName"):
        EventName(value)


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        ("invoice.finalized", "documents"),
        ("quote.signed", "documents"),
        ("contract.created", "documents"),
        ("product_group.archived", "product_groups"),
        ("bundle_item.created", "bundle_items"),
        ("app.installed", "app_subscriptions"),
        ("company.updated", "companies"),
    ],
)
def test_resource_types(event, expected):
    assert resource_type_of(event) == expected
