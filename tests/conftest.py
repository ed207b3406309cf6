"""Shared fixtures: a demo PKI made fresh for the test session (no committed private keys)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from shomeisho import pki
from shomeisho.model import PartialDate, Person, PersonName, VaccinationEvent, VaccinationRecord
from shomeisho.signing import LocalSigner
from shomeisho.trust.store import TrustStore

pytest_plugins = [
    "tests.database_fixtures",  # engine: SQLite and PostgreSQL
    "tests.key_fixtures",  # demo_keys: an issuing setup on disk
]

NOW = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def now() -> datetime:
    return NOW


@pytest.fixture(scope="session")
def dcc_csca() -> pki.IssuedKey:
    return pki.create_authority("JP", "JP DCC CSCA (test)", not_before=NOW - timedelta(days=30))


@pytest.fixture(scope="session")
def dcc_signer(dcc_csca: pki.IssuedKey) -> LocalSigner:
    issued = pki.create_dcc_signer(
        dcc_csca, "JP", "JP DCC DSC 01 (test)", types="v", not_before=NOW - timedelta(days=10)
    )
    return LocalSigner("dcc-dsc", issued.key, issued.certificate)


@pytest.fixture(scope="session")
def vdsnc_csca() -> pki.IssuedKey:
    return pki.create_authority("JP", "JP CSCA (test)", not_before=NOW - timedelta(days=30))


@pytest.fixture(scope="session")
def vdsnc_signer(vdsnc_csca: pki.IssuedKey) -> LocalSigner:
    issued = pki.create_vdsnc_signer(
        vdsnc_csca, "JP", "JP BSC 01 (test)", not_before=NOW - timedelta(days=10)
    )
    return LocalSigner("vdsnc-bsc", issued.key, issued.certificate)


@pytest.fixture(scope="session")
def shc_signer() -> LocalSigner:
    return LocalSigner("shc-issuer", ec.generate_private_key(ec.SECP256R1()))


SHC_ISSUER = "https://shomeisho.example.jp/issuer"


@pytest.fixture(scope="session")
def shc_issuer() -> str:
    return SHC_ISSUER


@pytest.fixture()
def record() -> VaccinationRecord:
    """A Japanese resident with an old surname, romanised names and two doses."""
    return VaccinationRecord(
        person=Person(
            name=PersonName(
                family="髙橋", given="𠮷子", family_romanised="TAKAHASHI", given_romanised="YOSHIKO"
            ),
            alternates=(
                PersonName(family="山﨑", family_romanised="YAMAZAKI", kind="former_surname"),
            ),
            birth_date=PartialDate(1961, 4, 9),
            sex="F",
            passport_number="TK1234567",
            nationality="JPN",
        ),
        events=(
            VaccinationEvent(
                product="comirnaty",
                date=date(2021, 6, 1),
                dose_number=1,
                series_doses=2,
                lot="FC9880",
                country="JP",
                performer="Setagaya Health Centre",
            ),
            VaccinationEvent(
                product="comirnaty",
                date=date(2021, 6, 22),
                dose_number=2,
                series_doses=2,
                lot="FE8206",
                country="JP",
                performer="Setagaya Health Centre",
            ),
        ),
    )


@pytest.fixture()
def trust(
    dcc_csca: pki.IssuedKey,
    dcc_signer: LocalSigner,
    vdsnc_csca: pki.IssuedKey,
    shc_signer: LocalSigner,
) -> TrustStore:
    """Trust the CAs and the DCC signer (DCC carries no certificate, so its signer is listed)."""
    store = TrustStore()
    store.add_certificate(dcc_csca.certificate)
    assert dcc_signer.certificate is not None
    store.add_certificate(dcc_signer.certificate)
    store.add_certificate(vdsnc_csca.certificate)
    from shomeisho.formats.shc.jwk import issuer_jwks

    store.add_jwks(SHC_ISSUER, issuer_jwks([shc_signer]))
    return store
