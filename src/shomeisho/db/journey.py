"""Journey events: what the KPIs of the procedure are computed from (no personal data)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, Engine, and_, exists, insert, select, update

from shomeisho.db.rows import as_utc
from shomeisho.db.tables import JourneyEventRow, ResidentRow, table_of
from shomeisho.procedure.journey_metrics import KINDS, STEPS, JourneyEvent

EVENTS = table_of(JourneyEventRow)
RESIDENTS = table_of(ResidentRow)
__all__ = ["EVENTS", "KINDS", "STEPS", "SqlJourneyLog"]


class SqlJourneyLog:
    def __init__(self, engine: Engine, *, clock: Callable[[], datetime] | None = None) -> None:
        self.engine = engine
        self._clock = clock or (lambda: datetime.now(UTC))

    def record(self, journey_id: str, step: str, kind: str, detail: str = "") -> None:
        if step not in STEPS or kind not in KINDS:
            raise ValueError(f"unknown journey step or kind: {step}/{kind}")
        with self.engine.begin() as connection:
            connection.execute(
                insert(EVENTS).values(
                    journey_id=journey_id,
                    step=step,
                    kind=kind,
                    detail=detail[:40],
                    at=self._clock().astimezone(UTC),  # SQLite keeps no offset
                    # a journey marked synthetic (the self-check's) stays so to its end
                    synthetic=exists().where(_synthetic_event(journey_id)),
                )
            )

    def mark_synthetic(self, journey_id: str, subject: str) -> None:
        """Mark every event of the journey synthetic when ``subject`` (who just signed in) is the
        self-check's synthetic resident; later events follow (:meth:`record`). One statement,
        so a real sign-in pays a single indexed lookup that changes nothing."""
        synthetic_resident = exists().where(
            RESIDENTS.c.idp_subject == subject, RESIDENTS.c.synthetic.is_(True)
        )
        with self.engine.begin() as connection:
            connection.execute(
                update(EVENTS)
                .where(EVENTS.c.journey_id == journey_id, synthetic_resident)
                .values(synthetic=True)
            )

    def events(self, journey_id: str) -> list[tuple[str, str, str, datetime]]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(EVENTS).where(EVENTS.c.journey_id == journey_id).order_by(EVENTS.c.id)
            ).all()
        return [(r.step, r.kind, r.detail, as_utc(r.at)) for r in rows]

    def journeys_started_between(self, start: datetime, end: datetime) -> list[JourneyEvent]:
        """Every event of the journeys started in ``[start, end)``, including their events after
        ``end``, oldest first: the cohort :func:`~shomeisho.procedure.journey_metrics.
        journey_metrics` counts. The start events are found through the index on ``at``, the
        rest through the journey index."""
        started = select(EVENTS.c.journey_id).where(
            and_(
                EVENTS.c.step == "start",
                EVENTS.c.kind == "started",
                EVENTS.c.at >= start.astimezone(UTC),  # SQLite compares the stored UTC text
                EVENTS.c.at < end.astimezone(UTC),
            )
        )
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(EVENTS)
                .where(EVENTS.c.journey_id.in_(started))
                .order_by(EVENTS.c.at, EVENTS.c.id)
            ).all()
        return [JourneyEvent(r.journey_id, r.step, r.kind, r.detail, as_utc(r.at)) for r in rows]


def _synthetic_event(journey_id: str) -> ColumnElement[bool]:
    return and_(EVENTS.c.journey_id == journey_id, EVENTS.c.synthetic.is_(True))
