"""The signed national trust list and a verifier's synced copy: who signed it, which version,
and revocations that never roll back."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given, settings
from hypothesis import strategies as st

from shomeisho import pki
from shomeisho.errors import ShomeishoError, TrustListError, Verdict
from shomeisho.formats import all_formats
from shomeisho.formats.dcc import cose, transport
from shomeisho.formats.shc import ShcFormat, crl
from shomeisho.formats.shc.jwk import issuer_jwks, thumbprint
from shomeisho.model import VaccinationRecord
from shomeisho.signing import LocalSigner
from shomeisho.trust import revocation
from shomeisho.trust.anchors import CountryCertificate
from shomeisho.trust.revocation import DccRevocations, HashType
from shomeisho.trust.store import TrustStore
from shomeisho.trust.synced import SyncedTrustList
from shomeisho.trust.trust_list import (
    TrustListContent,
    read_trust_list,
    sign_trust_list,
)
from tests.conftest import NOW, SHC_ISSUER

RID_SECRET = b"r" * 32


@pytest.fixture(scope="module")
def operator() -> LocalSigner:
    return LocalSigner("trust-list", ec.generate_private_key(ec.SECP256R1()))


@pytest.fixture(scope="module")
def impostor() -> LocalSigner:
    return LocalSigner("impostor", ec.generate_private_key(ec.SECP256R1()))


def content_for(store: TrustStore, version: int) -> TrustListContent:
    return TrustListContent.from_store(
        store,
        version=version,
        issued_at=NOW - timedelta(hours=1),
        operator="JP national operator (test)",
        next_update=NOW + timedelta(days=7),
    )


def test_round_trip_keeps_every_anchor_and_revocation(
    trust: TrustStore, operator: LocalSigner
) -> None:
    content = content_for(trust, 3)
    content.dcc_revocations.add(b"k" * 8, HashType.UCI, b"\x01" * 16)
    content.shc_crls = {SHC_ISSUER: {"kid1": crl.crl_document("kid1", 2, ["abc"])}}
    content.rules = [{"Identifier": "VR-JP-0001"}]
    content.value_sets = {"vaccines-covid-19-names": ["EU/1/20/1528"]}
    content.shc_issuer_countries = {SHC_ISSUER: "JP"}
    signed = read_trust_list(sign_trust_list(content, operator), [operator.public_key()])
    back = signed.content
    assert back.version == 3 and back.operator == content.operator
    assert back.issued_at == content.issued_at and back.next_update == content.next_update
    assert [c.certificate for c in back.authorities] == trust.authorities
    assert [c.certificate for c in back.signers] == trust.signers
    assert {c.country for c in back.authorities + back.signers} == {"JP"}
    assert back.shc_issuers == {iss: {"keys": keys} for iss, keys in trust.issuers.items()}
    assert back.dcc_revocations.entries == content.dcc_revocations.entries
    assert back.shc_crls == content.shc_crls
    assert back.rules == content.rules and back.value_sets == content.value_sets
    assert back.trust_store().issuer_countries == {SHC_ISSUER: "JP"}
    assert back.counts()["dcc_revocation_hashes"] == 1
    assert not back.is_stale(NOW) and back.is_stale(NOW + timedelta(days=8))
    assert back.age(NOW) == 3600


def test_a_list_signed_by_another_key_is_refused(
    trust: TrustStore, operator: LocalSigner, impostor: LocalSigner
) -> None:
    data = sign_trust_list(content_for(trust, 1), impostor)
    with pytest.raises(TrustListError) as refused:
        read_trust_list(data, [operator.public_key()])
    assert refused.value.code == "trust.signature.key"
    # the impostor copies the operator's kid into its own header: the signature still fails
    envelope = json.loads(data)
    header = json.loads(base64.urlsafe_b64decode(envelope["protected"] + "=="))
    genuine = json.loads(sign_trust_list(content_for(trust, 1), operator))
    header["kid"] = json.loads(base64.urlsafe_b64decode(genuine["protected"] + "=="))["kid"]
    protected = base64.urlsafe_b64encode(json.dumps(header).encode()).rstrip(b"=").decode()
    signature = impostor.sign(f"{protected}.{envelope['payload']}".encode())
    envelope["protected"] = protected
    envelope["signature"] = base64.urlsafe_b64encode(signature).rstrip(b"=").decode()
    with pytest.raises(TrustListError) as forged:
        read_trust_list(json.dumps(envelope).encode(), [operator.public_key()])
    assert forged.value.code == "trust.signature"


def test_an_altered_list_is_refused(trust: TrustStore, operator: LocalSigner) -> None:
    envelope = json.loads(sign_trust_list(content_for(trust, 1), operator))
    body = json.loads(base64.urlsafe_b64decode(envelope["payload"] + "==="))
    body["signers"] = []  # drop a signer, keep the signature
    envelope["payload"] = base64.urlsafe_b64encode(json.dumps(body).encode()).rstrip(b"=").decode()
    with pytest.raises(TrustListError) as refused:
        read_trust_list(json.dumps(envelope).encode(), [operator.public_key()])
    assert refused.value.code == "trust.signature"


def test_only_es256_in_the_protected_header(trust: TrustStore, operator: LocalSigner) -> None:
    envelope = json.loads(sign_trust_list(content_for(trust, 1), operator))
    envelope["protected"] = base64.urlsafe_b64encode(b'{"alg":"none"}').rstrip(b"=").decode()
    with pytest.raises(TrustListError) as refused:
        read_trust_list(json.dumps(envelope).encode(), [operator.public_key()])
    assert refused.value.code == "trust.algorithm"


def test_a_signer_listed_as_an_authority_is_refused(
    dcc_signer: LocalSigner, operator: LocalSigner
) -> None:
    assert dcc_signer.certificate is not None
    content = content_for(TrustStore(), 1)
    content.authorities.append(CountryCertificate("JP", dcc_signer.certificate))
    with pytest.raises(TrustListError) as refused:
        read_trust_list(sign_trust_list(content, operator), [operator.public_key()])
    assert refused.value.code == "trust.format" and refused.value.where == "authorities[0]"


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_never_raise_anything_but_our_errors(data: bytes) -> None:
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    with pytest.raises(ShomeishoError):
        read_trust_list(data, [key])


# -- a verifier's synced copy ---------------------------------------------------------------------
def test_older_and_conflicting_versions_are_refused(
    tmp_path: Path, trust: TrustStore, operator: LocalSigner
) -> None:
    state = SyncedTrustList(tmp_path / "state")
    keys = [operator.public_key()]
    v1, v2 = (sign_trust_list(content_for(trust, v), operator) for v in (1, 2))
    assert state.sync(v2, operator_keys=keys, now=NOW).accepted
    with pytest.raises(TrustListError) as rollback:
        state.sync(v1, now=NOW)
    assert rollback.value.code == "trust.rollback"
    other_v2 = content_for(TrustStore(), 2)
    with pytest.raises(TrustListError) as conflict:
        state.sync(sign_trust_list(other_v2, operator), now=NOW)
    assert conflict.value.code == "trust.conflict"
    again = state.sync(v2, now=NOW)
    assert not again.accepted and "up to date" in again.message
    current = state.current()
    assert current is not None and current.content.version == 2


def test_the_first_sync_needs_a_pinned_key(
    tmp_path: Path, trust: TrustStore, operator: LocalSigner
) -> None:
    with pytest.raises(ShomeishoError) as refused:
        SyncedTrustList(tmp_path).sync(sign_trust_list(content_for(trust, 1), operator), now=NOW)
    assert refused.value.code == "input.trust"


def test_a_list_edited_on_disk_is_refused(
    tmp_path: Path, trust: TrustStore, operator: LocalSigner
) -> None:
    state = SyncedTrustList(tmp_path)
    state.sync(
        sign_trust_list(content_for(trust, 1), operator),
        operator_keys=[operator.public_key()],
        now=NOW,
    )
    path = tmp_path / "trust-list.json"
    envelope = json.loads(path.read_bytes())
    envelope["payload"] = envelope["payload"][:-4] + "AAAA"
    path.write_text(json.dumps(envelope))
    with pytest.raises(TrustListError) as refused:
        state.trust_store()
    assert refused.value.code == "trust.signature"


# -- revocation through the trust list ------------------------------------------------------------
def _dcc(record: VaccinationRecord, signer: LocalSigner) -> str:
    return (
        all_formats()["dcc"]
        .issue(record, signer, issuer="JP", issued_at=NOW, expires_at=NOW + timedelta(days=365))
        .text
    )


@pytest.mark.parametrize("hash_type", list(HashType))
def test_a_revoked_dcc_is_revoked_for_each_hash_type(
    tmp_path: Path,
    trust: TrustStore,
    operator: LocalSigner,
    dcc_signer: LocalSigner,
    record: VaccinationRecord,
    hash_type: HashType,
) -> None:
    text = _dcc(record, dcc_signer)
    other = _dcc(record, dcc_signer)  # same person, another certificate: stays valid
    message = cose.decode(transport.decode(text))
    kid = cose.key_id(message)
    assert kid is not None
    hashes = revocation.dcc_hashes(
        uci=record.certificate_id, issuer_country="JP", signature=message.signature, es256=True
    )
    content = content_for(trust, 1)
    content.dcc_revocations.add(kid, hash_type, hashes[hash_type])
    state = SyncedTrustList(tmp_path)
    state.sync(sign_trust_list(content, operator), operator_keys=[operator.public_key()], now=NOW)
    store, _ = state.trust_store()
    dcc = all_formats()["dcc"]
    revoked = dcc.verify(text, store, at=NOW)
    assert revoked.verdict is Verdict.REVOKED
    assert [e.code for e in revoked.errors] == ["revoked.dcc"]
    assert revoked.errors[0].where == f"revocation list {hash_type.value}"
    if hash_type is not HashType.SIGNATURE:  # the other certificate has the same UCI here
        return
    assert dcc.verify(other, store, at=NOW).verdict is Verdict.VALID


def test_the_signature_hash_covers_only_r(
    record: VaccinationRecord, dcc_signer: LocalSigner
) -> None:
    """ECDSA's s can be negated into a second valid signature; r cannot, so only r is hashed."""
    message = cose.decode(transport.decode(_dcc(record, dcc_signer)))
    r, s = message.signature[:32], message.signature[32:]
    order = int("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16)
    negated = r + (order - int.from_bytes(s, "big")).to_bytes(32, "big")
    first = revocation.dcc_hashes(
        uci="u", issuer_country="JP", signature=message.signature, es256=True
    )
    second = revocation.dcc_hashes(uci="u", issuer_country="JP", signature=negated, es256=True)
    assert first[HashType.SIGNATURE] == second[HashType.SIGNATURE]


def test_revocation_never_rolls_back(
    tmp_path: Path,
    trust: TrustStore,
    operator: LocalSigner,
    shc_signer: LocalSigner,
    record: VaccinationRecord,
) -> None:
    """Version 2 revokes a card; version 3 forgets it (an operator's mistake): still revoked.
    Version 1 arriving late is refused outright."""
    kid = thumbprint(shc_signer.public_key())
    card = ShcFormat(rid_secret=RID_SECRET).issue(
        record, shc_signer, issuer=SHC_ISSUER, issued_at=NOW, expires_at=None
    )
    rid = crl.compute_rid(RID_SECRET, kid, record.certificate_id)
    v1, v3 = content_for(trust, 1), content_for(trust, 3)
    v2 = content_for(trust, 2)
    v2.shc_crls = {SHC_ISSUER: {kid: crl.crl_document(kid, 1, [rid])}}
    state = SyncedTrustList(tmp_path)
    keys = [operator.public_key()]
    shc = all_formats()["shc"]
    state.sync(sign_trust_list(v2, operator), operator_keys=keys, now=NOW)
    assert shc.verify(card.text, state.trust_store()[0], at=NOW).verdict is Verdict.REVOKED
    state.sync(sign_trust_list(v3, operator), now=NOW)
    store, current = state.trust_store()
    assert current.content.version == 3 and not current.content.shc_crls
    assert shc.verify(card.text, store, at=NOW).verdict is Verdict.REVOKED
    with pytest.raises(TrustListError):
        state.sync(sign_trust_list(v1, operator), now=NOW)
    assert shc.verify(card.text, state.trust_store()[0], at=NOW).verdict is Verdict.REVOKED


def test_merged_revocations_keep_the_widest_entry() -> None:
    into: revocation.ShcCrls = {"iss": {"k": crl.crl_document("k", 1, ["aaa.100", "bbb"])}}
    revocation.merge_shc_crls(into, {"iss": {"k": crl.crl_document("k", 3, ["aaa.200", "ccc.5"])}})
    merged = into["iss"]["k"]
    assert merged["ctr"] == 3 and merged["rids"] == ["aaa.200", "bbb", "ccc.5"]
    revocation.merge_shc_crls(into, {"iss": {"k": crl.crl_document("k", 2, ["aaa"])}})
    assert into["iss"]["k"]["rids"] == ["aaa", "bbb", "ccc.5"] and into["iss"]["k"]["ctr"] == 3
    dcc = DccRevocations()
    dcc.add(b"1" * 8, HashType.UCI, b"\x00" * 16)
    with pytest.raises(ShomeishoError):
        dcc.add(b"1" * 8, HashType.UCI, b"\x00" * 15)
    assert DccRevocations.from_documents(dcc.to_documents()).entries == dcc.entries


def test_a_document_signer_with_the_wrong_key_usage_is_untrusted(
    tmp_path: Path, operator: LocalSigner, dcc_csca: pki.IssuedKey, record: VaccinationRecord
) -> None:
    """A signer allowed to sign test certificates only signs a vaccination certificate."""
    issued = pki.create_dcc_signer(
        dcc_csca, "JP", "JP DSC tests only", types="t", not_before=NOW - timedelta(days=1)
    )
    signer = LocalSigner("dsc-t", issued.key, issued.certificate)
    store = TrustStore()
    store.add_certificate(dcc_csca.certificate)
    store.add_certificate(issued.certificate)
    state = SyncedTrustList(tmp_path)
    state.sync(
        sign_trust_list(content_for(store, 1), operator),
        operator_keys=[operator.public_key()],
        now=NOW,
    )
    result = all_formats()["dcc"].verify(_dcc(record, signer), state.trust_store()[0], at=NOW)
    assert result.verdict is Verdict.UNTRUSTED
    assert "untrusted.key_usage" in [e.code for e in result.errors]


def test_an_issuer_key_set_from_the_list_verifies_cards(
    operator: LocalSigner, shc_signer: LocalSigner, record: VaccinationRecord
) -> None:
    store = TrustStore()
    store.add_jwks(SHC_ISSUER, issuer_jwks([shc_signer]))
    signed = read_trust_list(
        sign_trust_list(content_for(store, 1), operator), [operator.public_key()]
    )
    card = all_formats()["shc"].issue(
        record, shc_signer, issuer=SHC_ISSUER, issued_at=NOW, expires_at=None
    )
    verdict = all_formats()["shc"].verify(card.text, signed.content.trust_store(), at=NOW).verdict
    assert verdict is Verdict.VALID


def test_a_vci_directory_snapshot_trusts_its_issuers_and_their_crls(
    tmp_path: Path, shc_signer: LocalSigner, record: VaccinationRecord, operator: LocalSigner
) -> None:
    """One snapshot file of an issuer directory (keys and CRLs per issuer) goes into the
    trust list; a card revoked in the directory's CRL is revoked for the verifier."""
    from shomeisho.trust.store import load_trust_file

    kid = thumbprint(shc_signer.public_key())
    card = ShcFormat(rid_secret=RID_SECRET).issue(
        record, shc_signer, issuer=SHC_ISSUER, issued_at=NOW, expires_at=None
    )
    rid = crl.compute_rid(RID_SECRET, kid, record.certificate_id)
    snapshot = {
        "directory": "https://example.org/vci-issuers.json",
        "time": "2026-11-01T00:00:00Z",
        "issuerInfo": [
            {
                "issuer": {"iss": SHC_ISSUER, "name": "Test issuer"},
                "keys": issuer_jwks([shc_signer])["keys"],
                "crls": [crl.crl_document(kid, 1, [rid])],
            }
        ],
    }
    path = tmp_path / "vci-issuers-metadata.json"
    path.write_text(json.dumps(snapshot))
    store = load_trust_file(path)
    signed = read_trust_list(
        sign_trust_list(content_for(store, 1), operator), [operator.public_key()]
    )
    verdict = all_formats()["shc"].verify(card.text, signed.content.trust_store(), at=NOW)
    assert verdict.verdict is Verdict.REVOKED
    directory = tmp_path / "vci-issuers.json"
    directory.write_text(json.dumps({"participating_issuers": [{"iss": SHC_ISSUER}]}))
    with pytest.raises(ShomeishoError) as refused:
        load_trust_file(directory)
    assert "holds no keys" in refused.value.message
