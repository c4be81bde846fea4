"""Pipeline overhead: one request through the Session vs doing the same work by hand.

Both sides build the request with the protocol layer, send it over the same MockTransport
(answering a prebuilt 25-order JSON:API page with rate-limit headers) and decode the
body; the session adds auth, the concurrency slot, the header-driven rate limiter (with
a budget large enough never to wait), the retry policy, hook checks and the ApiResponse.
Target: session / by-hand <= 1.3.
"""

from __future__ import annotations

import asyncio
import time

import orjson
from _results import Row, emit, times, us

from booqable_async.protocol import base_url_for, build_request, decipher_response
from booqable_async.session import Session
from booqable_async.transport import HttpRequest, HttpResponse, MockTransport

N = 20_000
ROUNDS = 5


def _page() -> bytes:
    orders = [
        {
            "id": f"00000000-0000-4000-8000-{i:012d}",
            "type": "orders",
            "attributes": {
                "number": i,
                "status": "reserved",
                "starts_at": "2030-01-01T09:00:00.000000+00:00",
                "stops_at": "2030-01-03T17:00:00.000000+00:00",
                "price_in_cents": 12_500 + i,
                "grand_total_with_tax_in_cents": 15_125 + i,
                "customer_id": f"10000000-0000-4000-8000-{i:012d}",
            },
            "relationships": {},
        }
        for i in range(25)
    ]
    return orjson.dumps({"data": orders, "meta": {}})


RESPONSE = HttpResponse(
    200,
    {
        "Content-Type": "application/vnd.api+json",
        "X-Ratelimit-Limit": "1000000",
        "X-Ratelimit-Period": "60",
        "X-Ratelimit-Remaining": "999999",
        "X-Request-Id": "bench",
    },
    _page(),
)
PARAMS = {"include": "customer", "page[size]": 25, "page[number]": 1}


def handler(request: HttpRequest) -> HttpResponse:
    return RESPONSE


async def by_hand(transport: MockTransport, base_url: str, auth: bool = True) -> float:
    headers = {"Authorization": "Bearer token"} if auth else None
    started = time.perf_counter()
    for _ in range(N):
        request = build_request("GET", "orders", base_url=base_url, params=PARAMS, headers=headers)
        response = await transport.send(request)
        decipher_response(response, method=request.method, url=request.url)
    transport.requests.clear()
    return (time.perf_counter() - started) / N


async def through_session(session: Session, transport: MockTransport) -> float:
    started = time.perf_counter()
    for _ in range(N):
        await session.request("GET", "orders", params=PARAMS)
    transport.requests.clear()
    return (time.perf_counter() - started) / N


async def run() -> tuple[float, float, float]:
    transport = MockTransport(handler)
    base_url = base_url_for(company="acme")
    session = Session(company="acme", token="token", transport=transport, max_concurrency=8)
    await through_session(session, transport)  # warm up (and let the limiter learn)
    await by_hand(transport, base_url)
    hand, bare, piped = [], [], []
    for _ in range(ROUNDS):  # interleaved, best of: the machines are shared and noisy
        hand.append(await by_hand(transport, base_url))
        bare.append(await by_hand(transport, base_url, auth=False))
        piped.append(await through_session(session, transport))
    await session.aclose()
    return min(hand), min(bare), min(piped)


def main() -> None:
    hand, bare, piped = asyncio.run(run())
    print(f"by hand (build with auth header + send + decipher): {hand * 1e6:8.2f} us/request")
    print(f"by hand, no auth header (lower bound):               {bare * 1e6:8.2f} us/request")
    print(f"through Session:                                     {piped * 1e6:8.2f} us/request")
    print(f"ratio session / by hand:        {piped / hand:5.2f}x (target <= 1.30x)")
    print(f"ratio session / no-auth bound:  {piped / bare:5.2f}x")
    emit(
        [
            Row(
                "pipeline",
                "GET of a 25-order page through Session (MockTransport)",
                us(piped),
                f"by hand (build + auth header + send + decipher) {us(hand)}",
                times(piped / hand),
                "≤ 1.30x",
            )
        ]
    )


if __name__ == "__main__":
    main()
