"""Deterministic fault injection: failures by schedule or by seeded probability.

A :class:`FaultPlan` holds :class:`FaultRule` values. Each rule counts the requests that
match it (optionally only one HTTP method or a path prefix) and fires on the positions it
names, on every k-th one, on all of them, or with a probability drawn from a generator seeded
by the fake's seed, so the same request sequence always meets the same faults.

Fault kinds:

====================  =========================================================================
``500`` ... ``504``   answer with that status (JSON:API error) without processing the request
``429``               answer 429 without processing; ``429=S`` adds ``Retry-After: S``
``html502``           answer an nginx-style HTML 502 page
``reset_before``      drop the connection before processing (in-process: ``ConnectionReset``
                      with ``request_sent=False``)
``reset_after``       process the request, then drop the connection (``request_sent=True``)
``fail_after``        process the request (the write happens), then answer 500
                      (``fail_after=503`` picks the status)
``delay=S``           wait S seconds (through the fake's injectable sleep), then answer
``truncate``          process, then cut the body in half (over HTTP the connection closes
                      early; in-process the transport raises ``ProtocolError``)
====================  =========================================================================

Text form (``--faults``): rules separated by commas, each ``[METHOD:]KIND[=ARG]WHEN`` where
WHEN is ``@N`` (the N-th matching request), ``@N-M``, ``@%K`` (every K-th), ``@*`` (every
one) or ``~P`` (probability P). Example: ``"503@1-2,POST:fail_after@1,500~0.05"``.
"""

from __future__ import annotations

import random
import re
from collections import deque
from collections.abc import Iterable

import attrs

from booqable_async.errors import UsageError

__all__ = [
    "FAULT_KINDS",
    "LATE_KINDS",
    "PREEMPTING_KINDS",
    "Fault",
    "FaultPlan",
    "FaultRule",
    "parse_fault_spec",
]

#: Faults that answer (or drop the connection) instead of processing the request.
PREEMPTING_KINDS = frozenset({"500", "502", "503", "504", "429", "html502", "reset_before"})
#: Faults that strike after the request was processed (or only delay it).
LATE_KINDS = frozenset({"reset_after", "fail_after", "delay", "truncate"})
#: Every fault kind the fake knows.
FAULT_KINDS = PREEMPTING_KINDS | LATE_KINDS
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"})
_RULE = re.compile(
    r"^(?:(?P<method>[A-Za-z]+):)?(?P<kind>[a-z0-9_]+)(?:=(?P<arg>[0-9.]+))?"
    r"(?:@(?P<when>\*|%\d+|\d+(?:-\d+)?)|~(?P<prob>[0-9.]+))$"
)


@attrs.frozen
class Fault:
    """One injected failure.

    Attributes:
        kind: One of :data:`FAULT_KINDS`.
        status: Status answered for status kinds and ``fail_after``.
        retry_after: ``Retry-After`` seconds for ``429`` (None: no header).
        delay: Seconds to wait for ``delay``.
    """

    kind: str
    status: int = 500
    retry_after: float | None = None
    delay: float = 0.0

    @property
    def preempts(self) -> bool:
        """True when the request is not processed at all."""
        return self.kind in PREEMPTING_KINDS

    @classmethod
    def of(cls, kind: str, arg: float | None = None) -> Fault:
        """Build a fault from its kind and optional argument (as in the text form).

        Raises:
            UsageError: Unknown kind or a missing argument.
        """
        if kind not in FAULT_KINDS:
            raise UsageError(f"unknown fault {kind!r}; known: {', '.join(sorted(FAULT_KINDS))}")
        if kind in ("500", "502", "503", "504"):
            return cls(kind, status=int(kind))
        if kind == "429":
            return cls(kind, status=429, retry_after=arg)
        if kind == "html502":
            return cls(kind, status=502)
        if kind == "fail_after":
            return cls(kind, status=int(arg) if arg else 500)
        if kind == "delay":
            if arg is None:
                raise UsageError("the delay fault needs seconds: delay=0.5")
            return cls(kind, delay=float(arg))
        return cls(kind)


@attrs.frozen
class FaultRule:
    """When a fault fires.

    Attributes:
        fault: What happens.
        at: 1-based positions among the requests this rule matches.
        every: Fire on every k-th matching request.
        always: Fire on every matching request.
        probability: Fire with this probability (seeded, deterministic).
        method: Only requests with this method count.
        path_prefix: Only requests whose path starts with this count.
    """

    fault: Fault
    at: frozenset[int] = frozenset()
    every: int | None = None
    always: bool = False
    probability: float | None = None
    method: str | None = None
    path_prefix: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.probability is not None and not 0.0 <= self.probability <= 1.0:
            raise UsageError(f"fault probability must be within 0..1, got {self.probability}")
        if self.every is not None and self.every < 1:
            raise UsageError(f"fault period must be >= 1, got {self.every}")
        if self.method is not None and self.method not in _METHODS:
            raise UsageError(f"unknown HTTP method {self.method!r} in fault rule")

    def matches(self, method: str, path: str) -> bool:
        """True when a request counts for this rule."""
        if self.method is not None and method != self.method:
            return False
        return self.path_prefix is None or path.startswith(self.path_prefix)


def parse_fault_spec(text: str) -> list[FaultRule]:
    """Parse the text form (see the module docstring).

    Raises:
        UsageError: A rule that does not parse, naming it and the expected form.
    """
    rules = []
    for part in re.split(r"[,;]", text):
        item = part.strip()
        if not item:
            continue
        m = _RULE.match(item)
        if m is None:
            raise UsageError(
                f"bad fault rule {item!r}: expected [METHOD:]KIND[=ARG]@N|@N-M|@%K|@*|~P, "
                "e.g. 503@1-2 or POST:fail_after@1 or 500~0.05"
            )
        arg = float(m["arg"]) if m["arg"] else None
        fault = Fault.of(m["kind"], arg)
        method = m["method"].upper() if m["method"] else None
        when = m["when"]
        if m["prob"] is not None:
            rules.append(FaultRule(fault, probability=float(m["prob"]), method=method))
        elif when == "*":
            rules.append(FaultRule(fault, always=True, method=method))
        elif when.startswith("%"):
            rules.append(FaultRule(fault, every=int(when[1:]), method=method))
        else:
            first, _, last = when.partition("-")
            lo, hi = int(first), int(last or first)
            if lo < 1 or hi < lo:
                raise UsageError(f"bad fault positions {when!r} in {item!r}")
            rules.append(FaultRule(fault, at=frozenset(range(lo, hi + 1)), method=method))
    return rules


@attrs.define
class _Entry:
    rule: FaultRule
    count: int = 0


class FaultPlan:
    """The active rules and their counters.

    Args:
        rules: Initial rules.
        seed: Seeds the probability draws.
    """

    def __init__(self, rules: Iterable[FaultRule] = (), *, seed: int = 0) -> None:
        self._rules: list[_Entry] = []
        self._rng = random.Random(f"faults:{seed}")
        # (kind, method, path) of recent faults; bounded like the request log.
        self.fired: deque[tuple[str, str, str]] = deque(maxlen=10_000)
        for rule in rules:
            self.add(rule)

    def add(self, rule: FaultRule) -> FaultRule:
        """Add a rule; its count starts now."""
        self._rules.append(_Entry(rule))
        return rule

    def clear(self) -> None:
        """Remove every rule."""
        self._rules.clear()

    @property
    def rules(self) -> list[FaultRule]:
        """The active rules, in order."""
        return [entry.rule for entry in self._rules]

    def decide(self, method: str, path: str) -> Fault | None:
        """Count this request for every matching rule; return the first fault that fires."""
        chosen: Fault | None = None
        for entry in self._rules:
            rule = entry.rule
            if not rule.matches(method, path):
                continue
            entry.count += 1
            count = entry.count
            fires = (
                rule.always
                or count in rule.at
                or (rule.every is not None and count % rule.every == 0)
                or (rule.probability is not None and self._rng.random() < rule.probability)
            )
            if fires and chosen is None:
                chosen = rule.fault
        if chosen is not None:
            self.fired.append((chosen.kind, method, path))
        return chosen
