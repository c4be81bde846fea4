"""The generated models against the catalog, the registry, and the docs' examples."""

from __future__ import annotations

import datetime as dt
import json
import keyword
import subprocess
import sys
import types
import typing
from pathlib import Path
from typing import Any

import attrs
import pytest

import booqable_async.models as models
from booqable_async.jsonapi import RESERVED_NAMES, GenericResource, Resource
from booqable_async.jsonapi._fields import METADATA_KEY, AttributeInfo
from booqable_async.jsonapi._plan import plan_for
from booqable_async.models import REGISTRY, decode
from booqable_async.schema import get_schema, resource_types

CONCRETE = [t for t in resource_types() if not get_schema(t).polymorphic_types]
#: Attributes holding secrets: repr masks them.
SECRETS = {
    ("authentication_methods", "key"),
    ("companies", "tenant_token"),
    ("device_tokens", "token"),
    ("employees", "current_password"),
    ("employees", "password"),
    ("employees", "password_confirmation"),
    ("payment_authorizations", "provider_secret"),
    ("payment_charges", "provider_secret"),
    ("payment_refunds", "provider_secret"),
    ("signatures", "signature_base64"),
}


def py_name(wire: str) -> str:
    return wire + "_" if keyword.iskeyword(wire) or wire in RESERVED_NAMES else wire


def field_infos(cls: type[Resource]) -> dict[str, tuple[str, AttributeInfo]]:
    """Wire name -> (Python name, info) of each declared attribute."""
    out: dict[str, tuple[str, AttributeInfo]] = {}
    for field in attrs.fields(cls):
        info = field.metadata.get(METADATA_KEY)
        if isinstance(info, AttributeInfo):
            out[info.name or field.name] = (field.name, info)
    return out


def test_registry_knows_every_concrete_type_lazily() -> None:
    assert set(REGISTRY) == set(CONCRETE)
    assert "items" not in REGISTRY
    assert "payments" not in REGISTRY
    assert models.decode is decode
    assert REGISTRY["orders"].__name__ == "Order"


def test_importing_the_package_imports_no_model() -> None:
    code = (
        "import sys, booqable_async, booqable_async.models;"
        "print(sorted(m for m in sys.modules if m.startswith(('booqable_async.models.',"
        " 'booqable_async.resources', 'booqable_async._client'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_lazy_names() -> None:
    assert models.Order is REGISTRY["orders"]
    assert models.CustomerCreate.__name__ == "CustomerCreate"
    assert models.format_cents(150) == "1.50"
    assert "BookProduct" in dir(models)
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        _ = models.Nope  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("type_name", "class_name"),
    [
        ("orders", "Order"),
        ("stock_items", "StockItem"),
        ("companies", "Company"),
        ("ip_addresses", "IpAddress"),
        ("properties", "Property"),
        ("report_sales_items", "ReportSalesItem"),
        ("sessions", "SessionInfo"),
        ("provinces", "Province"),
    ],
)
def test_class_names(type_name: str, class_name: str) -> None:
    assert REGISTRY[type_name].__name__ == class_name


def test_secrets_are_masked_in_repr() -> None:
    company = REGISTRY["companies"](id="c1", name="Acme", tenant_token="tt-very-secret")
    assert "tt-very-secret" not in repr(company)
    assert "Acme" in repr(company)


def test_unions() -> None:
    assert set(typing.get_args(models.Item)) == {
        REGISTRY["products"],
        REGISTRY["product_groups"],
        REGISTRY["bundles"],
    }
    assert len(typing.get_args(models.Payment)) == 3


@pytest.mark.parametrize("type_name", CONCRETE)
def test_model_matches_the_catalog(type_name: str) -> None:
    cls = REGISTRY[type_name]
    schema = get_schema(type_name)
    assert cls.jsonapi_type == type_name
    assert cls.__doc__
    assert type_name in cls.__doc__
    attributes = field_infos(cls)
    relationships = {rel.wire: (rel.name, rel.info) for rel in plan_for(cls).rels}
    assert set(attributes) == set(schema.attributes) - {"id"}
    for wire, (py, info) in attributes.items():
        spec = schema.attributes[wire]
        assert py == py_name(wire)
        flags = ("readonly", "writeonly", "readonly_after_create", "nullable", "extra")
        assert {f: getattr(info, f) for f in flags} == {f: getattr(spec, f) for f in flags}
        assert info.secret is ((type_name, wire) in SECRETS), (type_name, wire)
    assert set(relationships) == set(schema.relationships)
    for wire, (py, info) in relationships.items():
        spec = schema.relationships[wire]
        assert py in (wire, wire + "_")
        assert py != wire or wire not in schema.attributes
        assert info.many is spec.many
        expected: list[str] = []
        for target in spec.types:
            expected += (
                list(get_schema(target).concrete_types())
                if target in ("items", "payments")
                else [target]
            )
        assert list(info.types) == expected


@pytest.mark.parametrize("type_name", CONCRETE)
def test_write_typed_dicts(type_name: str) -> None:
    schema = get_schema(type_name)
    module = sys.modules[REGISTRY[type_name].__module__]
    cls_name = REGISTRY[type_name].__name__
    for suffix, operation, present in (
        ("Create", "create", schema.supports("create")),
        ("Update", "update", schema.supports("update") or schema.supports("update_current")),
    ):
        typed = getattr(module, cls_name + suffix, None)
        if not present:
            assert typed is None
            continue
        expected = {
            py_name(name)
            for name, spec in schema.attributes.items()
            if name != "id" and spec.writable(operation)
        }
        assert set(typed.__annotations__) == expected
        assert typed.__total__ is False


# -- the docs' examples --------------------------------------------------------------------


def _resolve(cls: type[Resource], annotation: str) -> Any:
    return eval(annotation, vars(sys.modules[cls.__module__]))


def _matches(value: Any, tp: Any) -> bool:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        return any(_matches(value, arg) for arg in typing.get_args(tp))
    if tp is type(None):
        return value is None
    if tp is Any:
        return True
    if origin is list:
        (item,) = typing.get_args(tp)
        return isinstance(value, list) and all(_matches(v, item) for v in value)
    if origin is dict:
        return isinstance(value, dict)
    if origin is typing.Annotated:
        return _matches(value, typing.get_args(tp)[0])
    if tp is dt.datetime:
        return isinstance(value, dt.datetime) and value.tzinfo is not None
    if tp is dt.date:
        return isinstance(value, dt.date) and not isinstance(value, dt.datetime)
    if tp is int:
        return type(value) is int
    return type(value) is tp


def _examples(shared: Path) -> list[dict[str, Any]]:
    index = json.loads((shared / "examples" / "index.json").read_text())
    return [e for e in index if e["kind"] == "response" and 200 <= e["status"] < 300]


def test_docs_examples_decode_into_typed_models(shared_api: Path) -> None:
    checked: set[str] = set()
    with_records: set[str] = set()
    values = 0
    for entry in _examples(shared_api):
        body = (shared_api / "examples" / entry["file"]).read_bytes()
        doc = decode(body, nested_type=entry["resource"])
        if doc.primary and entry["resource"] in CONCRETE:
            with_records.add(entry["resource"])
        for record in [*doc.primary, *doc.included]:
            if isinstance(record, GenericResource):
                # Types the catalog does not document (delivery_rates...) stay generic.
                assert record.type not in REGISTRY, entry["file"]
                continue
            cls = type(record)
            assert cls is REGISTRY[record.type]
            checked.add(record.type)
            for field in attrs.fields(cls):
                if not isinstance(field.metadata.get(METADATA_KEY), AttributeInfo):
                    continue
                try:
                    value = getattr(record, field.name)
                except AttributeError:
                    continue  # not in this example
                tp = _resolve(cls, str(field.type))
                assert _matches(value, tp), (entry["file"], record.type, field.name, value)
                values += 1
    # Every resource whose documented 2xx examples carry records was checked.
    assert with_records - checked == set(), with_records - checked
    assert len(checked) > 90
    assert values > 5000
