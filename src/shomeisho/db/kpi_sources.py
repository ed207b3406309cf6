"""What the KPI roll-up reads from the raw tables, with synthetic traffic left out, and the
public verifier page's counts.

Only the roll-up reads here, one Japanese day at a time, through indexes (journey events by
``at`` and by journey, issuances by ``issued_at``, usage by day); the dashboard never does.
Synthetic traffic is the self-check's: a journey with any event marked ``synthetic``, an
issuance to a resident marked ``synthetic``; verifications the self-check makes on the public
page are not counted in the first place (``web/kpi_pages.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, and_, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from shomeisho.api_access.usage import UsageKey
from shomeisho.db.kpi_tables import VerificationCountRow
from shomeisho.db.rows import as_utc
from shomeisho.db.tables import (
    ApiUsageRow,
    IssuedCertificateRow,
    JourneyEventRow,
    ResidentRow,
    table_of,
)
from shomeisho.kpi.facts import Issued, VerificationTally, day_bounds, japan_day
from shomeisho.procedure.journey_metrics import JourneyEvent

EVENTS = table_of(JourneyEventRow)
ISSUED = table_of(IssuedCertificateRow)
RESIDENTS = table_of(ResidentRow)
API_USAGE = table_of(ApiUsageRow)
COUNTS = table_of(VerificationCountRow)


class SqlKpiSources:
    """The raw side of :class:`~shomeisho.kpi.rollup.KpiStore`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def raw_day(
        self, day: date
    ) -> tuple[list[JourneyEvent], list[Issued], list[VerificationTally]]:
        start, end = (moment.astimezone(UTC) for moment in day_bounds(day))
        with self.engine.connect() as connection:
            return (
                _journey_events(connection, start, end),
                _issued(connection, start, end),
                _tallies(connection, day),
            )

    def first_raw_day(self) -> date | None:
        with self.engine.connect() as connection:
            first_event = connection.execute(select(func.min(EVENTS.c.at))).scalar()
            first_issued = connection.execute(select(func.min(ISSUED.c.issued_at))).scalar()
            first_usage = connection.execute(select(func.min(API_USAGE.c.day))).scalar()
            first_count = connection.execute(select(func.min(COUNTS.c.day))).scalar()
        days = [japan_day(as_utc(m)) for m in (first_event, first_issued) if m is not None]
        days += [d for d in (first_usage, first_count) if d is not None]
        return min(days, default=None)


def _journey_events(connection: Connection, start: datetime, end: datetime) -> list[JourneyEvent]:
    """Every event of the journeys started in ``[start, end)`` (also their later events),
    except journeys with any synthetic event."""
    started = select(EVENTS.c.journey_id).where(
        and_(
            EVENTS.c.step == "start",
            EVENTS.c.kind == "started",
            EVENTS.c.at >= start,  # SQLite compares the stored UTC text
            EVENTS.c.at < end,
        )
    )
    synthetic = select(EVENTS.c.journey_id).where(
        EVENTS.c.journey_id.in_(started), EVENTS.c.synthetic.is_(True)
    )
    rows = connection.execute(
        select(EVENTS.c.journey_id, EVENTS.c.step, EVENTS.c.kind, EVENTS.c.detail, EVENTS.c.at)
        .where(EVENTS.c.journey_id.in_(started), EVENTS.c.journey_id.not_in(synthetic))
        .order_by(EVENTS.c.at, EVENTS.c.id)
    ).all()
    return [JourneyEvent(r.journey_id, r.step, r.kind, r.detail, as_utc(r.at)) for r in rows]


def _issued(connection: Connection, start: datetime, end: datetime) -> list[Issued]:
    rows = connection.execute(
        select(
            ISSUED.c.certificate_id,
            ISSUED.c.format,
            ISSUED.c.use,
            ISSUED.c.channel,
            ISSUED.c.issued_at,
            RESIDENTS.c.municipality_code,
        )
        .join(RESIDENTS, RESIDENTS.c.id == ISSUED.c.resident_pk)
        .where(
            ISSUED.c.issued_at >= start,
            ISSUED.c.issued_at < end,
            RESIDENTS.c.synthetic.is_(False),
        )
    ).all()
    return [
        Issued(r.certificate_id, r.municipality_code, r.channel, r.use, r.format,
               as_utc(r.issued_at))
        for r in rows
    ]  # fmt: skip


def _tallies(connection: Connection, day: date) -> list[VerificationTally]:
    api = connection.execute(
        select(API_USAGE.c.format, API_USAGE.c.verdict, func.sum(API_USAGE.c.total))
        .where(API_USAGE.c.day == day)
        .group_by(API_USAGE.c.format, API_USAGE.c.verdict)
    ).all()
    counted = connection.execute(
        select(COUNTS.c.channel, COUNTS.c.format, COUNTS.c.verdict, COUNTS.c.total).where(
            COUNTS.c.day == day
        )
    ).all()
    return [VerificationTally("api", f, v, int(n)) for f, v, n in api] + [
        VerificationTally(c, f, v, int(n)) for c, f, v, n in counted
    ]


class SqlVerificationCounts:
    """The public page's counts (:class:`~shomeisho.api_access.usage.UsageSink`): a count's
    ``key_id`` is the channel (``page``), the rest is its day, format and verdict. Added with
    ``INSERT ... ON CONFLICT DO UPDATE SET total = total + excluded.total`` in sorted order, as
    the API's usage is, so several processes may write at once."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add_usage(self, counts: Mapping[UsageKey, int]) -> None:
        if not counts:
            return
        rows = [
            {"channel": k.key_id, "day": k.day, "format": k.format, "verdict": k.verdict,
             "total": n}
            for k, n in sorted(counts.items())
        ]  # fmt: skip
        with self.engine.begin() as connection:
            module: Any = postgresql if connection.dialect.name == "postgresql" else sqlite
            statement = module.insert(COUNTS)
            connection.execute(
                statement.on_conflict_do_update(
                    index_elements=["channel", "day", "format", "verdict"],
                    set_={"total": COUNTS.c.total + statement.excluded.total},
                ),
                rows,
            )


def add_journey_events(engine: Engine, events: Iterable[JourneyEvent]) -> int:
    """Write journey events in one transaction (the demo history; the pages write one event at
    a time through :class:`~shomeisho.db.journey.SqlJourneyLog`)."""
    rows = [
        {"journey_id": e.journey_id, "step": e.step, "kind": e.kind, "detail": e.detail[:40],
         "at": e.at.astimezone(UTC)}
        for e in events
    ]  # fmt: skip
    if rows:
        with engine.begin() as connection:
            connection.execute(insert(EVENTS), rows)
    return len(rows)
