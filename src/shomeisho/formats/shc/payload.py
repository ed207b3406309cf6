"""The JWT payload of a health card: ``{iss, nbf, [exp], vc: {type, credentialSubject, [rid]}}``.

Validity follows SHC practice and the reference validator, with our verdicts on top:

* ``nbf`` after the validation time: :class:`NotYetValidError` (verdict not_yet_valid). An
  ``nbf`` of 10^11 or more is a timestamp written in milliseconds: :class:`SchemaError`
  ``schema.jwt.nbf_milliseconds`` instead (the card is broken, not early).
* ``exp`` before the validation time: :class:`ExpiredError` (verdict expired). ``exp`` not after
  ``nbf``: ``schema.jwt.exp_before_nbf``. An ``exp`` in milliseconds is only a warning
  (``schema.jwt.exp_milliseconds``): the card then simply never expires in practice.
* ``iss`` must be an https URL without a trailing slash (``schema.jwt.iss_url``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from shomeisho.errors import (
    ExpiredError,
    InputError,
    MalformedError,
    NotYetValidError,
    SchemaError,
)
from shomeisho.formats.shc import onepass, profile, vctypes
from shomeisho.formats.shc.problems import Findings, Sink
from shomeisho.wire import strict_json

FHIR_VERSION = "4.0.1"
_MILLISECONDS = 10**11  # seconds since 1970 reach this in the year 5138
_RID = re.compile(r"^[A-Za-z0-9_-]{1,24}$")
_FHIR_VERSION = re.compile(r"^\d+\.\d+\.\d+$")


@dataclass
class Claims:
    """What the rest of verification needs from a checked payload."""

    iss: str | None
    nbf: datetime | None
    exp: datetime | None
    bundle: dict[str, Any] | None
    rid: str | None
    clean: bool = False
    """The payload is in the clean shape :mod:`.onepass` checks in one go: the bundle makes a
    record (:func:`.fhir.scan_record` would find nothing to say)."""


def check_issuer_url(iss: str) -> str | None:
    """Why ``iss`` is not a valid SHC issuer URL, or None."""
    if not iss.startswith("https://") or len(iss) <= len("https://"):
        return "the issuer URL must use https"
    if iss.endswith("/"):
        return "the issuer URL must not end with '/'"
    return None


def build_payload(
    bundle: Mapping[str, Any],
    *,
    issuer: str,
    issued_at: datetime,
    expires_at: datetime | None,
    rid: str | None,
) -> dict[str, Any]:
    """The payload SHC issues: whole seconds, the three immunization card types."""
    problem = check_issuer_url(issuer)
    if problem:
        raise InputError(f"{problem}: {issuer!r}", code="input.issuer")
    nbf = int(issued_at.timestamp())
    payload: dict[str, Any] = {"iss": issuer, "nbf": nbf}
    if expires_at is not None:
        exp = int(expires_at.timestamp())
        if exp <= nbf:
            raise InputError("the card would expire before it becomes valid", code="input.expiry")
        payload["exp"] = exp
    vc: dict[str, Any] = {
        "type": list(vctypes.ISSUED_TYPES),
        "credentialSubject": {"fhirVersion": FHIR_VERSION, "fhirBundle": dict(bundle)},
    }
    if rid is not None:
        vc["rid"] = rid
    payload["vc"] = vc
    return payload


def _timestamp(value: object, name: str, sink: Sink) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        sink.errors.append(
            SchemaError(f"{name} is not a number of seconds", code=f"schema.jwt.{name}", where=name)
        )
        return None
    return float(value)


def to_datetime(seconds: float) -> datetime | None:
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def check_claims(
    payload: Mapping[str, Any], at: datetime, sink: Sink, *, profile_name: str | None = None
) -> Claims:
    """Check a decoded payload at validation time ``at``; record problems, return the claims."""
    if profile_name is None and onepass.is_clean(payload):
        # nothing to say but what the times and vc.type say
        nbf, exp = _check_clean_times(payload, at, sink)
        vc = payload["vc"]
        vctypes.check_facts(vc["type"], *onepass.FACTS, sink)
        return Claims(
            payload["iss"], nbf, exp, vc["credentialSubject"]["fhirBundle"], vc.get("rid"), True
        )
    iss = payload.get("iss")
    if not isinstance(iss, str):
        sink.errors.append(
            SchemaError("the payload has no issuer URL ('iss')", code="schema.jwt.iss", where="iss")
        )
        iss = None
    else:
        problem = check_issuer_url(iss)
        if problem:
            sink.errors.append(
                SchemaError(f"{problem}: {iss!r}", code="schema.jwt.iss_url", where="iss")
            )
    nbf, exp = _check_times(payload, at, sink)
    bundle, rid = _check_vc(payload.get("vc"), sink, profile_name)
    return Claims(iss, nbf, exp, bundle, rid)


def _check_times(
    payload: Mapping[str, Any], at: datetime, sink: Sink
) -> tuple[datetime | None, datetime | None]:
    nbf_s = _timestamp(payload.get("nbf"), "nbf", sink)
    if "nbf" not in payload:
        sink.errors.append(
            SchemaError(
                "the payload has no issuance time ('nbf')", code="schema.jwt.nbf", where="nbf"
            )
        )
    exp_s = _timestamp(payload.get("exp"), "exp", sink)
    now = at.timestamp()
    nbf = exp = None
    if nbf_s is not None:
        if nbf_s >= _MILLISECONDS:
            sink.errors.append(
                SchemaError(
                    f"nbf {payload['nbf']} looks like milliseconds; JWT times are seconds",
                    code="schema.jwt.nbf_milliseconds",
                    where="nbf",
                )
            )
        else:
            nbf = to_datetime(nbf_s)
            if nbf_s > now:
                sink.errors.append(_not_yet_valid(nbf, nbf_s))
    if exp_s is not None:
        if nbf_s is not None and exp_s <= nbf_s:
            sink.errors.append(_exp_before_nbf())
        if exp_s >= _MILLISECONDS:
            sink.warnings.append(
                SchemaError(
                    f"exp {payload['exp']} looks like milliseconds",
                    code="schema.jwt.exp_milliseconds",
                    where="exp",
                )
            )
        else:
            exp = to_datetime(exp_s)
            if exp_s < now:
                sink.errors.append(_expired(exp, exp_s))
    return nbf, exp


def _check_clean_times(
    payload: Mapping[str, Any], at: datetime, sink: Sink
) -> tuple[datetime | None, datetime | None]:
    """:func:`_check_times` for a clean payload (:mod:`.onepass`): ``nbf`` and any ``exp`` are
    numbers of seconds, neither in milliseconds."""
    now = at.timestamp()
    nbf_s = float(payload["nbf"])
    nbf = datetime.fromtimestamp(nbf_s, UTC)  # to_datetime: cannot fail in 0 < s < 10**11
    if nbf_s > now:
        sink.errors.append(_not_yet_valid(nbf, nbf_s))
    exp = None
    if "exp" in payload:
        exp_s = float(payload["exp"])
        if exp_s <= nbf_s:
            sink.errors.append(_exp_before_nbf())
        exp = datetime.fromtimestamp(exp_s, UTC)
        if exp_s < now:
            sink.errors.append(_expired(exp, exp_s))
    return nbf, exp


def _not_yet_valid(nbf: datetime | None, nbf_s: float) -> NotYetValidError:
    return NotYetValidError(
        f"the card is valid only from {nbf.isoformat() if nbf else nbf_s}",
        code="not_yet_valid",
        where="nbf",
    )


def _exp_before_nbf() -> SchemaError:
    return SchemaError(
        "the card expires before it becomes valid", code="schema.jwt.exp_before_nbf", where="exp"
    )


def _expired(exp: datetime | None, exp_s: float) -> ExpiredError:
    return ExpiredError(
        f"the card expired on {exp.isoformat() if exp else exp_s}", code="expired", where="exp"
    )


def _check_vc(
    vc: object, sink: Sink, profile_name: str | None
) -> tuple[dict[str, Any] | None, str | None]:
    if not isinstance(vc, dict):
        sink.errors.append(
            SchemaError("the payload has no 'vc' object", code="schema.vc", where="vc")
        )
        return None, None
    if "@context" in vc:
        sink.warnings.append(
            SchemaError("vc should not have an @context", code="schema.vc", where="vc.@context")
        )
    types = vc.get("type")
    if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
        types = []
    if vctypes.HEALTH_CARD not in types:
        sink.errors.append(
            SchemaError(
                f"vc.type must contain {vctypes.HEALTH_CARD}",
                code="schema.vc_type",
                where="vc.type",
            )
        )
    rid = vc.get("rid")
    if rid is not None and not (isinstance(rid, str) and _RID.match(rid)):
        sink.errors.append(
            SchemaError(
                "vc.rid must be 1 to 24 base64url characters", code="schema.vc.rid", where="vc.rid"
            )
        )
        rid = None
    subject = vc.get("credentialSubject")
    bundle = subject.get("fhirBundle") if isinstance(subject, dict) else None
    if not isinstance(bundle, dict) or not bundle:
        sink.errors.append(
            SchemaError(
                "vc.credentialSubject.fhirBundle is missing",
                code="schema.vc.fhir_bundle",
                where="vc.credentialSubject.fhirBundle",
            )
        )
        return None, rid
    version = subject.get("fhirVersion") if isinstance(subject, dict) else None
    if not isinstance(version, str) or not _FHIR_VERSION.match(version):
        sink.errors.append(
            SchemaError(
                "vc.credentialSubject.fhirVersion must be a FHIR version such as 4.0.1",
                code="schema.vc.fhir_version",
                where="vc.credentialSubject.fhirVersion",
            )
        )
    vctypes.check_types(types, bundle, sink)
    profile.check_bundle(bundle, sink, profile=profile_name)
    return bundle, rid


_NO_DOCUMENT: Any = object()


def _read_document(data: bytes, what: str, noun: str, findings: Findings) -> Any:
    """The JSON of a document file; junk around it is an error but the JSON is still read."""
    text = data.strip(b" \t\r\n")
    if text != data:
        findings.errors.append(
            MalformedError(
                f"the {noun} has characters before or after the JSON", code="malformed.trailing"
            )
        )
    try:
        return strict_json.loads(text, what=what)
    except MalformedError as exc:
        findings.errors.append(exc)
        return _NO_DOCUMENT


def check_payload_document(
    data: bytes, at: datetime, *, profile_name: str | None = None
) -> Findings:
    """Check an unsigned payload file (as the reference validator's ``jwspayload`` input)."""
    findings = Findings()
    payload = _read_document(data, "JWT payload", "payload", findings)
    if payload is _NO_DOCUMENT:
        return findings
    if not isinstance(payload, dict):
        findings.errors.append(
            MalformedError("the payload is not a JSON object", code="malformed.jwt.not_object")
        )
        return findings
    check_claims(payload, at, findings, profile_name=profile_name)
    return findings


def check_bundle_document(data: bytes, *, profile_name: str | None = None) -> Findings:
    """Check a bare FHIR bundle file (the reference validator's ``fhirbundle`` input)."""
    findings = Findings()
    bundle = _read_document(data, "FHIR bundle", "bundle", findings)
    if bundle is not _NO_DOCUMENT:
        profile.check_bundle(bundle, findings, profile=profile_name)
    return findings


__all__ = [
    "Claims",
    "build_payload",
    "check_bundle_document",
    "check_claims",
    "check_issuer_url",
    "check_payload_document",
]
