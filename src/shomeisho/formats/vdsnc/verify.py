"""Verifying a seal: envelope, algorithm, signature, then trust, then contents, in that order.

Nothing the seal says is believed before its signature verifies: the algorithm comes from the
allow-list (only ``ES256``), the key from ``sig.cer``, and the signed bytes are the RFC 8785 form
of ``data`` (never the received text, whose key order and spacing vary between issuers). Then the
barcode signer certificate must be current at the validation time and either trusted directly or
issued by a trusted CSCA that has not revoked it (:meth:`TrustStore.check_chain`), must be allowed
to sign this kind of seal, and, when it is trusted through a CSCA, must belong to the issuing state
the header names (otherwise any trusted country's signer could issue "Japanese" seals). Only then
are the contents checked and decoded. Every failure is an error in the :class:`Verification`;
nothing here raises for bad input.

A seal carries its own key, so "the signature verified" says nothing until the signer is trusted:
anyone can sign a seal with a certificate they made. The decoded record (the holder's name) is
therefore set only when the signer is trusted; a signer that is genuine but out of date still
yields it, with the ``expired``/``not_yet_valid`` verdict.

Speed (``benchmarks/codecs.py``): besides the ECDSA verification itself, a seal costs a parse
(:mod:`shomeisho.wire.strict_json`, exact ``orjson``), the quick field check
:func:`~.clean.is_clean_vaccination` (the full walk only when it finds something to say), the
canonical bytes (``orjson``, with no scan at all once the fields are clean), the trust check, and
cached facts about the signer (:func:`~.certificates.seal_signer`). The decoded record cannot change
the verdict once the fields are clean and the date of birth is in the range a
:class:`~shomeisho.model.PartialDate` accepts, so it is then built on first access
(:meth:`Verification.defer_record`). Nothing is cached about a seal or its signature.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm

from shomeisho.errors import (
    AlgorithmError,
    ExpiredError,
    NotYetValidError,
    SchemaError,
    ShomeishoError,
    UntrustedError,
)
from shomeisho.formats.vdsnc.canonical import canonical_json_of_parsed
from shomeisho.formats.vdsnc.certificates import SealSigner, seal_signer
from shomeisho.formats.vdsnc.clean import is_clean_vaccination
from shomeisho.formats.vdsnc.countries import alpha2_for
from shomeisho.formats.vdsnc.fields import (
    VACCINATION,
    check_data,
    seal_type_of,
)
from shomeisho.formats.vdsnc.mapping import record_from_message
from shomeisho.formats.vdsnc.seal import parse_seal, signature_bytes
from shomeisho.model import Verification
from shomeisho.signing import ES256
from shomeisho.trust.store import TrustStore

FORMAT_NAME = "vdsnc"
ALLOWED_ALGORITHMS = frozenset({ES256})
SIGNER = "barcode signer"


def verify_seal(text: str, trust: TrustStore, *, at: datetime) -> Verification:
    result = Verification(format=FORMAT_NAME)
    try:
        seal = parse_seal(text)
        if seal.alg not in ALLOWED_ALGORITHMS:
            raise AlgorithmError(
                f"sig.alg {seal.alg[:16]!r} is not allowed; VDS-NC seals here "
                f"must use {', '.join(sorted(ALLOWED_ALGORITHMS))}",
                code="signature.algorithm",
                where="sig.alg",
            )
        signer = seal_signer(seal.cer)
        result.key_id = signer.key_id
        if signer.null_parameters:
            result.warnings.extend(signer.warnings())
        data = seal.data
        clean = is_clean_vaccination(data)  # judges nothing yet; spares canonicalising a scan
        signer.verify(
            signature_bytes(seal),
            canonical_json_of_parsed(data, plain=clean),
            where="sig.sigvl",
        )
    except ShomeishoError as exc:
        result.errors.append(exc)
        return result
    result.signature_verified = True

    seal_type = VACCINATION if clean else seal_type_of(data)
    trust_errors = _trust_errors(signer, trust, at, data, result)
    if trust_errors:
        result.errors.extend(trust_errors)
    usage_error = signer.usage_error(seal_type)
    if usage_error is not None:
        result.errors.append(usage_error)

    if not clean:
        problems, notes = check_data(data)
        result.warnings.extend(note.as_schema_error() for note in notes)
        if problems:
            result.errors.extend(problem.as_schema_error() for problem in problems)
            return result
    issuing_state = data["hdr"]["is"]
    result.issuer = issuing_state
    if result.errors and any(isinstance(error, UntrustedError) for error in result.errors):
        return result  # signed, but by a key anyone could have made: show no name
    if seal_type == VACCINATION:
        msg = data["msg"]
        if clean and _record_cannot_fail(msg):
            result.defer_record(partial(record_from_message, msg, issuing_state))
            return result
        try:
            result.record = record_from_message(msg, issuing_state)
        except SchemaError as exc:
            result.errors.append(exc)
    else:
        result.warnings.append(
            SchemaError(
                f"{seal_type} seals are verified but not decoded into a vaccination record",
                code="schema.vdsnc.not_decoded",
                where="data.hdr.t",
            )
        )
    return result


def _record_cannot_fail(msg: dict[str, Any]) -> bool:
    """For a message :func:`is_clean_vaccination` passed: building its record cannot raise.

    :func:`~.mapping.record_from_message` fails only on what the field check leaves open: a date of
    birth outside the years 1800-2999 that :class:`~shomeisho.model.PartialDate` accepts. (Names are
    non-blank, dates real calendar dates, dose numbers 1..99, and every list non-empty.)
    """
    dob = msg["pid"].get("dob")  # if any, ASCII YYYY-MM-DD: its years compare as text
    return dob is None or "1800" <= dob[:4] <= "2999"


def _trust_errors(
    signer: SealSigner,
    trust: TrustStore,
    at: datetime,
    data: dict[str, Any],
    result: Verification,
) -> list[ShomeishoError]:
    certificate = signer.certificate
    errors: list[ShomeishoError] = []
    try:
        _check_chain(trust, certificate, at)
    except (ExpiredError, NotYetValidError) as exc:
        errors.append(exc)
        # Out of date, but would it be trusted at all? "expired" must not hide "untrusted".
        inside = min(max(at, certificate.not_valid_before_utc), certificate.not_valid_after_utc)
        try:
            _check_chain(trust, certificate, inside)
        except UntrustedError as untrusted:
            errors.append(untrusted)
        except ShomeishoError:
            pass
    except ShomeishoError as exc:
        errors.append(exc)
        return errors
    country_error = _issuing_state_error(signer, trust, data, result)
    if country_error is not None:
        errors.append(country_error)
    return errors


def _check_chain(trust: TrustStore, certificate: x509.Certificate, at: datetime) -> None:
    try:
        trust.check_chain(certificate, at=at, what=SIGNER)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise UntrustedError(
            f"the barcode signer's chain could not be checked ({exc})",
            code="untrusted.chain",
            where=SIGNER,
        ) from None


def _issuing_state_error(
    signer: SealSigner, trust: TrustStore, data: dict[str, Any], result: Verification
) -> ShomeishoError | None:
    hdr = data.get("hdr")
    state = hdr.get("is") if isinstance(hdr, dict) else None
    if not isinstance(state, str):
        return None  # the schema check reports it
    countries = signer.countries
    expected = alpha2_for(state)
    if expected is not None and expected in countries:
        return None
    message = (
        f"the seal says it was issued by {state}, but its barcode signer belongs to "
        f"{', '.join(sorted(str(c) for c in countries)) or 'no country'}"
    )
    error = UntrustedError(message, code="untrusted.issuing_state", where="data.hdr.is")
    if signer.certificate in trust.signers:  # trusted directly: the operator vouched for it
        result.warnings.append(error)
        return None
    return error
