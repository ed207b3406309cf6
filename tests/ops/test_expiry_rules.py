"""The warning and readiness rules alone, on values (no database, no files)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shomeisho.ops.expiry import (
    CertificateExpiry,
    TrustListFacts,
    certificate_warnings,
    selfcheck_warnings,
    trust_list_warnings,
)
from shomeisho.ops.readiness import Check, Readiness, migrations_check
from tests.ops.service_fixtures import run

NOW = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def cert(days_left: float, *, starts_in: float = -100) -> CertificateExpiry:
    return CertificateExpiry(
        "vdsnc-bsc",
        "vdsnc",
        "JPN barcode signer",
        NOW + timedelta(days=starts_in),
        NOW + timedelta(days=days_left),
    )


def test_certificate_warnings_start_warn_days_before_the_end() -> None:
    def codes(days_left: float, **kwargs: float) -> list[str]:
        return [
            w.code for w in certificate_warnings([cert(days_left, **kwargs)], NOW, warn_days=30)
        ]

    assert codes(31) == []
    assert codes(30) == ["ops.certificate.expiring"]  # exactly 30 days left: warned
    assert codes(0.5) == ["ops.certificate.expiring"]
    assert codes(-0.5) == ["ops.certificate.expired"]
    assert codes(300, starts_in=2) == ["ops.certificate.not_yet_valid"]
    assert certificate_warnings([CertificateExpiry("shc-issuer", "shc")], NOW, warn_days=30) == []
    (warning,) = certificate_warnings([cert(10)], NOW, warn_days=30)
    assert warning.days == 10 and warning.subject == "vdsnc-bsc"
    assert warning.message == "vdsnc-bsc: certificate expires 2026-11-11 (in 10 days)"
    assert warning.to_document()["at"] == "2026-11-11T09:00:00+00:00"


def test_trust_list_warnings() -> None:
    def codes(issued_days_ago: float, next_in: float | None) -> list[str]:
        facts = TrustListFacts(
            7,
            NOW - timedelta(days=issued_days_ago),
            None if next_in is None else NOW + timedelta(days=next_in),
        )
        return [w.code for w in trust_list_warnings(facts, NOW, warn_days=2, max_age_days=14)]

    assert codes(1, 6) == []
    assert codes(5, 2) == ["ops.trust_list.due"]
    assert codes(8, -1) == ["ops.trust_list.stale"]
    assert codes(20, -13) == ["ops.trust_list.stale", "ops.trust_list.old"]
    assert codes(20, None) == ["ops.trust_list.old"]  # announced nothing, but too old
    assert trust_list_warnings(TrustListFacts(None), NOW, warn_days=2, max_age_days=14) == []
    assert trust_list_warnings(None, NOW, warn_days=2, max_age_days=14) == []
    assert TrustListFacts(3, NOW - timedelta(days=8), NOW - timedelta(days=1)).is_stale(NOW)


def test_selfcheck_warnings() -> None:
    assert [w.code for w in selfcheck_warnings(None, NOW)] == ["ops.selfcheck.never"]
    assert selfcheck_warnings(run(NOW - timedelta(hours=1)), NOW) == []
    (failed,) = selfcheck_warnings(run(NOW - timedelta(hours=1), failed_at="issue"), NOW)
    assert (failed.code, failed.subject) == ("ops.selfcheck.failed", "issue")
    late = run(NOW - timedelta(hours=4))
    assert selfcheck_warnings(late, NOW) == []  # within the default 48 hours
    (overdue,) = selfcheck_warnings(late, NOW, overdue=timedelta(hours=3))
    assert overdue.code == "ops.selfcheck.overdue" and overdue.at == late.started_at


def test_readiness_names_what_failed() -> None:
    assert migrations_check("0009", "0009").ok
    behind = migrations_check("0008", "0009")
    assert not behind.ok and behind.code == "ops.migrations"
    assert not migrations_check(None, "0009").ok
    readiness = Readiness((Check("database", True, "sqlite"), behind))
    assert not readiness.ok and readiness.failed == ("migrations",)
    assert readiness.to_document() == {
        "status": "not_ready",
        "failed": ["migrations"],
        "checks": [
            {"name": "database", "ok": True, "detail": "sqlite"},
            {
                "name": "migrations",
                "ok": False,
                "detail": "database at 0008, code at 0009; run 'shomeisho db upgrade'",
                "code": "ops.migrations",
            },
        ],
    }
