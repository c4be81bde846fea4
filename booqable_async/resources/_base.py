"""The facade base class: what every generated ``client.<type>`` facade does.

A generated facade (``resources/_generated/orders.py``...) declares exactly the operations the
catalog lists for its resource, each a typed one-line wrapper around a method here. This
module does the work: validate before any I/O (ids, queries against the resource's
schema, write options), send through the session and decode the answer with the default
registry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Literal, TypedDict, TypeVar, cast

from booqable_async._validation import check_record_id
from booqable_async.errors import DecodeError, UsageError
from booqable_async.jsonapi import Document, Registry, Resource, changes
from booqable_async.models import (
    create_document,
    decode,
    decode_nested,
    is_nested_document,
    update_document,
)
from booqable_async.pagination import (
    ChangeFeed,
    DeferredPage,
    Page,
    Paginator,
    ResumePoint,
    changes_since,
)
from booqable_async.protocol import NOTHING
from booqable_async.query import Query
from booqable_async.schema import ResourceSchema, get_schema
from booqable_async.schema._choices import allowed_list, did_you_mean

if TYPE_CHECKING:
    from booqable_async.session import ApiResponse, Session

__all__ = [
    "ChangeOptions",
    "Facade",
    "Fields",
    "Include",
    "ListOptions",
    "Nested",
    "Related",
    "decode_response",
]

M = TypeVar("M", bound=Resource)

#: Include paths: one ``"customer"`` or several ``["customer", "lines.item"]``.
Include = str | Sequence[str] | None
#: Sparse fieldsets: ``{"orders": ["number", "starts_at"]}`` (a string for one name).
Fields = Mapping[str, str | Sequence[str]] | None
#: ``{relationship: resource or id}`` (to-one) or ``{relationship: [resources or ids]}``.
Related = Mapping[str, Any] | None
#: Booqable nested writes: ``{relationship: [dict or resource, destroy(id), ...]}``.
Nested = Mapping[str, Iterable[Any]] | None


class ListOptions(TypedDict, total=False):
    """Paginator settings ``list()`` and ``search()`` accept (see ``Paginator``)."""

    concurrency: int
    prefetch: int
    dedupe: bool
    on_total_mismatch: Literal["warn", "raise", "ignore"]
    resume_from: ResumePoint
    on_page: Callable[[int, int, int | None], object]


_LIST_OPTIONS = frozenset(ListOptions.__optional_keys__)


class ChangeOptions(TypedDict, total=False):
    """Settings ``changes_since()`` accepts (see ``booqable_async.pagination.changes_since``).

    Attributes:
        overlap: Look-back under ``since`` for clock skew and late commits (default 5 min).
        resume_from: Continue a feed that failed (``PaginationError.resume_point``).
        on_page: ``on_page(page_number, records_so_far, None)`` as each page arrives.
    """

    overlap: dt.timedelta
    resume_from: ResumePoint
    on_page: Callable[[int, int, int | None], object]


_CHANGE_OPTIONS = frozenset(ChangeOptions.__optional_keys__)
#: The change timestamp ``changes_since`` pages on (Booqable's ``updated_at`` filter).
_CHANGED_AT = "updated_at"
#: Distinct read options remembered per facade (cleared when full).
_PARAMS_CACHE_SIZE = 64


def decode_response(
    response: ApiResponse, registry: Registry | None = None, nested_type: str | None = None
) -> Document:
    """Decode a session answer into a :class:`~booqable_async.jsonapi.Document`.

    An answer still undecoded (``parse=False``) is decoded straight from its bytes, with
    no parsed tree in between.

    Args:
        response: The answer; an empty body gives a document whose ``data`` is ``None``.
        registry: Models to decode into (``None``: every Booqable model).
        nested_type: Type of the primary records when the body may use Booqable's nested
            format (records without ``type``, as ``POST /{type}/search`` answers).

    Raises:
        DecodeError: The body is not a JSON:API document.
    """
    if not response.parsed and response.body.strip():
        try:
            return decode(response.body, registry, nested_type=nested_type)
        except DecodeError as exc:
            if exc.pointer:
                raise
            # Not JSON as it stands: the response's own parser copes with a BOM or
            # another charset, and otherwise says what arrived.
    payload = response.json()
    if payload is None:
        return Document(data=None)
    return decode(payload, registry, nested_type=nested_type)


def _name_tuple(value: str | Sequence[str] | None, what: str) -> tuple[str, ...]:
    # One name, several, or none (None): as a tuple, each checked to be a str only (the
    # query validation checks them against the schema).
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, Iterable) or not all(isinstance(v, str) for v in value):
        raise UsageError(f"{what} must be a string or a list of strings, got {value!r}")
    return tuple(value)


class Facade(Generic[M]):
    """Base of the generated facades; one instance per client and resource type.

    Subclasses set :attr:`jsonapi_type` (and :attr:`model` for resources with one model)
    and expose the operations the catalog lists as public methods calling the protected
    ones here.

    Args:
        session: The client's session (shared by every facade of the client).
        registry: Models to decode into; ``None`` uses every Booqable model.

    Attributes:
        jsonapi_type: The resource type (``orders``), also the URL segment.
        model: The model class of the resource's records (``None`` for unions).
    """

    jsonapi_type: ClassVar[str] = ""
    model: ClassVar[type[Resource] | None] = None

    __slots__ = ("_params", "_registry", "_session")

    def __init__(self, session: Session, *, registry: Registry | None = None) -> None:
        self._session = session
        self._registry = registry
        # What was validated already: rendered query strings of reads (get/new/current)
        # by their options, and list/search queries. The same options repeat call after
        # call, and validating them again would cost more than decoding a small answer.
        self._params: dict[Hashable, tuple[tuple[str, str], ...]] = {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(type={self.jsonapi_type!r})"

    @property
    def schema(self) -> ResourceSchema:
        """The catalog facts of this resource (filters, includes, operations...)."""
        return get_schema(self.jsonapi_type)

    @property
    def session(self) -> Session:
        """The session requests go through."""
        return self._session

    # -- plumbing -----------------------------------------------------------------------

    async def _request(
        self, method: str, path: Sequence[str], *, params: Any = None, json: Any = NOTHING
    ) -> Document:
        # The 2xx body stays bytes until decoded: msgspec reads it straight into the
        # models (parsing it first would cost a second parse).
        response = await self._session.request(method, path, params=params, json=json, parse=False)
        return decode_response(response, self._registry, self.jsonapi_type)

    def _one(self, doc: Document) -> M:
        data = doc.data
        if isinstance(data, Resource):
            return cast(M, data)
        raise DecodeError(
            f"expected one {self.jsonapi_type} record in data, got "
            f"{'null' if data is None else 'a list'}",
            "/data",
        )

    def _query(self, query: Query | None, operation: str) -> Query:
        if query is None:
            query = Query()
        elif not isinstance(query, Query):
            raise UsageError(f"query must be a Query, got {type(query).__name__}")
        key = (operation, query)  # queries are immutable and hash by value
        if key not in self._params:
            query.validate(self.schema, operation)
            self._remember(key, ())
        return query

    def _remember(self, key: Hashable, params: tuple[tuple[str, str], ...]) -> None:
        if len(self._params) >= _PARAMS_CACHE_SIZE:
            self._params.clear()  # bounded: a program with endless variants stays small
        self._params[key] = params

    def _read_params(
        self, operation: str, include: Include, fields: Fields, extra_fields: Fields
    ) -> tuple[tuple[str, str], ...]:
        key = (
            operation,
            _name_tuple(include, "include"),
            _fieldsets_key(fields, "fields"),
            _fieldsets_key(extra_fields, "extra_fields"),
        )
        params = self._params.get(key)
        if params is None:
            query = self._options_query(operation, include, fields)
            if extra_fields:
                query = query.extra_fields(**_fieldsets(extra_fields, "extra_fields"))
            query.validate(self.schema, operation)
            params = tuple(query.to_params())
            self._remember(key, params)
        return params

    def _options_query(self, operation: str, include: Include, fields: Fields) -> Query:
        query = Query()
        paths = _name_tuple(include, "include")
        if paths:
            query = query.include(*paths)
        if fields:
            query = query.fields(**_fieldsets(fields, "fields"))
        return query

    def _paginator(
        self,
        query: Query,
        options: Mapping[str, Any],
        fetch: Callable[[Query], Any],
    ) -> Paginator[M]:
        _check_options(options, _LIST_OPTIONS, "paginator")
        return Paginator(fetch, query, **options)

    def _page(self, doc: Document) -> Page[M]:
        return Page(cast("list[M]", doc.primary), meta=doc.meta, links=doc.links, raw=doc)

    # -- operations ---------------------------------------------------------------------

    def _list_fetch(self) -> Callable[[Query], Any]:
        path = (self.jsonapi_type,)

        async def fetch(page_query: Query) -> DeferredPage[M]:
            # Decoded when the consumer reaches the page: pages fetched ahead wait as
            # bytes, not as object graphs the garbage collector must keep walking.
            response = await self._session.request(
                "GET", path, params=page_query.to_params(), parse=False
            )
            return DeferredPage(
                lambda: self._page(decode_response(response, self._registry, self.jsonapi_type))
            )

        return fetch

    def _list(self, query: Query | None, options: Mapping[str, Any]) -> Paginator[M]:
        query = self._query(query, "list")
        return self._paginator(query, options, self._list_fetch())

    def _changes_since(
        self, since: dt.datetime, query: Query | None, options: Mapping[str, Any]
    ) -> ChangeFeed[M]:
        _check_options(options, _CHANGE_OPTIONS, "changes_since")
        if query is not None and not isinstance(query, Query):
            raise UsageError(f"query must be a Query, got {type(query).__name__}")
        # The feed checks its own arguments first (an aware since, no sort of the caller's).
        feed: ChangeFeed[M] = changes_since(self._list_fetch(), query, since, **options)
        query = query or Query()
        # Then everything it will send, as one list query: the caller's filters, includes
        # and fields with the feed's filter, sort and page size.
        self._query(query.filter(_CHANGED_AT, "gte", since).sort(_CHANGED_AT, "id"), "list")
        fieldsets = dict(query.fieldsets)
        for type_name in (self.jsonapi_type, *self.schema.concrete_types()):
            names = fieldsets.get(type_name)
            if names is not None and _CHANGED_AT not in names:
                raise UsageError(
                    f"changes_since reads {_CHANGED_AT} from every record: add it to "
                    f"fields({type_name}=[...])"
                )
        return feed

    def _search(self, query: Query | None, options: Mapping[str, Any]) -> Paginator[M]:
        query = self._query(query, "search")
        path = (self.jsonapi_type, "search")

        async def fetch(page_query: Query) -> DeferredPage[M]:
            body = page_query.to_search_body()
            response = await self._session.request("POST", path, json=body, parse=False)
            return DeferredPage(lambda: self._search_page(response.json()))

        return self._paginator(query, options, fetch)

    def _search_page(self, payload: Any) -> Page[M]:
        """Decode a search answer: JSON:API, or the nested format the docs show.

        Every documented ``POST /{type}/search`` answer is nested (``{"data": [{"id":
        ...}]}``). Records of products, bundles and product groups carry a ``type``
        *attribute* there, so the presence of ``type`` does not tell the formats apart;
        the absence of ``attributes``/``relationships`` with other members present does.
        """
        if payload is None:
            return self._page(Document(data=None))
        if not is_nested_document(payload):
            return self._page(decode(payload, self._registry))
        union = self.schema.polymorphic_types
        if not union:
            return self._page(decode_nested(payload, self.jsonapi_type, self._registry))
        # A union (items): each record names its concrete type in its ``type`` attribute;
        # decode each type's records on their own and keep the server's order.
        records = payload.get("data") or []
        groups: dict[str, list[Any]] = {}
        for record in records:
            kind = record.get("type") if isinstance(record, Mapping) else None
            groups.setdefault(kind if kind in union else self.jsonapi_type, []).append(record)
        decoded: dict[int, Resource] = {}
        for kind, members in groups.items():
            doc = decode_nested({"data": members}, kind, self._registry)
            for record, resource in zip(members, doc.primary, strict=True):
                decoded[id(record)] = resource
        data = cast("list[M]", [decoded[id(record)] for record in records])
        meta = payload.get("meta") if isinstance(payload.get("meta"), Mapping) else {}
        links = payload.get("links") if isinstance(payload.get("links"), Mapping) else {}
        return Page(data, meta=meta, links=links, raw=payload)

    async def _get(self, id: str, include: Include, fields: Fields, extra_fields: Fields) -> M:
        params = self._read_params("get", include, fields, extra_fields)
        doc = await self._request("GET", (self.jsonapi_type, check_record_id(id)), params=params)
        return self._one(doc)

    async def _new(self, include: Include, fields: Fields, extra_fields: Fields) -> M:
        params = self._read_params("new", include, fields, extra_fields)
        return self._one(await self._request("GET", (self.jsonapi_type, "new"), params=params))

    async def _current(self, include: Include, fields: Fields, extra_fields: Fields) -> M:
        params = self._read_params("current", include, fields, extra_fields)
        path = (self.jsonapi_type, "current")
        return self._one(await self._request("GET", path, params=params))

    def _write_model(self) -> type[Resource]:
        if self.model is None:  # pragma: no cover - union resources have no writes
            raise UsageError(f"{self.jsonapi_type} has no model to write")
        return self.model

    async def _create(
        self,
        attributes: Mapping[str, Any],
        include: Include,
        fields: Fields,
        relationships: Related = None,
        nested: Nested = None,
    ) -> M:
        self._options_query("create", include, fields).validate(self.schema, "create")
        body = create_document(
            self._write_model(),
            attributes,
            relationships=relationships,
            nested=nested,
            include=_name_tuple(include, "include") or None,
            fields=_fieldsets(fields, "fields") if fields else None,
            registry=self._registry,
        )
        return self._one(await self._request("POST", (self.jsonapi_type,), json=body))

    async def _update(
        self,
        target: str | M,
        changed: Mapping[str, Any],
        include: Include,
        fields: Fields,
        relationships: Related = None,
        nested: Nested = None,
    ) -> M:
        return await self._put(
            "update", target, changed, include, fields, relationships, nested, current=False
        )

    async def _update_current(
        self,
        target: str | M | None,
        changed: Mapping[str, Any],
        include: Include,
        fields: Fields,
        relationships: Related = None,
        nested: Nested = None,
    ) -> M:
        if target is None:
            # PUT /{type}/current still carries the record id in data (companies docs).
            target = await self._current(None, None, None)
        return await self._put(
            "update_current", target, changed, include, fields, relationships, nested, current=True
        )

    async def _put(
        self,
        operation: str,
        target: str | M,
        changed: Mapping[str, Any],
        include: Include,
        fields: Fields,
        relationships: Related,
        nested: Nested,
        *,
        current: bool,
    ) -> M:
        self._options_query(operation, include, fields).validate(self.schema, operation)
        model = self._write_model()
        if isinstance(target, Resource):
            if not isinstance(target, model):
                raise UsageError(
                    f"{type(self).__name__} updates {model.__name__} records, got "
                    f"{type(target).__name__}"
                )
            if not changed and not relationships and not nested and not changes(target):
                return target  # nothing changed: no request
            source: Resource | type[Resource] = target
            # A record built locally has no id (reading it raises): a UsageError here.
            record_id = check_record_id(getattr(target, "id", None), "the record's id")
        else:
            source = model
            record_id = check_record_id(target)
            if not changed and not relationships and not nested:
                raise UsageError(
                    f"nothing to update on {self.jsonapi_type} {record_id}: pass the changed "
                    "attributes as keyword arguments"
                )
        body = update_document(
            source,
            record_id,
            changed,
            relationships=relationships,
            nested=nested,
            include=_name_tuple(include, "include") or None,
            fields=_fieldsets(fields, "fields") if fields else None,
            registry=self._registry,
        )
        path = (self.jsonapi_type, "current") if current else (self.jsonapi_type, record_id)
        return self._one(await self._request("PUT", path, json=body))

    async def _delete(self, id: str) -> M | None:
        doc = await self._request("DELETE", (self.jsonapi_type, check_record_id(id)))
        # Booqable answers 200 with the (archived) record; tolerate an empty answer.
        return None if doc.data is None else self._one(doc)


def _check_options(options: Mapping[str, Any], allowed: frozenset[str], what: str) -> None:
    unknown = sorted(set(options) - allowed)
    if unknown:
        raise UsageError(
            f"unknown {what} option(s) {', '.join(map(repr, unknown))}; "
            f"{did_you_mean(unknown[0], allowed)}({allowed_list(allowed)})"
        )


def _fieldsets_key(value: Fields, what: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not value:
        return ()
    return tuple((t, tuple(names)) for t, names in _fieldsets(value, what).items())


def _fieldsets(value: Mapping[str, str | Sequence[str]], what: str) -> dict[str, list[str]]:
    if not isinstance(value, Mapping):
        raise UsageError(f"{what} must map a type to attribute names, got {value!r}")
    return {str(t): list(_name_tuple(names, f"{what}[{t}]")) for t, names in value.items()}
