"""Verifying an ``HC1:`` text, stage by stage, into a :class:`Verification`.

Order (signatures first, then contents): transport (prefix, base45, zlib) -> COSE structure ->
algorithm and kid -> signature under a trusted document signer. Only a verified signature lets
the payload be read: signer validity and chain, CWT validity (``iat <= at < exp``), extended key
usage, payload schema, value sets, and finally the neutral record. The record is built when it is
first read (:meth:`Verification.defer_record`) if :func:`.payload.surely_a_record` shows that
building it cannot fail, and so cannot add a ``schema.record`` warning; otherwise at once.

Nothing here raises for bad input: every failure becomes an error (or a warning) in the result.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from shomeisho.errors import (
    EncodingError,
    ExpiredError,
    NotYetValidError,
    RevokedError,
    SchemaError,
    ShomeishoError,
)
from shomeisho.formats.dcc import cose, cwt, payload, schema, signers, transport, typical, valuesets
from shomeisho.model import Verification
from shomeisho.trust import revocation

if TYPE_CHECKING:
    from collections.abc import Mapping

    from cryptography import x509

    from shomeisho.trust.store import TrustStore

FORMAT_NAME = "dcc"


def check_validity(claims: cwt.Claims | cwt.RawClaims, at: datetime) -> None:
    """``iat <= at < exp``, or the error that says which side of the window ``at`` is on."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    if claims.issued_at is not None and at < claims.issued_at:
        raise NotYetValidError(
            f"the certificate was issued at {claims.issued_at.isoformat()} (CWT iat), after "
            f"the validation time {at.isoformat()}",
            code="not_yet_valid.certificate",
            where="CWT claim iat",
        )
    if claims.expires_at is not None and at >= claims.expires_at:
        raise ExpiredError(
            f"the certificate expired at {claims.expires_at.isoformat()} (CWT exp); the "
            f"validation time is {at.isoformat()}",
            code="expired.certificate",
            where="CWT claim exp",
        )


def _missing_times(claims: cwt.Claims | cwt.RawClaims) -> list[ShomeishoError]:
    if claims.issued_at is not None and claims.expires_at is not None:
        return []
    missing = [
        name
        for name, value in (("iat", claims.issued_at), ("exp", claims.expires_at))
        if value is None
    ]
    if not missing:
        return []
    return [
        SchemaError(
            f"the CWT lacks the {' and '.join(missing)} claim(s) an HCERT must carry",
            code="schema.cwt",
            where="CWT claims",
        )
    ]


def _check_revocation(
    result: Verification,
    message: cose.Sign1,
    dcc: Mapping[str, Any],
    issuer: str | None,
    trust: TrustStore,
) -> None:
    """Look the certificate up in the revocation hash lists of its signer's kid."""
    kid = cose.key_id(message)
    uci = revocation.first_uci(dcc)
    if kid is None:
        return
    hashes = revocation.dcc_hashes(
        uci=uci or "",
        issuer_country=issuer or "",
        signature=message.signature,
        es256=cose.algorithm(message) == cose.ES256,
    )
    if uci is None:  # only the signature can be looked up
        hashes = {revocation.HashType.SIGNATURE: hashes[revocation.HashType.SIGNATURE]}
    listed = trust.dcc_revocations.revoked_by(kid, hashes)
    if listed is not None:
        result.errors.append(
            RevokedError(
                f"the issuer has revoked this certificate (listed by {listed.value} hash "
                "for its document signer)",
                code="revoked.dcc",
                where=f"revocation list {listed.value}",
            )
        )


def verify(text: str, trust: TrustStore, *, at: datetime) -> Verification:
    """Verify one ``HC1:`` text at the time ``at`` (naive times are taken as UTC)."""
    result = Verification(format=FORMAT_NAME)
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    given: object = text
    if not isinstance(given, str):
        result.errors.append(
            EncodingError(f"a DCC is text; got a {type(given).__name__}", code="encoding.prefix")
        )
        return result
    try:
        message = cose.decode(transport.decode(given))
        kid = cose.key_id(message)
        if kid is not None:
            result.key_id = signers.kid_text(kid)
        signer = signers.find_signer(message, trust)
    except ShomeishoError as exc:
        result.errors.append(exc)
        return result
    result.signature_verified = True
    _after_signature(result, message, signer, trust, at)
    return result


def _after_signature(
    result: Verification,
    message: cose.Sign1,
    signer: x509.Certificate,
    trust: TrustStore,
    at: datetime,
) -> None:
    errors, warnings = result.errors, result.warnings
    for trusted in trust.signers:
        if trusted is signer:
            try:
                signers.check_validity(signer, at)  # what check_chain does for a trusted signer
                trust.check_revoked_by_authority(signer, "DCC document signer")
            except ShomeishoError as exc:
                errors.append(exc)
            break
    else:
        try:
            trust.check_chain(signer, at=at, what="DCC document signer")
        except ShomeishoError as exc:
            errors.append(exc)
    try:
        claims, is_typical = typical.read_claims(message.payload)
        dcc = claims.payload if is_typical else cwt.json_payload(claims.payload)
    except ShomeishoError as exc:
        errors.append(exc)
        return
    result.issuer = claims.issuer
    result.payload = dcc
    if trust.dcc_revocations:
        _check_revocation(result, message, dcc, claims.issuer, trust)
    result.issued_at = issued = claims.issued_at
    result.expires_at = expires = claims.expires_at
    if issued is None or expires is None:
        errors.extend(_missing_times(claims))
    if (issued is not None and at < issued) or (expires is not None and at >= expires):
        try:
            check_validity(claims, at)  # raises the error that says which side at is on
        except ShomeishoError as exc:
            errors.append(exc)
    if is_typical:  # kind "v", no format, value set or record warning: see typical_vaccination
        try:
            signers.check_key_usage(signer, "v")
        except ShomeishoError as exc:
            errors.append(exc)
        try:
            schema.check(dcc)
        except SchemaError as exc:
            errors.append(exc)
        result.defer_record(lambda: payload.to_record(dcc))
        return
    kind = payload.certificate_type(dcc)
    if kind is not None:
        try:
            signers.check_key_usage(signer, kind)
        except ShomeishoError as exc:
            errors.append(exc)
    try:
        warnings.extend(schema.validate(dcc))
    except SchemaError as exc:
        errors.append(exc)
    warnings.extend(valuesets.check(dcc))
    if typical.surely_a_record(dcc):
        result.defer_record(lambda: payload.to_record(dcc))
        return
    try:
        result.record = payload.to_record(dcc)
    except SchemaError as exc:
        warnings.append(exc)
