"""The fake's query engine: filters, search conditions, sort, include, fields, stats, pages.

Everything is validated against the catalog the way Graphiti validates it (400 for an unknown
filter, an operator the filter does not allow, a value that does not typecast, an include
path the operation does not offer, an unknown stat or a page size over 100).

Filter semantics (Graphiti): ``eq`` on strings is case-insensitive, ``eql`` exact; ``prefix``,
``suffix`` and ``match`` are case-insensitive; several values (``a,b`` or ``[]`` lists) match
when any value matches (``not_*`` operators: when none does); an array attribute
(``tag_list``) matches when any element does; ``between`` takes two values (``from,till``,
a two-item list or ``{from, till}``).
"""

from __future__ import annotations

import base64
import itertools
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timezone
from functools import cache
from typing import Any

import attrs

from booqable_async.schema import (
    ResourceSchema,
    filter_operators_for_type,
    get_schema,
    has_schema,
    resource_types,
)
from booqable_async.testing._computed import Computed
from booqable_async.testing._errors import bad_request
from booqable_async.testing._relations import concrete_types, relationship, singular
from booqable_async.testing._serialize import IncludeTree, RenderOptions
from booqable_async.testing._store import Record, Store
from booqable_async.testing._values import TypecastError, cast_filter_value, comparable

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "NEWEST_FIRST",
    "ListQuery",
    "Predicate",
    "compile_conditions",
    "compile_filters",
    "compute_stats",
    "parse_include",
    "parse_list_query",
    "parse_render_options",
    "run_computed",
    "run_list",
    "sort_records",
]

#: Page size when ``page[size]`` is absent (the docs' links and the Ruby gem use 25).
DEFAULT_PAGE_SIZE = 25
#: Types listed newest first when no ``sort`` is given: the recorded ``GET /orders``
#: answers (``lists-orders``, the ``auto-pagination`` pages) run from the latest
#: ``created_at`` down. The recorded ``GET /customers`` runs oldest first, as every other
#: type does here (creation order).
NEWEST_FIRST = frozenset({"orders"})

#: ``(concrete type, record) -> matches``.
Predicate = Callable[[str, Record], bool]

_STRING_OPS = frozenset(
    {"eq", "not_eq", "eql", "not_eql", "prefix", "not_prefix", "suffix", "not_suffix"}
    | {"match", "not_match"}
)
_KNOWN_OPS = _STRING_OPS | {"gt", "gte", "lt", "lte", "between", "any_of", "compare"}
_ORDER_OPS: Mapping[str, Callable[[Any, Any], bool]] = {
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}
# Filters that are inputs to a computed resource rather than a selection of records
# (item_prices computes prices for the from..till window, availabilities for a month...).
# The fake accepts and validates them but does not select on them.
_PARAMETER_FILTERS = {
    "item_prices": frozenset(
        {"from", "till", "charge_length", "original_charge_length", "ignore_discount"}
    ),
    "bundle_prices": frozenset({"from", "till", "bundle_ids"}),
    "availabilities": frozenset(
        {"type", "year", "month", "day", "starts_at", "duration_period", "interval"}
        | {"use_business_hours", "location_id", "quantity"}
    ),
    "inventory_level_intervals": frozenset({"from", "till", "interval"}),
    "tags": frozenset({"for"}),
}
# Include paths the docs' examples use that the operation's Includes table lacks.
_EXAMPLE_INCLUDES: Mapping[tuple[str, str], tuple[str, ...]] = {
    ("orders", "list"): ("customer.properties",),  # intro__includes__response
    ("orders", "search"): ("customer.properties",),  # search shares list's include table
    ("users", "list"): ("customer",),  # users__list__response_2
    ("checkout_items", "get"): ("default_property",),  # checkout_items__get__response
}
# Virtual filters that test one of two timestamps (orders/downtimes/documents).
_EITHER_TIME = {
    "start_or_stop_time": ("starts_at", "stops_at"),
    "date_or_created_at": ("date", "created_at"),
}


def _split_values(value: Any) -> list[Any]:
    """Turn a filter value into its list of values (``a,b`` splits; ``{{a,b}}`` does not)."""
    if isinstance(value, list):
        out: list[Any] = []
        for item in value:
            out.extend(_split_values(item) if isinstance(item, str) else [item])
        return out
    if isinstance(value, str):
        if value.startswith("{{") and value.endswith("}}"):
            return [value[2:-2]]
        return value.split(",") if value else [""]
    return [value]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _match_one(op: str, have: Any, want: Any) -> bool:
    """Compare one record value with one filter value for a positive operator."""
    if have is None or want is None:
        return have is None and want is None and op in ("eq", "eql")
    if op == "eql":
        return _text(have) == _text(want)
    if op in ("eq", "prefix", "suffix", "match") and isinstance(have, str):
        h, w = have.lower(), _text(want).lower()
        if op == "eq":
            return h == w
        if op == "prefix":
            return h.startswith(w)
        if op == "suffix":
            return h.endswith(w)
        return w in h
    if op in ("eq", "any_of"):
        if isinstance(have, dict) and isinstance(want, dict):
            return all(_text(have.get(k)) == _text(v) for k, v in want.items())
        return bool(have == want)
    if op in _ORDER_OPS:
        try:
            return _ORDER_OPS[op](have, want)
        except TypeError:
            return False
    if op == "between":
        low, high = want
        try:
            return bool(low <= have <= high)
        except TypeError:
            return False
    return False


def _matches(op: str, have: Any, wants: Sequence[Any]) -> bool:
    negative = op.startswith("not_")
    positive = op[4:] if negative else op
    values = have if isinstance(have, list) else [have]
    if isinstance(have, list) and not have:
        values = [None] if positive in ("eq", "eql") and None in wants else []
    hit = any(_match_one(positive, v, w) for v in values for w in wants)
    return not hit if negative else hit


@attrs.frozen
class _FilterTarget:
    """What one filter key tests on a record."""

    value_type: str
    getter: Callable[[str, Record], list[Any]]


def _attribute_getter(attr: str, value_type: str) -> Callable[[str, Record], list[Any]]:
    def get(type_name: str, record: Record) -> list[Any]:
        value = record.get(attr)
        if isinstance(value, list):
            return [[comparable(value_type, v) for v in value]]
        return [comparable(value_type, value)]

    return get


def _either_getter(attrs_: tuple[str, ...], value_type: str) -> Callable[[str, Record], list[Any]]:
    def get(type_name: str, record: Record) -> list[Any]:
        return [comparable(value_type, record.get(a)) for a in attrs_]

    return get


def _search_text_getter() -> Callable[[str, Record], list[Any]]:
    def get(type_name: str, record: Record) -> list[Any]:
        schema = get_schema(type_name)
        texts = [
            str(record[name])
            for name, spec in schema.attributes.items()
            if spec.type in ("string", "integer") and record.get(name) is not None
        ]
        return [" ".join(texts)]

    return get


def _virtual_getter(
    store: Store, resource: str, key: str
) -> Callable[[str, Record], list[Any]] | None:
    """Filters that are not attributes but relations (``orders.item_id``...)."""
    if resource == "orders" and key == "item_id":
        return lambda _t, rec: [
            [p["item_id"] for p in store.find_by("plannings", "order_id", rec["id"])]
        ]
    if resource == "orders" and key == "stock_item_id":
        return lambda _t, rec: [
            [
                p["stock_item_id"]
                for p in store.find_by("stock_item_plannings", "order_id", rec["id"])
            ]
        ]
    if key == "collection_id":
        return lambda _t, rec: [
            [
                c.get("collection_id")
                for c in store.find_by("collection_items", "item_id", rec["id"])
            ]
        ]
    if resource == "product_groups" and key == "product_group_id":
        return lambda _t, rec: [rec["id"]]
    return None


def _target(
    store: Store, schema: ResourceSchema, key: str, value_type: str
) -> _FilterTarget | None:
    if key in _EITHER_TIME:
        return _FilterTarget(value_type, _either_getter(_EITHER_TIME[key], value_type))
    if key == "q":
        return _FilterTarget("string", _search_text_getter())
    if key in _PARAMETER_FILTERS.get(schema.type, ()):
        return None
    virtual = _virtual_getter(store, schema.type, key)
    if virtual is not None:
        return _FilterTarget(value_type, virtual)
    for concrete in concrete_types(schema.type):
        if key in get_schema(concrete).attributes:
            return _FilterTarget(value_type, _attribute_getter(key, value_type))
    # A documented filter the fake cannot evaluate (report parameters such as from/till,
    # month, location_ids): accepted and not applied, like a scope that matches everything.
    return None


def _decoded_urls(values: list[Any]) -> list[str]:
    """Barcode numbers that are URLs are filtered base64-encoded (barcodes note)."""
    out = []
    for value in values:
        try:
            text = base64.b64decode(str(value), validate=True).decode()
        except (ValueError, UnicodeDecodeError):
            continue
        if text.startswith(("http://", "https://")):
            out.append(text)
    return out


def _operator_map(value: Any) -> dict[str, Any]:
    if isinstance(value, dict) and value and all(k in _KNOWN_OPS for k in value):
        return dict(value)
    return {"eq": value}


def _between(key: str, value: Any) -> tuple[Any, Any]:
    if isinstance(value, dict):
        low = value.get("from", value.get("gte"))
        high = value.get("till", value.get("to", value.get("lte")))
        return low, high
    values = _split_values(value)
    if len(values) != 2:
        raise bad_request(
            f"Filter {key}[between] needs two values (from,till), got {len(values)}",
            parameter=f"filter[{key}][between]",
        )
    return values[0], values[1]


def _cast_all(key: str, op: str, value_type: str, values: Iterable[Any]) -> list[Any]:
    out = []
    for raw in values:
        try:
            out.append(cast_filter_value(value_type, raw))
        except TypecastError:
            raise bad_request(
                f"Filter {key}[{op}] value {raw!r} failed typecasting to {value_type}",
                parameter=f"filter[{key}][{op}]",
            ) from None
    return out


def _unlisted_filter(schema: ResourceSchema, key: str) -> tuple[frozenset[str], str] | None:
    """Operators and type for an attribute the filter table does not list.

    Graphiti makes every attribute filterable unless told otherwise, and doc examples filter
    on attributes their own tables omit (``order_delivery_rates?filter[order_id]=``), so
    any attribute filters with the generic operators of its type.
    """
    for concrete in concrete_types(schema.type):
        spec = get_schema(concrete).attributes.get(key)
        if spec is not None and (not spec.writeonly or key.endswith("_id")):
            value_type = "string" if spec.type == "carrierwave_file" else spec.type
            return filter_operators_for_type(value_type), value_type
    return None


def _compile_key(store: Store, schema: ResourceSchema, key: str, value: Any) -> Predicate:
    allowed = schema.filters.get(key)
    value_type = schema.filter_types.get(key, "string")
    unlisted = _unlisted_filter(schema, key) if allowed is None else None
    if unlisted is not None:
        allowed, value_type = unlisted
    if allowed is None:
        raise bad_request(
            f"{schema.type}: tried to filter on attribute {key!r}, but could not find a "
            "filterable attribute with that name",
            parameter=f"filter[{key}]",
        )
    target = _target(store, schema, key, value_type)
    checks: list[tuple[str, list[Any]]] = []
    for op, raw in _operator_map(value).items():
        if key == "q" and op == "eq":
            # Free-text search: a case-insensitive substring over the record's text fields.
            op = "match"
        elif op not in allowed:
            raise bad_request(
                f"{schema.type}: filter {key!r} does not support operator {op!r} "
                f"(allowed: {', '.join(sorted(allowed))})",
                parameter=f"filter[{key}][{op}]",
            )
        if op == "compare":
            raise bad_request(
                f"{schema.type}: operator 'compare' on {key!r} is not implemented by the fake",
                parameter=f"filter[{key}][compare]",
            )
        if op == "between":
            low, high = _cast_all(key, op, value_type, _between(key, raw))
            checks.append((op, [(low, high)]))
        elif value_type == "hash" and isinstance(raw, dict):
            checks.append((op, [raw]))
        else:
            values = _cast_all(key, op, value_type, _split_values(raw))
            if schema.type == "barcodes" and key == "number":
                values += _decoded_urls(values)
            checks.append((op, values))
    if target is None:
        return lambda _t, _r: True
    getter = target.getter

    def predicate(type_name: str, record: Record) -> bool:
        haves = getter(type_name, record)
        # Several getters (start_or_stop_time) match when any of them matches every check.
        return any(all(_matches(op, have, wants) for op, wants in checks) for have in haves)

    return predicate


def compile_filters(store: Store, schema: ResourceSchema, raw: Any) -> list[Predicate]:
    """Compile ``filter[...]`` parameters into predicates (all must match).

    Raises:
        FakeError: 400 for unknown filters, operators or values that do not typecast.
    """
    if raw is None:
        return []
    if not isinstance(raw, dict):
        raise bad_request("filter must be a hash (filter[attribute]=value)", parameter="filter")
    predicates = []
    for key, value in raw.items():
        if key == "conditions":
            predicates.append(compile_conditions(store, schema, value))
        else:
            predicates.append(_compile_key(store, schema, key, value))
    return predicates


def _as_list(value: Any) -> list[Any]:
    # Query strings give {"0": {...}, "1": {...}} for attributes[0][...]; bodies give lists.
    if isinstance(value, dict) and all(k.isdigit() for k in value):
        return [value[k] for k in sorted(value, key=int)]
    if isinstance(value, list):
        return value
    return [value]


def compile_conditions(store: Store, schema: ResourceSchema, raw: Any) -> Predicate:
    """Compile an advanced-search ``conditions`` tree (nested ``and``/``or``).

    Shape (intro page and search examples)::

        {"operator": "or", "attributes": [
            {"operator": "and", "attributes": [{"starts_at": {"gte": "..."}}, ...]},
            {"deposit_type": "none"}]}
    """
    if not isinstance(raw, dict):
        raise bad_request("filter.conditions must be a hash", parameter="filter[conditions]")
    if "attributes" not in raw:
        parts = [_compile_key(store, schema, k, v) for k, v in raw.items()]
        return lambda t, r: all(p(t, r) for p in parts)
    mode = raw.get("operator", "and")
    if mode not in ("and", "or"):
        raise bad_request(
            f"conditions operator must be 'and' or 'or', got {mode!r}",
            parameter="filter[conditions][operator]",
        )
    children = [compile_conditions(store, schema, child) for child in _as_list(raw["attributes"])]
    if mode == "and":
        return lambda t, r: all(c(t, r) for c in children)
    return lambda t, r: any(c(t, r) for c in children)


def sort_records(
    schema: ResourceSchema, items: list[tuple[str, Record]], raw: Any
) -> list[tuple[str, Record]]:
    """Sort by ``sort=a,-b`` (minus = descending; nulls last ascending, first descending).

    Raises:
        FakeError: 400 for a field that is not an attribute.
    """
    if raw in (None, ""):
        return items
    fields = _split_values(raw)
    keys: list[tuple[str, bool]] = []
    known = {n for t in concrete_types(schema.type) for n in get_schema(t).attributes}
    for field in fields:
        name = field.strip()
        descending = name.startswith("-")
        name = name.lstrip("-+")
        if name not in known:
            raise bad_request(
                f"{schema.type}: cannot sort on {name!r}: not an attribute", parameter="sort"
            )
        keys.append((name, descending))
    result = list(items)
    for name, descending in reversed(keys):
        value_type = _attr_type(schema.type, name)

        def key(item: tuple[str, Record], name: str = name, vt: str = value_type) -> Any:
            value = comparable(vt, item[1].get(name))
            return (1, "") if value is None else (0, value)

        def text_key(item: tuple[str, Record], name: str = name) -> str:
            return _text(item[1].get(name))

        try:
            result.sort(key=key, reverse=descending)
        except TypeError:  # mixed value types in one column: order by their text
            result.sort(key=text_key, reverse=descending)
    return result


def _attr_type(type_name: str, name: str) -> str:
    for concrete in concrete_types(type_name):
        spec = get_schema(concrete).attributes.get(name)
        if spec is not None:
            return spec.type
    return "string"


def parse_include(schema: ResourceSchema, operation: str, raw: Any) -> dict[str, Any]:
    """Parse ``include=a,b.c`` into a tree, checking every path is offered by ``operation``.

    The operation's Includes table decides, widened by the paths the docs' own examples
    include successfully (they are real answers). A path whose first step is not a
    relationship of the resource at all is ignored, as the examples show
    (``price_tiles/{id}?include=price_tiles``, ``default_properties?include=owner``).

    Raises:
        FakeError: 400 naming the first path the operation does not accept.
    """
    if raw in (None, "", []):
        return {}
    paths = [p.strip() for p in _split_values(raw) if p.strip()]
    allowed = set(schema.includes_for(operation))
    allowed.update(_EXAMPLE_INCLUDES.get((schema.type, operation), ()))
    # A dotted path implies its prefixes ("lines.item" allows "lines").
    for path in list(allowed):
        parts = path.split(".")
        allowed.update(".".join(parts[:i]) for i in range(1, len(parts)))
    tree: dict[str, Any] = {}
    for path in paths:
        if path not in allowed:
            first = path.split(".", 1)[0]
            if not any(relationship(t, first) for t in concrete_types(schema.type)):
                continue
            raise bad_request(
                f'The requested included relationship "{path}" is not supported on '
                f'resource "{schema.type}" for {operation}',
                parameter="include",
            )
        node = tree
        for part in path.split("."):
            node = node.setdefault(part, {})
    _check_tree(schema.type, tree)
    return tree


def _check_tree(type_name: str, tree: Mapping[str, Any]) -> None:
    # The allowed paths come from the docs; make sure each step is a known relationship so
    # rendering never meets an unknown name. Undocumented target types (menu_items...)
    # cannot hold records here, so nothing below them is checked.
    if not has_schema(type_name):
        return
    for concrete in concrete_types(type_name):
        for name, subtree in tree.items():
            spec = relationship(concrete, name)
            if spec is None:
                raise bad_request(
                    f'The requested included relationship "{name}" is not a relationship of '
                    f'"{concrete}"',
                    parameter="include",
                )
            for target in spec.types:
                _check_tree(target, subtree)


@cache
def _type_by_singular() -> dict[str, str]:
    return {singular(t): t for t in resource_types()}


def _type_key(key: str) -> str:
    """``fields[customer]`` names the customers type (the intro example's links use it)."""
    return key if has_schema(key) else _type_by_singular().get(key, key)


def _type_list(raw: Any, name: str) -> dict[str, frozenset[str]]:
    if raw in (None, ""):
        return {}
    if not isinstance(raw, dict):
        raise bad_request(f"{name} must be {name}[type]=a,b", parameter=name)
    out: dict[str, frozenset[str]] = {}
    for key, names in raw.items():
        wanted = frozenset(v.strip() for v in _split_values(names) if v.strip())
        type_name = _type_key(str(key))
        out[type_name] = out.get(type_name, frozenset()) | wanted
    return out


def parse_render_options(params: Mapping[str, Any]) -> RenderOptions:
    """Read ``fields[type]`` and ``extra_fields[type]``."""
    return RenderOptions(
        fields=_type_list(params.get("fields"), "fields"),
        extra_fields=_type_list(params.get("extra_fields"), "extra_fields"),
    )


def _stats_request(schema: ResourceSchema, raw: Any) -> dict[str, list[str]]:
    if raw in (None, ""):
        return {}
    if not isinstance(raw, dict):
        raise bad_request("stats must be stats[field][]=aggregation", parameter="stats")
    wanted: dict[str, list[str]] = {}
    for field, aggs in raw.items():
        names = _split_values(aggs)
        allowed = schema.stats.get(field)
        for agg in names:
            if allowed is None or agg not in allowed:
                raise bad_request(
                    f"{schema.type}: no stat configured for calculation {agg!r} on attribute "
                    f"{field!r}",
                    parameter=f"stats[{field}]",
                )
        wanted[field] = names
    return wanted


#: Types whose ``sum`` on a text field adds up this count per value (inventory_breakdowns
#: example: ``stats[status][]=sum`` answers ``{"in_stock": 105, "expected": 17, ...}``).
_GROUPED_SUMS = {"inventory_breakdowns": "stock_count"}


def _coupon_state(record: Record, now: datetime) -> str:
    """active, inactive, expired or archived (report_coupons' count stats)."""
    if record.get("archived_at"):
        return "archived"
    ends = comparable("datetime", record.get("ends_at"))
    if isinstance(ends, datetime) and ends <= now:
        return "expired"
    return "active" if record.get("active") else "inactive"


#: Stats named after something other than the attribute they count.
_STAT_FIELDS = {("report_coupons", "tags"): "tag_list"}
#: Marks "no special rule for this stat".
_PLAIN = object()


def _special_stat(
    type_name: str, field: str, agg: str, items: Sequence[tuple[str, Record]], now: datetime
) -> Any:
    """A stat with its own rule, or ``_PLAIN``."""
    if type_name == "report_coupons" and field.endswith("_coupons") and agg == "count":
        # report_coupons example: stats[active_coupons][]=count answers {"count": 1}.
        state = field[: -len("_coupons")]
        return sum(1 for _, r in items if _coupon_state(r, now) == state)
    counted = _GROUPED_SUMS.get(type_name)
    if counted is None or agg != "sum":
        return _PLAIN
    spec = get_schema(type_name).attributes.get(field)
    if spec is not None and spec.type in ("string", "enum"):
        sums: dict[str, int] = {}
        for _, record in items:
            value = record.get(field)
            if isinstance(value, str):
                sums[value] = sums.get(value, 0) + int(record.get(counted) or 0)
        return sums
    return _PLAIN


def compute_stats(
    type_name: str,
    items: Sequence[tuple[str, Record]],
    wanted: Mapping[str, Sequence[str]],
    *,
    now: datetime | None = None,
    rows_for: Callable[[str], Sequence[tuple[str, Record]]] | None = None,
) -> dict[str, dict[str, Any]]:
    """Compute ``meta.stats`` over the whole filtered collection (not just the page).

    Args:
        type_name: The resource listed.
        items: The filtered collection.
        wanted: field -> aggregations.
        now: The fake's clock (report_coupons' expired/active counts).
        rows_for: The rows a stat on a field covers, when not ``items``.
    """
    now = now or datetime.now(timezone.utc)
    out: dict[str, dict[str, Any]] = {}
    for field, aggs in wanted.items():
        result: dict[str, Any] = {}
        rows = items if rows_for is None else rows_for(field)
        for agg in aggs:
            if field == "total":
                result[agg] = len(rows)
                continue
            special = _special_stat(type_name, field, agg, rows, now)
            if special is not _PLAIN:
                result[agg] = special
                continue
            attribute = _STAT_FIELDS.get((type_name, field), field)
            values = [r.get(attribute) for _, r in rows]
            if agg in ("count", "count_each"):
                counts: dict[str, int] = {}
                for value in values:
                    for v in value if isinstance(value, list) else [value]:
                        k = _text(v) if v is not None else "null"
                        counts[k] = counts.get(k, 0) + 1
                result[agg] = counts
                continue
            numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
            if agg == "sum":
                result[agg] = sum(numbers)
            elif not numbers:
                result[agg] = None
            elif agg == "average":
                result[agg] = sum(numbers) / len(numbers)
            elif agg == "maximum":
                result[agg] = max(numbers)
            else:
                result[agg] = min(numbers)
        out[field] = result
    return out


def _positive_int(params: Mapping[str, Any], key: str, default: int) -> int:
    page = params.get("page")
    raw = page.get(key) if isinstance(page, dict) else None
    if raw in (None, ""):
        return default
    try:
        value = int(str(raw))
    except ValueError:
        value = 0
    if value < 1:
        raise bad_request(
            f"page[{key}] must be a positive integer, got {raw!r}", parameter=f"page[{key}]"
        )
    return value


@attrs.frozen
class ListQuery:
    """A parsed and validated list (or search) request."""

    predicates: tuple[Predicate, ...]
    sort: Any
    include: IncludeTree
    options: RenderOptions
    stats: Mapping[str, Sequence[str]]
    page_number: int
    page_size: int


def parse_list_query(
    store: Store, schema: ResourceSchema, operation: str, params: Mapping[str, Any]
) -> ListQuery:
    """Validate the parameters of a list/search request.

    Raises:
        FakeError: 400 with a Booqable-shaped error document.
    """
    size = _positive_int(params, "size", DEFAULT_PAGE_SIZE)
    if size > schema.max_page_size:
        raise bad_request(
            f"Requested page size {size} is greater than max supported size {schema.max_page_size}",
            parameter="page[size]",
        )
    number = _positive_int(params, "number", 1)
    stats_raw = params.get("stats", params.get("meta"))
    given = params.get("filter")
    missing = sorted(schema.required_filters - set(given if isinstance(given, dict) else ()))
    if missing and operation == "list":
        # Graphiti's RequiredFilter error (filter tables mark these "required").
        raise bad_request(
            f'{schema.type}: the required filter "{missing[0]}" was not provided',
            parameter=f"filter[{missing[0]}]",
        )
    return ListQuery(
        predicates=tuple(compile_filters(store, schema, params.get("filter"))),
        sort=params.get("sort"),
        include=parse_include(schema, operation, params.get("include")),
        options=parse_render_options(params),
        stats=_stats_request(schema, stats_raw),
        page_number=number,
        page_size=size,
    )


def run_list(
    store: Store, schema: ResourceSchema, query: ListQuery, now: datetime | None = None
) -> tuple[list[tuple[str, Record]], dict[str, Any]]:
    """Apply a parsed query: returns the page of records and the ``meta`` member."""
    predicates = query.predicates
    start = (query.page_number - 1) * query.page_size
    newest = store.newest_first(schema.type) if schema.type in NEWEST_FIRST else None
    if not predicates and query.sort in (None, "") and not query.stats:
        # A bulk pull pages through an unfiltered collection: build only the page. Copying
        # the whole collection for every page made paging through N records cost N²/size
        # steps and allocations (and full garbage collections of a large store).
        if newest is not None:
            return newest[start : start + query.page_size], {}
        return list(itertools.islice(store.iter(schema.type), start, start + query.page_size)), {}
    source = store.iter(schema.type) if newest is None else newest
    items = [(t, r) for t, r in source if all(p(t, r) for p in predicates)]
    meta: dict[str, Any] = {}
    if query.stats:
        meta["stats"] = compute_stats(schema.type, items, query.stats, now=now)
    items = sort_records(schema, items, query.sort)
    return items[start : start + query.page_size], meta


def run_computed(
    schema: ResourceSchema, query: ListQuery, computed: Computed, now: datetime
) -> tuple[list[tuple[str, Record]], dict[str, Any]]:
    """Page through a computed resource, building only the rows the answer needs."""
    start = (query.page_number - 1) * query.page_size
    type_name = schema.type
    if query.sort in (None, "") and set(query.stats) <= {"total"}:
        keys = computed.keys[start : start + query.page_size]
        page = [(type_name, row) for row in computed.rows(keys)]
        if not query.stats:
            return page, {}
        return page, {"stats": {"total": dict.fromkeys(query.stats["total"], len(computed.keys))}}
    items = [(type_name, row) for row in computed.rows()]
    meta: dict[str, Any] = {}
    if query.stats:
        rows_for = None
        if computed.stats_rows is not None:
            source = computed.stats_rows

            def rows_for(field: str) -> list[tuple[str, Record]]:
                return [(type_name, r) for r in source(field)]

        meta["stats"] = compute_stats(type_name, items, query.stats, now=now, rows_for=rows_for)
    items = sort_records(schema, items, query.sort)
    return items[start : start + query.page_size], meta
