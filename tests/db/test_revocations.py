"""Revoking an issued certificate on a real database: who may, once only, audited, and the
lists published from it make every verifier refuse the DCC and the SMART Health Card."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from shomeisho.db.issued import SqlIssuedStore
from shomeisho.db.revocations import SqlRevocationStore
from shomeisho.db.store import SqlRecordStore
from shomeisho.errors import AccessDeniedError, ConflictError, NotFoundError, Verdict
from shomeisho.formats import all_formats
from shomeisho.keys import FileKeyStore, IssuerSetup
from shomeisho.procedure.issuance import CertificateIssuer, IssuedSet, Use
from shomeisho.procedure.revocation import RevocationReason, publishable_revocations, rid_secret
from shomeisho.records.audit import AuditRecord
from shomeisho.records.certificate_record import TravelDetails
from shomeisho.records.entities import Staff
from shomeisho.records.service import RecordService
from shomeisho.trust.revocation import merge_shc_crls
from shomeisho.trust.store import load_trust_file
from tests.db.records_factory import ADMIN_A, CLERK_A, CLERK_B, OPERATOR, event, resident
from tests.key_fixtures import KEYS_PASSPHRASE

SECRET = rid_secret(b"service-secret-for-tests-" * 2)


def issue_and_keep(engine: Engine, demo_keys: Path, number: str) -> IssuedSet:
    service = RecordService(SqlRecordStore(engine))
    person = service.add_resident(CLERK_A, resident(number))
    service.record_vaccination(CLERK_A, person.resident_id, event(f"V-{number}", 1))
    issuer = CertificateIssuer(
        FileKeyStore(demo_keys, KEYS_PASSPHRASE),
        IssuerSetup.load(demo_keys),
        with_dcc=True,
        rid_secret=SECRET,
    )
    travel = TravelDetails("TK1234567", "JPN", "TAKAHASHI", "YOSHIKO")
    issued = issuer.issue(service.resident_file(CLERK_A, person.resident_id), Use.OVERSEAS, travel)
    SqlIssuedStore(engine).save(
        person.resident_id,
        issued,
        "resident",
        lambda code: AuditRecord(issued.issued_at, "resident", "certificate.issue", code,
                                 issued.certificate_id, {}),
    )  # fmt: skip
    return issued


@pytest.mark.parametrize(
    ("actor", "outcome"),
    [(CLERK_A, "403"), (CLERK_B, "403"), (ADMIN_A, "ok"), (OPERATOR, "ok")],
    ids=["clerk of the municipality", "clerk elsewhere", "municipal admin", "national operator"],
)
def test_who_may_revoke(engine: Engine, demo_keys: Path, actor: Staff, outcome: str) -> None:
    """Clerks may not revoke at all (403 for the role, wherever the certificate is)."""
    issued = issue_and_keep(engine, demo_keys, f"R-{actor.login}")
    store = SqlRevocationStore(engine)
    try:
        store.revoke(actor, issued.certificate_id, RevocationReason.ISSUED_IN_ERROR,
                     at=datetime.now(UTC))  # fmt: skip
        got = "ok"
    except AccessDeniedError:
        got = "403"
    except NotFoundError:
        got = "404"
    assert got == outcome
    revoked = {r.certificate_id for r in store.revocations()}
    assert (issued.certificate_id in revoked) == (outcome == "ok")


def test_revoke_once_audited_and_published(engine: Engine, demo_keys: Path) -> None:
    issued = issue_and_keep(engine, demo_keys, "R-1")
    kept = issue_and_keep(engine, demo_keys, "R-2")
    store = SqlRevocationStore(engine)
    at = datetime.now(UTC).replace(microsecond=0)
    revocation, formats = store.revoke(
        ADMIN_A, issued.certificate_id, RevocationReason.RECORD_CORRECTED, at=at
    )
    assert sorted(formats) == ["dcc", "shc", "vdsnc"] and revocation.revoked_by == ADMIN_A.login
    with pytest.raises(ConflictError) as twice:
        store.revoke(OPERATOR, issued.certificate_id, RevocationReason.HOLDER_REQUEST, at=at)
    assert twice.value.code == "conflict.revoked" and "record_corrected" in twice.value.message
    with pytest.raises(NotFoundError):
        store.revoke(OPERATOR, "URN:UVCI:01:JP:NOSUCHID", RevocationReason.HOLDER_REQUEST, at=at)
    with engine.connect() as connection:
        last = connection.execute(
            text("SELECT action, subject, details FROM audit_log ORDER BY seq DESC LIMIT 1")
        ).one()
    assert last.action == "certificate.revoke" and last.subject == issued.certificate_id
    assert "record_corrected" in str(last.details)
    service = RecordService(SqlRecordStore(engine))
    problems, _ = service.verify_audit(OPERATOR)
    assert problems == []
    # publish, then verify every format of both issuances against the published lists
    published = publishable_revocations(store.revoked_certificates(), rid_secret=SECRET)
    trust = load_trust_file(demo_keys / "trust-bundle.json")
    trust.dcc_revocations.merge(published.dcc)
    merge_shc_crls(trust.shc_crls, published.shc)
    later = datetime.now(UTC) + timedelta(minutes=1)
    expected = {"dcc": Verdict.REVOKED, "shc": Verdict.REVOKED, "vdsnc": Verdict.VALID}
    for certificate in issued.certificates:
        verdict = all_formats()[certificate.format].verify(certificate.text, trust, at=later)
        assert verdict.verdict is expected[certificate.format], certificate.format
    for certificate in kept.certificates:
        verdict = all_formats()[certificate.format].verify(certificate.text, trust, at=later)
        assert verdict.verdict is Verdict.VALID, certificate.format
