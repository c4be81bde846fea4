from __future__ import annotations

from typing import Any, ClassVar

import attrs
import pytest

import booqable_async
from booqable_async.errors import UsageError
from booqable_async.jsonapi import (
    GenericResource,
    Registry,
    Resource,
    ToMany,
    ToOne,
    attribute,
    decode,
    is_loaded,
)
from booqable_async.jsonapi._registry import EMPTY_REGISTRY, load_registry
from tests.jsonapi.models import Customer, Order


def test_lazy_entries_import_on_first_lookup() -> None:
    registry = load_registry("tests.jsonapi.registry_module")
    assert "orders" in registry
    assert len(registry) == 2
    assert sorted(registry) == ["customers", "orders"]
    assert registry["orders"] is Order
    assert registry.get("nope") is None
    assert repr(registry) == "Registry(2 types)"
    doc = decode({"data": {"type": "customers", "id": "1", "attributes": {"name": "x"}}}, registry)
    assert isinstance(doc.data, Customer)


def test_merged_is_a_new_registry() -> None:
    base = Registry([Order])
    merged = base.merged({"customers": Customer})
    assert "customers" not in base
    assert merged["customers"] is Customer
    assert merged["orders"] is Order


def test_without_a_registry_every_record_is_generic() -> None:
    # The JSON:API layer has no registry of its own (Booqable's lives in
    # booqable_async.models and is passed down by booqable_async.decode).
    assert Registry.coerce(None) is EMPTY_REGISTRY
    assert isinstance(decode({"data": {"type": "orders", "id": "1"}}).data, GenericResource)
    assert load_registry("tests.jsonapi.no_such_module") == Registry()


def test_bad_registry_modules() -> None:
    with pytest.raises(UsageError, match=r"must be a jsonapi\.Registry"):
        load_registry("tests.jsonapi.bad_registry_module")
    with pytest.raises(ModuleNotFoundError):
        load_registry("tests.jsonapi.no_such_package.module")


@pytest.mark.parametrize(
    ("models", "message"),
    [
        ({"": Order}, "not a JSON:API type name"),
        ({"orders": "no_colon"}, "module:ClassName"),
        ({"orders": 5}, "Resource subclass"),
        ([Resource], "not a JSON:API type name"),
    ],
)
def test_bad_entries(models: Any, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        Registry(models)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("tests.jsonapi.models:Nope", "cannot import"),
        ("tests.jsonapi.nope:Order", "cannot import"),
        ("tests.jsonapi.models:REGISTRY", "not a Resource subclass"),
        ("tests.jsonapi.models:Customer", "whose jsonapi_type is 'customers'"),
    ],
)
def test_bad_lazy_entries_fail_on_lookup(entry: str, message: str) -> None:
    registry = Registry({"orders": entry})
    with pytest.raises(UsageError, match=message):
        decode({"data": {"type": "orders", "id": "1"}}, registry)


def test_package_exports_is_loaded_and_decode_not_the_sentinel() -> None:
    assert booqable_async.is_loaded is is_loaded
    assert "is_loaded" in booqable_async.__all__
    assert "decode" in booqable_async.__all__
    assert "NOT_LOADED" not in booqable_async.__all__
    assert not hasattr(booqable_async, "NOT_LOADED")


# -- the model convention is checked on first use ---------------------------------------


@attrs.define(repr=False)
class EqualityOverridden(Resource):
    jsonapi_type: ClassVar[str] = "bad_eq"
    name: str | None = attribute()


@attrs.define(eq=False, repr=False, slots=False)
class NotSlotted(Resource):
    jsonapi_type: ClassVar[str] = "bad_slots"


@attrs.define(eq=False, repr=False)
class PlainField(Resource):
    jsonapi_type: ClassVar[str] = "bad_field"
    name: str | None = None


@attrs.define(eq=False, repr=False)
class RelationshipAsField(Resource):
    jsonapi_type: ClassVar[str] = "bad_relationship"
    owner: Resource | None = ToOne[Resource]("a")  # noqa: RUF009 - the mistake tested


@attrs.define(eq=False, repr=False)
class ReservedRelationship(Resource):
    jsonapi_type: ClassVar[str] = "bad_relationship_name"
    links = ToMany[Resource]("a")


@attrs.define(eq=False, repr=False)
class ReservedName(Resource):
    jsonapi_type: ClassVar[str] = "bad_reserved"
    meta_: str | None = attribute(name="meta")
    links: str | None = attribute()


@attrs.define(eq=False, repr=False)
class DuplicateWire(Resource):
    jsonapi_type: ClassVar[str] = "bad_dup"
    a: str | None = attribute(name="x")
    b: str | None = attribute(name="x")


@attrs.define(eq=False, repr=False)
class BadAnnotation(Resource):
    jsonapi_type: ClassVar[str] = "bad_annotation"
    when: Undefined | None = attribute()  # type: ignore[name-defined]  # noqa: F821


@attrs.define(eq=False, repr=False)
class Fine(Resource):
    jsonapi_type: ClassVar[str] = "fine"
    owner = ToOne[Resource]("a", "b")


@pytest.mark.parametrize(
    ("cls", "message"),
    [
        (EqualityOverridden, "overrides __eq__"),
        (NotSlotted, "slotted"),
        (PlainField, "not declared with attribute"),
        (RelationshipAsField, "not declared with attribute"),
        (ReservedRelationship, "reserved"),
        (ReservedName, "reserved"),
        (DuplicateWire, "same wire name twice"),
        (BadAnnotation, "cannot evaluate the annotation"),
    ],
)
def test_models_breaking_the_convention(cls: type[Resource], message: str) -> None:
    registry = Registry([cls])
    with pytest.raises(UsageError, match=message):
        decode({"data": {"type": cls.jsonapi_type, "id": "1"}}, registry)


def test_not_an_attrs_class() -> None:
    from booqable_async.jsonapi._plan import plan_for

    class Plain(Resource):
        jsonapi_type: ClassVar[str] = "plain"

    with pytest.raises(UsageError, match="not an attrs class"):
        plan_for(Plain)


def test_a_fine_minimal_model() -> None:
    doc = decode({"data": {"type": "fine", "id": "1"}}, Registry([Fine]))
    assert isinstance(doc.data, Fine)
    assert not is_loaded(doc.data, "owner")


def test_field_info_helpers() -> None:
    from booqable_async.jsonapi._fields import AttributeInfo
    from booqable_async.jsonapi._sentinels import UNSET

    assert AttributeInfo().writable("create")
    assert AttributeInfo().writable("update")
    assert not AttributeInfo(readonly=True).writable("create")
    assert AttributeInfo(readonly_after_create=True).writable("create")
    assert not AttributeInfo(readonly_after_create=True).writable("update")
    assert repr(UNSET) == "UNSET"
