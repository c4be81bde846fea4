"""Immutable query values: filters, sort, includes, sparse fieldsets, stats, paging, search.

``Query`` renders Booqable's Graphiti query string (``to_params()``) or the advanced-search
body (``to_search_body()``), and checks itself against a resource's catalog facts
(``validate(schema, operation)``) before any I/O. ``Q`` builds search conditions::

    from booqable_async.query import Q, Query

    q = Query().where(status="reserved").include("customer").page(size=100)
    s = Query().search(Q(status="reserved") | Q(starts_at__gte=when))
"""

from __future__ import annotations

from booqable_async._timestamps import format_datetime
from booqable_async.query._conditions import Condition, FieldCondition, Group, Q, and_, or_
from booqable_async.query._query import Filter, Query
from booqable_async.query._values import HashValue

__all__ = [
    "Condition",
    "FieldCondition",
    "Filter",
    "Group",
    "HashValue",
    "Q",
    "Query",
    "and_",
    "format_datetime",
    "or_",
]
