"""What one end-to-end self-check run found, and the daily uptime it adds up to.

Why a record of its own: "it checks itself every day end to end and says loudly when it is
broken". A run names the step that failed (sign-in, issue, verify...) and how long each step
took, so a red run says where to look; the daily summary is what the status page's 90-day bar
shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class StepResult:
    """One step of a run: its name, whether it passed, how long it took, and a short detail
    (an error code or a count; never personal data or certificate content)."""

    step: str
    ok: bool
    ms: float
    detail: str = ""


@dataclass(frozen=True, slots=True)
class SelfCheckRun:
    started_at: datetime
    finished_at: datetime
    steps: tuple[StepResult, ...]
    trigger: str  # "schedule" (inside the service) or "command" (shomeisho selfcheck)

    @property
    def ok(self) -> bool:
        return bool(self.steps) and all(step.ok for step in self.steps)

    @property
    def failed_step(self) -> str | None:
        return next((step.step for step in self.steps if not step.ok), None)


@dataclass(frozen=True, slots=True)
class DayUptime:
    """One day of the uptime bar (Japan's calendar day): how many runs, how many failed."""

    day: date
    runs: int
    failures: int

    @property
    def state(self) -> str:
        """``ok`` (every run passed), ``failed`` (at least one failed) or ``none`` (no run)."""
        if self.runs == 0:
            return "none"
        return "failed" if self.failures else "ok"
