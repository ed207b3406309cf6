"""Issuing a vaccination DCC: record -> payload -> CWT -> COSE_Sign1 (ES256) -> ``HC1:`` text.

What we sign is checked first against the schema (with formats asserted) and the value sets, so an
issuer never hands out a certificate that a strict verifier would reject. Times are whole seconds
(CWT NumericDate); ``iss`` is the issuing country's ISO 3166-1 alpha-2 code.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from shomeisho.errors import InputError, KeyStoreError, SchemaError
from shomeisho.formats.dcc import cosesig, cwt, payload, schema, signers, transport, valuesets
from shomeisho.model import IssuedCertificate, VaccinationRecord
from shomeisho.pki import dcc_key_id
from shomeisho.signing import Signer

_COUNTRY = re.compile(r"^[A-Z]{2}$")
# (value set, field) pairs every vaccination entry we write must satisfy
_CODED = (
    ("disease-agent-targeted", "tg"),
    ("vaccine-prophylaxis", "vp"),
    ("vaccine-medicinal-product", "mp"),
    ("vaccine-mah-manf", "ma"),
    ("country-2-codes", "co"),
)


def _seconds(moment: datetime, what: str) -> int:
    if moment.tzinfo is None:
        raise InputError(f"{what} must carry a time zone", code="input.time", where=what)
    return int(moment.timestamp())


def issue(
    record: VaccinationRecord,
    signer: Signer,
    *,
    issuer: str,
    issued_at: datetime,
    expires_at: datetime | None,
) -> IssuedCertificate:
    """Sign ``record`` (its latest dose) as an EU DCC. Raises InputError/KeyStoreError."""
    if not _COUNTRY.match(issuer or ""):
        raise InputError(
            f"the DCC issuer (CWT iss) is a country code such as 'JP'; got {issuer!r}",
            code="input.issuer",
            where="issuer",
        )
    certificate = signer.certificate
    if certificate is None:
        raise KeyStoreError(
            f"the signer {signer.name!r} has no certificate; a DCC names its document signer by "
            "the hash of that certificate (kid)",
            code="keys.certificate",
        )
    if expires_at is None:
        raise InputError(
            "a DCC must expire: give expires_at (CWT exp)", code="input.expiry", where="expires_at"
        )
    iat = _seconds(issued_at, "issued_at")
    exp = _seconds(expires_at, "expires_at")
    if exp <= iat:
        raise InputError(
            f"expires_at ({expires_at.isoformat()}) must be after issued_at "
            f"({issued_at.isoformat()})",
            code="input.expiry",
            where="expires_at",
        )
    body = payload.to_payload(record)
    check_payload(body)
    kid = dcc_key_id(certificate)
    claims = cwt.encode(issuer=issuer, issued_at=iat, expires_at=exp, payload=body)
    text = transport.encode(cosesig.sign(claims, signer, kid))
    return IssuedCertificate(
        format="dcc",
        text=text,
        record=payload.project(record),
        issued_at=datetime.fromtimestamp(iat, UTC),
        expires_at=datetime.fromtimestamp(exp, UTC),
        key_id=signers.kid_text(kid),
    )


def check_payload(body: dict[str, object]) -> None:
    """Refuse to sign a payload that breaks the schema (formats included) or the value sets."""
    try:
        problems = schema.validate(body)
        entries = body.get("v")
        for entry in entries if isinstance(entries, list) else ():
            for name, field in _CODED:
                valuesets.require_known(name, entry[field], f"v[0].{field}")
    except SchemaError as exc:
        problems = [exc]
    if problems:
        detail = "; ".join(str(p) for p in problems)
        raise InputError(f"cannot issue this record as a DCC: {detail}", code="input.dcc")
