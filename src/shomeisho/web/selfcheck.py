"""The self-check as the service runs it: on a schedule, recorded, logged, alerted.

One :class:`SelfCheck` per process serves both doors: the job the service schedules on
``app.state.background`` (``trigger="schedule"``) and ``shomeisho selfcheck``
(``trigger="command"``). A run (:func:`shomeisho.ops.selfcheck.run_selfcheck`) walks the public
URL over HTTP (:mod:`.selfcheck_client`); then it is stored, logged, and alerted on by the rule of
:mod:`shomeisho.ops.alerts`.

Why the care around the database: "the database is down" is one of the failures the self-check
exists to report, so nothing after the run may depend on it. A run that cannot be stored is kept
in memory and stored when the database is back (so the history shows the outage); the alert
state then comes from memory instead of the stored history, and the alert still goes out.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from shomeisho.db.cards import SqlCardStore
from shomeisho.db.selfcheck import SqlSelfCheckLog
from shomeisho.db.synthetic import ensure_synthetic_resident, prune_synthetic
from shomeisho.ops.alerts import AlertKind, AlertState, alert_payload
from shomeisho.ops.runs import SelfCheckRun
from shomeisho.ops.selfcheck import FORMATS, StepFailedError, run_selfcheck, synthetic_pin
from shomeisho.pki import IssuedKey
from shomeisho.records.service import RecordService
from shomeisho.settings import Settings
from shomeisho.web.alerting import WebhookAlerter, schedule_warnings
from shomeisho.web.logs import request_logger
from shomeisho.web.selfcheck_client import HttpSelfCheck

HISTORY = 500  # runs replayed to rebuild the alert state (three weeks of hourly runs)
PENDING = 500  # runs kept in memory while the database cannot store them
SERVICE = "shomeisho"


class SelfCheck:
    """Runs the self-check against ``base_url`` and does everything a run calls for."""

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        *,
        records: RecordService,
        card_authority: Callable[[], IssuedKey],
        base_url: str | None = None,
        trigger: str = "schedule",
        alerter: WebhookAlerter | None = None,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.records = records
        self.base_url = (base_url or settings.public_url).rstrip("/")
        self.trigger = trigger
        self.runs = SqlSelfCheckLog(engine)
        self.alerter = alerter or WebhookAlerter.from_settings(settings)
        self.log = request_logger("shomeisho.selfcheck")
        self._secret = settings.record_secret.get_secret_value().encode("utf-8")
        self._card_authority = card_authority
        self._repeat = timedelta(hours=settings.alert_repeat_hours)
        self._state = AlertState()
        self.new_card = False  # give the synthetic resident a new card at the next run
        self._pending: list[SelfCheckRun] = []
        self._lock = threading.Lock()  # one run at a time per process

    @property
    def formats(self) -> tuple[str, ...]:
        return tuple(f for f in FORMATS if f != "dcc" or self.settings.issue_dcc)

    def run_once(self) -> SelfCheckRun:
        """One run: walk the service, store the run, log it, alert if the rule says so."""
        with self._lock:
            with HttpSelfCheck(
                self.base_url,
                card=self._card,
                formats=self.formats,
                external_provider=self.settings.oidc_issuer is not None,
                request_timeout=self.settings.selfcheck_timeout,
            ) as target:
                run = run_selfcheck(
                    target,
                    self.formats,
                    trigger=self.trigger,
                    deadline_seconds=self.settings.selfcheck_deadline,
                )
            before = self._store(run)
            self._state, kind = before.after(run, self._repeat)
            self._log(run, kind)
            if kind is not None:
                payload = alert_payload(
                    kind, run, service=SERVICE, instance=self.base_url,
                    failing_since=self._state.failing_since or before.failing_since,
                )  # fmt: skip
                self.alerter.send(payload)
            return run

    def _card(self) -> tuple[str, str]:
        """The synthetic resident's card subject and PIN (made on first use); the PIN is only
        handed out when it is the card's and the card is not locked, so it is never wrong."""
        pin = synthetic_pin(self._secret)
        try:
            card = ensure_synthetic_resident(
                self.engine,
                self.records,
                SqlCardStore(self.engine, self._secret),
                self._card_authority(),
                pin=pin,
                secret=self._secret,
                municipality=self.settings.selfcheck_municipality,
                new_card=self.new_card,
            )
            self.new_card = False
        except SQLAlchemyError:
            raise StepFailedError("database_unavailable") from None
        if card.locked:
            raise StepFailedError("card_locked")
        if not card.pin_ok:
            raise StepFailedError("pin_unknown")
        return card.subject, pin

    def _store(self, run: SelfCheckRun) -> AlertState:
        """Store the run (and any kept from an outage); the alert state before it: rebuilt
        from the stored history, or the one in memory when the database cannot answer."""
        try:
            while self._pending:
                self.runs.record(self._pending[0])
                self._pending.pop(0)
            history = self.runs.recent(HISTORY)
            self.runs.record(run)
            prune_synthetic(self.runs.engine, now=run.finished_at)
        except Exception as exc:  # the database is down: keep it, alert from memory
            self._pending = [*self._pending, run][-PENDING:]
            self.log.error("selfcheck_not_recorded", error=type(exc).__name__,
                           pending=len(self._pending))  # fmt: skip
            return self._state
        return AlertState.replay(reversed(history), self._repeat)

    def _log(self, run: SelfCheckRun, kind: AlertKind | None) -> None:
        total = round(sum(step.ms for step in run.steps), 1)
        if run.ok:
            event = "selfcheck_recovered" if kind is AlertKind.RECOVERED else "selfcheck_passed"
            self.log.info(event, trigger=run.trigger, total_ms=total)
            return
        failed = next(step for step in run.steps if not step.ok)
        self.log.error(
            "selfcheck_failed", step=failed.step, detail=failed.detail, trigger=run.trigger,
            total_ms=total, alerted=kind.value if kind else None,
        )  # fmt: skip


def install(app: Any, settings: Settings) -> None:
    """Schedule the self-check (and the daily warnings) in ``app.state.background``.

    The first run waits ``selfcheck_first_delay`` seconds, because it calls this service's own
    port, which listens only once the app has started; a run that still finds it closed reports
    ``service: unreachable`` rather than failing the job."""

    def authority() -> IssuedKey:
        found: IssuedKey | None = getattr(app.state, "card_authority", None)
        if found is None:  # an external provider: no card CA here (sign-in says so first)
            raise StepFailedError("external_provider_not_supported")
        return found

    check = SelfCheck(settings, app.state.engine, records=app.state.records,
                      card_authority=authority)  # fmt: skip
    app.state.selfcheck = check
    app.state.background.add(
        "selfcheck",
        settings.selfcheck_interval,
        check.run_once,
        first_delay=settings.selfcheck_first_delay,
    )
    schedule_warnings(app, settings, check.alerter)
