"""Route a request to a resource operation and run it against the store.

Routes follow the catalog's endpoints (``GET /api/4/{type}`` = list, ``GET .../{id}`` =
get, ``POST`` create, ``PUT`` update, ``DELETE`` delete, ``POST .../search``, ``GET .../new``,
``GET|PUT .../current``), under ``/api/4/`` and the older ``/api/boomerang/``, each also with
the ``.json`` suffix. An operation the resource lacks gets the Rails routing 404 the real
server sends.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import attrs

from booqable_async.schema import ResourceSchema, get_schema, has_schema, searchable_types
from booqable_async.testing import _hooks
from booqable_async.testing._booking import apply_fulfillment, apply_transition
from booqable_async.testing._computed import COMPUTED, compute, planning_availability
from booqable_async.testing._context import Context
from booqable_async.testing._duplicate import apply_duplication
from booqable_async.testing._errors import (
    JSON,
    JSONAPI,
    FakeError,
    bad_request,
    not_found,
    routing_error,
)
from booqable_async.testing._inventory import apply_stock_adjustment, apply_stock_item_archivation
from booqable_async.testing._query import (
    ListQuery,
    parse_include,
    parse_list_query,
    parse_render_options,
    run_computed,
    run_list,
)
from booqable_async.testing._serialize import document, nested_document
from booqable_async.testing._store import Record
from booqable_async.testing._validate import validate_write
from booqable_async.testing._writes import parse_body, parse_write

__all__ = ["API_PREFIXES", "Answer", "Api"]

#: Path prefixes the API answers under (v4 and its older "boomerang" name).
API_PREFIXES = ("/api/4/", "/api/boomerang/")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# Create answers 200 instead of 201 for these (their doc examples; order_fulfillments and
# order_status_transitions say so in their notes).
_CREATE_ANSWERS_200 = frozenset(
    {
        "downtimes",
        "invoice_finalizations",
        "invoice_revisions",
        "order_duplications",
        "order_fulfillments",
        "order_price_recalculations",
        "order_status_transitions",
        "product_group_duplications",
        "signatures",
        "stock_adjustments",
        "stock_item_archivations",
    }
)
# Operations the recorded exchanges show working although the docs do not list them.
_RECORDED_EXTRA = {("orders", "delete")}
# Query parameters a write body may carry next to "data".
_BODY_PARAMS = ("include", "fields", "extra_fields")
# Singular paths used by doc examples for a singleton ("GET /api/4/language").
_ALIASES = {"language": "languages"}


@attrs.frozen
class Answer:
    """A response the fake decided on, before transport concerns."""

    status: int
    document: Mapping[str, Any] | None
    content_type: str = JSONAPI
    headers: tuple[tuple[str, str], ...] = ()


@attrs.frozen
class Route:
    """A resolved route."""

    schema: ResourceSchema
    operation: str
    record_id: str | None = None
    nested: bool = False


def resolve(method: str, path: str) -> Route:
    """Map ``method`` + ``path`` to a resource operation.

    Raises:
        FakeError: The routing 404 for anything the API does not route.
    """
    rest = next((path[len(p) :] for p in API_PREFIXES if path.startswith(p)), None)
    if rest is None:
        raise routing_error(method, path)
    segments = [s for s in rest.split("/") if s]
    nested = False
    if segments and segments[-1].endswith(".json"):
        segments[-1] = segments[-1][: -len(".json")]
        nested = True
    if not segments or len(segments) > 2:
        raise routing_error(method, path)
    type_name = segments[0]
    if type_name in _ALIASES and len(segments) == 1:
        type_name, segments = _ALIASES[type_name], [_ALIASES[type_name], "current"]
        alias = True
    else:
        alias = False
    if not has_schema(type_name):
        raise routing_error(method, path)
    schema = get_schema(type_name)
    record_id: str | None = None
    if len(segments) == 1:
        operation = {"GET": "list", "HEAD": "list", "POST": "create"}.get(method, "")
    elif segments[1] == "search" and method == "POST":
        operation = "search"
    elif segments[1] == "new" and method in ("GET", "HEAD"):
        operation = "new"
    elif segments[1] == "current" and (
        alias or "current" in schema.operations or "update_current" in schema.operations
    ):
        operation = {"GET": "current", "HEAD": "current", "PUT": "update_current"}.get(method, "")
    else:
        record_id = segments[1]
        operation = {"GET": "get", "HEAD": "get", "PUT": "update", "DELETE": "delete"}.get(
            method, ""
        )
        # DELETE routes carry a uuid constraint (recorded: DELETE /orders/invalid-id is a
        # routing error while GET /orders/invalid-id is a JSON:API 404).
        if operation == "delete" and not _UUID.match(record_id):
            raise routing_error(method, path)
    supported = operation in schema.operations or (type_name, operation) in _RECORDED_EXTRA
    if alias and operation in ("current", "update_current"):
        supported = True
    if not supported:
        raise routing_error(method, path)
    return Route(schema, operation, record_id, nested)


class Api:
    """Runs operations against the fake's store."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def handle(
        self, method: str, path: str, params: Mapping[str, Any], body: bytes | None
    ) -> Answer:
        """Answer one API request (raises :class:`FakeError` for error answers)."""
        route = resolve(method, path)
        operation = route.operation
        if operation in ("list", "search"):
            return self._list(route, params, body)
        if operation in ("get", "current", "new"):
            return self._get(route, params)
        if operation == "create":
            return self._create(route, params, body)
        if operation in ("update", "update_current"):
            return self._update(route, params, body)
        return self._delete(route, params)

    # -- helpers ------------------------------------------------------------------------

    def _render(
        self,
        route: Route,
        primary: list[tuple[str, Record]] | tuple[str, Record] | None,
        params: Mapping[str, Any],
        operation: str,
        meta: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        include = parse_include(route.schema, operation, params.get("include"))
        options = parse_render_options(params)
        render = nested_document if route.nested else document
        return render(self.ctx.store, primary, include=include, options=options, meta=meta)

    def _find(self, route: Route) -> tuple[str, Record]:
        if route.operation in ("current", "update_current"):
            return self._singleton(route.schema)
        if route.operation == "new":
            return self._pending_new_order()
        found = self.ctx.store.get(route.schema.type, str(route.record_id))
        if found is None:
            raise not_found()
        return found

    def _singleton(self, schema: ResourceSchema) -> tuple[str, Record]:
        for item in self.ctx.store.iter(schema.type):
            return item
        if schema.type == "sessions":
            return self._session()
        record = self.ctx.insert(schema.type, self.ctx.build(schema.type, {}))
        return schema.type, record

    def _session(self) -> tuple[str, Record]:
        # The session of the acting employee in the company (sessions__current__response:
        # company_id, employee_id and the settings relation filled in).
        store = self.ctx.store
        company = next(store.iter("companies"), None)
        employee = next(store.iter("employees"), None)
        values = {
            "company_id": None if company is None else company[1]["id"],
            "employee_id": None if employee is None else employee[1]["id"],
        }
        record = self.ctx.insert("sessions", self.ctx.build("sessions", values))
        settings = self._singleton(get_schema("settings"))
        store.link("sessions", record["id"], "settings", [(settings[0], settings[1]["id"])])
        return "sessions", record

    def _pending_new_order(self) -> tuple[str, Record]:
        # "GET /orders/new returns the current employee's pending new order, creating one if
        # needed" (catalog note): the most recent empty order in status new.
        for record in reversed(list(self.ctx.store.table("orders").values())):
            if record.get("status") == "new" and not record.get("item_count"):
                return "orders", record
        values: dict[str, Any] = {}
        _hooks.before_create(self.ctx, "orders", values)
        record = self.ctx.insert("orders", self.ctx.build("orders", _hooks.stored(values)))
        _hooks.after_create(self.ctx, "orders", record, values)
        return "orders", record

    # -- operations ---------------------------------------------------------------------

    def _list(self, route: Route, params: Mapping[str, Any], body: bytes | None) -> Answer:
        schema = route.schema
        merged = dict(params)
        if route.operation == "search":
            if schema.type not in searchable_types():
                raise routing_error("POST", f"/api/4/{schema.type}/search")
            payload = parse_body(body) or {}
            if not isinstance(payload, dict):
                raise _bad_body()
            merged.update(payload)
        query = parse_list_query(self.ctx.store, schema, route.operation, merged)
        if schema.type == "order_planning_availabilities":
            return self._planning_availability(route, query, merged)
        now = self.ctx.now_datetime()
        if schema.type in COMPUTED:
            # The filters are the computation's parameters, not selections of rows.
            computed = compute(self.ctx, schema.type, merged.get("filter"))
            page, meta = run_computed(schema, query, computed, now)
        else:
            page, meta = run_list(self.ctx.store, schema, query, now)
        # POST search answers in the plain nested format (every doc example is
        # {"data": [{"id": ...}]} without type, attributes or meta).
        render = nested_document if (route.nested or route.operation == "search") else document
        doc = render(self.ctx.store, page, include=query.include, options=query.options, meta=meta)
        return Answer(200, doc)

    def _planning_availability(
        self, route: Route, query: ListQuery, params: Mapping[str, Any]
    ) -> Answer:
        # The documented answers (order_planning_availabilities__list__response*) carry
        # one object for the order, not a list.
        filters = params.get("filter")
        order_id = filters.get("order_id") if isinstance(filters, dict) else None
        if isinstance(order_id, dict):
            order_id = order_id.get("eq")
        if not isinstance(order_id, str) or not order_id:
            raise bad_request(
                'order_planning_availabilities: the required filter "order_id" was not provided',
                parameter="filter[order_id]",
            )
        record = planning_availability(self.ctx, order_id)
        render = nested_document if route.nested else document
        primary = ("order_planning_availabilities", record)
        return Answer(200, render(self.ctx.store, primary, include={}, options=query.options))

    def _get(self, route: Route, params: Mapping[str, Any]) -> Answer:
        found = self._find(route)
        operation = route.operation if route.operation in route.schema.includes else "get"
        return Answer(200, self._render(route, found, params, operation))

    def _create(self, route: Route, params: Mapping[str, Any], body: bytes | None) -> Answer:
        schema = route.schema
        doc = parse_body(body)
        params = _with_body_params(params, doc)
        include = parse_include(schema, "create", params.get("include"))
        write = parse_write(schema, "create", doc)
        values = dict(write.attributes)
        ctx = self.ctx
        validate_write(ctx.store, schema.type, "create", values)
        if write.record_id is not None and ctx.store.type_of(write.record_id) is None:
            values["id"] = write.record_id
        with ctx.transaction():
            if schema.type == "order_fulfillments":
                record = apply_fulfillment(ctx, values)
            elif schema.type == "order_status_transitions":
                record = apply_transition(ctx, values)
            elif schema.type == "stock_adjustments":
                record = apply_stock_adjustment(ctx, values)
            elif schema.type == "stock_item_archivations":
                record = apply_stock_item_archivation(ctx, values)
            elif schema.type == "order_duplications":
                record = apply_duplication(ctx, values)
            else:
                _hooks.before_create(ctx, schema.type, values)
                record = ctx.insert(schema.type, ctx.build(schema.type, _hooks.stored(values)))
                _hooks.after_create(ctx, schema.type, record, values)
        status = 200 if schema.type in _CREATE_ANSWERS_200 else 201
        options = parse_render_options(params)
        render = nested_document if route.nested else document
        doc = render(ctx.store, (schema.type, record), include=include, options=options)
        return Answer(status, doc)

    def _update(self, route: Route, params: Mapping[str, Any], body: bytes | None) -> Answer:
        schema = route.schema
        operation = route.operation
        doc = parse_body(body)
        params = _with_body_params(params, doc)
        include_op = operation if operation in schema.includes else "update"
        include = parse_include(schema, include_op, params.get("include"))
        type_name, record = self._find(route)
        write_op = operation if operation in schema.operations else "update"
        # Singletons (companies/current, /language) ignore data.id: doc examples send ids
        # that are not the current record's.
        url_id = record["id"] if operation == "update" else None
        write = parse_write(get_schema(type_name), write_op, doc, url_id)
        values = dict(write.attributes)
        ctx = self.ctx
        validate_write(ctx.store, type_name, write_op, values, record)
        with ctx.transaction():
            before = dict(record)
            _hooks.before_update(ctx, type_name, record, values)
            stored = _hooks.stored(values, type_name)
            ctx.update(type_name, record, {k: v for k, v in stored.items() if k in record})
            _hooks.after_update(ctx, type_name, record, values)
            # A PUT that changes nothing keeps updated_at (recorded orders update: the same
            # period sent again answers the earlier updated_at); any change moves it.
            changed = any(record.get(k) != v for k, v in before.items() if k != "updated_at")
            if "updated_at" in record:
                ctx.update(
                    type_name,
                    record,
                    {"updated_at": ctx.now() if changed else before["updated_at"]},
                )
        options = parse_render_options(params)
        render = nested_document if route.nested else document
        return Answer(200, render(ctx.store, (type_name, record), include=include, options=options))

    def _delete(self, route: Route, params: Mapping[str, Any]) -> Answer:
        type_name, record = self._find(route)
        with self.ctx.transaction():
            _hooks.delete(self.ctx, type_name, record)
        doc = self._render(route, (type_name, record), params, "delete")
        # Recorded DELETE answers are served as application/json.
        return Answer(200, doc, content_type=JSON)


def _with_body_params(params: Mapping[str, Any], doc: Any) -> dict[str, Any]:
    """Merge top-level body members (``include``, ``fields``...) under the query's.

    Doc examples send ``"include": "tax_rates"`` next to ``data`` in write bodies.
    """
    merged: dict[str, Any] = {}
    if isinstance(doc, dict):
        merged.update((k, v) for k, v in doc.items() if k in _BODY_PARAMS)
    merged.update(params)
    return merged


def _bad_body() -> FakeError:
    return bad_request("The search body must be a JSON object", pointer="")
