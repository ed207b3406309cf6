"""Which days to roll up, and rolling them up through a store (the database implements it).

Why days "settle": a journey belongs to the day it started and is followed to its end, so a day's
journey figures can still change after midnight (someone who started at 23:59 gets the
certificate at 00:01). A day is therefore rolled up again until a roll-up made after the end of
the *next* day is stored; from then on it is settled and never read again. Today and yesterday
are refreshed when their last roll-up is older than ``refresh``; days missed while the service
was down are caught up from the first day with raw data, oldest first. Each day is replaced as a
whole in one transaction, so running a roll-up twice, or in two processes at once, leaves the
same facts as running it once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from shomeisho.kpi.facts import Facts, Issued, VerificationTally, day_bounds, japan_day, roll_up_day
from shomeisho.procedure.journey_metrics import JourneyEvent

DAY = timedelta(days=1)
REFRESH = timedelta(hours=1)  # how old today's and yesterday's figures may get
CHECK_INTERVAL = 600.0  # seconds between the background job's looks at what is due


class KpiStore(Protocol):
    """What the roll-up needs from storage. Synthetic traffic is left out by the store."""

    def raw_day(
        self, day: date
    ) -> tuple[list[JourneyEvent], list[Issued], list[VerificationTally]]:
        """The events of the journeys started on ``day`` (Japan) with their later events, the
        certificates issued on it, and the verification counts of it."""

    def first_raw_day(self) -> date | None:
        """The first day with any raw data (None when there is none)."""

    def rollup_times(self, since: date) -> dict[date, datetime]:
        """When each day from ``since`` on was last computed (its roll-up's start)."""

    def replace_day(self, day: date, facts: Facts, computed_at: datetime) -> bool:
        """Store ``facts`` as the whole of ``day``'s facts in one transaction, unless a roll-up
        computed later than ``computed_at`` is stored already (then False)."""


def settles_at(day: date) -> datetime:
    """When a day's figures stop changing: at the end of the next day."""
    return day_bounds(day + DAY)[1]


def due_days(
    now: datetime,
    rolled: Mapping[date, datetime],
    first: date | None,
    *,
    refresh: timedelta = REFRESH,
) -> list[date]:
    """The days to roll up at ``now``, oldest first: from ``first`` (the first day with raw data)
    to today, each day not rolled up yet, or not settled and either past its settling time or
    last computed ``refresh`` ago or more."""
    today = japan_day(now)
    day = min(first or today, today)
    due = []
    while day <= today:
        at = rolled.get(day)
        settle = settles_at(day)
        if at is None or (at < settle and (now >= settle or now - at >= refresh)):
            due.append(day)
        day += DAY
    return due


def roll_up(
    store: KpiStore,
    days: list[date],
    *,
    clock: Callable[[], datetime] | None = None,
    progress: Callable[[date], None] | None = None,
) -> int:
    """Roll up ``days`` (each read, computed and replaced on its own); returns how many were
    stored (a day a concurrent, later roll-up already stored is not counted)."""
    now = clock or (lambda: datetime.now(UTC))
    stored = 0
    for day in days:
        computed_at = now()
        events, issued, tallies = store.raw_day(day)
        stored += store.replace_day(day, roll_up_day(day, events, issued, tallies), computed_at)
        if progress is not None:
            progress(day)
    return stored


def roll_up_due(store: KpiStore, *, clock: Callable[[], datetime] | None = None) -> int:
    """What the service's background job runs: every due day, oldest first."""
    now = (clock or (lambda: datetime.now(UTC)))()
    first = store.first_raw_day()
    rolled = store.rollup_times(min(first or japan_day(now), japan_day(now)))
    return roll_up(store, due_days(now, rolled, first), clock=clock)
