"""Check a :class:`~booqable_async.query.Query` against a resource's catalog facts.

Pure and linear in the size of the query: every check is a dictionary or set lookup on the
schema; the (long) lists of what is allowed are only built for the error message.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from booqable_async.errors import UsageError
from booqable_async.query._operators import OPERATOR_ALIASES
from booqable_async.query._values import HashValue
from booqable_async.schema import get_schema, has_schema, searchable_types
from booqable_async.schema._choices import allowed_list, closest, unknown_choice

if TYPE_CHECKING:
    from booqable_async.query._query import Filter, Query
    from booqable_async.schema import ResourceSchema

__all__ = ["validate_query"]

#: Read operations whose include paths a message may point to instead.
_READ_OPERATIONS = ("get", "list", "search")


def _allowed(names: Collection[str]) -> str:
    return allowed_list(names)


def _hash_keys(value: object) -> list[str]:
    return [key for key, _ in value.items] if isinstance(value, HashValue) else []


class _Checker:
    """Collects every problem so one error lists them all."""

    def __init__(self, query: Query, schema: ResourceSchema, operation: str) -> None:
        self.query = query
        self.schema = schema
        self.operation = operation
        self.params = frozenset(schema.params.get(operation, ()))
        self.problems: list[str] = []

    def add(self, problem: str) -> None:
        self.problems.append(problem)

    def accepts(self, param: str, what: str) -> bool:
        # schema.params lists the query parameters each operation documents.
        if param in self.params:
            return True
        self.add(f"{self.schema.type} {self.operation} does not accept {what}")
        return False

    def check_filter(self, field: str, op: str, where: str) -> bool:
        allowed_ops = self.schema.filters.get(field)
        if allowed_ops is None:
            if field in self.schema.attributes:
                self.add(
                    f"{where}: {self.schema.type} cannot be filtered by {field!r}; "
                    f"filterable fields: {_allowed(self.schema.filters)}"
                )
            else:
                self.add(f"{where}: " + unknown_choice("filter field", field, self.schema.filters))
            return False
        if op not in allowed_ops:
            kind = self.schema.filter_types.get(field, "?")
            self.add(
                f"{where}: operator {op!r} is not allowed for {self.schema.type}.{field} "
                f"({kind}); {_allowed(allowed_ops)}"
            )
            return False
        return True

    def check_hash(self, flt: Filter) -> None:
        # A dict value renders as filter[field][key]=...: a hash filter (Booqable's
        # ``conditions``, ``range``...) reads any key; on any other field each key is
        # taken for an operator, and one the field does not have is a 400 from the server.
        kind = self.schema.filter_types.get(flt.field)
        if kind == "hash":
            return
        allowed_ops = self.schema.filters.get(flt.field, frozenset())
        unknown = [k for k in _hash_keys(flt.value) if k not in allowed_ops]
        if not unknown:
            return
        found = closest(unknown[0], allowed_ops, aliases=OPERATOR_ALIASES)
        hint = (
            f"did you mean filter({flt.field!r}, {found[0]!r}, value)?"
            if found
            else f"use filter({flt.field!r}, operator, value); {_allowed(allowed_ops)}"
        )
        self.add(
            f"filter {flt.field}: {', '.join(map(repr, unknown))} in a dict value is no "
            f"operator of {self.schema.type}.{flt.field} ({kind}), and only a hash filter "
            f"takes other keys; {hint}"
        )

    def check_operation(self) -> bool:
        if self.operation not in self.schema.operations:
            self.add(
                f"{self.schema.type} has no {self.operation!r} operation; "
                + allowed_list(self.schema.operations, label="operations")
            )
            return False
        return True

    def check_search(self) -> None:
        q = self.query
        if self.operation == "search" and self.schema.type not in searchable_types():
            self.add(
                f"{self.schema.type} is not searchable; "
                + allowed_list(searchable_types(), label="searchable types")
            )
        if q.conditions is None:
            return
        if self.operation != "search":
            self.add(
                "search conditions need the search operation (POST /{type}/search), "
                f"not {self.operation!r}"
            )
            return
        for leaf in q.conditions.leaves():
            for op, _ in leaf.ops:
                self.check_filter(leaf.field, op, f"search condition {leaf.field} {op}")

    def check_filters(self) -> None:
        q = self.query
        if q.filters and self.accepts("filter", "filters"):
            for f in q.filters:
                if self.check_filter(f.field, f.op, f"filter {f.field} {f.op}"):
                    self.check_hash(f)
        if self.operation == "list" and self.schema.required_filters:
            present = {f.field for f in q.filters}
            missing = self.schema.required_filters - present
            if missing:
                self.add(
                    f"{self.schema.type} list requires the filters "
                    f"{', '.join(sorted(self.schema.required_filters))}; missing: "
                    f"{', '.join(sorted(missing))}"
                )

    def check_sort(self) -> None:
        q = self.query
        if not q.sorting:
            return
        if self.operation not in self.schema.sortable:
            self.add(
                f"{self.schema.type} {self.operation} does not accept sort; "
                + allowed_list(self.schema.sortable, label="operations that do")
            )
            return
        # No per-field list of sortable attributes exists in the docs: accept any known one.
        known = {"id", *self.schema.attributes, *self.schema.filters}
        for key in q.sorting:
            name = key.lstrip("-")
            if name not in known:
                self.add(f"sort: {unknown_choice('attribute', name, known)}")

    def check_includes(self) -> None:
        q = self.query
        if not q.includes:
            return
        allowed = self.schema.includes_for(self.operation)
        for path in q.includes:
            if path not in allowed:
                self.add(f"include: {self._include_problem(path, allowed)}")

    def _include_problem(self, path: str, allowed: tuple[str, ...]) -> str:
        # Booqable's list includes are often a subset of get's (orders list cannot include
        # lines): say where the path is allowed instead of calling it unknown.
        elsewhere = [
            op
            for op in _READ_OPERATIONS
            if op != self.operation and path in self.schema.includes_for(op)
        ]
        here = f"{self.schema.type} {self.operation}"
        if elsewhere:
            ops = " and ".join(f"{op}()" for op in elsewhere)
            return (
                f"{path!r} is not allowed on {self.operation} "
                f"({_allowed(allowed) if allowed else 'it accepts no includes'}); "
                f"{ops} {'allows' if len(elsewhere) == 1 else 'allow'} it"
            )
        if not allowed:
            return f"{here} accepts no includes (got {path!r})"
        return unknown_choice("include path", path, allowed)

    def check_fieldsets(self) -> None:
        q = self.query
        if q.fieldsets and self.accepts("fields[]", "fields"):
            for type_name, names in q.fieldsets:
                self._check_names("fields", type_name, names, with_relationships=True)
        if q.extra_fieldsets and self.accepts("extra_fields[]", "extra_fields"):
            for type_name, names in q.extra_fieldsets:
                self._check_names("extra_fields", type_name, names, with_relationships=False)

    def _check_names(
        self, what: str, type_name: str, names: tuple[str, ...], *, with_relationships: bool
    ) -> None:
        if not has_schema(type_name):
            self.add(f"{what}[{type_name}]: unknown resource type {type_name!r}")
            return
        target = get_schema(type_name)
        known = {"id", *target.attributes}
        if with_relationships:
            known.update(target.relationships)
        for name in names:
            if name not in known:
                self.add(f"{what}[{type_name}]: " + unknown_choice("attribute", name, known))

    def check_stats(self) -> None:
        q = self.query
        # The param tables call stats "meta" (meta[total][]=count); same parameter.
        if not q.stat_requests or not self.accepts("meta", "stats"):
            return
        for field, aggs in q.stat_requests:
            allowed = self.schema.stats.get(field)
            if allowed is None:
                self.add(f"stats: {unknown_choice('stats field', field, self.schema.stats)}")
                continue
            for agg in aggs:
                if agg not in allowed:
                    self.add(
                        f"stats[{field}]: aggregation {agg!r} is not available; {_allowed(allowed)}"
                    )

    def check_page(self) -> None:
        q = self.query
        if q.page_number is None and q.page_size is None:
            return
        if not self.accepts("page[size]", "page[number]/page[size]"):
            return
        if q.page_size is not None and q.page_size > self.schema.max_page_size:
            self.add(
                f"page size {q.page_size} is over the maximum of {self.schema.max_page_size}; "
                "iterate the paginator to get more records"
            )
        if q.page_number is not None and q.page_number < 1:
            self.add(f"page number {q.page_number} must be >= 1")


def validate_query(query: Query, schema: ResourceSchema, operation: str = "list") -> None:
    """Raise :class:`UsageError` listing every way ``query`` breaks ``schema``'s rules.

    Args:
        query: The query to check.
        schema: The resource's schema.
        operation: The operation the query is for (``list``, ``search``, ``get``...).

    Raises:
        UsageError: At least one problem; the message lists each with what is allowed.
    """
    checker = _Checker(query, schema, operation)
    if checker.check_operation():
        checker.check_search()
        checker.check_filters()
        checker.check_sort()
        checker.check_includes()
        checker.check_fieldsets()
        checker.check_stats()
        checker.check_page()
    if checker.problems:
        lines = "\n".join(f"  - {p}" for p in checker.problems)
        raise UsageError(f"invalid query for {schema.type} {operation}:\n{lines}")
