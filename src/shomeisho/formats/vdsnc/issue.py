"""Issuing a proof-of-vaccination seal from a record, refusing anything a verifier would reject.

The signer must be an ES256 key with its barcode signer certificate (the seal embeds it), current
at ``issued_at``, allowed to sign ``NV`` seals, and belonging to the issuing state. The message is
checked against the same field table verifiers use, so an over-long lot number is an
:class:`InputError` naming ``data.msg.ve[0].vd[1].lot`` here instead of an invalid seal later.

VDS-NC proof of vaccination has no issue or expiry date, so ``expires_at`` cannot be written; the
returned :class:`IssuedCertificate` says ``expires_at=None`` and its ``record`` is
:func:`carried_record`, what a verifier will see.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from cryptography.x509.oid import NameOID

from shomeisho.errors import InputError, KeyStoreError, KeyUsageError
from shomeisho.formats.vdsnc.canonical import canonical_json
from shomeisho.formats.vdsnc.certificates import check_usage
from shomeisho.formats.vdsnc.countries import alpha2_for, alpha3_for, is_doc9303_code
from shomeisho.formats.vdsnc.fields import VACCINATION, check_data
from shomeisho.formats.vdsnc.mapping import carried_record, message_from_record
from shomeisho.formats.vdsnc.seal import MAX_SEAL_TEXT, write_seal
from shomeisho.model import IssuedCertificate, VaccinationRecord
from shomeisho.signing import ES256, Signer

QR_BYTE_CAPACITY = 2953  # QR version 40, error correction L, byte mode


def issuing_state(issuer: str) -> str:
    """``hdr.is`` for an issuer given as a Doc 9303 code (``JPN``) or an alpha-2 code (``JP``)."""
    code = issuer.strip().upper()
    if len(code) == 2 and alpha3_for(code):
        return str(alpha3_for(code))
    if is_doc9303_code(code):
        return code
    raise InputError(
        f"VDS-NC needs the issuing state as a three-letter Doc 9303 code such as "
        f"JPN, not {issuer!r}",
        code="input.vdsnc.issuer",
        where="hdr.is",
    )


def issue_seal(
    record: VaccinationRecord,
    signer: Signer,
    *,
    issuer: str,
    issued_at: datetime,
    expires_at: datetime | None,
) -> IssuedCertificate:
    state = issuing_state(issuer)
    certificate_der = _check_signer(signer, state, issued_at)
    data = {
        "hdr": {"t": VACCINATION, "v": 1, "is": state},
        "msg": message_from_record(record),
    }
    problems, _ = check_data(data)
    if problems:
        raise problems[0].as_input_error()
    canonical = canonical_json(data)
    text = write_seal(
        canonical, alg=ES256, certificate_der=certificate_der, signature=signer.sign(canonical)
    )
    if len(text.encode("utf-8")) > min(QR_BYTE_CAPACITY, MAX_SEAL_TEXT):
        raise InputError(
            f"the seal is {len(text)} bytes, more than a QR code holds "
            f"({QR_BYTE_CAPACITY}); use fewer doses or shorter texts",
            code="input.vdsnc.too_long",
            where="seal",
        )
    return IssuedCertificate(
        format="vdsnc",
        text=text,
        record=carried_record(record, state),
        issued_at=issued_at,
        expires_at=None,
        key_id=hashlib.sha256(certificate_der).digest()[:8].hex(),
    )


def _check_signer(signer: Signer, state: str, issued_at: datetime) -> bytes:
    if signer.algorithm != ES256:
        raise KeyStoreError(
            f"VDS-NC seals are signed with ES256; key {signer.name!r} is {signer.algorithm}",
            code="keys.algorithm",
        )
    certificate = signer.certificate
    if certificate is None:
        raise KeyStoreError(
            f"key {signer.name!r} has no barcode signer certificate, which a "
            "VDS-NC seal must embed",
            code="keys.certificate",
        )
    spki = (Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    if certificate.public_key().public_bytes(*spki) != signer.public_key().public_bytes(*spki):
        raise KeyStoreError(
            f"the certificate of key {signer.name!r} is for another key", code="keys.certificate"
        )
    if not certificate.not_valid_before_utc <= issued_at <= certificate.not_valid_after_utc:
        raise KeyStoreError(
            f"the barcode signer certificate of {signer.name!r} is not valid at "
            f"{issued_at.isoformat()} (valid "
            f"{certificate.not_valid_before_utc.date()} to "
            f"{certificate.not_valid_after_utc.date()})",
            code="keys.certificate",
        )
    try:
        check_usage(certificate, VACCINATION)
    except KeyUsageError as exc:
        raise KeyStoreError(exc.message, code="keys.usage") from None
    countries = {a.value for a in certificate.subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)}
    if alpha2_for(state) not in countries:
        raise KeyStoreError(
            f"the barcode signer belongs to {', '.join(map(str, countries))}, "
            f"not to the issuing state {state}",
            code="keys.country",
        )
    return certificate.public_bytes(Encoding.DER)
