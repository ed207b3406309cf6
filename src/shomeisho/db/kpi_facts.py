"""The KPI fact tables: a day replaced as a whole, a period read back as sums.

Replacing a day is one transaction that first locks the day's row in ``kpi_rollups`` (a row lock
on PostgreSQL; on SQLite every write transaction holds the database lock), so two roll-ups of
the same day, from two server processes or the command line, run one after the other; the later
one sees the earlier one's rows and replaces them. A roll-up that *read* the raw rows before
the stored one did is older and is dropped, so a slow run never overwrites a fresher result.
The raw reads happen before the transaction: the service's own writes wait for the lock only
while fact rows are swapped, never while events are read.

Reading a period sums in SQL (``GROUP BY`` the keys, over the days asked), so the dashboard reads
a few hundred rows whatever the period's length: it never scans the raw tables.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Table, delete, func, insert, select, update

from shomeisho.db.dialect import insert_ignoring_duplicates
from shomeisho.db.kpi_sources import SqlKpiSources
from shomeisho.db.kpi_tables import (
    KpiIssuanceRow,
    KpiJourneyReasonRow,
    KpiJourneyRow,
    KpiJourneyStepRow,
    KpiJourneyTimeRow,
    KpiRollupRow,
    KpiVerificationRow,
)
from shomeisho.db.rows import as_utc
from shomeisho.db.tables import table_of
from shomeisho.kpi.facts import (
    DailyTotals,
    Facts,
    IssuanceCounts,
    JourneyCounts,
    PeriodFacts,
    ReasonCounts,
    StepCounts,
    TimeCounts,
    VerificationCounts,
)

ROLLUPS = table_of(KpiRollupRow)
JOURNEYS = table_of(KpiJourneyRow)
STEPS = table_of(KpiJourneyStepRow)
TIMES = table_of(KpiJourneyTimeRow)
REASONS = table_of(KpiJourneyReasonRow)
ISSUANCES = table_of(KpiIssuanceRow)
VERIFICATIONS = table_of(KpiVerificationRow)
# each fact table with its fact shape; the shape's fields are the table's columns but ``day``
FACT_TABLES: tuple[tuple[str, Table, type[Any]], ...] = (
    ("journeys", JOURNEYS, JourneyCounts),
    ("steps", STEPS, StepCounts),
    ("times", TIMES, TimeCounts),
    ("reasons", REASONS, ReasonCounts),
    ("issuances", ISSUANCES, IssuanceCounts),
    ("verifications", VERIFICATIONS, VerificationCounts),
)
KEYS: dict[str, tuple[str, ...]] = {  # the columns a period's sum is grouped by
    "journeys": ("use",),
    "steps": ("use", "step"),
    "times": ("use", "seconds"),
    "reasons": ("use", "step", "kind", "code"),
    "issuances": ("municipality_code", "channel", "use", "formats"),
    "verifications": ("channel", "format", "verdict"),
}


class SqlKpiStore(SqlKpiSources):
    """:class:`~shomeisho.kpi.rollup.KpiStore` on SQLite or PostgreSQL, and the period reads."""

    def rollup_times(self, since: date, until: date | None = None) -> dict[date, datetime]:
        query = select(ROLLUPS.c.day, ROLLUPS.c.computed_at).where(ROLLUPS.c.day >= since)
        if until is not None:
            query = query.where(ROLLUPS.c.day <= until)
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return {row.day: as_utc(row.computed_at) for row in rows}

    def replace_day(self, day: date, facts: Facts, computed_at: datetime) -> bool:
        computed_at = computed_at.astimezone(UTC)
        with self.engine.begin() as connection:
            connection.execute(
                insert_ignoring_duplicates(connection, ROLLUPS, ["day"]).values(
                    day=day, computed_at=computed_at
                )
            )
            stored = connection.execute(  # waits here for a roll-up of the same day
                select(ROLLUPS.c.computed_at).where(ROLLUPS.c.day == day).with_for_update()
            ).scalar_one()
            if as_utc(stored) > computed_at:
                return False  # a roll-up that read the raw rows later is stored already
            connection.execute(
                update(ROLLUPS).where(ROLLUPS.c.day == day).values(computed_at=computed_at)
            )
            for name, table, _ in FACT_TABLES:
                connection.execute(delete(table).where(table.c.day == day))
                rows = [asdict(row) | {"day": day} for row in getattr(facts, name)]
                if rows:
                    connection.execute(insert(table), rows)
        return True

    def day_facts(self, day: date) -> Facts:
        """The stored facts of one day, as they were rolled up."""
        return self.period(day, day).facts

    def period(self, first: date, last: date, municipality: str = "") -> PeriodFacts:
        """The facts of the days ``first`` to ``last`` summed, and the per-day totals; with a
        ``municipality``, its issuances only (journeys and verifications are national)."""
        with self.engine.connect() as connection:
            parts = {
                name: _summed(connection, name, (table, shape), (first, last), municipality)
                for name, table, shape in FACT_TABLES
                if not municipality or name == "issuances"
            }
            daily = _daily(connection, first, last, municipality)
        return PeriodFacts(first, last, Facts(**parts), daily)


def _summed(
    connection: Connection,
    name: str,
    fact: tuple[Table, type[Any]],
    days: tuple[date, date],
    municipality: str,
) -> tuple[Any, ...]:
    """One fact table's rows of ``days`` (first, last) summed by their keys, as fact shapes."""
    (table, shape), (first, last) = fact, days
    keys = [table.c[key] for key in KEYS[name]]
    counts = [func.sum(c).label(c.name) for c in table.c if c.name not in (*KEYS[name], "day")]
    query = (
        select(*keys, *counts)
        .where(table.c.day >= first, table.c.day <= last)
        .group_by(*keys)
        .order_by(*keys)
    )
    if municipality:
        query = query.where(table.c.municipality_code == municipality)
    return tuple(
        shape(*row[: len(keys)], *(int(n) for n in row[len(keys) :]))
        for row in connection.execute(query).all()
    )


def _daily(
    connection: Connection, first: date, last: date, municipality: str
) -> tuple[DailyTotals, ...]:
    def per_day(table: Table, column: str, national_only: bool) -> dict[date, int]:
        if municipality and national_only:
            return {}
        query = (
            select(table.c.day, func.sum(table.c[column]))
            .where(table.c.day >= first, table.c.day <= last)
            .group_by(table.c.day)
        )
        if municipality:
            query = query.where(table.c.municipality_code == municipality)
        return {day: int(n) for day, n in connection.execute(query).all()}

    started = per_day(JOURNEYS, "started", True)
    issued = per_day(ISSUANCES, "issuances", False)
    verified = per_day(VERIFICATIONS, "total", True)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return tuple(
        DailyTotals(d, started.get(d, 0), issued.get(d, 0), verified.get(d, 0)) for d in days
    )
