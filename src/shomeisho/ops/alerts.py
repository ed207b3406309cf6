"""When a self-check run raises an alert, and what the alert says.

Why a policy rather than "alert on every red run": the self-check runs every hour, and an
operator who gets the same message 24 times a day stops reading it, which is how a broken
service goes unnoticed. So: alert on the first failure, again when it recovers, and while it
stays red remind at most once every ``repeat`` (``SHOMEISHO_ALERT_REPEAT_HOURS``). The state is
small enough to rebuild from the stored history (:meth:`AlertState.replay`), which is how the
``shomeisho selfcheck`` command, a separate process, follows the same rule as the service.

The payload carries the run's steps, times and short codes only (never personal data), plus a
``text`` line so that chat webhooks that only read ``text`` (Slack, Mattermost) show it as is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from shomeisho.ops.expiry import StatusWarning
from shomeisho.ops.runs import SelfCheckRun


class AlertKind(StrEnum):
    FAILED = "selfcheck_failed"  # the first red run after green (or after start)
    STILL_FAILING = "selfcheck_still_failing"  # the reminder, at most once per repeat period
    RECOVERED = "selfcheck_recovered"  # the first green run after red


@dataclass(frozen=True, slots=True)
class AlertState:
    """Where the alerting stands: since when the self-check has been red, and when it last
    alerted about it (both None while it is green)."""

    failing_since: datetime | None = None
    last_alert_at: datetime | None = None

    def after(self, run: SelfCheckRun, repeat: timedelta) -> tuple[AlertState, AlertKind | None]:
        """The state after ``run`` and the alert it calls for, if any."""
        at = run.started_at
        if run.ok:
            if self.failing_since is None:
                return self, None
            return AlertState(), AlertKind.RECOVERED
        if self.failing_since is None:
            return AlertState(at, at), AlertKind.FAILED
        if self.last_alert_at is None or at - self.last_alert_at >= repeat:
            return replace(self, last_alert_at=at), AlertKind.STILL_FAILING
        return self, None

    @classmethod
    def replay(cls, runs_oldest_first: Iterable[SelfCheckRun], repeat: timedelta) -> AlertState:
        """The state the alerting reached after ``runs`` (the stored history)."""
        state = cls()
        for run in runs_oldest_first:
            state, _ = state.after(run, repeat)
        return state


def alert_payload(
    kind: AlertKind,
    run: SelfCheckRun,
    *,
    service: str,
    instance: str,
    failing_since: datetime | None,
) -> dict[str, Any]:
    """The JSON body POSTed to the webhook (docs/operations.md shows an example)."""
    failed = next((step for step in run.steps if not step.ok), None)
    if kind is AlertKind.RECOVERED:
        text = f"{service} self-check recovered at {instance}: every step passed"
    else:
        assert failed is not None
        text = (
            f"{service} self-check FAILED at {instance}: step {failed.step}"
            f" ({failed.detail or 'no detail'})"
        )
    return {
        "type": "shomeisho.selfcheck",
        "event": kind.value,
        "status": "green" if run.ok else "red",
        "service": service,
        "instance": instance,
        "time": run.finished_at.isoformat(),
        "started_at": run.started_at.isoformat(),
        "trigger": run.trigger,
        "failed_step": failed.step if failed else None,
        "detail": failed.detail if failed else None,
        "failing_since": failing_since.isoformat() if failing_since else None,
        "steps": [
            {"step": s.step, "ok": s.ok, "ms": round(s.ms, 1), "detail": s.detail}
            for s in run.steps
        ],
        "text": text,
    }


def warning_payload(
    warnings: Sequence[StatusWarning], *, service: str, instance: str, at: datetime
) -> dict[str, Any]:
    """The JSON body of a warning: something will stop working soon (a signing certificate near
    its end, a stale trust list; :mod:`shomeisho.ops.expiry` finds them)."""
    lines = "; ".join(warning.message for warning in warnings)
    return {
        "type": "shomeisho.warning",
        "event": "operations_warning",
        "service": service,
        "instance": instance,
        "time": at.isoformat(),
        "warnings": [warning.to_document() for warning in warnings],
        "text": f"{service} warning at {instance}: {lines}",
    }
