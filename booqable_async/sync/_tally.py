"""What a sync did, counted while it runs: rows, archives, deletions, requests.

The source's resources run on dlt's extraction thread and report here; the command's
progress display and the closing summary read it from the main thread. Every update is
a single assignment or an append under a lock, so readers see consistent numbers.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable

import attrs

__all__ = ["ResourceTally", "SyncTally"]


@attrs.define
class ResourceTally:
    """Counters of one resource in one run.

    Attributes:
        resource: The resource type (table name).
        mode: ``incremental``, ``snapshot`` (first incremental run) or ``full refresh``.
        rows: Rows written (new or changed records).
        changed_ids: Ids of the rows written (to tell new from updated afterwards).
        archived_ids: Ids written with their archived flag (or status) set.
        deleted: Rows removed because the record was deleted in Booqable.
        requests: Requests answered for this resource.
        done: The resource finished reading.
        keep_ids: Whether ``changed_ids``/``archived_ids`` are kept (see
            :meth:`SyncTally.count_only`).
    """

    resource: str
    mode: str = ""
    rows: int = 0
    changed_ids: list[str] = attrs.field(factory=list)
    archived_ids: list[str] = attrs.field(factory=list)
    deleted: int = 0
    requests: int = 0
    done: bool = False
    keep_ids: bool = True


class SyncTally:
    """Counters of every resource of one run, safe to read from another thread.

    Args:
        on_change: Called (on the extraction thread) after every update, with the
            resource's tally: a progress display hooks in here.
        clock: Seconds (monotonic), for the rate-budget share.
    """

    def __init__(
        self,
        on_change: Callable[[ResourceTally], object] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lock = threading.Lock()
        self._resources: dict[str, ResourceTally] = {}
        self._on_change = on_change
        self._clock = clock
        self.started = clock()
        self.first_request: float | None = None
        self.last_request: float | None = None
        #: The company's budget as the last answer stated it: (limit, period seconds).
        self.budget: tuple[int, float] | None = None

    def resource(self, name: str) -> ResourceTally:
        """Return (creating it) the tally of ``name``."""
        with self._lock:
            found = self._resources.get(name)
            if found is None:
                found = self._resources[name] = ResourceTally(name)
            return found

    @property
    def resources(self) -> tuple[ResourceTally, ...]:
        """Every resource tally so far, in the order they started."""
        with self._lock:
            return tuple(self._resources.values())

    def _changed(self, tally: ResourceTally) -> None:
        if self._on_change is not None:
            self._on_change(tally)

    def started_reading(self, name: str, mode: str) -> None:
        """Record that ``name`` started reading in ``mode``."""
        tally = self.resource(name)
        tally.mode = mode
        self._changed(tally)

    def request(self, name: str, rate_limit: object) -> None:
        """Count one answered request (and learn the budget from its headers)."""
        now = self._clock()
        tally = self.resource(name)
        with self._lock:
            tally.requests += 1
            if self.first_request is None:
                self.first_request = now
            self.last_request = now
            limit = getattr(rate_limit, "limit", None)
            period = getattr(rate_limit, "period", None)
            if isinstance(limit, int) and isinstance(period, (int, float)) and period > 0:
                self.budget = (limit, float(period))
        self._changed(tally)

    def count_only(self, name: str) -> None:
        """Count ``name``'s rows without keeping their ids.

        For a table the run creates: every row in it is new, so its ids tell nothing,
        and a first sync of a big company would hold every id of it in memory.
        """
        self.resource(name).keep_ids = False

    def rows(self, name: str, ids: Iterable[str], archived: Iterable[str]) -> None:
        """Count rows written for ``name`` (``archived``: those with the flag set)."""
        tally = self.resource(name)
        with self._lock:
            if tally.keep_ids:
                before = len(tally.changed_ids)
                tally.changed_ids.extend(ids)
                tally.rows += len(tally.changed_ids) - before
                tally.archived_ids.extend(archived)
            else:
                tally.rows += sum(1 for _ in ids)
        self._changed(tally)

    def deleted(self, name: str, count: int) -> None:
        """Count rows removed for records deleted in Booqable."""
        tally = self.resource(name)
        with self._lock:
            tally.deleted += count
        self._changed(tally)

    def finished(self, name: str) -> None:
        """Record that ``name`` finished reading."""
        tally = self.resource(name)
        tally.done = True
        self._changed(tally)

    def budget_share(self, requests: int) -> float | None:
        """Return ``requests`` as a share of the budget available while requests ran.

        The budget of the run is ``limit`` per ``period``, for as many periods as the
        requests spanned (at least one). ``None`` when no answer stated a budget.
        """
        with self._lock:
            budget, first, last = self.budget, self.first_request, self.last_request
        if budget is None or first is None or last is None:
            return None
        limit, period = budget
        periods = max(1.0, (last - first) / period)
        return requests / (limit * periods)
