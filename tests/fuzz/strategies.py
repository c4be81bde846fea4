"""Hypothesis strategies for Booqable-shaped documents, driven by the API catalog.

Documents are built from the same catalog the models are generated from
(``booqable_async.schema``): real type names, real attribute names with values of their
documented type (or ``null``, which the recorded exchanges show for any attribute), and
relationships pointing at resources of the document or at absent ones (stubs).
"""

from __future__ import annotations

from datetime import timedelta, timezone
from typing import Any

from hypothesis import strategies as st

from booqable_async.schema import get_schema, resource_types

#: Concrete wire types (unions such as ``items`` never appear as a record's ``type``).
WIRE_TYPES = tuple(t for t in resource_types() if not get_schema(t).polymorphic_types)

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63) + 1, 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | TEXT
)
JSON = st.recursive(
    JSON_SCALARS,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(TEXT, children, max_size=3),
    max_leaves=10,
)
# Offsets Booqable and Rails write: Z, +00:00, +02:00, -05:30...
TIMEZONES = st.sampled_from(
    [timezone.utc, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5, minutes=-30))]
)
DATETIMES = st.datetimes(timezones=TIMEZONES).map(lambda d: d.isoformat())
DATETIMES_Z = st.datetimes(timezones=st.just(timezone.utc)).map(
    lambda d: d.isoformat().replace("+00:00", "Z")
)

WELL_TYPED: dict[str, st.SearchStrategy[Any]] = {
    "string": TEXT,
    "uuid": st.uuids().map(str),
    "integer": st.integers(-(2**53), 2**53),
    "float": st.floats(allow_nan=False, allow_infinity=False) | st.integers(-(2**31), 2**31),
    "boolean": st.booleans(),
    "datetime": DATETIMES | DATETIMES_Z,
    "date": st.dates().map(lambda d: d.isoformat()),
    "enum": TEXT,  # open enums: any string, known or new
    "hash": st.dictionaries(TEXT, JSON, max_size=3),
    "array": st.lists(JSON_SCALARS, max_size=4),
    "carrierwave_file": JSON,
}
# Values of the wrong JSON kind for each documented type, and strings that are not the
# documented format: decoding must refuse them with DecodeError or keep them, never crash.
ODD_VALUES = st.one_of(
    JSON,
    st.sampled_from(["", "yesterday", "2024-13-45T99:99:99Z", "NaN", "1e999", "0x1f", " 12 "]),
    st.sampled_from([True, False, 1.5, -1, 2**63 - 1, 1.8e19, [], {}, [None], {"a": None}]),
)


def ident(type_name: str, rid: str) -> dict[str, str]:
    """A resource identifier object."""
    return {"type": type_name, "id": rid}


@st.composite
def attributes_of(draw: st.DrawFn, type_name: str, *, odd: bool = False) -> dict[str, Any]:
    """A subset of a type's catalog attributes with values of their documented types."""
    # The docs' field tables list `id`, but it is a member of the resource object, never
    # an attribute (JSON:API forbids the name).
    specs = [s for s in get_schema(type_name).attributes.values() if s.name != "id"]
    chosen = (
        draw(st.lists(st.sampled_from(specs), max_size=8, unique_by=lambda s: s.name))
        if specs
        else []
    )
    out: dict[str, Any] = {}
    for spec in chosen:
        strategy = st.none() | WELL_TYPED[spec.type]
        if spec.type == "array" and spec.items in WELL_TYPED:
            # Elements of a typed array are that type (a null element is malformed).
            strategy = st.none() | st.lists(WELL_TYPED[spec.items], max_size=4)
        elif spec.type == "enum" and spec.enum:
            strategy = st.none() | st.sampled_from(spec.enum) | TEXT
        out[spec.name] = draw(ODD_VALUES if odd and draw(st.booleans()) else strategy)
    if draw(st.booleans()):
        out["undocumented_" + draw(st.text("abcxyz", max_size=4))] = draw(JSON)
    return out


@st.composite
def compound_documents(
    draw: st.DrawFn, *, odd: bool = False, max_resources: int = 10
) -> dict[str, Any]:
    """A compound document (``data`` + ``included``) of catalog types.

    Args:
        draw: Hypothesis draw function.
        odd: Give some attributes values of the wrong kind or format.
        max_resources: Upper bound on resources in the document.
    """
    types = draw(st.lists(st.sampled_from(WIRE_TYPES), min_size=1, max_size=4))
    keys = draw(
        st.lists(
            st.tuples(st.sampled_from(types), st.uuids().map(str) | st.text("0123", min_size=1)),
            min_size=1,
            max_size=max_resources,
            unique=True,
        )
    )
    by_type: dict[str, list[str]] = {}
    for type_name, rid in keys:
        by_type.setdefault(type_name, []).append(rid)
    resources = []
    for type_name, rid in keys:
        resource: dict[str, Any] = {"type": type_name, "id": rid}
        attributes = draw(attributes_of(type_name, odd=odd))
        if attributes or draw(st.booleans()):
            resource["attributes"] = attributes
        relationships: dict[str, Any] = {}
        rels = list(get_schema(type_name).relationships.values())
        chosen_rels = (
            draw(st.lists(st.sampled_from(rels), max_size=3, unique_by=lambda r: r.name))
            if rels
            else []
        )
        for rel in chosen_rels:
            target_type = draw(st.sampled_from(rel.types)) if rel.types else type_name
            # Targets in the document when its type is there, otherwise a stub.
            candidates = by_type.get(target_type) or ["absent-" + draw(st.text("ab", max_size=2))]
            if rel.many:
                chosen = draw(st.lists(st.sampled_from(candidates), max_size=3))
                relationships[rel.name] = {"data": [ident(target_type, c) for c in chosen]}
            elif draw(st.integers(0, 4)) == 0:
                relationships[rel.name] = {"data": None}
            elif draw(st.integers(0, 4)) == 0:
                relationships[rel.name] = {"meta": {"included": False}}
            else:
                relationships[rel.name] = {
                    "data": ident(target_type, draw(st.sampled_from(candidates)))
                }
        if relationships:
            resource["relationships"] = relationships
        resources.append(resource)
    split = draw(st.integers(1, len(resources)))
    doc: dict[str, Any] = {"data": resources[:split], "meta": {}}
    if draw(st.booleans()) and split == 1:
        doc["data"] = resources[0]
    if resources[split:]:
        doc["included"] = resources[split:]
    if draw(st.booleans()):
        doc["meta"] = {"stats": {"total": {"count": len(keys)}}}
    return doc


def member_paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into a parsed JSON value (keys and indexes), the root's ``()`` first.

    What the mutation tests draw from to replace one member of a document by anything.
    """
    out = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            out += member_paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out += member_paths(item, (*prefix, index))
    return out
