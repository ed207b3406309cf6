"""Our issuer revokes a certificate id: every verifier that takes the published lists refuses
each format issued under it, and nothing else."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from shomeisho.errors import Verdict
from shomeisho.formats import all_formats
from shomeisho.formats.shc import ShcFormat
from shomeisho.model import VaccinationRecord, new_certificate_id
from shomeisho.procedure.revocation import publishable_revocations, rid_secret
from shomeisho.signing import LocalSigner
from shomeisho.trust.revocation import merge_shc_crls
from shomeisho.trust.store import TrustStore
from tests.conftest import NOW, SHC_ISSUER

SECRET = rid_secret(b"service-secret-" * 3)


def issue_all(
    record: VaccinationRecord, dcc: LocalSigner, vdsnc: LocalSigner, shc: LocalSigner
) -> dict[str, str]:
    formats = all_formats()
    formats["shc"] = ShcFormat(rid_secret=SECRET)
    signers = {"dcc": (dcc, "JP"), "vdsnc": (vdsnc, "JPN"), "shc": (shc, SHC_ISSUER)}
    return {
        name: formats[name]
        .issue(
            record,
            signer,
            issuer=issuer,
            issued_at=NOW,
            expires_at=NOW + timedelta(days=365),
        )
        .text
        for name, (signer, issuer) in signers.items()
    }


@pytest.mark.slow
def test_revoking_an_id_revokes_its_dcc_and_shc_only(
    record: VaccinationRecord,
    trust: TrustStore,
    dcc_signer: LocalSigner,
    vdsnc_signer: LocalSigner,
    shc_signer: LocalSigner,
) -> None:
    revoked = issue_all(record, dcc_signer, vdsnc_signer, shc_signer)
    kept = issue_all(
        replace(record, certificate_id=new_certificate_id()), dcc_signer, vdsnc_signer, shc_signer
    )
    published = publishable_revocations(
        [(record.certificate_id, name, text) for name, text in revoked.items()],
        rid_secret=SECRET,
    )
    assert published.unrevocable == [f"vdsnc {record.certificate_id}"]
    assert len(published.dcc) == 2  # the UCI and the signature hash
    (crls,) = published.shc.values()
    (only,) = crls.values()
    assert only["ctr"] == 1 and len(only["rids"]) == 1
    # the published rid reveals nothing of the id it stands for
    assert record.certificate_id not in str(published.as_document())
    store = TrustStore()
    store.merge(trust)
    store.dcc_revocations.merge(published.dcc)
    merge_shc_crls(store.shc_crls, published.shc)
    formats = all_formats()
    for name in ("dcc", "shc"):
        assert formats[name].verify(revoked[name], store, at=NOW).verdict is Verdict.REVOKED
        assert formats[name].verify(kept[name], store, at=NOW).verdict is Verdict.VALID
    assert formats["vdsnc"].verify(revoked["vdsnc"], store, at=NOW).verdict is Verdict.VALID
