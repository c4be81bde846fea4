"""ShortageError and BookingError: Booqable's availability 422s, parsed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from booqable_async.errors import (
    ApiError,
    BookingError,
    NotFound,
    ShortageError,
    UnprocessableEntity,
)
from booqable_async.protocol import ErrorObject, ShortageEntry, api_error_for, parse_shortage
from booqable_async.transport import HttpResponse


def error_from(body: dict[str, object], status: int = 422) -> ApiError:
    # The protocol layer builds every error: the class comes out the same whichever
    # way (session or facade) the request was sent.
    response = HttpResponse(
        status, {"Content-Type": "application/vnd.api+json"}, json.dumps(body).encode()
    )
    return api_error_for(response, method="POST", url="https://x/y")


def shortage_from(body: dict[str, object]) -> ShortageError | None:
    error = error_from(body)
    return error if isinstance(error, ShortageError) else None


def example(shared: Path, name: str) -> dict[str, object]:
    return json.loads((shared / "examples" / name).read_text())  # type: ignore[no-any-return]


def test_documented_422s(shared_api: Path) -> None:
    blocking = shortage_from(
        example(shared_api, "order_status_transitions__create__response_3.json")
    )
    assert blocking is not None
    assert not blocking.only_warnings
    (entry,) = blocking.blocking
    assert (entry.reason, entry.needed, entry.stock_count, entry.reserved) == ("shortage", 2, 1, 0)
    assert entry.available == 1
    assert entry.shortage == 1
    assert "blocking: item 2759b345" in str(blocking)
    assert "confirm_shortage" not in str(blocking)

    warning = shortage_from(
        example(shared_api, "order_status_transitions__create__response_4.json")
    )
    assert warning is not None
    assert warning.only_warnings
    assert "send it again with confirm_shortage=True" in str(warning)

    specified = shortage_from(
        example(shared_api, "order_status_transitions__create__response_6.json")
    )
    assert specified is not None
    (entry,) = specified.blocking
    assert entry.reason == "stock_item_specified"
    assert entry.unavailable_stock_item_ids == ("c5c86b0e-7898-4c3d-8c33-425011f8ed0b",)
    assert entry.available_stock_item_ids == ("c18a3863-071f-467f-8a25-d6b087473135",)
    assert entry.available is None
    assert entry.orders[0]["conflicts"] == 1
    assert "stock items already taken" in str(entry)

    adjustment = shortage_from(example(shared_api, "stock_adjustments__create__response_4.json"))
    assert adjustment is not None
    (entry,) = adjustment.blocking
    assert (entry.available, entry.location_id) == (1, "fba46066-c280-4b90-8c5b-665a49e893c7")

    wrong = error_from(example(shared_api, "order_status_transitions__create__response_7.json"))
    assert type(wrong) is UnprocessableEntity  # a 422 about something else


def test_a_shortage_answer_is_built_whole() -> None:
    error = error_from(
        {"errors": [{"code": "shortage", "status": "422", "meta": {"warning": [], "blocking": []}}]}
    )
    assert isinstance(error, ShortageError)
    assert isinstance(error, UnprocessableEntity)
    assert (error.status, error.method, error.url) == (422, "POST", "https://x/y")
    assert error.codes == ("shortage",)
    assert not error.only_warnings  # no entries at all
    assert str(error).startswith("HTTP 422 for POST https://x/y: shortage")
    # Only a 422 is a shortage, whatever the body says.
    other = error_from({"errors": [{"meta": {"warning": [{"item_id": "p"}]}}]}, status=409)
    assert type(other) is not ShortageError
    assert type(error_from({"errors": [{"code": "taken"}]})) is UnprocessableEntity


def test_entry_parsing_is_lenient() -> None:
    ((entry,), ()) = parse_shortage(  # type: ignore[misc]
        [
            ErrorObject(
                meta={
                    "warning": [
                        {
                            "item_id": 7,
                            "needed": "2",
                            "reserved": True,
                            "orders": "x",
                            "available": ["a", 1, None],
                        },
                        "not an entry",
                    ]
                }
            )
        ]
    )
    assert entry.item_id == "7"
    assert entry.needed is None
    assert entry.reserved is None
    assert entry.orders == ()
    assert entry.available_stock_item_ids == ("a", "1")
    assert str(ShortageEntry(item_id="p", needed=1)) == "item p, needs 1"
    assert ErrorObject(meta={"warning": "x"}).meta == {"warning": "x"}
    assert parse_shortage([ErrorObject(meta={"warning": "x"})]) is None


def test_booking_error() -> None:
    shortage = ShortageError(422, warnings=[ShortageEntry(item_id="p")])
    err = BookingError("reserve", "o1", shortage)
    assert err.shortage is shortage
    assert "order o1 stopped at step 'reserve'" in str(err)
    assert BookingError("fulfill", "o1", NotFound(404)).shortage is None


@pytest.mark.parametrize("key", ["warning", "blocking"])
def test_either_list_makes_a_shortage(key: str) -> None:
    shortage = shortage_from({"errors": [{"status": "422", "meta": {key: [{"item_id": "p"}]}}]})
    assert shortage is not None
    assert len(getattr(shortage, "warnings" if key == "warning" else "blocking")) == 1
