"""The self-check's runs: kept with their steps and timings, read back for the status page."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, insert, select

from shomeisho.db.rows import as_utc
from shomeisho.db.tables import SelfCheckRunRow, table_of
from shomeisho.model import JST
from shomeisho.ops.runs import DayUptime, SelfCheckRun, StepResult

RUNS = table_of(SelfCheckRunRow)


class SqlSelfCheckLog:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def record(self, run: SelfCheckRun) -> None:
        steps = [
            {"step": s.step, "ok": s.ok, "ms": round(s.ms, 1), "detail": s.detail[:200]}
            for s in run.steps
        ]
        with self.engine.begin() as connection:
            connection.execute(
                insert(RUNS).values(
                    started_at=run.started_at.astimezone(UTC),
                    finished_at=run.finished_at.astimezone(UTC),
                    ok=run.ok,
                    failed_step=run.failed_step,
                    steps=json.dumps(steps),
                    trigger=run.trigger,
                )
            )

    def recent(self, limit: int = 20) -> list[SelfCheckRun]:
        """The newest runs first."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(RUNS).order_by(RUNS.c.started_at.desc(), RUNS.c.id.desc()).limit(limit)
            ).all()
        return [
            SelfCheckRun(
                as_utc(row.started_at),
                as_utc(row.finished_at),
                tuple(StepResult(**step) for step in json.loads(row.steps)),
                row.trigger,
            )
            for row in rows
        ]

    def last(self) -> SelfCheckRun | None:
        runs = self.recent(1)
        return runs[0] if runs else None

    def daily(self, days: int = 90, *, today: date | None = None) -> list[DayUptime]:
        """One entry per Japanese calendar day, oldest first, ending today (days with no run
        included, so a silent self-check shows as a gap, not as green)."""
        today = today or datetime.now(JST).date()
        first = today - timedelta(days=days - 1)
        since = datetime.combine(first, datetime.min.time(), JST).astimezone(UTC)
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(RUNS.c.started_at, RUNS.c.ok).where(RUNS.c.started_at >= since)
            ).all()
        runs: dict[date, list[bool]] = {}
        for row in rows:
            runs.setdefault(as_utc(row.started_at).astimezone(JST).date(), []).append(row.ok)
        return [
            DayUptime(day, len(runs.get(day, [])), runs.get(day, []).count(False))
            for day in (first + timedelta(days=n) for n in range(days))
        ]
