"""Validate create/update documents the way Booqable's Graphiti request validator does.

Every problem in a write is reported at once, one error object per attribute (recorded
``raises-error-for-invalid-create-attributes``):

- an attribute the resource does not have -> ``unknown_attribute`` ("is an unknown
  attribute");
- a read-only attribute, or a create-only one on update -> ``unwritable_attribute`` ("cannot
  be written");
- a value that does not typecast to the attribute's type -> ``type_error`` ("failed
  typecasting to integer").

Relationships may be written JSON:API style (``relationships.customer.data``) when the
relation has a foreign-key attribute; Booqable has no side-posting of other records.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import msgspec

from booqable_async.schema import AttributeSpec, ResourceSchema
from booqable_async.testing._errors import (
    attribute_error,
    bad_request,
    invalid_attributes,
)
from booqable_async.testing._relations import plan_for, resolve_type_value
from booqable_async.testing._values import TypecastError, typecast

__all__ = ["WriteRequest", "attribute_writable", "parse_body", "parse_write"]


def attribute_writable(spec: AttributeSpec, operation: str) -> bool:
    """True when ``spec`` may be written on ``operation`` (``create``/``update``)."""
    if spec.readonly:
        return False
    if operation in ("update", "update_current") and spec.readonly_after_create:
        return False
    if spec.writable_on:
        return operation in spec.writable_on
    return True


@attrs.frozen
class WriteRequest:
    """A validated write.

    Attributes:
        attributes: Typecast attribute values, write-only ones included.
        record_id: The URL id (updates) or a client-chosen id (creates), if any.
    """

    attributes: Mapping[str, Any]
    record_id: str | None = None


def parse_body(body: bytes | None) -> Any:
    """Decode a JSON request body (``None`` for an empty body).

    Raises:
        FakeError: 400 when the body is not JSON.
    """
    if not body or not body.strip():
        return None
    try:
        return msgspec.json.decode(body)
    except msgspec.DecodeError:
        raise bad_request("The request body is not valid JSON", pointer="") from None


def parse_write(
    schema: ResourceSchema,
    operation: str,
    doc: Any,
    record_id: str | None = None,
) -> WriteRequest:
    """Validate a create/update document against the catalog.

    Booqable is lenient where the doc examples show it: ``data.type`` is not checked (the
    sortings, invoice_finalizations and product_group_duplications examples send other
    names and succeed), and ``id`` may appear among the attributes (price_rules and
    employee_invitations examples).

    Args:
        schema: The resource written.
        operation: ``create``, ``update`` or ``update_current``.
        doc: The decoded request body.
        record_id: The id in the URL for updates.

    Returns:
        The typecast attributes (and a client-chosen id on create).

    Raises:
        FakeError: 400 for a malformed document or invalid attributes (model rules such as
            enums are checked afterwards, by ``_validate``).
    """
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), dict):
        raise bad_request("The request body must be a JSON:API document with data", pointer="data")
    data = doc["data"]
    errors = []
    raw_attributes = data.get("attributes")
    raw_attributes = {} if raw_attributes is None else raw_attributes
    if not isinstance(raw_attributes, dict):
        raise bad_request("data.attributes must be an object", pointer="data/attributes")
    given_id = raw_attributes.get("id", data.get("id"))
    if record_id is not None and given_id is not None and given_id != record_id:
        errors.append(
            attribute_error(("data", "id"), "does not match the id in the URL", "id_mismatch")
        )
    values: dict[str, Any] = {}
    for name, raw in raw_attributes.items():
        path = ("data", "attributes", name)
        if name == "id":
            continue
        spec = schema.attributes.get(name)
        if spec is None:
            errors.append(attribute_error(path, "is an unknown attribute", "unknown_attribute"))
            continue
        if not attribute_writable(spec, operation):
            errors.append(attribute_error(path, "cannot be written", "unwritable_attribute"))
            continue
        try:
            values[name] = typecast(spec.type, raw)
        except TypecastError as exc:
            errors.append(attribute_error(path, str(exc), "type_error"))
    relationships = data.get("relationships")
    relationships = {} if relationships is None else relationships
    if not isinstance(relationships, dict):
        raise bad_request("data.relationships must be an object", pointer="data/relationships")
    for name, member in relationships.items():
        path = ("data", "relationships", name)
        if name not in schema.relationships:
            errors.append(
                attribute_error(path, "is an unknown relationship", "unknown_relationship")
            )
            continue
        plan = plan_for(schema.type, name)
        linkage = member.get("data") if isinstance(member, dict) else None
        if plan.kind != "fk" or (linkage is not None and not isinstance(linkage, dict)):
            errors.append(attribute_error(path, "cannot be written", "unwritable_relationship"))
            continue
        values[plan.attr or ""] = None if linkage is None else linkage.get("id")
        if plan.type_attr is not None and linkage is not None:
            values[plan.type_attr] = resolve_type_value(linkage.get("type"), plan.targets)
    if errors:
        raise invalid_attributes(errors)
    chosen = str(given_id) if operation == "create" and isinstance(given_id, str) else None
    return WriteRequest(attributes=values, record_id=chosen or record_id)
