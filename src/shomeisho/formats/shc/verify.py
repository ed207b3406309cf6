"""Verifying one health card, in the order the brief's hard rules set.

1. decode strictly (QR text, JWS parts, header, inflate under the cap, payload JSON);
2. find the issuer's key offline (trust store, by ``iss`` and ``kid``) and check the signature;
3. only then check contents: claims, validity times, FHIR, revocation; and read the record
   (its checks at once, since their warnings belong to the result; the record object itself on
   first access, :meth:`~shomeisho.model.Verification.defer_record`).

The usual input, one ``shc:/`` text that decodes without a finding, is decoded by
:func:`.jws.read_clean` in fewer steps; anything else goes through :func:`.qrtext.decode` and
:func:`.jws.read`, which record each problem. Both give the same :class:`.jws.ParsedJws`.

Nothing here raises for bad input: every problem lands in the returned
:class:`~shomeisho.model.Verification`.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from shomeisho.errors import SchemaError, ShomeishoError
from shomeisho.formats.shc import crl as crlmod
from shomeisho.formats.shc import fastpath, fhir, jwk, jws, payload, qrtext
from shomeisho.formats.shc.problems import FORMAT_NAME
from shomeisho.model import VaccinationRecord, Verification
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
    # The usual text, a single QR that decodes without a finding, takes a shorter way to the
    # same ParsedJws; anything else is decoded step by step, each problem recorded.
    raw = fastpath.numeric_bytes(text[5:]) if text.startswith(qrtext.PREFIX) else None
    parsed = jws.read_clean(raw) if raw is not None else None
    if parsed is None:
        jws_text = qrtext.decode(text, result)
        if jws_text is None:
            return result
        return verify_jws(jws_text, trust, at, crls=crls, into=result)
    try:
        _verify_parsed(parsed, trust, at, crls, result)
    except ShomeishoError as exc:  # a check we did not expect to fail; still never raise
        result.errors.append(exc)
    return result


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
    if parsed is not None:
        _verify_parsed(parsed, trust, at, crls, result)


def _verify_parsed(
    parsed: jws.ParsedJws,
    trust: TrustStore,
    at: datetime,
    crls: crlmod.CrlSet | None,
    result: Verification,
) -> None:
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
    key = jws.verify_signature(parsed, iss, trust, result)
    if key is None:
        return
    if "x5c" in key:  # its chain must have been valid when the card was issued
        nbf = claims_payload.get("nbf")
        key_time = at
        if isinstance(nbf, int | float) and not isinstance(nbf, bool) and 0 < nbf < 10**11:
            key_time = payload.to_datetime(float(nbf)) or at
        result.errors.extend(jwk.check_x5c(key, iss, key_time))
    result.signature_verified = True
    claims = payload.check_claims(claims_payload, at, result)
    result.issued_at, result.expires_at = claims.nbf, claims.exp
    if crls is None and trust.shc_crls:  # lists that came with the trust list
        crls = trust.shc_crls
    if parsed.kid and (crls or "crlVersion" in key):  # else there is nothing to check
        crlmod.check_revocation(
            crls, result, iss=iss, kid=parsed.kid, jwk=key, rid=claims.rid, nbf=claims.nbf
        )
    if claims.bundle is None:
        return
    # The record cannot change the verdict (its problems are warnings), but those warnings are
    # part of the result: check now, build the record only when somebody reads it. A clean
    # payload (onepass) has been checked already: it makes a record without a warning.
    bundle = claims.bundle
    plan = None
    if not claims.clean:
        try:
            plan = fhir.scan_record(bundle, result.warnings)
        except SchemaError as exc:
            result.warnings.append(exc)
            return
    rid, payload_bytes = claims.rid, parsed.payload_bytes

    def load() -> VaccinationRecord | None:
        identifier = (
            f"shc:rid:{rid}"
            if rid
            else "shc:sha256:" + b64url_encode(hashlib.sha256(payload_bytes).digest()[:16])
        )
        try:
            return fhir.build_record(plan or fhir.scan_record(bundle, []), identifier)
        except ShomeishoError:  # checked above: it cannot fail; still, never raise on access
            return None

    result.defer_record(load)
