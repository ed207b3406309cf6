"""Verifying one health card, in the order the brief's hard rules set.

1. decode strictly (QR text, JWS parts, header, inflate under the cap, payload JSON);
2. find the issuer's key offline (trust store, by ``iss`` and ``kid``) and check the signature;
3. only then check contents: claims, validity times, FHIR, revocation; and read the record.

Nothing here raises for bad input: every problem lands in the returned
:class:`~shomeisho.model.Verification`.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from shomeisho.errors import InputError, SchemaError, ShomeishoError
from shomeisho.formats.shc import crl as crlmod
from shomeisho.formats.shc import fhir, jwk, jws, payload, qrtext
from shomeisho.formats.shc.problems import FORMAT_NAME
from shomeisho.model import Verification
from shomeisho.trust.store import TrustStore
from shomeisho.wire.b64 import b64url_encode


def verify_jws(
    text: str,
    trust: TrustStore,
    at: datetime,
    *,
    crls: crlmod.CrlSet | None = None,
    into: Verification | None = None,
) -> Verification:
    """Verify a compact JWS health card (no QR wrapping)."""
    result = into if into is not None else Verification(format=FORMAT_NAME)
    try:
        _verify(text, trust, at, crls, result)
    except ShomeishoError as exc:  # a check we did not expect to fail; still never raise
        result.errors.append(exc)
    return result


def verify_text(
    text: str, trust: TrustStore, at: datetime, *, crls: crlmod.CrlSet | None = None
) -> Verification:
    """Verify one ``shc:/`` QR text."""
    result = Verification(format=FORMAT_NAME)
    jws_text = qrtext.decode(text, result)
    if jws_text is None:
        return result
    return verify_jws(jws_text, trust, at, crls=crls, into=result)


def verify_chunks(
    texts: list[str], trust: TrustStore, at: datetime, *, crls: crlmod.CrlSet | None = None
) -> Verification:
    """Verify a card given as several (deprecated) ``shc:/C/N/`` QR texts, in any order."""
    result = Verification(format=FORMAT_NAME)
    jws_text = qrtext.assemble(list(texts), result)
    if jws_text is None:
        return result
    return verify_jws(jws_text, trust, at, crls=crls, into=result)


def _verify(
    text: str, trust: TrustStore, at: datetime, crls: crlmod.CrlSet | None, result: Verification
) -> None:
    parsed = jws.read(text, result)
    if parsed is None:
        return
    result.key_id = parsed.kid
    claims_payload = parsed.payload
    iss = claims_payload.get("iss")
    if not isinstance(iss, str):
        result.errors.append(
            SchemaError(
                "the payload has no issuer URL ('iss'), so no key can be found",
                code="schema.jwt.iss",
                where="iss",
            )
        )
        return
    result.issuer = iss
    nbf = claims_payload.get("nbf")
    key_time = at
    if isinstance(nbf, int | float) and not isinstance(nbf, bool) and 0 < nbf < 10**11:
        key_time = payload.to_datetime(float(nbf)) or at
    if not jws.check_signature(parsed, iss, trust, key_time, result):
        return
    result.signature_verified = True
    claims = payload.check_claims(claims_payload, at, result)
    result.issued_at, result.expires_at = claims.nbf, claims.exp
    keys = trust.issuer_keys(iss) or []
    key = jwk.find_jwk(keys, parsed.kid) if parsed.kid else None
    if parsed.kid:
        crlmod.check_revocation(
            crls, result, iss=iss, kid=parsed.kid, jwk=key, rid=claims.rid, nbf=claims.nbf
        )
    if claims.bundle is None:
        return
    identifier = (
        f"shc:rid:{claims.rid}"
        if claims.rid
        else "shc:sha256:" + b64url_encode(hashlib.sha256(parsed.payload_bytes).digest()[:16])
    )
    try:
        result.record = fhir.read_record(claims.bundle, identifier, result.warnings)
    except SchemaError as exc:
        result.warnings.append(exc)
    except InputError as exc:
        result.warnings.append(
            SchemaError(
                f"the card cannot be read as a vaccination record: {exc.message}",
                code="schema.record",
            )
        )
