"""Messages that name what is allowed: the best suggestion first, then a capped list.

A resource can have fifty filterable fields and a hundred resource types exist; a message
that prints them all on one line hides the one the caller meant. These helpers lead with
the closest match (``difflib``, plus a table of common aliases such as ``greater`` ->
``gt``) and show at most :data:`LIST_LIMIT` names, saying how many there are in all.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Mapping

__all__ = ["LIST_LIMIT", "allowed_list", "closest", "did_you_mean", "unknown_choice"]

#: Most names a message lists; the rest are counted, not shown.
LIST_LIMIT = 10


def closest(
    name: str, choices: Collection[str], *, aliases: Mapping[str, str] | None = None
) -> list[str]:
    """Return the choices closest to ``name``, best first (at most three).

    Args:
        name: What the caller wrote.
        choices: What is allowed.
        aliases: Words callers use for a choice (``{"greater": "gt"}``); an alias whose
            target is allowed comes first.

    Returns:
        Up to three allowed names, the most likely first; empty when nothing is close.
    """
    found: list[str] = []
    alias = (aliases or {}).get(name.lower())
    if alias is not None and alias in choices:
        found.append(alias)
    for match in difflib.get_close_matches(name, sorted(choices), n=3):
        if match not in found:
            found.append(match)
    return found[:3]


def did_you_mean(
    name: str, choices: Collection[str], *, aliases: Mapping[str, str] | None = None
) -> str:
    """Return ``"did you mean 'x' (or 'y', 'z')? "`` for ``name``, or ``""`` when none is close.

    Args:
        name: What the caller wrote.
        choices: What is allowed.
        aliases: Common words for a choice (see :func:`closest`).

    Returns:
        The suggestion followed by one space, or an empty string.
    """
    found = closest(name, choices, aliases=aliases)
    if not found:
        return ""
    others = f" (or {', '.join(map(repr, found[1:]))})" if len(found) > 1 else ""
    return f"did you mean {found[0]!r}{others}? "


def allowed_list(
    choices: Collection[str], *, label: str = "allowed", limit: int = LIST_LIMIT
) -> str:
    """Return ``"allowed: a, b, c"``, or ``"54 allowed; first 10: a, ..."`` for long lists.

    Args:
        choices: What is allowed (listed sorted).
        label: The word for them (``allowed``, ``types``, ``operators``).
        limit: Most names shown.

    Returns:
        The (capped) list; ``"none allowed"`` style text when ``choices`` is empty.
    """
    listed = sorted(choices)
    if not listed:
        return f"{label}: none"
    if len(listed) <= limit:
        return f"{label}: {', '.join(listed)}"
    return f"{len(listed)} {label}; first {limit}: {', '.join(listed[:limit])}, ..."


def unknown_choice(
    what: str,
    name: str,
    choices: Collection[str],
    *,
    aliases: Mapping[str, str] | None = None,
    label: str = "allowed",
) -> str:
    """Return ``"unknown <what> 'x'; did you mean 'y'? (54 allowed; first 10: ...)"``.

    Args:
        what: What ``name`` names (``filter field``, ``include path``).
        name: What the caller wrote.
        choices: What is allowed.
        aliases: Common words for a choice (see :func:`closest`).
        label: The word for the choices in the list.

    Returns:
        One line: the unknown name, the best suggestion (when one is close), then the
        capped list.
    """
    hint = did_you_mean(name, choices, aliases=aliases)
    listed = allowed_list(choices, label=label)
    return (
        f"unknown {what} {name!r}; {hint}({listed})"
        if hint
        else f"unknown {what} {name!r} ({listed})"
    )
