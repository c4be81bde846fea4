"""FakeBooqable's v1 face: Booqable's legacy API v1 over the same records as v4.

On the real service one company's data answers both APIs; here too. Reads render the
stored (v4-shaped) records as v1 shows them (``_v1_render``); writes are translated into
the v4 requests that do the same thing and run through the v4 fake (``Api.handle``), so
they are validated the same way, change the same records and trigger the same webhook
deliveries. Facts (Booqable's v1 documentation; docs/v1.md): ``/api/1/``, ``?api_key=``,
bodies wrapped in a root key, ``page``/``per`` lists with ``meta.total_count`` and
facets, ``PATCH`` answering 204, archived customers hidden from lists and searches but
readable by id, and the one documented error body ``{"error": {"status":
"items_not_available", "data": {"<product id>": {"available": 99, "need": 199}}}}``.
Other error bodies are not documented; the fake answers ``{"error": {"status":
"<code>", "message": "..."}}``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

import msgspec

from booqable_async.testing import _v1_render as render
from booqable_async.testing._api import Answer, Api
from booqable_async.testing._booking import stock_count
from booqable_async.testing._context import Context
from booqable_async.testing._errors import JSON, FakeError
from booqable_async.testing._ratelimit import FixedWindowCounter
from booqable_async.testing._store import Record
from booqable_async.testing._values import format_datetime, parse_datetime

__all__ = ["V1_PREFIX", "V1Face"]

#: Path prefix of the v1 API.
V1_PREFIX = "/api/1/"
#: Records per page when ``per`` is not given (the fake's choice; v1 leaves it open).
DEFAULT_PER = 25
_INTERVALS = {
    "minute": timedelta(minutes=1),
    "hour": timedelta(hours=1),
    "day": timedelta(days=1),
    "week": timedelta(weeks=1),
    "month": timedelta(days=30),
}
_MAX_POINTS = 1000
_TAG_TARGETS = {
    "order_id": "orders",
    "customer_id": "customers",
    "product_group_id": "product_groups",
    "bundle_id": "bundles",
    "document_id": "documents",
}


class V1Error(Exception):
    """An error answer of the v1 face."""

    def __init__(self, status: int, code: str, message: str, data: Any = None) -> None:
        self.status = status
        body: dict[str, Any] = {"status": code, "message": message}
        if data is not None:
            body["data"] = data
        self.document = {"error": body}
        super().__init__(f"HTTP {status}: {code}")


def _from_v4(error: FakeError) -> V1Error:
    # A v4 error answer (JSON:API errors, a routing error) in v1's shape.
    errors = error.document.get("errors")
    first = errors[0] if isinstance(errors, list) and errors else {}
    code = str(first.get("code") or ("not_found" if error.status == 404 else "error"))
    message = str(first.get("detail") or first.get("title") or error.document.get("error") or code)
    data = None
    if code == "items_not_available":
        meta = first.get("meta") or {}
        data = {
            str(entry.get("item_id")): {
                "available": max(
                    int(entry.get("stock_count") or 0) - int(entry.get("reserved") or 0), 0
                ),
                "need": int(entry.get("needed") or 0),
            }
            for entry in [*meta.get("blocking", []), *meta.get("warning", [])]
        }
    if error.status == 404:
        code, message = "not_found", "Record not found"
    return V1Error(error.status, code, message, data)


def _not_found() -> V1Error:
    return V1Error(404, "not_found", "Record not found")


def _bad(message: str) -> V1Error:
    return V1Error(400, "bad_request", message)


def _int_param(params: Mapping[str, str], name: str, default: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise _bad(f"{name} must be an integer") from None
    if value < 1:
        raise _bad(f"{name} must be >= 1")
    return value


class V1Face:
    """Answers ``/api/1/`` requests from the fake's records.

    Args:
        ctx: The fake's state (the same records v4 answers from).
        api: The v4 fake, which runs every write.
        tokens: The keys accepted as ``api_key`` (the fake's access tokens).
    """

    def __init__(self, ctx: Context, api: Api, tokens: Callable[[], set[str]]) -> None:
        self.ctx = ctx
        self.api = api
        self._tokens = tokens

    # -- entry --------------------------------------------------------------------------

    def answer(
        self,
        method: str,
        path: str,
        query: str,
        body: bytes | None,
        *,
        require_auth: bool,
        limiter: FixedWindowCounter,
    ) -> Answer:
        """Answer one v1 request (auth, then the budget, then the route)."""
        pairs = parse_qsl(query, keep_blank_values=True)
        params = dict(pairs)
        try:
            if require_auth and params.get("api_key") not in self._tokens():
                raise V1Error(401, "unauthorized", "Invalid or missing api_key")
            if not limiter.take():
                raise V1Error(429, "too_many_requests", "Rate limit exceeded, slow down")
            segments = [s for s in path[len(V1_PREFIX) :].split("/") if s]
            with self.ctx.transaction():
                status, document = self._route(method, segments, params, body)
        except V1Error as exc:
            return Answer(exc.status, exc.document, JSON)
        except FakeError as exc:
            error = _from_v4(exc)
            return Answer(error.status, error.document, JSON)
        return Answer(status, document, JSON)

    def _route(
        self, method: str, segments: list[str], params: Mapping[str, str], body: bytes | None
    ) -> tuple[int, Any]:
        if not segments:
            raise _not_found()
        head, rest = segments[0], segments[1:]
        handler = {
            "customers": self._customers,
            "product_groups": self._product_groups,
            "products": self._products,
            "orders": self._orders,
            "tags": self._tags,
        }.get(head)
        if handler is None:
            raise _not_found()
        return handler(method, rest, params, _body(body))

    # -- helpers ------------------------------------------------------------------------

    def _find(self, type_name: str, key: str, *, by_number: bool = False) -> Record:
        found = self.ctx.store.get(type_name, key)
        if found is not None:
            return found[1]
        if by_number and key.isdigit():
            for record in self.ctx.store.find_by(type_name, "number", int(key)):
                return record
        raise _not_found()

    def _v4(
        self, method: str, path: str, attributes: Mapping[str, Any], record_id: str | None = None
    ) -> Any:
        data: dict[str, Any] = {"type": path.split("/")[0], "attributes": dict(attributes)}
        if record_id is not None:
            data["id"] = record_id
        answer = self.api.handle(method, f"/api/4/{path}", {}, msgspec.json.encode({"data": data}))
        return answer.document

    def _created_id(self, document: Any) -> str:
        return str(document["data"]["id"])

    def _listing(
        self,
        key: str,
        records: list[Record],
        params: Mapping[str, str],
        shown: Callable[[Record], dict[str, Any]],
        meta: dict[str, Any],
    ) -> tuple[int, Any]:
        page = _int_param(params, "page", 1)
        per = _int_param(params, "per", DEFAULT_PER)
        chunk = records[(page - 1) * per : page * per]
        return 200, {key: [shown(r) for r in chunk], "meta": {"total_count": len(records), **meta}}

    @staticmethod
    def _wrapped(body: Any, key: str) -> dict[str, Any]:
        value = body.get(key) if isinstance(body, dict) else None
        if not isinstance(value, dict):
            raise _bad(f"the body must be {{{key!r}: {{...}}}}")
        return value

    # -- customers ----------------------------------------------------------------------

    def _customers(
        self, method: str, rest: list[str], params: Mapping[str, str], body: Any
    ) -> tuple[int, Any]:
        ctx = self.ctx
        if not rest and method == "GET":
            records = [r for _, r in ctx.store.iter("customers") if not r.get("archived")]
            q = params.get("q")
            if q:
                records = [r for r in records if render.matches(r, q, ("name", "email", "number"))]
            facets = {
                "tag_list": render.facet([r.get("tag_list") for r in records], total=len(records))
            }
            return self._listing(
                "customers", records, params, lambda r: render.customer(ctx, r), {"facets": facets}
            )
        if not rest and method == "POST":
            fields = self._wrapped(body, "customer")
            if not fields.get("name"):
                raise V1Error(422, "invalid", "Name can't be blank")
            document = self._v4("POST", "customers", _customer_values(fields))
            record = self._find("customers", self._created_id(document))
            return 201, {"customer": render.customer(ctx, record, full=True)}
        if not rest:
            raise _not_found()
        record = self._find("customers", rest[0], by_number=True)
        action = rest[1] if len(rest) > 1 else None
        if action is None and method == "GET":
            return 200, {"customer": render.customer(ctx, record, full=True)}
        if action is None and method in ("PUT", "PATCH"):
            fields = self._wrapped(body, "customer")
            self._v4("PUT", f"customers/{record['id']}", _customer_values(fields), record["id"])
            if method == "PATCH":
                return 204, None
            return 200, {"customer": render.customer(ctx, record, full=True)}
        if action == "archive" and method == "DELETE":
            self.api.handle("DELETE", f"/api/4/customers/{record['id']}", {}, None)
            return 200, {"customer": render.customer(ctx, record, full=True)}
        if action == "restore" and method == "POST":
            ctx.update(
                "customers",
                record,
                {"archived": False, "archived_at": None, "updated_at": ctx.now()},
            )
            return 200, {"customer": render.customer(ctx, record, full=True)}
        raise _not_found()

    # -- product groups -----------------------------------------------------------------

    def _product_groups(
        self, method: str, rest: list[str], params: Mapping[str, str], body: Any
    ) -> tuple[int, Any]:
        ctx = self.ctx
        if not rest and method == "GET":
            records = [r for _, r in ctx.store.iter("product_groups") if not r.get("archived")]
            tag = params.get("tag")
            if tag:
                records = [r for r in records if tag in (r.get("tag_list") or [])]
            facets = {
                "tag_list": render.facet([r.get("tag_list") for r in records], total=len(records)),
                "status": render.facet(
                    [["active", r.get("tracking_type") or "bulk"] for r in records],
                    total=len(records),
                ),
            }
            return self._listing(
                "product_groups",
                records,
                params,
                lambda r: render.product_group(ctx, r),
                {"facets": facets},
            )
        if not rest and method == "POST":
            fields = self._wrapped(body, "product_group")
            values = _group_values(fields, create=True)
            price = values.pop("base_price_in_cents", None)
            document = self._v4("POST", "product_groups", values)
            record = self._find("product_groups", self._created_id(document))
            self._set_base_price(record, price)
            return 201, {"product_group": render.product_group(ctx, record, full=True)}
        if not rest:
            raise _not_found()
        record = self._find("product_groups", rest[0])
        action = rest[1] if len(rest) > 1 else None
        if action is None and method == "GET":
            return 200, {"product_group": render.product_group(ctx, record, full=True)}
        if action is None and method in ("PUT", "PATCH"):
            fields = self._wrapped(body, "product_group")
            values = _group_values(fields, create=False)
            price = values.pop("base_price_in_cents", None)
            if values:
                self._v4("PUT", f"product_groups/{record['id']}", values, record["id"])
            self._set_base_price(record, price)
            if method == "PATCH":
                return 204, None
            return 200, {"product_group": render.product_group(ctx, record, full=True)}
        if action == "archive" and method == "DELETE":
            self.api.handle("DELETE", f"/api/4/product_groups/{record['id']}", {}, None)
            return 200, {"product_group": render.product_group(ctx, record, full=True)}
        if action == "restore" and method == "POST":
            changes = {"archived": False, "archived_at": None, "updated_at": ctx.now()}
            ctx.update("product_groups", record, changes)
            return 200, {"product_group": render.product_group(ctx, record, full=True)}
        raise _not_found()

    def _set_base_price(self, group: Record, price: Any) -> None:
        # v1 writes base_price_in_cents; v4 derives it (read-only), so it is stored here,
        # on the group and the products that inherit it.
        if price is None:
            return
        try:
            cents = int(price)
        except (TypeError, ValueError):
            raise V1Error(422, "invalid", "base_price_in_cents must be an integer") from None
        changes = {"base_price_in_cents": cents, "updated_at": self.ctx.now()}
        self.ctx.update("product_groups", group, changes)
        for product in self.ctx.store.find_by("products", "product_group_id", group["id"]):
            self.ctx.update("products", product, changes)

    # -- products -----------------------------------------------------------------------

    def _products(
        self, method: str, rest: list[str], params: Mapping[str, str], body: Any
    ) -> tuple[int, Any]:
        if len(rest) != 2 or method != "GET":
            raise _not_found()
        product = self._find("products", rest[0])
        if rest[1] == "availability":
            return 200, self._availability(product, params)
        if rest[1] == "prices":
            return 200, {"price_structures": [self._prices(product)]}
        raise _not_found()

    def _availability(self, product: Record, params: Mapping[str, str]) -> dict[str, Any]:
        try:
            start = parse_datetime(params["from"])
            end = parse_datetime(params["till"])
        except (KeyError, ValueError):
            raise _bad("from and till are required timestamps") from None
        interval = params.get("interval") or "day"
        step = _INTERVALS.get(interval)
        if step is None:
            raise _bad(f"interval must be one of {', '.join(_INTERVALS)}")
        if end <= start or (end - start) / step > _MAX_POINTS:
            raise _bad(f"till must be after from, with at most {_MAX_POINTS} intervals")
        total = stock_count(self.ctx, product["id"])
        plannings = [
            p
            for p in self.ctx.store.find_by("plannings", "item_id", product["id"])
            if not p.get("archived")
        ]
        points: dict[str, Any] = {}
        moment = start
        while moment < end:
            upto = moment + step
            reserved = concept = 0
            for planning in plannings:
                if not _overlaps(planning, moment, upto):
                    continue
                quantity = int(planning.get("quantity") or 0) - int(planning.get("stopped") or 0)
                if planning.get("reserved"):
                    reserved += quantity
                else:
                    concept += quantity
            points[format_datetime(moment)] = {
                "reserved": reserved,
                "concept": concept,
                "available": max(total - reserved, 0),
                "total": total,
                "date": moment.date().isoformat(),
                "interval": interval,
            }
            moment = upto
        return points

    def _prices(self, product: Record) -> dict[str, Any]:
        base = int(product.get("base_price_in_cents") or 0)
        structure_id = product.get("price_structure_id")
        tiles = (
            [
                t
                for _, t in self.ctx.store.iter("price_tiles")
                if t.get("price_structure_id") == structure_id
            ]
            if structure_id
            else []
        )
        if not tiles:
            period = str(product.get("price_period") or "day")
            seconds = {"hour": 3600, "day": 86400, "week": 604800, "month": 2592000}.get(
                period, 86400
            )
            tiles = [
                {
                    "id": None,
                    "name": None,
                    "length": seconds,
                    "multiplier": 1.0,
                    "quantity": 1,
                    "period": period,
                }
            ]
        return {
            "id": structure_id,
            "created_at": None,
            "updated_at": None,
            "tiles": [
                {
                    "id": t.get("id"),
                    "name": t.get("name"),
                    "length": t.get("length"),
                    "multiplier": f"{float(t.get('multiplier') or 1):.1f}",
                    "quantity": f"{float(t.get('quantity') or 1):.1f}",
                    "period": t.get("period"),
                    "price_in_cents": round(base * float(t.get("multiplier") or 1)),
                    "price_id": structure_id,
                }
                for t in tiles
            ],
        }

    # -- orders -------------------------------------------------------------------------

    def _orders(
        self, method: str, rest: list[str], params: Mapping[str, str], body: Any
    ) -> tuple[int, Any]:
        ctx = self.ctx
        if not rest and method == "GET":
            records = [r for _, r in ctx.store.newest_first("orders")]
            q = params.get("q")
            if q:
                records = [r for r in records if self._order_matches(r, q)]
            meta = {
                "total_item_count": float(sum(int(r.get("item_count") or 0) for r in records)),
                "facets": {
                    "tag_list": render.facet(
                        [r.get("tag_list") for r in records], total=len(records)
                    ),
                    "status": render.facet(
                        [
                            render.V1_STATUS.get(str(r.get("status")), r.get("status"))
                            for r in records
                        ],
                        total=len(records),
                    ),
                },
            }
            return self._listing(
                "orders", records, params, lambda r: render.order(ctx, r, with_customer=True), meta
            )
        if not rest and method == "POST":
            fields = self._wrapped(body, "order")
            document = self._v4("POST", "orders", _order_values(fields))
            record = self._find("orders", self._created_id(document))
            return 201, {"order": render.order(ctx, record, full=True)}
        if not rest:
            raise _not_found()
        record = self._find("orders", rest[0], by_number=True)
        tail = rest[1:]
        if not tail:
            if method == "GET":
                return 200, {"order": render.order(ctx, record, full=True)}
            if method in ("PUT", "PATCH"):
                fields = self._wrapped(body, "order")
                self._v4("PUT", f"orders/{record['id']}", _order_values(fields), record["id"])
                if method == "PATCH":
                    return 204, None
                return 200, {"order": render.order(ctx, record, full=True)}
            raise _not_found()
        if tail[0] == "lines":
            return self._lines(method, record, tail[1:], body)
        if tail[0] == "plannings" and len(tail) == 2 and method == "DELETE":
            return self._delete_planning(record, tail[1])
        if len(tail) == 1 and tail[0] == "available" and method == "GET":
            return 200, self._available(record)
        if len(tail) == 1 and method == "POST":
            return self._order_action(record, tail[0], params, body)
        raise _not_found()

    def _order_matches(self, record: Record, term: str) -> bool:
        if render.matches(record, term, ("number", "status")):
            return True
        found = self.ctx.store.get("customers", str(record.get("customer_id")))
        return found is not None and render.matches(found[1], term, ("name", "email"))

    def _transition(self, record: Record, target: str, *, revert: bool = False) -> None:
        self._v4(
            "POST",
            "order_status_transitions",
            # No transition_from: v1 moves the order from whatever status it is in.
            {"order_id": record["id"], "transition_to": target, "revert": revert},
        )

    def _order_action(
        self, record: Record, action: str, params: Mapping[str, str], body: Any
    ) -> tuple[int, Any]:
        ctx = self.ctx
        order_id = record["id"]
        if action in ("book", "start", "stop"):
            ids = body.get("ids") if isinstance(body, dict) else None
            if not isinstance(ids, dict) or not ids:
                raise _bad("ids must map product ids to quantities or stock item ids")
            actions = [self._fulfillment(record, action, pid, value) for pid, value in ids.items()]
            self._v4("POST", "order_fulfillments", {"order_id": order_id, "actions": actions})
        elif action in ("concept", "reserve", "cancel", "archive"):
            targets = {
                "concept": "draft",
                "reserve": "reserved",
                "cancel": "canceled",
                "archive": "archived",
            }
            self._transition(record, targets[action])
        elif action == "revert":
            wanted = render.V4_STATUS.get(params.get("status", ""), params.get("status", ""))
            steps = {"stopped": "started", "started": "reserved", "reserved": "draft"}
            if wanted not in ("draft", "reserved", "started"):
                raise _bad("status must be concept, reserved or started")
            while record.get("status") != wanted:
                current = str(record.get("status"))
                if current not in steps:
                    raise V1Error(422, "wrong_status", f"Can't revert an order from '{current}'")
                self._transition(record, steps[current], revert=True)
        elif action == "duplicate":
            document = self._v4("POST", "order_duplications", {"original_order_id": order_id})
            new_id = document["data"]["attributes"]["new_order_id"]
            return 200, {"order": render.order(ctx, self._find("orders", str(new_id)), full=True)}
        elif action == "recalculate_prices":
            self._v4("POST", "order_price_recalculations", {"order_id": order_id})
        else:
            raise _not_found()
        return 200, {"order": render.order(ctx, record, full=True)}

    def _planning_of(self, order: Record, product_id: str) -> Record:
        for planning in self.ctx.store.find_by("plannings", "order_id", order["id"]):
            if planning.get("item_id") == product_id and not planning.get("archived"):
                return planning
        raise V1Error(422, "not_booked", f"Product {product_id} is not booked on this order")

    def _fulfillment(
        self, order: Record, action: str, product_id: str, value: Any
    ) -> dict[str, Any]:
        items = isinstance(value, list)
        if action == "book":
            if items:
                return {
                    "action": "book_stock_items",
                    "mode": "infer_planning",
                    "product_id": product_id,
                    "stock_item_ids": value,
                }
            return {
                "action": "book_product",
                "mode": "infer_planning",
                "product_id": product_id,
                "quantity": value,
            }
        planning = self._planning_of(order, product_id)
        kind = f"{action}_stock_items" if items else f"{action}_product"
        detail = {"stock_item_ids": value} if items else {"quantity": value}
        return {"action": kind, "product_id": product_id, "planning_id": planning["id"], **detail}

    def _available(self, order: Record) -> dict[str, Any]:
        window = (order.get("starts_at"), order.get("stops_at"))
        out: dict[str, Any] = {}
        for _, group in self.ctx.store.iter("product_groups"):
            if group.get("archived"):
                continue
            available = 0
            free_items: list[str] = []
            for product in self.ctx.store.find_by("products", "product_group_id", group["id"]):
                busy = 0
                taken: set[str] = set()
                for planning in self.ctx.store.find_by("plannings", "item_id", product["id"]):
                    if planning.get("order_id") == order["id"] or not planning.get("reserved"):
                        continue
                    if planning.get("archived") or not _window_overlaps(planning, window):
                        continue
                    busy += int(planning.get("quantity") or 0) - int(planning.get("stopped") or 0)
                    taken.update(
                        str(s.get("stock_item_id"))
                        for s in self.ctx.store.find_by(
                            "stock_item_plannings", "planning_id", planning["id"]
                        )
                    )
                available += max(stock_count(self.ctx, product["id"]) - busy, 0)
                if group.get("tracking_type") == "trackable":
                    free_items.extend(
                        s["id"]
                        for s in self.ctx.store.find_by("stock_items", "product_id", product["id"])
                        if not s.get("archived") and s["id"] not in taken
                    )
            entry: dict[str, Any] = {"available": available}
            if group.get("tracking_type") == "trackable":
                entry["available_stock_ids"] = free_items
            out[group["id"]] = entry
        return out

    # -- lines and plannings ------------------------------------------------------------

    def _lines(self, method: str, order: Record, rest: list[str], body: Any) -> tuple[int, Any]:
        ctx = self.ctx
        if not rest and method == "POST":
            fields = self._wrapped(body, "line")
            values = {**_line_values(fields), "owner_id": order["id"], "owner_type": "orders"}
            document = self._v4("POST", "lines", values)
            line = self._find("lines", self._created_id(document))
            return 201, {"line": render.line(ctx, line, with_order=True)}
        if len(rest) != 1:
            raise _not_found()
        line = self._find("lines", rest[0])
        if line.get("order_id") != order["id"]:
            raise _not_found()
        if method in ("PUT", "PATCH"):
            fields = self._wrapped(body, "line")
            self._v4("PUT", f"lines/{line['id']}", _line_values(fields), line["id"])
            if method == "PATCH":
                return 204, None
            return 200, {"line": render.line(ctx, line, with_order=True)}
        if method == "DELETE":
            shown = render.line(ctx, line)
            self.api.handle("DELETE", f"/api/4/lines/{line['id']}", {}, None)
            return 200, {"line": shown}
        raise _not_found()

    def _delete_planning(self, order: Record, planning_id: str) -> tuple[int, Any]:
        planning = self._find("plannings", planning_id)
        if planning.get("order_id") != order["id"]:
            raise _not_found()
        # v4 changes bookings through order_fulfillments; removing everything a
        # planning booked is booking its quantity away.
        quantity = int(planning.get("quantity") or 0)
        if quantity > 0 and not planning.get("archived"):
            action = {
                "action": "book_product",
                "mode": "update_existing",
                "product_id": planning.get("item_id"),
                "planning_id": planning["id"],
                "quantity": -quantity,
            }
            self._v4("POST", "order_fulfillments", {"order_id": order["id"], "actions": [action]})
        return 200, {"planning": render.planning(planning)}

    # -- tags ---------------------------------------------------------------------------

    def _tags(
        self, method: str, rest: list[str], params: Mapping[str, str], body: Any
    ) -> tuple[int, Any]:
        if method != "POST" or len(rest) != 1 or rest[0] not in ("add", "remove"):
            raise _not_found()
        name = params.get("name")
        targets = [(k, params[k]) for k in _TAG_TARGETS if params.get(k)]
        if not name or len(targets) != 1:
            raise _bad("tags need a name and exactly one of " + ", ".join(_TAG_TARGETS))
        key, record_id = targets[0]
        type_name = _TAG_TARGETS[key]
        record = self._find(type_name, record_id)
        tags = list(record.get("tag_list") or [])
        if rest[0] == "add" and name not in tags:
            tags.append(name)
        elif rest[0] == "remove" and name in tags:
            tags.remove(name)
        self._v4("PUT", f"{type_name}/{record['id']}", {"tag_list": tags}, record["id"])
        return 200, {}


def _body(body: bytes | None) -> Any:
    if not body:
        return None
    try:
        return msgspec.json.decode(body)
    except msgspec.DecodeError:
        raise _bad("the body is not valid JSON") from None


def _pick(fields: Mapping[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    unknown = sorted(set(fields) - set(names))
    if unknown:
        raise V1Error(422, "unknown_attribute", f"unknown attribute(s): {', '.join(unknown)}")
    return dict(fields)


def _customer_values(fields: Mapping[str, Any]) -> dict[str, Any]:
    names = (
        "name",
        "email",
        "tax_region_id",
        "discount_percentage",
        "deposit_type",
        "deposit_value",
        "properties_attributes",
    )
    values = _pick(fields, names)
    props = values.get("properties_attributes")
    if isinstance(props, list):
        values["properties_attributes"] = [_property(p) for p in props]
    return values


def _property(value: Any) -> Any:
    # v1 names property classes ("Property::Address"); v4 has property_type.
    if not isinstance(value, dict):
        return value
    out = {k: v for k, v in value.items() if k != "type"}
    kind = value.get("type")
    if isinstance(kind, str) and kind.startswith("Property::"):
        words = kind[len("Property::") :]  # "TextField" -> "text_field"
        out["property_type"] = "".join(f"_{c.lower()}" if c.isupper() else c for c in words)[1:]
    return out


def _group_values(fields: Mapping[str, Any], *, create: bool) -> dict[str, Any]:
    names = (
        "name",
        "sku",
        "description",
        "trackable",
        "lag_time",
        "lead_time",
        "base_price_in_cents",
        "flat_fee_price_in_cents",
        "deposit_in_cents",
        "price_type",
        "price_period",
        "tax_category_id",
        "show_in_store",
    )
    values = _pick(fields, names)
    renamed = {"lag_time": "buffer_time_after", "lead_time": "buffer_time_before"}
    out = {renamed.get(k, k): v for k, v in values.items()}
    trackable = out.pop("trackable", None)
    if create:
        out["tracking_type"] = "trackable" if trackable else "bulk"
    return out


def _order_values(fields: Mapping[str, Any]) -> dict[str, Any]:
    names = (
        "customer_id",
        "starts_at",
        "stops_at",
        "discount_percentage",
        "deposit_type",
        "deposit_value",
        "tax_region_id",
    )
    values = _pick(fields, names)
    if "discount_percentage" in values:
        values["discount_type"] = "percentage"
        values["discount_value"] = values.pop("discount_percentage")
    return values


def _line_values(fields: Mapping[str, Any]) -> dict[str, Any]:
    return _pick(
        fields, ("title", "quantity", "price_each_in_cents", "tax_category_id", "position")
    )


def _overlaps(planning: Record, start: datetime, end: datetime) -> bool:
    starts, stops = planning.get("starts_at"), planning.get("stops_at")
    if not starts or not stops:
        return False
    return parse_datetime(str(starts)) < end and parse_datetime(str(stops)) > start


def _window_overlaps(planning: Record, window: tuple[Any, Any]) -> bool:
    if not window[0] or not window[1]:
        return False
    return _overlaps(planning, parse_datetime(str(window[0])), parse_datetime(str(window[1])))
