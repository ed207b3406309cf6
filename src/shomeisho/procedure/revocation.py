"""Revoking certificates we issued, and the lists we publish so that verifiers learn of it.

A certificate is revoked by its certificate id: every format issued under that id goes on the
lists its format has. What is published reveals nothing about the person or the id:

* EU DCC: per document signer kid, the ``UCI`` hash (finds every signature over that UVCI) and
  the ``SIGNATURE`` hash (the EU's recommended type for a single issued certificate);
* SMART Health Cards: per issuer key, the card's ``rid``, an HMAC of the id under a secret only
  the issuer holds (:func:`rid_secret`), so the public CRL cannot be turned back into ids;
* ICAO VDS-NC defines no revocation of a single seal (only of its barcode signer, by the CSCA's
  CRL), so a VDS-NC stays verifiable; a checker who needs certainty uses the DCC or SHC issued
  with it. :func:`publishable_revocations` reports such certificates as ``unrevocable``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from shomeisho.errors import ShomeishoError
from shomeisho.formats.dcc import cose, cwt, transport, typical
from shomeisho.formats.shc import crl, jws, qrtext
from shomeisho.model import Verification
from shomeisho.trust import revocation
from shomeisho.trust.revocation import DccRevocations, HashType, ShcCrls

_RID_LABEL = b"shomeisho SMART Health Card rid v1"


class RevocationReason(StrEnum):
    """Why a certificate was revoked: a closed list, so no free text (which could hold personal
    details) reaches the audit log or the published lists."""

    ISSUED_IN_ERROR = "issued_in_error"  # wrong person, wrong record
    RECORD_CORRECTED = "record_corrected"  # a dose on it was corrected or voided
    HOLDER_REQUEST = "holder_request"  # the holder asked (lost phone, replaced)
    SUSPECTED_FRAUD = "suspected_fraud"


def rid_secret(service_secret: bytes) -> bytes:
    """The issuer's rid secret, derived from the service's own secret (never published).

    Derived rather than configured separately so that a deployment cannot forget it; a
    different label keeps it independent of every other use of the service secret."""
    return hmac.new(service_secret, _RID_LABEL, hashlib.sha256).digest()


@dataclass
class PublishedRevocations:
    """What our issuer publishes for the certificates it revoked."""

    dcc: DccRevocations = field(default_factory=DccRevocations)
    shc: ShcCrls = field(default_factory=dict)
    unrevocable: list[str] = field(default_factory=list)  # "vdsnc <certificate id>"

    def as_document(self) -> dict[str, object]:
        """The revocation file ``trust build --revocations`` reads."""
        return {"dcc": self.dcc.to_documents(), "shc": self.shc}


def publishable_revocations(
    revoked: Iterable[tuple[str, str, str]], *, rid_secret: bytes
) -> PublishedRevocations:
    """Lists for ``revoked``: ``(certificate id, format, certificate text)`` of every issued
    certificate whose id was revoked, as the issuance store keeps them."""
    out = PublishedRevocations()
    rids: dict[tuple[str, str], set[str]] = {}
    for certificate_id, format_name, text in revoked:
        if format_name == "dcc":
            _add_dcc(out.dcc, text)
        elif format_name == "shc":
            iss, kid = _shc_issuer_and_kid(text)
            rids.setdefault((iss, kid), set()).add(crl.compute_rid(rid_secret, kid, certificate_id))
        else:
            out.unrevocable.append(f"{format_name} {certificate_id}")
    for (iss, kid), listed in sorted(rids.items()):
        # the counter grows with the list (revocations are never withdrawn), as SHC asks
        out.shc.setdefault(iss, {})[kid] = crl.crl_document(kid, len(listed), sorted(listed))
    return out


def _add_dcc(into: DccRevocations, text: str) -> None:
    message = cose.decode(transport.decode(text))
    kid = cose.key_id(message)
    claims, is_typical = typical.read_claims(message.payload)
    payload = claims.payload if is_typical else cwt.json_payload(claims.payload)
    uci = revocation.first_uci(payload)
    if kid is None or uci is None:
        raise ShomeishoError("an issued DCC lacks its kid or UVCI; it cannot be revoked")
    hashes = revocation.dcc_hashes(
        uci=uci,
        issuer_country=claims.issuer or "",
        signature=message.signature,
        es256=cose.algorithm(message) == cose.ES256,
    )
    into.add(kid, HashType.UCI, hashes[HashType.UCI])
    into.add(kid, HashType.SIGNATURE, hashes[HashType.SIGNATURE])


def _shc_issuer_and_kid(text: str) -> tuple[str, str]:
    sink = Verification(format="shc")
    compact = qrtext.decode(text, sink)
    parsed = jws.read(compact, sink) if compact is not None else None
    iss = parsed.payload.get("iss") if parsed is not None else None
    if parsed is None or not parsed.kid or not isinstance(iss, str):
        raise ShomeishoError("an issued SMART Health Card cannot be read back; not revocable")
    return iss, parsed.kid
