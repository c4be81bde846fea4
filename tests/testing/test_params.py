from __future__ import annotations

import pytest

from booqable_async.testing._errors import FakeError
from booqable_async.testing._params import parse_query


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {}),
        ("a=1", {"a": "1"}),
        ("a=1&a=2", {"a": "2"}),
        ("filter[status]=reserved", {"filter": {"status": "reserved"}}),
        ("filter[status][not_eq]=x", {"filter": {"status": {"not_eq": "x"}}}),
        ("filter[tag_list][]=a&filter[tag_list][]=b", {"filter": {"tag_list": ["a", "b"]}}),
        ("page%5Bnumber%5D=2&page%5Bsize%5D=1", {"page": {"number": "2", "size": "1"}}),
        ("include[]=customer", {"include": ["customer"]}),
        ("q=a+b", {"q": "a b"}),
        ("weird[=1", {"weird[": "1"}),
        ("flag", {"flag": ""}),
    ],
)
def test_parse_query(query: str, expected: dict[str, object]) -> None:
    assert parse_query(query) == expected


@pytest.mark.parametrize(
    "query",
    ["a=1&a[b]=2", "a[b]=2&a=1", "a[]=1&a[b]=2", "a[b]=1&a[]=2", "a[][b]=1"],
)
def test_conflicting_keys_are_400(query: str) -> None:
    with pytest.raises(FakeError) as info:
        parse_query(query)
    assert info.value.status == 400
    assert info.value.document["errors"][0]["code"] == "bad_request"
