"""Money helpers (hand-written): Booqable amounts are integer cents; format them on demand.

Booqable v4 sends every amount as an integer number of the currency's smallest unit
(``*_in_cents`` attributes) and the library keeps them as ``int``: no floats, no rounding.
:func:`format_cents` turns one into text for display, with the company currency when you
have it (``await client.currency()`` returns the ``currencies`` record of the company's
currency: symbol, separators, subunits).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from booqable_async._validation import is_int
from booqable_async.errors import UsageError

if TYPE_CHECKING:
    from booqable_async.models._generated.currencies import Currency

__all__ = ["format_cents"]


def _group(digits: str, separator: str) -> str:
    if not separator:
        return digits
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return separator.join(parts)


def _attr(currency: Currency, name: str) -> object:
    # Sparse fieldsets may have left a currency attribute out: use the default then.
    return getattr(currency, name, None)


def format_cents(cents: int, currency: Currency | str | None = None) -> str:
    """Format an amount in cents for display.

    Args:
        cents: The amount in the currency's smallest unit (``1250``).
        currency: ``None`` for a plain number (``"12.50"``); an ISO code for the number
            and the code (``"12.50 EUR"``); or a ``currencies`` record (from
            ``await client.currency()``) for its symbol, separators and subunits
            (``"€12,50"`` for the docs' euro: symbol first, decimal mark ``,``).

    Returns:
        The text. Negative amounts get a leading ``-`` (``"-€12,50"``).

    Raises:
        UsageError: ``cents`` is not an integer (floats would round money).
    """
    if not is_int(cents):
        raise UsageError(f"cents must be an int (amounts are integer cents), got {cents!r}")
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    if currency is None or isinstance(currency, str):
        whole, fraction = divmod(cents, 100)
        number = f"{whole}.{fraction:02d}"
        return f"{sign}{number}" if currency is None else f"{sign}{number} {currency}"
    per_unit = _attr(currency, "subunit_to_unit")
    per_unit = per_unit if isinstance(per_unit, int) and per_unit > 0 else 100
    decimal_mark = _attr(currency, "decimal_mark")
    decimal_mark = decimal_mark if isinstance(decimal_mark, str) else "."
    thousands = _attr(currency, "thousands_separator")
    thousands = thousands if isinstance(thousands, str) else ""
    whole, fraction = divmod(cents, per_unit)
    digits = len(str(per_unit - 1)) if per_unit > 1 else 0
    number = _group(str(whole), thousands)
    if digits:
        number += f"{decimal_mark}{fraction:0{digits}d}"
    symbol = _attr(currency, "symbol")
    if not isinstance(symbol, str) or not symbol:
        code = _attr(currency, "iso_code")
        return f"{sign}{number} {code}" if isinstance(code, str) and code else sign + number
    symbol_first = _attr(currency, "symbol_first")
    if symbol_first is False:
        return f"{sign}{number} {symbol}"
    return f"{sign}{symbol}{number}"
