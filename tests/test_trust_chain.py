"""Chains: a signer is trusted directly or through the authority that issued it, at a time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes

from shomeisho import pki
from shomeisho.errors import ExpiredError, NotYetValidError, UntrustedError, Verdict
from shomeisho.formats import all_formats
from shomeisho.model import VaccinationRecord
from shomeisho.signing import LocalSigner
from shomeisho.trust.store import TrustStore
from tests.conftest import NOW


@pytest.fixture(scope="module")
def csca() -> pki.IssuedKey:
    return pki.create_authority("JP", "Test CSCA", not_before=NOW - timedelta(days=5))


@pytest.fixture(scope="module")
def signer(csca: pki.IssuedKey) -> pki.IssuedKey:
    return pki.create_vdsnc_signer(
        csca, "JP", "Test BSC", not_before=NOW - timedelta(days=1), days=30
    )


def test_chain_to_trusted_authority(csca: pki.IssuedKey, signer: pki.IssuedKey) -> None:
    store = TrustStore()
    store.add_certificate(csca.certificate)
    assert store.authorities == [csca.certificate]
    store.check_chain(signer.certificate, at=NOW)


def test_other_authority_is_untrusted(signer: pki.IssuedKey) -> None:
    other = pki.create_authority("JP", "Test CSCA", not_before=NOW - timedelta(days=5))
    store = TrustStore(authorities=[other.certificate])
    with pytest.raises(UntrustedError, match="not signed by"):
        store.check_chain(signer.certificate, at=NOW)
    with pytest.raises(UntrustedError, match="no trusted authority"):
        TrustStore().check_chain(signer.certificate, at=NOW)


def test_remembered_answers_are_the_first_answers(
    csca: pki.IssuedKey, signer: pki.IssuedKey
) -> None:
    """The chain check remembers name mismatches and good signatures per pair of certificate
    objects (and validity windows per certificate): asked again, it says the same."""
    forger = pki.create_authority("JP", "Test CSCA", not_before=NOW - timedelta(days=5))
    stranger = pki.create_authority("FR", "Other CSCA", not_before=NOW - timedelta(days=5))
    store = TrustStore(authorities=[stranger.certificate, forger.certificate])
    for _ in range(3):
        with pytest.raises(UntrustedError, match="not signed by") as caught:
            store.check_chain(signer.certificate, at=NOW)
        assert "Other CSCA" not in str(caught.value)  # a name mismatch gives no reason
    store.authorities.append(csca.certificate)
    for _ in range(3):
        store.check_chain(signer.certificate, at=NOW)
        with pytest.raises(ExpiredError):
            store.check_chain(signer.certificate, at=NOW + timedelta(days=40))
    store.authorities.remove(csca.certificate)
    with pytest.raises(UntrustedError, match="not signed by"):
        store.check_chain(signer.certificate, at=NOW)


def test_validity_window(csca: pki.IssuedKey, signer: pki.IssuedKey) -> None:
    store = TrustStore(authorities=[csca.certificate])
    with pytest.raises(ExpiredError):
        store.check_chain(signer.certificate, at=NOW + timedelta(days=40))
    with pytest.raises(NotYetValidError):
        store.check_chain(signer.certificate, at=NOW - timedelta(days=3))


def test_revoked_signer(csca: pki.IssuedKey, signer: pki.IssuedKey) -> None:
    revoked = (
        x509.RevokedCertificateBuilder()
        .serial_number(signer.certificate.serial_number)
        .revocation_date(NOW - timedelta(hours=1))
        .build()
    )
    crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(csca.certificate.subject)
        .last_update(NOW - timedelta(hours=1))
        .next_update(NOW + timedelta(days=7))
        .add_revoked_certificate(revoked)
        .sign(csca.key, hashes.SHA384())
    )
    store = TrustStore(authorities=[csca.certificate], crls=[crl])
    with pytest.raises(UntrustedError) as info:
        store.check_chain(signer.certificate, at=NOW)
    assert info.value.code == "untrusted.revoked_signer"
    # listing the signer directly (as DCC verifiers must) does not shield it from its CA's CRL
    listed = TrustStore(signers=[signer.certificate], authorities=[csca.certificate], crls=[crl])
    with pytest.raises(UntrustedError) as direct:
        listed.check_chain(signer.certificate, at=NOW)
    assert direct.value.code == "untrusted.revoked_signer"
    # a CRL its authority did not sign revokes nothing
    forged = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(csca.certificate.subject)
        .last_update(NOW - timedelta(hours=1))
        .next_update(NOW + timedelta(days=7))
        .add_revoked_certificate(revoked)
        .sign(signer.key, hashes.SHA256())
    )
    TrustStore(signers=[signer.certificate], authorities=[csca.certificate],
               crls=[forged]).check_chain(signer.certificate, at=NOW)  # fmt: skip


def test_a_listed_dcc_signer_revoked_by_its_csca_is_untrusted(
    dcc_csca: pki.IssuedKey, record: VaccinationRecord
) -> None:
    issued = pki.create_dcc_signer(
        dcc_csca, "JP", "DSC to revoke", types="v", not_before=NOW - timedelta(days=1)
    )
    signer = LocalSigner("dsc", issued.key, issued.certificate)
    text = (
        all_formats()["dcc"]
        .issue(record, signer, issuer="JP", issued_at=NOW, expires_at=NOW + timedelta(days=30))
        .text
    )
    crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(dcc_csca.certificate.subject)
        .last_update(NOW - timedelta(hours=1))
        .next_update(NOW + timedelta(days=7))
        .add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(issued.certificate.serial_number)
            .revocation_date(NOW - timedelta(hours=1))
            .build()
        )
        .sign(dcc_csca.key, hashes.SHA256())
    )
    store = TrustStore(signers=[issued.certificate], authorities=[dcc_csca.certificate])
    assert all_formats()["dcc"].verify(text, store, at=NOW).verdict is Verdict.VALID
    store.crls.append(crl)
    result = all_formats()["dcc"].verify(text, store, at=NOW)
    assert result.verdict is Verdict.UNTRUSTED
    assert [e.code for e in result.errors] == ["untrusted.revoked_signer"]


def test_eku_and_dcc_kid(csca: pki.IssuedKey) -> None:
    dsc = pki.create_dcc_signer(csca, "JP", "DSC", types="vr", not_before=NOW)
    eku = dsc.certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [pki.DCC_EKU_VACCINATION, pki.DCC_EKU_RECOVERY]
    store = TrustStore()
    store.add_certificate(dsc.certificate)
    assert store.signers_with_dcc_kid(pki.dcc_key_id(dsc.certificate)) == [dsc.certificate]
    assert len(pki.dcc_key_id(dsc.certificate)) == 8
