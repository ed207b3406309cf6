"""Warnings *before* something stops working: signing certificates near their end, a trust list
due, stale or old, a self-check that failed or has not run.

Why days ahead: an expired document signer makes every new certificate one that verifiers
refuse, and a stale trust list makes every verdict carry a warning; both are fixed by a person
(a key ceremony, the operator publishing a list), which takes days, so the warning must come
days before. The thresholds are settings (``docs/operations.md``); these functions only compare.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.x509.oid import NameOID

from shomeisho.ops.runs import SelfCheckRun

SELFCHECK_OVERDUE = timedelta(hours=48)  # the default; the service uses 3 x its interval
DAY = 86400.0


@dataclass(frozen=True, slots=True)
class CertificateExpiry:
    """A key in the key store and the validity of its certificate (None: a bare key, such as
    the SMART Health Card issuer key, which is published as a JWK and never expires)."""

    key: str
    role: str  # what it does: "shc", "vdsnc", "dcc" (it signs that format), "authority", "other"
    subject: str = ""
    not_before: datetime | None = None
    not_after: datetime | None = None

    @classmethod
    def of(cls, key: str, role: str, certificate: x509.Certificate | None) -> CertificateExpiry:
        if certificate is None:
            return cls(key, role)
        names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        subject = str(names[0].value) if names else certificate.subject.rfc4514_string()
        return cls(
            key, role, subject, certificate.not_valid_before_utc, certificate.not_valid_after_utc
        )

    def days_left(self, now: datetime) -> float | None:
        if self.not_after is None:
            return None
        return (self.not_after - now).total_seconds() / DAY


@dataclass(frozen=True, slots=True)
class TrustListFacts:
    """What the status page says of the trust list the service's verifier holds."""

    version: int | None  # None: an unsigned trust bundle (no version, no dates)
    issued_at: datetime | None = None
    next_update: datetime | None = None

    def age_seconds(self, now: datetime) -> float | None:
        return (now - self.issued_at).total_seconds() if self.issued_at else None

    def is_stale(self, now: datetime) -> bool:
        return self.next_update is not None and now > self.next_update


@dataclass(frozen=True, slots=True)
class StatusWarning:
    """One thing to act on: a stable code, what it is about, and when it matters.

    ``days`` is the days left until it matters (negative: it already does) or, for ``old``,
    the list's age in days."""

    code: str
    subject: str
    days: float | None = None
    at: datetime | None = None

    @property
    def message(self) -> str:
        """The English text (the page has both languages, see i18n ``status_warning_*``)."""
        days = f"{abs(self.days):.0f}" if self.days is not None else "?"
        when = f"{self.at:%Y-%m-%d}" if self.at else "?"
        return {
            "ops.certificate.expiring": f"{self.subject}: certificate expires {when} "
            f"(in {days} days)",
            "ops.certificate.expired": f"{self.subject}: certificate expired {when}",
            "ops.certificate.not_yet_valid": f"{self.subject}: certificate valid only from {when}",
            "ops.trust_list.due": f"trust list {self.subject}: next update due {when}",
            "ops.trust_list.stale": f"trust list {self.subject}: stale since {when}",
            "ops.trust_list.old": f"trust list {self.subject}: issued {days} days ago",
            "ops.selfcheck.failed": f"the last self-check failed at step {self.subject}",
            "ops.selfcheck.overdue": f"no self-check has run since {self.at:%Y-%m-%d %H:%M} UTC"
            if self.at
            else "no self-check has run",
            "ops.selfcheck.never": "no self-check has run yet",
        }.get(self.code, self.code)

    def to_document(self) -> dict[str, object]:
        return {
            "code": self.code,
            "subject": self.subject,
            "message": self.message,
            "days": None if self.days is None else round(self.days, 1),
            "at": self.at.isoformat() if self.at else None,
        }


def certificate_warnings(
    certificates: Iterable[CertificateExpiry], now: datetime, *, warn_days: int
) -> list[StatusWarning]:
    """Certificates expired, not yet valid, or within ``warn_days`` of their end."""
    found: list[StatusWarning] = []
    for cert in certificates:
        left = cert.days_left(now)
        if left is None or cert.not_after is None:
            continue
        if left < 0:
            found.append(StatusWarning("ops.certificate.expired", cert.key, left, cert.not_after))
        elif left <= warn_days:
            found.append(StatusWarning("ops.certificate.expiring", cert.key, left, cert.not_after))
        if cert.not_before is not None and now < cert.not_before:
            found.append(
                StatusWarning("ops.certificate.not_yet_valid", cert.key, None, cert.not_before)
            )
    return found


def trust_list_warnings(
    facts: TrustListFacts | None, now: datetime, *, warn_days: int, max_age_days: int
) -> list[StatusWarning]:
    """A list past its next update (stale), due within ``warn_days``, or older than
    ``max_age_days`` whatever it announced (an operator who stopped publishing)."""
    if facts is None or facts.version is None:
        return []
    name = f"v{facts.version}"
    found: list[StatusWarning] = []
    if facts.next_update is not None:
        left = (facts.next_update - now).total_seconds() / DAY
        if left < 0:
            found.append(StatusWarning("ops.trust_list.stale", name, left, facts.next_update))
        elif left <= warn_days:
            found.append(StatusWarning("ops.trust_list.due", name, left, facts.next_update))
    age = facts.age_seconds(now)
    if age is not None and age / DAY > max_age_days:
        found.append(StatusWarning("ops.trust_list.old", name, age / DAY, facts.issued_at))
    return found


def selfcheck_warnings(
    last: SelfCheckRun | None, now: datetime, *, overdue: timedelta = SELFCHECK_OVERDUE
) -> list[StatusWarning]:
    """The newest run failed, there has been none for ``overdue`` (a schedule that stopped is
    as bad as a red run: nobody would notice the service breaking), or none ever."""
    if last is None:
        return [StatusWarning("ops.selfcheck.never", "")]
    if now - last.started_at > overdue:
        return [StatusWarning("ops.selfcheck.overdue", "", None, last.started_at)]
    if not last.ok:
        return [
            StatusWarning("ops.selfcheck.failed", last.failed_step or "", None, last.started_at)
        ]
    return []
