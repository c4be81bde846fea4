"""Protocol hot path: what build_request and decipher_response cost next to their floors.

Prints ratios measured side by side in one run (never absolute targets):

- build_request (validation, escaping, headers) vs a bare f-string + urlencode + HttpRequest
  that validates nothing;
- decipher_response on a 25-order list page vs orjson.loads of the same bytes;
- decipher_response on a 422 error document vs orjson.loads of the same bytes.
"""

from __future__ import annotations

import timeit
from collections.abc import Callable
from urllib.parse import quote, urlencode

import orjson
from _results import Row, emit, times, us

from booqable_async import errors
from booqable_async.protocol import base_url_for, build_request, decipher_response
from booqable_async.protocol._request import USER_AGENT
from booqable_async.transport import Headers, HttpRequest, HttpResponse

BASE = base_url_for(company="acme")
ORDER_ID = "3e037580-3d7a-4d23-876c-f0ba1a481bb7"
PARAMS = {"include": "customer,lines", "page[number]": "2", "page[size]": "25"}
PAIRS = sorted(PARAMS.items())
HEADERS = Headers({"Accept": "application/vnd.api+json", "User-Agent": USER_AGENT})


def _order(i: int) -> dict[str, object]:
    return {
        "id": f"{i:08d}-3d7a-4d23-876c-f0ba1a481bb7",
        "type": "orders",
        "attributes": {
            "created_at": "2025-07-09T12:28:41.116160+00:00",
            "number": i,
            "status": "reserved",
            "starts_at": "2024-01-01T00:00:00.000000+00:00",
            "stops_at": "2024-01-02T00:00:00.000000+00:00",
            "amount_in_cents": 12345,
            "tag_list": ["a", "b"],
            "properties": {"delivery_address": None},
        },
        "relationships": {"customer": {"data": {"type": "customers", "id": "c1"}}},
    }


LIST_BODY = orjson.dumps({"data": [_order(i) for i in range(25)], "meta": {}})
ERROR_BODY = orjson.dumps(
    {
        "errors": [
            {
                "code": "items_not_available",
                "status": "422",
                "title": "Items not available",
                "detail": "One or more items are not available",
                "meta": {"warning": [], "blocking": [{"reason": "shortage", "shortage": 1}]},
            }
        ]
    }
)
RESPONSE_HEADERS = Headers(
    {
        "Content-Type": "application/vnd.api+json; charset=utf-8",
        "X-Request-Id": "b6efa8ab-b632-4241-98cd-45c6d5b7fa1f",
        "X-Ratelimit-Limit": "50",
        "X-Ratelimit-Period": "60",
        "X-Ratelimit-Remaining": "49",
    }
)
OK = HttpResponse(200, RESPONSE_HEADERS, LIST_BODY, url=BASE + "orders")
UNPROCESSABLE = HttpResponse(422, RESPONSE_HEADERS, ERROR_BODY, url=BASE + "orders")


def ours_build() -> HttpRequest:
    return build_request("GET", ("orders", ORDER_ID), base_url=BASE, params=PARAMS)


def floor_build() -> HttpRequest:
    url = f"{BASE}orders/{quote(ORDER_ID, safe='')}?{urlencode(PAIRS)}"
    return HttpRequest("GET", url, HEADERS)


def ours_decipher() -> object:
    return decipher_response(OK, method="GET")


def floor_decipher() -> object:
    return orjson.loads(OK.body)


def ours_error() -> object:
    try:
        decipher_response(UNPROCESSABLE, method="POST")
    except errors.UnprocessableEntity as exc:
        return exc
    raise AssertionError("expected a 422")


def floor_error() -> object:
    return orjson.loads(UNPROCESSABLE.body)


def _compare(
    label: str, ours: Callable[[], object], floor: Callable[[], object], n: int
) -> tuple[float, float]:
    # Interleaved rounds, best of each: on a shared, noisy machine this keeps both sides
    # exposed to the same background load.
    mine = base = float("inf")
    for _ in range(9):
        mine = min(mine, timeit.timeit(ours, number=n) / n)
        base = min(base, timeit.timeit(floor, number=n) / n)
    print(f"{label:<44} {mine * 1e6:8.2f} us vs {base * 1e6:8.2f} us  ratio {mine / base:5.2f}x")
    return mine, base


def main() -> None:
    """Print each measurement and its ratio to the floor."""
    cases = [
        (
            "build_request GET orders/{uuid} with 3 query parameters",
            "f-string + urlencode",
            _compare("build_request vs f-string+urlencode", ours_build, floor_build, 20_000),
        ),
        (
            "decipher_response, 200 with 25 orders",
            "orjson.loads",
            _compare(
                "decipher_response 200 (25 orders) vs loads", ours_decipher, floor_decipher, 2_000
            ),
        ),
        (
            "decipher_response, 422 error document",
            "orjson.loads",
            _compare("decipher_response 422 vs loads", ours_error, floor_error, 5_000),
        ),
    ]
    emit(
        Row("protocol", what, us(mine), f"{ref} {us(base)}", times(mine / base))
        for what, ref, (mine, base) in cases
    )


if __name__ == "__main__":
    main()
