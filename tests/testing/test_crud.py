"""Create, read, update, delete: status codes, document shapes, errors, routing."""

from __future__ import annotations

import pytest

from booqable_async.errors import UsageError
from booqable_async.testing import FakeBooqable

from .conftest import doc, send


def test_list_is_a_jsonapi_collection_with_meta_and_rate_headers(fake: FakeBooqable) -> None:
    fake.add("customers", name="Jane")
    reply = send(fake, "GET", "/api/4/customers")
    assert reply.status == 200
    assert reply.headers["Content-Type"] == "application/vnd.api+json; charset=utf-8"
    assert set(reply.json) == {"data", "meta"}
    assert reply.json["meta"] == {}
    (item,) = reply.json["data"]
    assert set(item) == {"id", "type", "attributes", "relationships"}
    assert item["type"] == "customers"
    assert item["relationships"] == {}
    assert item["attributes"]["name"] == "Jane"
    for name in ("X-Ratelimit-Limit", "X-Ratelimit-Period", "X-Ratelimit-Remaining"):
        assert name in reply.headers
    assert reply.headers["X-Request-Id"]


def test_attributes_follow_the_catalog(fake: FakeBooqable) -> None:
    record = fake.add("orders")
    attributes = send(fake, "GET", f"/api/4/orders/{record['id']}").json["data"]["attributes"]
    assert "amount_in_cents" in attributes
    assert "id" not in attributes
    assert "confirm_shortage" not in attributes  # write-only
    assert attributes["status"] == "new"


def test_get_unknown_id_is_the_recorded_404(fake: FakeBooqable) -> None:
    reply = send(fake, "GET", "/api/4/orders/invalid-id")
    assert reply.status == 404
    assert reply.json == {
        "errors": [
            {"code": "resources_not_found", "status": "404", "title": "Resource(s) not found"}
        ]
    }


def test_create_answers_201_and_stores(fake: FakeBooqable, wall: object) -> None:
    reply = send(
        fake, "POST", "/api/4/customers", doc("customers", {"name": "Bob", "email": "b@x.nl"})
    )
    assert reply.status == 201
    data = reply.json["data"]
    assert data["attributes"]["name"] == "Bob"
    assert data["attributes"]["number"] == 1
    assert data["attributes"]["created_at"] == "2025-07-01T00:00:00.000000+00:00"
    assert fake.get("customers", data["id"])["email"] == "b@x.nl"
    second = send(fake, "POST", "/api/4/customers", doc("customers", {"name": "Ann"}))
    assert second.json["data"]["attributes"]["number"] == 2


def test_create_with_unknown_attribute_is_the_recorded_400(fake: FakeBooqable) -> None:
    reply = send(fake, "POST", "/api/4/orders", doc("orders", {"invalid_field": "invalid_value"}))
    assert reply.status == 400
    assert reply.headers["Content-Type"] == "application/json; charset=utf-8"
    assert reply.json == {
        "errors": [
            {
                "code": "bad_request",
                "status": "400",
                "title": "Request Error",
                "detail": "data.attributes.invalid_field is an unknown attribute",
                "source": {"pointer": "data/attributes/invalid_field"},
                "meta": {
                    "attribute": "data.attributes.invalid_field",
                    "message": "is an unknown attribute",
                    "code": "unknown_attribute",
                },
            }
        ]
    }
    assert fake.count("orders") == 0


def test_every_invalid_attribute_is_reported(fake: FakeBooqable) -> None:
    body = doc(
        "customers",
        {"nope": 1, "number": 5, "discount_percentage": "lots", "name": "ok"},
    )
    reply = send(fake, "POST", "/api/4/customers", body)
    assert reply.status == 400
    codes = {e["source"]["pointer"]: e["meta"]["code"] for e in reply.json["errors"]}
    assert codes == {
        "data/attributes/nope": "unknown_attribute",
        "data/attributes/number": "unwritable_attribute",
        "data/attributes/discount_percentage": "type_error",
    }
    message = next(e for e in reply.json["errors"] if e["meta"]["code"] == "type_error")
    assert message["detail"] == "data.attributes.discount_percentage failed typecasting to float"


@pytest.mark.parametrize(
    ("attribute", "value", "ok"),
    [
        ("name", "x", True),
        ("name", 12, True),
        ("name", {"a": 1}, False),
        ("deposit_value", 1, True),
        ("deposit_value", "2.5", True),
        ("deposit_value", True, False),
        ("deposit_value", "nan", False),
        ("email_marketing_consented", "true", True),
        ("email_marketing_consented", "perhaps", False),
        ("email_marketing_consented", None, True),
        ("tag_list", ["a"], True),
        ("tag_list", "a", False),
        ("tax_region_id", None, True),
    ],
)
def test_typecasting(fake: FakeBooqable, attribute: str, value: object, ok: bool) -> None:
    reply = send(fake, "POST", "/api/4/customers", doc("customers", {attribute: value}))
    assert (reply.status == 201) is ok, reply.json


@pytest.mark.parametrize(
    ("attribute", "value", "ok"),
    [
        ("starts_at", "2025-01-01T10:00:00Z", True),
        ("starts_at", "2025-01-01 10:00:00", True),
        ("starts_at", "tomorrow", False),
        ("starts_at", 5, False),
        ("deposit_type", "fixed", True),
        ("discount_type", {"x": 1}, False),
    ],
)
def test_typecasting_orders(fake: FakeBooqable, attribute: str, value: object, ok: bool) -> None:
    reply = send(fake, "POST", "/api/4/orders", doc("orders", {attribute: value}))
    assert (reply.status == 201) is ok, reply.json


def test_client_chosen_id_in_attributes(fake: FakeBooqable) -> None:
    chosen = "a5f55cdd-7e5a-46ea-84db-1c8352c8fa06"
    reply = send(fake, "POST", "/api/4/customers", doc("customers", {"id": chosen, "name": "x"}))
    assert reply.json["data"]["id"] == chosen
    again = send(fake, "POST", "/api/4/customers", doc("customers", {"id": chosen, "name": "y"}))
    assert again.json["data"]["id"] != chosen  # taken: a fresh id instead
    same = doc("customers", {"id": chosen, "name": "z"})
    assert send(fake, "PUT", f"/api/4/customers/{chosen}", same).status == 200


def test_include_and_fields_in_the_write_body(fake: FakeBooqable) -> None:
    body = {
        **doc(
            "tax_regions", {"name": "Sales", "tax_rates_attributes": [{"name": "VAT", "value": 21}]}
        ),
        "include": "tax_rates",
        "fields": {"tax_regions": "name"},
    }
    reply = send(fake, "POST", "/api/4/tax_regions", body)
    assert reply.status == 201, reply.json
    assert reply.json["data"]["attributes"] == {"name": "Sales"}
    (rate,) = reply.json["included"]
    assert rate["attributes"]["value"] == 21.0
    assert rate["attributes"]["owner_id"] == reply.json["data"]["id"]


def test_nested_attribute_writes(fake: FakeBooqable) -> None:
    region = send(fake, "POST", "/api/4/tax_regions", doc("tax_regions", {"name": "R"})).json[
        "data"
    ]
    path = f"/api/4/tax_regions/{region['id']}?include=tax_rates"
    created = send(
        fake, "PUT", path, doc("tax_regions", {"tax_rates_attributes": [{"name": "A", "value": 1}]})
    )
    rate_id = created.json["included"][0]["id"]
    renamed = send(
        fake,
        "PUT",
        path,
        doc("tax_regions", {"tax_rates_attributes": [{"id": rate_id, "name": "B"}]}),
    )
    assert renamed.json["included"][0]["attributes"]["name"] == "B"
    bad = send(
        fake,
        "PUT",
        path,
        doc("tax_regions", {"tax_rates_attributes": [{"nope": 1}, {"value": "x"}, 3]}),
    )
    assert bad.status == 400
    assert [e["source"]["pointer"] for e in bad.json["errors"]] == [
        "data/attributes/tax_rates_attributes/0/nope",
        "data/attributes/tax_rates_attributes/1/value",
        "data/attributes/tax_rates_attributes/2",
    ]
    gone = send(
        fake,
        "PUT",
        path,
        doc("tax_regions", {"tax_rates_attributes": [{"id": rate_id, "_destroy": True}]}),
    )
    assert "included" not in gone.json
    location = send(
        fake,
        "POST",
        "/api/4/locations",
        doc("locations", {"name": "L", "main_address_attributes": {"city": "Delft"}}),
    )
    assert location.json["data"]["attributes"]["main_address"] == {"city": "Delft"}
    order = send(
        fake,
        "POST",
        "/api/4/orders?include=order_delivery_rate",
        doc("orders", {"order_delivery_rate_attributes": {"price_in_cents": 500}}),
    )
    assert order.status == 201, order.json
    assert order.json["included"][0]["type"] == "order_delivery_rates"
    language = send(
        fake,
        "PUT",
        "/api/4/language",
        doc("languages", {"translations_attributes": [{"key": "a", "value": "b"}]}),
    )
    assert language.status == 200  # translations are not a documented type: accepted, not stored


def test_datetimes_are_normalised(fake: FakeBooqable) -> None:
    reply = send(
        fake, "POST", "/api/4/orders", doc("orders", {"starts_at": "2025-01-01T10:00:00+02:00"})
    )
    assert reply.json["data"]["attributes"]["starts_at"] == "2025-01-01T08:00:00.000000+00:00"


def test_enum_outside_the_documented_values_is_422(fake: FakeBooqable) -> None:
    reply = send(fake, "POST", "/api/4/orders", doc("orders", {"fulfillment_type": "teleport"}))
    assert reply.status == 422
    (error,) = reply.json["errors"]
    assert error["code"] == "unprocessable_entity"
    assert error["source"] == {"pointer": "/data/attributes/fulfillment_type"}
    assert error["meta"]["code"] == "inclusion"


def test_order_status_on_create_is_limited(fake: FakeBooqable) -> None:
    assert send(fake, "POST", "/api/4/orders", doc("orders", {"status": "started"})).status == 422
    reply = send(fake, "POST", "/api/4/orders", doc("orders", {"status": "draft"}))
    assert reply.status == 201
    attributes = reply.json["data"]["attributes"]
    assert attributes["status"] == "draft"
    assert attributes["statuses"] == ["draft"]
    assert attributes["number"] == 1


def test_new_orders_default_to_the_first_location(fake: FakeBooqable) -> None:
    location = fake.add("locations", name="Main")
    reply = send(fake, "POST", "/api/4/orders", doc("orders", {}))
    attributes = reply.json["data"]["attributes"]
    assert attributes["start_location_id"] == location["id"]
    assert attributes["number"] is None


def test_malformed_bodies_are_400(fake: FakeBooqable) -> None:
    assert send(fake, "POST", "/api/4/customers", b"{nope").status == 400
    assert send(fake, "POST", "/api/4/customers", {"name": "x"}).status == 400
    assert send(fake, "POST", "/api/4/customers", b"").status == 400
    # data.type is not checked: doc examples send "sorting" to /sortings and succeed
    assert send(fake, "POST", "/api/4/customers", doc("orders", {"name": "x"})).status == 201
    attrs = send(
        fake, "POST", "/api/4/customers", {"data": {"type": "customers", "attributes": []}}
    )
    assert attrs.status == 400


def test_update_answers_200_and_changes_only_what_was_sent(
    fake: FakeBooqable, wall: object
) -> None:
    record = fake.add(
        "customers", name="Jane", email="j@x.nl", updated_at="2020-01-01T00:00:00.000000+00:00"
    )
    reply = send(
        fake,
        "PUT",
        f"/api/4/customers/{record['id']}",
        doc("customers", {"email": "new@x.nl"}, record["id"]),
    )
    assert reply.status == 200
    attributes = reply.json["data"]["attributes"]
    assert attributes["email"] == "new@x.nl"
    assert attributes["name"] == "Jane"
    assert attributes["updated_at"] == "2025-07-01T00:00:00.000000+00:00"


def test_update_rules(fake: FakeBooqable) -> None:
    order = send(fake, "POST", "/api/4/orders", doc("orders", {})).json["data"]
    path = f"/api/4/orders/{order['id']}"
    # status is create-only (catalog: readonly_after_create)
    assert send(fake, "PUT", path, doc("orders", {"status": "reserved"})).status == 400
    assert send(fake, "PUT", path, doc("orders", {"tag_list": ["vip"]}, "other-id")).status == 400
    assert send(fake, "PUT", "/api/4/orders/missing", doc("orders", {})).status == 404
    assert send(fake, "PUT", path, doc("orders", {"tag_list": ["vip"]})).status == 200


def test_relationships_can_be_written_through_their_foreign_key(fake: FakeBooqable) -> None:
    customer = fake.add("customers", name="Jane")
    body = {
        "data": {
            "type": "orders",
            "attributes": {},
            "relationships": {"customer": {"data": {"type": "customers", "id": customer["id"]}}},
        }
    }
    reply = send(fake, "POST", "/api/4/orders?include=customer", body)
    assert reply.status == 201
    assert reply.json["data"]["attributes"]["customer_id"] == customer["id"]
    assert reply.json["data"]["relationships"]["customer"]["data"]["id"] == customer["id"]
    bad = {"data": {"type": "orders", "relationships": {"lines": {"data": []}, "nope": {}}}}
    reply = send(fake, "POST", "/api/4/orders", bad)
    assert {e["meta"]["code"] for e in reply.json["errors"]} == {
        "unwritable_relationship",
        "unknown_relationship",
    }


def test_polymorphic_relationship_written_with_its_type(fake: FakeBooqable) -> None:
    order = fake.add("orders")
    body = {
        "data": {
            "type": "lines",
            "attributes": {"price_each_in_cents": 500, "quantity": 2},
            "relationships": {"owner": {"data": {"type": "orders", "id": order["id"]}}},
        }
    }
    reply = send(fake, "POST", "/api/4/lines", body)
    assert reply.status == 201, reply.json
    line = reply.json["data"]["attributes"]
    assert (line["owner_type"], line["order_id"], line["price_in_cents"]) == (
        "orders",
        order["id"],
        1000,
    )
    assert fake.get("orders", order["id"])["price_in_cents"] == 1000


def test_delete_archives_where_the_catalog_says_so(fake: FakeBooqable) -> None:
    record = fake.add("customers", name="Jane")
    reply = send(fake, "DELETE", f"/api/4/customers/{record['id']}")
    assert reply.status == 200
    assert reply.headers["Content-Type"] == "application/json; charset=utf-8"
    assert reply.json["data"]["attributes"]["archived"] is True
    assert reply.json["data"]["attributes"]["archived_at"] is not None
    assert send(fake, "GET", f"/api/4/customers/{record['id']}").status == 200


def test_delete_destroys_otherwise(fake: FakeBooqable) -> None:
    record = fake.add("notes", body="hi")
    reply = send(fake, "DELETE", f"/api/4/notes/{record['id']}")
    assert reply.status == 200
    assert reply.json["data"]["id"] == record["id"]
    assert send(fake, "GET", f"/api/4/notes/{record['id']}").status == 404


def test_delete_order_follows_the_recording(fake: FakeBooqable) -> None:
    order = send(fake, "POST", "/api/4/orders", doc("orders", {})).json["data"]
    assert send(fake, "DELETE", f"/api/4/orders/{order['id']}").status == 200
    assert fake.count("orders") == 0
    routing = send(fake, "DELETE", "/api/4/orders/invalid-id")
    assert routing.status == 404
    assert routing.headers["Content-Type"] == "application/json; charset=UTF-8"
    assert routing.json["error"] == "Not Found"
    assert "No route matches [DELETE]" in routing.json["exception"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("DELETE", "/api/4/stock_items/3e62df61-af47-4c9b-8279-1dfb80db2936"),  # no delete
        ("PUT", "/api/4/payments/3e62df61-af47-4c9b-8279-1dfb80db2936"),  # list/get only
        ("POST", "/api/4/plannings"),
        ("GET", "/api/4/order_fulfillments"),
        ("GET", "/api/4/nonsense"),
        ("GET", "/api/5/orders"),
        ("GET", "/api/4/orders/1/lines"),
        ("GET", "/api/4"),
        ("PATCH", "/api/4/orders/3e62df61-af47-4c9b-8279-1dfb80db2936"),
        ("POST", "/api/4/locations/search"),
    ],
)
def test_operations_a_resource_lacks_are_routing_404s(
    fake: FakeBooqable, method: str, path: str
) -> None:
    reply = send(fake, method, path, b"{}" if method in ("POST", "PUT") else None)
    assert reply.status == 404
    assert "RoutingError" in reply.json["exception"]


def test_boomerang_prefix_and_head(fake: FakeBooqable) -> None:
    fake.add("customers", name="Jane")
    assert send(fake, "GET", "/api/boomerang/customers").status == 200
    head = send(fake, "HEAD", "/api/4/customers")
    assert head.status == 200
    assert head.response.body == b""


def test_singletons(fake: FakeBooqable) -> None:
    company = send(fake, "GET", "/api/4/companies/current")
    assert company.status == 200
    assert company.json["data"]["id"] == fake.company_id
    settings = send(fake, "GET", "/api/4/settings/current")
    assert settings.status == 200
    again = send(fake, "GET", "/api/4/settings/current")
    assert again.json["data"]["id"] == settings.json["data"]["id"]
    update = send(fake, "PUT", "/api/4/companies/current", doc("companies", {"name": "Acme"}))
    assert update.status == 200
    assert update.json["data"]["attributes"]["name"] == "Acme"
    language = send(fake, "GET", "/api/4/language")
    assert language.status == 200
    assert language.json["data"]["type"] == "languages"


def test_orders_new_returns_the_pending_order(fake: FakeBooqable) -> None:
    first = send(fake, "GET", "/api/4/orders/new").json["data"]
    second = send(fake, "GET", "/api/4/orders/new").json["data"]
    assert first["id"] == second["id"]
    assert first["attributes"]["status"] == "new"


def test_union_resources(fake: FakeBooqable) -> None:
    product = fake.add("products", name="Bike")
    bundle = fake.add("bundles", name="Set")
    reply = send(fake, "GET", "/api/4/items?sort=name")
    assert [(d["type"], d["id"]) for d in reply.json["data"]] == [
        ("products", product["id"]),
        ("bundles", bundle["id"]),
    ]
    assert send(fake, "GET", f"/api/4/items/{bundle['id']}").json["data"]["type"] == "bundles"
    assert send(fake, "GET", f"/api/4/items/{fake.company_id}").status == 404
    with pytest.raises(UsageError, match="union"):
        fake.add("items", name="x")


def test_properties_attributes_create_property_records(fake: FakeBooqable) -> None:
    body = doc(
        "customers",
        {
            "name": "Jane",
            "properties_attributes": [{"identifier": "phone", "name": "Phone", "value": "123"}],
        },
    )
    reply = send(fake, "POST", "/api/4/customers?include=properties", body)
    assert reply.status == 201
    customer = reply.json["data"]
    assert customer["attributes"]["properties"] == {"phone": "123"}
    (prop,) = reply.json["included"]
    assert prop["type"] == "properties"
    assert prop["attributes"]["value"] == "123"
    assert "address1" not in prop["attributes"]  # only address properties carry those
    update = doc("customers", {"properties_attributes": [{"identifier": "phone", "value": "456"}]})
    send(fake, "PUT", f"/api/4/customers/{customer['id']}", update)
    assert fake.all("properties")[0]["value"] == "456"
    destroy = doc(
        "customers", {"properties_attributes": [{"identifier": "phone", "_destroy": True}]}
    )
    send(fake, "PUT", f"/api/4/customers/{customer['id']}", destroy)
    assert fake.count("properties") == 0


def test_location_archive_refuses_when_in_use(fake: FakeBooqable) -> None:
    location = fake.add("locations", name="Main")
    product = fake.add("products", name="Bike")
    stock = fake.add("stock_items", product_id=product["id"], location_id=location["id"])
    reply = send(fake, "DELETE", f"/api/4/locations/{location['id']}")
    assert reply.status == 422
    assert reply.json["errors"][0]["code"] == "location_has_stock"
    assert reply.json["errors"][0]["meta"] == {"item_ids": [product["id"]]}
    fake.update("stock_items", stock["id"], archived=True)
    order = fake.add("orders", status="reserved", start_location_id=location["id"])
    reply = send(fake, "DELETE", f"/api/4/locations/{location['id']}")
    assert reply.json["errors"][0]["code"] == "location_has_orders"
    assert reply.json["errors"][0]["meta"] == {"blocking": [{"orders": [{"id": order["id"]}]}]}
    fake.update("orders", order["id"], status="stopped")
    assert send(fake, "DELETE", f"/api/4/locations/{location['id']}").status == 200


def test_update_moves_updated_at_when_a_value_changes_as_an_api_write_does() -> None:
    now = [1_700_000_000.0]
    fake = FakeBooqable(wall_clock=lambda: now[0])
    record = fake.add("customers", {"name": "Jane"})
    stamp = record["updated_at"]
    now[0] += 60

    assert fake.update("customers", record["id"], name="Jane")["updated_at"] == stamp
    renamed = fake.update("customers", record["id"], name="June")
    assert renamed["updated_at"] == "2023-11-14T22:14:20.000000+00:00"  # now, a minute on
    assert renamed["created_at"] == stamp
    set_by_hand = fake.update("customers", record["id"], name="Jo", updated_at="2020-01-01")
    assert set_by_hand["updated_at"] == "2020-01-01"


def test_record_helpers(fake: FakeBooqable) -> None:
    record = fake.add("customers", {"name": "Jane"}, email="j@x.nl")
    assert fake.get("customers", record["id"])["email"] == "j@x.nl"
    assert fake.get("customers", "nope") is None
    assert fake.update("customers", record["id"], name="June")["name"] == "June"
    with pytest.raises(UsageError):
        fake.update("customers", record["id"], nope=1)
    with pytest.raises(UsageError):
        fake.update("customers", "missing", name="x")
    with pytest.raises(UsageError, match="already used"):
        fake.add("customers", id=record["id"])
    with pytest.raises(UsageError, match="no attribute"):
        fake.add("customers", nope=1)
    with pytest.raises(UsageError, match="unknown Booqable resource"):
        fake.add("nonsense")
    fake.remove("customers", record["id"])
    assert fake.count("customers") == 0
    with pytest.raises(UsageError):
        fake.remove("customers", record["id"])
    assert "FakeBooqable(company='demo'" in repr(fake)


def test_server_bug_answers_500_unless_asked_to_raise(clock: object) -> None:
    fake = FakeBooqable()
    record = fake.add("orders")
    fake.update("orders", record["id"], starts_at="not a date", status="reserved")
    fake.add("plannings", order_id=record["id"], item_id=fake.add("products")["id"], quantity=1)
    body = doc("orders", {"stops_at": "2025-01-01T00:00:00Z"})
    reply = send(fake, "PUT", f"/api/4/orders/{record['id']}", body)
    assert reply.status == 500
    assert reply.json["errors"][0]["code"] == "internal_server_error"
    strict = FakeBooqable(raise_server_errors=True)
    record = strict.add("orders", starts_at="not a date", status="reserved")
    strict.add("plannings", order_id=record["id"], item_id=strict.add("products")["id"], quantity=1)
    with pytest.raises(ValueError, match="Invalid isoformat"):
        send(strict, "PUT", f"/api/4/orders/{record['id']}", body)
