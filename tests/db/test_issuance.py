"""Issuing a resident's certificates from the register with real keys, kept and audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from shomeisho.db.issued import SqlIssuedStore
from shomeisho.db.store import SqlRecordStore
from shomeisho.errors import InputError, Verdict
from shomeisho.formats import all_formats
from shomeisho.keys import FileKeyStore, IssuerSetup
from shomeisho.procedure.issuance import CertificateIssuer, Use
from shomeisho.records.audit import AuditRecord
from shomeisho.records.certificate_record import TravelDetails
from shomeisho.records.service import RecordService
from shomeisho.trust.store import load_trust_file
from tests.db.records_factory import CLERK_A, OPERATOR, event, resident
from tests.key_fixtures import KEYS_PASSPHRASE


@pytest.mark.parametrize(
    ("use", "formats"), [(Use.DOMESTIC, ["shc"]), (Use.OVERSEAS, ["shc", "vdsnc", "dcc"])]
)
def test_issue_keep_and_verify(
    engine: Engine, demo_keys: Path, use: Use, formats: list[str]
) -> None:
    service = RecordService(SqlRecordStore(engine))
    person = service.add_resident(CLERK_A, resident())
    service.record_vaccination(CLERK_A, person.resident_id, event("V-1", 1))
    issuer = CertificateIssuer(
        FileKeyStore(demo_keys, KEYS_PASSPHRASE), IssuerSetup.load(demo_keys), with_dcc=True
    )
    travel = (
        TravelDetails("TK1234567", "JPN", "TAKAHASHI", "YOSHIKO") if use is Use.OVERSEAS else None
    )
    issued = issuer.issue(service.resident_file(CLERK_A, person.resident_id), use, travel)
    assert [c.format for c in issued.certificates] == formats
    shared = {c.record.certificate_id for c in issued.certificates if c.format != "vdsnc"}
    assert shared == {issued.certificate_id}  # VDS-NC's 12-character uvci carries its own id
    trust = load_trust_file(demo_keys / "trust-bundle.json")
    for certificate in issued.certificates:
        result = all_formats()[certificate.format].verify(
            certificate.text, trust, at=datetime.now(UTC) + timedelta(minutes=1)
        )
        assert result.verdict is Verdict.VALID, (certificate.format, result.errors)
    store = SqlIssuedStore(engine)
    store.save(
        person.resident_id,
        issued,
        "resident",
        lambda code: AuditRecord(issued.issued_at, "resident", "certificate.issue", code,
                                 issued.certificate_id, {"formats": formats, "use": use.value}),
    )  # fmt: skip
    newest = store.newest(person.resident_id)
    assert {n[2] for n in newest} == set(formats) and newest[0][0] == issued.certificate_id
    problems, head = service.verify_audit(OPERATOR)
    assert problems == [] and head is not None
    with engine.connect() as connection:
        action = connection.execute(
            text("SELECT action FROM audit_log ORDER BY seq DESC LIMIT 1")
        ).scalar_one()
    assert action == "certificate.issue"


def test_overseas_needs_the_passport(engine: Engine, demo_keys: Path) -> None:
    service = RecordService(SqlRecordStore(engine))
    person = service.add_resident(CLERK_A, resident())
    service.record_vaccination(CLERK_A, person.resident_id, event("V-1", 1))
    issuer = CertificateIssuer(
        FileKeyStore(demo_keys, KEYS_PASSPHRASE), IssuerSetup.load(demo_keys)
    )
    with pytest.raises(InputError) as info:
        issuer.issue(service.resident_file(CLERK_A, person.resident_id), Use.OVERSEAS)
    assert info.value.code == "input.travel"
    assert issuer.formats_for(Use.OVERSEAS) == ("shc", "vdsnc")  # DCC only where configured
