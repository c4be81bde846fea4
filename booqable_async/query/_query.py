"""The immutable :class:`Query` value and its renderings (query string, search body)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import attrs

from booqable_async._validation import is_int
from booqable_async.errors import UsageError
from booqable_async.query._conditions import Condition, FieldCondition, Group
from booqable_async.query._operators import (
    check_field_name,
    check_name,
    check_operator,
    check_operator_value,
    operator_rank,
)
from booqable_async.query._validate import validate_query
from booqable_async.query._values import Normalized, normalize, render_pairs, to_json
from booqable_async.schema import AGGREGATIONS

if TYPE_CHECKING:
    from booqable_async.schema import ResourceSchema

__all__ = ["Filter", "Query"]

_Groups = tuple[tuple[str, tuple[str, ...]], ...]


@attrs.frozen
class Filter:
    """One filter of a query: ``field op value``.

    Attributes:
        field: The filter (attribute) name.
        op: The operator, a member of :data:`~booqable_async.query.OPERATORS`.
        value: The normalised value (scalar, tuple of scalars or hash).
    """

    field: str
    op: str
    value: Normalized


def _checked_names(value: str | Iterable[str], what: str) -> tuple[str, ...]:
    # One name or an iterable of names; a comma inside a name would silently add fields.
    names = (value,) if isinstance(value, str) else tuple(value)
    if not names:
        raise UsageError(f"{what}: give at least one name")
    return tuple(check_name(name, what) for name in names)


def _merge_groups(current: _Groups, new: dict[str, tuple[str, ...]]) -> _Groups:
    # Union per key, keeping first-seen order of names; keys sorted for a stable rendering.
    merged: dict[str, tuple[str, ...]] = dict(current)
    for key, names in new.items():
        existing = merged.get(key, ())
        merged[key] = existing + tuple(n for n in dict.fromkeys(names) if n not in existing)
    return tuple(sorted(merged.items()))


def _merge_names(current: _Groups, param: str, types: dict[str, str | Iterable[str]]) -> _Groups:
    # fields() and extra_fields(): type -> attribute names, added per type.
    new = {check_name(t, "type"): _checked_names(v, f"{param}[{t}]") for t, v in types.items()}
    return _merge_groups(current, new)


def _check_page_value(name: str, value: object) -> int:
    if not is_int(value) or value < 1:
        raise UsageError(f"page {name} must be an int >= 1, got {value!r}")
    return value


@attrs.frozen(repr=False)
class Query:
    """An immutable list/search query; every builder returns a new :class:`Query`.

    Build with :meth:`where`, :meth:`filter`, :meth:`sort`, :meth:`include`,
    :meth:`fields`, :meth:`extra_fields`, :meth:`stats`, :meth:`page` and :meth:`search`;
    render with :meth:`to_params` (GET) or :meth:`to_search_body` (``POST /{type}/search``);
    check against a resource with :meth:`validate`. Equal queries compare and hash equal
    whatever order they were built in.

    The attributes are read-only views of what was asked for; build queries through the
    methods, which normalise and check every value.

    Attributes:
        filters: The filters, sorted by field then operator.
        sorting: Sort keys in priority order (``"-created_at"`` is descending).
        includes: Relationship paths to include (dot syntax), in order.
        fieldsets: ``(type, names)`` sparse fieldsets, sorted by type.
        extra_fieldsets: ``(type, names)`` extra fields, sorted by type.
        stat_requests: ``(field, aggregations)``, sorted by field.
        page_number: ``page[number]``, if set.
        page_size: ``page[size]``, if set.
        conditions: Advanced-search conditions (makes this a search query).

    Example::

        q = (
            Query()
            .where(status="reserved")
            .filter("starts_at", "gte", datetime(2024, 5, 1, tzinfo=timezone.utc))
            .include("customer")
            .sort("-starts_at")
            .page(size=100)
        )
    """

    filters: tuple[Filter, ...] = ()
    sorting: tuple[str, ...] = ()
    includes: tuple[str, ...] = ()
    fieldsets: _Groups = ()
    extra_fieldsets: _Groups = ()
    stat_requests: _Groups = ()
    page_number: int | None = None
    page_size: int | None = None
    conditions: Condition | None = None

    # -- builders -------------------------------------------------------------------

    def where(self, **equals: object) -> Query:
        """Add equality filters: ``where(status="reserved")`` -> ``filter[status]=reserved``.

        A list value matches any member (``filter[item_id][]=a&filter[item_id][]=b``); a
        dict is a hash filter (``where(range={"from": a, "till": b})`` ->
        ``filter[range][from]=...``). A filter on the same field and operator replaces the
        earlier one.

        Args:
            **equals: ``field=value`` pairs.

        Returns:
            A new query.

        Raises:
            UsageError: A value of an unsupported type, a naive datetime or an empty list.
        """
        return self._with_filters([self._make_filter(f, "eq", v) for f, v in equals.items()])

    def filter(self, field: str, op: str, value: object) -> Query:
        """Add a filter with an operator: ``filter("starts_at", "gte", when)``.

        Operators: ``eq, not_eq, eql, not_eql, prefix, not_prefix, suffix, not_suffix,
        match, not_match, gt, gte, lt, lte, between`` (plus the rare ``compare`` and
        ``any_of``). ``between`` takes ``(low, high)``. Which operators a field accepts is
        per resource; :meth:`validate` checks it against the catalog.

        Args:
            field: The filter name.
            op: The operator.
            value: Scalar (str, int, float, bool, None, Decimal, UUID, Enum, aware datetime,
                date), list of scalars, or dict for a hash filter.

        Returns:
            A new query (a filter on the same field and operator is replaced).

        Raises:
            UsageError: Unknown operator, bad field name or a value the operator cannot take.
        """
        return self._with_filters([self._make_filter(field, op, value)])

    def sort(self, *fields: str) -> Query:
        """Set the sort order: ``sort("-created_at", "id")``; ``sort()`` clears it.

        Args:
            *fields: Attribute names, ``-`` prefix for descending, highest priority first.

        Returns:
            A new query whose sort order replaces the previous one.

        Raises:
            UsageError: A bad name or the same attribute twice.
        """
        seen: set[str] = set()
        for key in fields:
            name = key[1:] if isinstance(key, str) and key.startswith("-") else key
            check_name(name, "sort field")
            if name in seen:
                raise UsageError(f"sort field {name!r} given twice")
            seen.add(str(name))
        return attrs.evolve(self, sorting=tuple(fields))

    def include(self, *paths: str) -> Query:
        """Include related records: ``include("customer", "lines.item")``.

        Args:
            *paths: Relationship paths in dot syntax; added to the existing ones.

        Returns:
            A new query.

        Raises:
            UsageError: A path that is not dot-separated relationship names.
        """
        for path in paths:
            if not isinstance(path, str):
                raise UsageError(f"include path must be a string, got {path!r}")
            for part in path.split("."):
                check_name(part, f"include path segment (in {path!r})")
        added = tuple(p for p in dict.fromkeys(paths) if p not in self.includes)
        return attrs.evolve(self, includes=self.includes + added)

    def fields(self, **types: str | Iterable[str]) -> Query:
        """Limit the attributes returned per type: ``fields(orders=["number", "status"])``.

        Args:
            **types: Type name -> attribute name(s); added to names already requested.

        Returns:
            A new query.

        Raises:
            UsageError: An empty or malformed name.
        """
        return attrs.evolve(self, fieldsets=_merge_names(self.fieldsets, "fields", types))

    def extra_fields(self, **types: str | Iterable[str]) -> Query:
        """Ask for attributes only returned on request: ``extra_fields(collections=[...])``.

        Args:
            **types: Type name -> extra attribute name(s); added to names already requested.

        Returns:
            A new query.

        Raises:
            UsageError: An empty or malformed name.
        """
        return attrs.evolve(
            self, extra_fieldsets=_merge_names(self.extra_fieldsets, "extra_fields", types)
        )

    def stats(self, **fields: str | Iterable[str]) -> Query:
        """Request statistics: ``stats(total="count", grand_total_in_cents=["sum", "average"])``.

        Rendered in the intro/gem form ``stats[field][]=agg``; results arrive under
        ``meta.stats.<field>.<agg>`` and cover the whole filtered collection.

        Args:
            **fields: Field -> aggregation(s): ``count, count_each, sum, average, maximum,
                minimum``; added to those already requested.

        Returns:
            A new query.

        Raises:
            UsageError: An unknown aggregation.
        """
        new: dict[str, tuple[str, ...]] = {}
        for field, aggs in fields.items():
            check_name(field, "stats field")
            names = _checked_names(aggs, f"stats[{field}]")
            unknown = [a for a in names if a not in AGGREGATIONS]
            if unknown:
                raise UsageError(
                    f"stats[{field}]: unknown aggregation {unknown[0]!r}; "
                    f"aggregations: {', '.join(sorted(AGGREGATIONS))}"
                )
            new[field] = names
        return attrs.evolve(self, stat_requests=_merge_groups(self.stat_requests, new))

    def page(self, number: int | None = None, size: int | None = None) -> Query:
        """Set ``page[number]`` and/or ``page[size]`` (arguments left out are kept).

        Args:
            number: 1-based page number.
            size: Records per page (Booqable allows at most 100; :meth:`validate` checks).

        Returns:
            A new query.

        Raises:
            UsageError: A value that is not an int >= 1.
        """
        if number is None and size is None:
            return self
        return attrs.evolve(
            self,
            page_number=self.page_number if number is None else _check_page_value("number", number),
            page_size=self.page_size if size is None else _check_page_value("size", size),
        )

    def without_page(self) -> Query:
        """Return this query without ``page[number]`` and ``page[size]``."""
        return attrs.evolve(self, page_number=None, page_size=None)

    def search(self, conditions: Condition) -> Query:
        """Make this an advanced search (``POST /{type}/search``) with ``conditions``.

        Args:
            conditions: ``Q(...)`` combined with ``|`` and ``&`` (replaces earlier ones).

        Returns:
            A new query; render its body with :meth:`to_search_body`.

        Raises:
            UsageError: ``conditions`` is not a condition.
        """
        if not isinstance(conditions, Condition):
            raise UsageError(
                "search() takes conditions built with Q(), e.g. "
                f"Q(status='reserved') | Q(status='started'); got {type(conditions).__name__}"
            )
        return attrs.evolve(self, conditions=conditions)

    # -- reading ----------------------------------------------------------------------

    @property
    def is_search(self) -> bool:
        """True when :meth:`search` set conditions (send it with ``POST /{type}/search``)."""
        return self.conditions is not None

    def has_filter(self, field: str) -> bool:
        """Return True when any filter (any operator) names ``field``."""
        return any(f.field == field for f in self.filters)

    def has_stat(self, field: str, aggregation: str) -> bool:
        """Return True when ``stats[field][]=aggregation`` is requested."""
        return any(f == field and aggregation in aggs for f, aggs in self.stat_requests)

    # -- rendering --------------------------------------------------------------------

    def to_params(self) -> list[tuple[str, str]]:
        """Render the query string as unencoded ``(key, value)`` pairs, in a fixed order.

        Order: filters (by field, then operator), ``sort``, ``include``, ``fields[...]``,
        ``extra_fields[...]``, ``stats[...][]``, ``page[number]``, ``page[size]``. The
        transport layer percent-encodes them; do not encode them again. For a search query
        the conditions are not here: they travel in :meth:`to_search_body`.

        Returns:
            The pairs, e.g. ``[("filter[status]", "reserved"), ("page[size]", "100")]``.
        """
        pairs: list[tuple[str, str]] = []
        multi = self._fields_with_several_operators()
        for f in self.filters:
            explicit = f.op != "eq" or f.field in multi
            key = f"filter[{f.field}][{f.op}]" if explicit else f"filter[{f.field}]"
            pairs.extend(render_pairs(key, f.value))
        if self.sorting:
            pairs.append(("sort", ",".join(self.sorting)))
        if self.includes:
            pairs.append(("include", ",".join(self.includes)))
        pairs.extend((f"fields[{t}]", ",".join(names)) for t, names in self.fieldsets)
        pairs.extend((f"extra_fields[{t}]", ",".join(names)) for t, names in self.extra_fieldsets)
        for field, aggs in self.stat_requests:
            pairs.extend((f"stats[{field}][]", agg) for agg in aggs)
        if self.page_number is not None:
            pairs.append(("page[number]", str(self.page_number)))
        if self.page_size is not None:
            pairs.append(("page[size]", str(self.page_size)))
        return pairs

    def to_search_body(self) -> dict[str, Any]:
        """Render the JSON body of ``POST /{type}/search``.

        The shape follows Booqable's search examples: ``{"fields": {"orders": "id"},
        "filter": {"conditions": {"operator": ..., "attributes": [...]}}}``; plain filters
        sit next to ``conditions`` under ``filter``, and ``include``, ``sort``, ``stats``
        and ``page`` travel in the body too (Rails merges body and query parameters).

        Returns:
            A JSON-ready dict (strings, numbers, booleans, lists, dicts).

        Raises:
            UsageError: A plain filter named ``conditions`` clashes with search conditions.
        """
        body: dict[str, Any] = {}
        if self.fieldsets:
            body["fields"] = {t: ",".join(names) for t, names in self.fieldsets}
        if self.extra_fieldsets:
            body["extra_fields"] = {t: ",".join(names) for t, names in self.extra_fieldsets}
        flt: dict[str, Any] = {}
        multi = self._fields_with_several_operators()
        for f in self.filters:
            value = to_json(f.value, top=True)
            if f.op == "eq" and f.field not in multi:
                flt[f.field] = value
            else:
                flt.setdefault(f.field, {})[f.op] = value
        if self.conditions is not None:
            if "conditions" in flt:
                raise UsageError(
                    "a plain filter named 'conditions' clashes with search(); put every "
                    "condition in search()"
                )
            root = self.conditions
            if isinstance(root, FieldCondition):
                # The API's conditions object is always a group (intro "Advanced search").
                root = Group("and", (root,))
            flt["conditions"] = root.to_json()
        if flt:
            body["filter"] = flt
        if self.includes:
            body["include"] = ",".join(self.includes)
        if self.sorting:
            body["sort"] = ",".join(self.sorting)
        if self.stat_requests:
            body["stats"] = {field: list(aggs) for field, aggs in self.stat_requests}
        page: dict[str, int] = {}
        if self.page_number is not None:
            page["number"] = self.page_number
        if self.page_size is not None:
            page["size"] = self.page_size
        if page:
            body["page"] = page
        return body

    def validate(self, schema: ResourceSchema, operation: str = "list") -> None:
        """Check this query against a resource's catalog facts, before any I/O.

        Checks: the operation exists; filters name filterable fields with operators the
        field allows (the resource's filter table is authoritative); required filters are
        present; sort, includes, fields, extra_fields, stats and page are accepted by the
        operation and name things that exist; page size <= ``schema.max_page_size``;
        search conditions only on searchable types with the ``search`` operation.

        Args:
            schema: The resource schema (``booqable_async.schema.get_schema("orders")``).
            operation: ``list`` (default), ``search``, ``get``...

        Raises:
            UsageError: Listing every problem found and what is allowed instead.
        """
        validate_query(self, schema, operation)

    def __repr__(self) -> str:
        text = "&".join(f"{k}={v}" for k, v in self.to_params())
        if self.conditions is not None:
            text += (", " if text else "") + f"search={self.conditions.to_json()!r}"
        return f"Query({text})"

    # -- internals --------------------------------------------------------------------

    @staticmethod
    def _make_filter(field: str, op: str, value: object) -> Filter:
        check_operator(op)
        check_field_name(field)
        where = f"filter {field} {op}"
        normalized = normalize(value, where)
        check_operator_value(op, normalized, where)
        return Filter(field, op, normalized)

    def _with_filters(self, new: list[Filter]) -> Query:
        if not new:
            return self
        merged = {(f.field, f.op): f for f in self.filters}
        merged.update(((f.field, f.op), f) for f in new)
        ordered = sorted(merged.values(), key=lambda f: (f.field, operator_rank(f.op)))
        return attrs.evolve(self, filters=tuple(ordered))

    def _fields_with_several_operators(self) -> frozenset[str]:
        # ``filter[f]=v&filter[f][gte]=w`` makes Rails raise (f is a string, then a hash):
        # when a field has several operators, eq is written out as ``filter[f][eq]``.
        seen: set[str] = set()
        multi: set[str] = set()
        for f in self.filters:
            (multi if f.field in seen else seen).add(f.field)
        return frozenset(multi)
