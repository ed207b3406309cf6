"""What each key was used for, per Japanese day, format and verdict: the API's KPIs.

Counting must not make every verification a database write (on SQLite every write takes the
database lock), so counts are kept in memory and written in one batch every few seconds, adding
to the stored totals (an upsert that several processes may run at once). A clean shutdown writes
what is left; a process killed outright loses at most the last interval's counts, which is
acceptable for usage figures and says so in docs/api.md. A write that fails puts its counts back
to be tried again with the next batch. Nothing here knows what was verified: a count is a key
id, a day, a format and a verdict.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Protocol

from shomeisho.model import JST

RATE_LIMITED = "rate_limited"  # the pseudo-verdict of a request refused by the key's limit
log = logging.getLogger("shomeisho.api_access")


@dataclass(frozen=True, order=True, slots=True)
class UsageKey:
    """What one count is of. ``format`` is empty for requests that were refused before any
    certificate was read (rate limited)."""

    key_id: str
    day: date
    format: str
    verdict: str


@dataclass(frozen=True, slots=True)
class UsageRow:
    """A stored total, with the key's organisation, for reports."""

    key_id: str
    organisation: str
    day: date
    format: str
    verdict: str
    total: int


class UsageSink(Protocol):
    def add_usage(self, counts: Mapping[UsageKey, int]) -> None:
        """Add ``counts`` to the stored totals, atomically."""


def japan_day(moment: datetime) -> date:
    """Days are Japan's days (the operator's reports and the KPIs follow the local calendar)."""
    return moment.astimezone(JST).date()


class UsageRecorder:
    """Counts in memory, written to ``sink`` every ``interval`` seconds by a background thread
    (started with the first count) and by :meth:`close`."""

    def __init__(
        self,
        sink: UsageSink,
        *,
        interval: float = 5.0,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._sink = sink
        self._interval = interval
        self._clock = clock or (lambda: datetime.now(UTC))
        self._counts: Counter[UsageKey] = Counter()
        self._lock = threading.Lock()
        self._writing = threading.Lock()  # one batch at a time, so a retry keeps its order
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def count(self, key_id: str, format: str, verdict: str) -> None:
        key = UsageKey(key_id, japan_day(self._clock()), format, verdict)
        with self._lock:
            self._counts[key] += 1
            if self._thread is None and not self._stop.is_set():
                self._thread = threading.Thread(
                    target=self._run, name="api-usage-writer", daemon=True
                )
                self._thread.start()

    def pending(self) -> dict[UsageKey, int]:
        """The counts not written yet (a copy)."""
        with self._lock:
            return dict(self._counts)

    def flush(self) -> int:
        """Write the counts gathered so far; returns how many totals were written."""
        with self._writing:
            with self._lock:
                batch, self._counts = self._counts, Counter()
            if not batch:
                return 0
            try:
                self._sink.add_usage(batch)
            except Exception:
                with self._lock:
                    self._counts.update(batch)  # kept for the next attempt
                raise
            return len(batch)

    def close(self) -> None:
        """Stop the background writer and write what is left (on a clean shutdown)."""
        self._stop.set()
        thread = self._thread
        if thread is not None:
            thread.join(timeout=30)
        self.flush()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self.flush()
            except Exception as exc:  # the database may be away for a moment: try again later
                log.warning(
                    "API usage counts could not be written (%s); kept for the next attempt",
                    type(exc).__name__,
                )
