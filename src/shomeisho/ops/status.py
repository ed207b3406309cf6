"""What ``/status`` shows: the service's health in one value, for the page and its JSON.

Public on purpose ("software is worth something only while it runs", and residents, verifiers
and the press should be able to see whether it does): version and commit, the schema revision,
readiness, each signing certificate's end, the trust list's age, the last self-check and 90 days
of self-check history. Nothing personal, no key material, no certificate content.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from shomeisho.ops.expiry import (
    SELFCHECK_OVERDUE,
    CertificateExpiry,
    StatusWarning,
    TrustListFacts,
    certificate_warnings,
    selfcheck_warnings,
    trust_list_warnings,
)
from shomeisho.ops.readiness import Readiness
from shomeisho.ops.runs import DayUptime, SelfCheckRun

OK, WARNING, NOT_READY = "ok", "warning", "not_ready"


@dataclass(frozen=True, slots=True)
class Thresholds:
    """When warnings start (settings; defaults in docs/operations.md)."""

    certificate_days: int = 30
    trust_list_due_days: int = 2
    trust_list_max_age_days: int = 14
    selfcheck_overdue: timedelta = SELFCHECK_OVERDUE


@dataclass(frozen=True, slots=True)
class ServiceStatus:
    checked_at: datetime
    version: str
    commit: str
    database_revision: str | None
    code_revision: str | None
    readiness: Readiness
    certificates: tuple[CertificateExpiry, ...]
    trust_list: TrustListFacts | None
    last_run: SelfCheckRun | None
    uptime: tuple[DayUptime, ...]
    warnings: tuple[StatusWarning, ...]
    warn_days: int = 30

    @property
    def state(self) -> str:
        """``not_ready`` when a readiness check fails, ``warning`` when something needs acting
        on soon, else ``ok``."""
        if not self.readiness.ok:
            return NOT_READY
        return WARNING if self.warnings else OK

    def uptime_counts(self) -> dict[str, int]:
        counts = {"ok": 0, "failed": 0, "none": 0}
        for day in self.uptime:
            counts[day.state] += 1
        return counts

    def to_document(self) -> dict[str, object]:
        now = self.checked_at
        trust = self.trust_list
        last = self.last_run
        return {
            "status": self.state,
            "checked_at": now.isoformat(),
            "version": self.version,
            "commit": self.commit,
            "migration": {"database": self.database_revision, "code": self.code_revision},
            "readiness": self.readiness.to_document(),
            "signing_keys": [
                {
                    "key": cert.key,
                    "role": cert.role,
                    "subject": cert.subject or None,
                    "not_before": cert.not_before.isoformat() if cert.not_before else None,
                    "not_after": cert.not_after.isoformat() if cert.not_after else None,
                    "days_left": _rounded(cert.days_left(now)),
                    "warning": _warned(cert, now, self.warn_days),
                }
                for cert in self.certificates
            ],
            "trust_list": None
            if trust is None
            else {
                "version": trust.version,
                "issued_at": trust.issued_at.isoformat() if trust.issued_at else None,
                "next_update": trust.next_update.isoformat() if trust.next_update else None,
                "age_seconds": _rounded(trust.age_seconds(now)),
                "stale": trust.is_stale(now),
            },
            "selfcheck": {
                "last": None
                if last is None
                else {
                    "started_at": last.started_at.isoformat(),
                    "finished_at": last.finished_at.isoformat(),
                    "ok": last.ok,
                    "failed_step": last.failed_step,
                    "trigger": last.trigger,
                    "steps": [
                        {"step": s.step, "ok": s.ok, "ms": round(s.ms, 1), "detail": s.detail}
                        for s in last.steps
                    ],
                },
                "days": [
                    {
                        "day": d.day.isoformat(),
                        "runs": d.runs,
                        "failures": d.failures,
                        "state": d.state,
                    }
                    for d in self.uptime
                ],
                "totals": self.uptime_counts(),
            },
            "warnings": [warning.to_document() for warning in self.warnings],
        }


def service_status(
    *,
    checked_at: datetime,
    version: str,
    commit: str,
    database_revision: str | None,
    code_revision: str | None,
    readiness: Readiness,
    certificates: tuple[CertificateExpiry, ...],
    trust_list: TrustListFacts | None,
    last_run: SelfCheckRun | None,
    uptime: tuple[DayUptime, ...],
    thresholds: Thresholds,
) -> ServiceStatus:
    """The status with its warnings worked out from the facts and the thresholds."""
    warnings = (
        certificate_warnings(certificates, checked_at, warn_days=thresholds.certificate_days)
        + trust_list_warnings(
            trust_list,
            checked_at,
            warn_days=thresholds.trust_list_due_days,
            max_age_days=thresholds.trust_list_max_age_days,
        )
        + selfcheck_warnings(last_run, checked_at, overdue=thresholds.selfcheck_overdue)
    )
    return ServiceStatus(
        checked_at,
        version,
        commit,
        database_revision,
        code_revision,
        readiness,
        certificates,
        trust_list,
        last_run,
        uptime,
        tuple(warnings),
        thresholds.certificate_days,
    )


def _warned(cert: CertificateExpiry, now: datetime, warn_days: int) -> str | None:
    left = cert.days_left(now)
    if left is None:
        return None
    if left < 0:
        return "expired"
    return "expiring" if left <= warn_days else None


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
