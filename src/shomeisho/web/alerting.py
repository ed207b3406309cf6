"""Alerts out of the service: a JSON POST to the operator's webhook, and the daily warnings.

Why a plain webhook: every paging and chat tool (PagerDuty, Opsgenie, Slack, Teams, a small
relay to e-mail or SMS) accepts a JSON POST, and the service must not depend on any one of them.
Sending never raises into the job that calls it: an alert that cannot be delivered is written to
the log (``alert_not_delivered``) and the job goes on; it is tried twice (one retry after a short
pause), each try with a timeout, so a dead webhook costs a run seconds, not its schedule.

The warnings (a signing certificate within ``SHOMEISHO_WARN_DAYS`` of its end, a trust list past
its next update) are the ones ``/status`` shows (:mod:`shomeisho.ops.expiry`); they go out through
the same webhook at most once a day, because they are about days, not minutes.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import httpx

from shomeisho.ops.alerts import warning_payload
from shomeisho.settings import Settings
from shomeisho.web.logs import request_logger

WARNING_INTERVAL = 86400.0  # seconds: warnings at most daily
WARNING_FIRST_DELAY = 120.0
_WARNED = ("ops.certificate.", "ops.trust_list.stale")  # what the daily warning is about


class WebhookAlerter:
    """POSTs alert payloads to one webhook URL (or only logs them, without one)."""

    def __init__(
        self,
        url: str | None,
        *,
        timeout: float = 5.0,
        retry_pause: float = 2.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = url or None
        self.timeout = timeout
        self.retry_pause = retry_pause
        self._transport = transport
        self.log = request_logger("shomeisho.alerts")

    @classmethod
    def from_settings(cls, settings: Settings) -> WebhookAlerter:
        return cls(settings.alert_webhook_url, timeout=settings.alert_timeout)

    def send(self, payload: dict[str, Any]) -> bool:
        """True when the webhook answered 2xx; never raises."""
        event = str(payload.get("event", ""))
        if self.url is None:
            self.log.warning("alert_not_sent", alert=event, reason="no_webhook_configured")
            return False
        problem = ""
        for attempt in (1, 2):
            try:
                with httpx.Client(timeout=self.timeout, transport=self._transport) as client:
                    answer = client.post(self.url, json=payload)
                if answer.is_success:
                    self.log.info("alert_sent", alert=event, attempt=attempt)
                    return True
                problem = f"http_{answer.status_code}"
            except httpx.HTTPError as exc:
                problem = type(exc).__name__
            except Exception as exc:  # a malformed URL and the like: never into the job
                problem = type(exc).__name__
                break
            if attempt == 1:
                time.sleep(self.retry_pause)
        self.log.error("alert_not_delivered", alert=event, problem=problem)
        return False


def current_warnings(app: Any) -> list[Any]:
    """The certificate and trust-list warnings ``/status`` shows (none without it)."""
    operations = getattr(app.state, "operations", None)
    if operations is None:
        return []
    warnings = operations.status().warnings
    return [w for w in warnings if w.code.startswith(_WARNED)]


def send_warnings(app: Any, settings: Settings, alerter: WebhookAlerter) -> int:
    """Send today's warnings, if any; the number sent."""
    warnings = current_warnings(app)
    if warnings:
        alerter.log.warning("operations_warning", codes=[w.code for w in warnings])
        alerter.send(
            warning_payload(
                warnings, service="shomeisho", instance=settings.public_url.rstrip("/"),
                at=datetime.now(UTC),
            )
        )  # fmt: skip
    return len(warnings)


def schedule_warnings(app: Any, settings: Settings, alerter: WebhookAlerter) -> None:
    app.state.background.add(
        "warnings",
        WARNING_INTERVAL,
        lambda: send_warnings(app, settings, alerter),
        first_delay=WARNING_FIRST_DELAY,
    )
