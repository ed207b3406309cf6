"""What the service publishes for verifiers (trust list, issuer keys, revocation lists) and that
a revocation reaches its own verifier without a restart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from shomeisho.db.bootstrap import prepare
from shomeisho.db.engine import make_engine
from shomeisho.db.issued import SqlIssuedStore
from shomeisho.db.revocations import SqlRevocationStore
from shomeisho.db.store import SqlRecordStore
from shomeisho.issuer_setup import create_demo_trust_setup
from shomeisho.keys import FileKeyStore, IssuerSetup
from shomeisho.procedure.issuance import CertificateIssuer, IssuedSet, Use
from shomeisho.procedure.revocation import RevocationReason, rid_secret
from shomeisho.records.audit import AuditRecord
from shomeisho.records.certificate_record import TravelDetails
from shomeisho.records.service import RecordService
from shomeisho.settings import Settings
from shomeisho.trust.synced import load_operator_keys
from shomeisho.trust.trust_list import read_trust_list
from shomeisho.web.app import create_app
from tests.db.records_factory import CLERK_A, OPERATOR, event, resident


@pytest.fixture()
def service(tmp_path: Path) -> tuple[TestClient, Engine, Settings]:
    settings = Settings(demo=True, data_dir=tmp_path)
    create_demo_trust_setup(tmp_path / "keys", settings.key_passphrase.get_secret_value(),
                            shc_issuer=settings.shc_issuer_url)  # fmt: skip
    engine = make_engine(f"sqlite:///{tmp_path / 'records.sqlite3'}")
    prepare(engine)
    return TestClient(create_app(settings, engine=engine)), engine, settings


def issue(engine: Engine, settings: Settings, number: str) -> IssuedSet:
    records = RecordService(SqlRecordStore(engine))
    person = records.add_resident(CLERK_A, resident(number))
    records.record_vaccination(CLERK_A, person.resident_id, event(f"V-{number}", 1))
    keys = settings.data_dir / "keys"
    issuer = CertificateIssuer(
        FileKeyStore(keys, settings.key_passphrase.get_secret_value()),
        IssuerSetup.load(keys),
        with_dcc=True,
        rid_secret=rid_secret(settings.record_secret.get_secret_value().encode()),
    )
    issued = issuer.issue(records.resident_file(CLERK_A, person.resident_id), Use.OVERSEAS,
                          TravelDetails("TK1234567", "JPN", "TAKAHASHI", "YOSHIKO"))  # fmt: skip
    SqlIssuedStore(engine).save(
        person.resident_id, issued, "resident",
        lambda code: AuditRecord(issued.issued_at, "resident", "certificate.issue", code,
                                 issued.certificate_id, {}),
    )  # fmt: skip
    return issued


def test_the_trust_list_and_its_key_are_published(
    service: tuple[TestClient, Engine, Settings],
) -> None:
    client, _, _ = service
    key = client.get("/trust-list-key.pem")
    listed = client.get("/trust-list.json")
    assert key.status_code == 200 and listed.status_code == 200
    signed = read_trust_list(listed.content, load_operator_keys(key.content, where="download"))
    assert signed.content.version == 1 and signed.content.rules
    assert client.get("/issuer/.well-known/jwks.json").json()["keys"]


def test_a_revocation_is_published_and_reaches_the_verifier(
    service: tuple[TestClient, Engine, Settings],
) -> None:
    client, engine, settings = service
    revoked, kept = issue(engine, settings, "P-1"), issue(engine, settings, "P-2")
    dcc = next(c.text for c in revoked.certificates if c.format == "dcc")
    shc = next(c.text for c in revoked.certificates if c.format == "shc")
    before = client.post("/verify?lang=en", data={"text": dcc})
    assert "Valid certificate" in before.text
    kid = client.get("/issuer/.well-known/jwks.json").json()["keys"][0]["kid"]
    assert client.get(f"/issuer/.well-known/crl/{kid}.json").json()["rids"] == []
    assert client.get("/issuer/.well-known/crl/nosuchkid.json").status_code == 404
    SqlRevocationStore(engine).revoke(
        OPERATOR, revoked.certificate_id, RevocationReason.SUSPECTED_FRAUD,
        at=revoked.issued_at,
    )  # fmt: skip
    crl = client.get(f"/issuer/.well-known/crl/{kid}.json").json()
    assert crl["ctr"] == 1 and len(crl["rids"]) == 1 and crl["method"] == "rid"
    hashes = client.get("/revocation/dcc.json").json()["dcc"]
    assert {entry["type"] for entry in hashes} == {"UCI", "SIGNATURE"}
    published = json.dumps([crl, hashes])
    assert revoked.certificate_id not in published  # only hashes and rids, nothing reversible
    client.app.state.verifier._built_at = -1.0  # type: ignore[attr-defined] # skip the 30 s wait
    for text in (dcc, shc):
        page = client.post("/verify?lang=en", data={"text": text})
        assert "Revoked by its issuer" in page.text
    kept_dcc = next(c.text for c in kept.certificates if c.format == "dcc")
    assert "Valid certificate" in client.post("/verify?lang=en", data={"text": kept_dcc}).text


def test_the_page_names_the_trust_list_and_rules_not_in_force(
    service: tuple[TestClient, Engine, Settings],
) -> None:
    """Japan's arrival rules ended in 2023: choosing Japan today checks the certificate alone
    and says so; the result names the trust list it rests on."""
    client, engine, settings = service
    dcc = next(c.text for c in issue(engine, settings, "P-3").certificates if c.format == "dcc")
    form = client.get("/verify?lang=en")
    assert 'value="JP"' in form.text
    page = client.post("/verify?lang=en", data={"text": dcc, "country": "JP"})
    assert "Valid certificate" in page.text
    assert "no entry rules in force today" in page.text
    assert "trust list version 1" in page.text
