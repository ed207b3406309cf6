"""Journey events: what the KPIs of the procedure are computed from (no personal data)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Engine, insert, select

from shomeisho.db.rows import as_utc
from shomeisho.db.tables import JourneyEventRow, table_of

EVENTS = table_of(JourneyEventRow)
STEPS = ("start", "sign_in", "use", "travel", "check", "certificate")
KINDS = ("started", "submitted", "validation_error", "outcome")


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
                    at=self._clock(),
                )
            )

    def events(self, journey_id: str) -> list[tuple[str, str, str, datetime]]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(EVENTS).where(EVENTS.c.journey_id == journey_id).order_by(EVENTS.c.id)
            ).all()
        return [(r.step, r.kind, r.detail, as_utc(r.at)) for r in rows]
