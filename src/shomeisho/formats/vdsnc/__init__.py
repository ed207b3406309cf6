"""ICAO VDS-NC, the visible digital seal for non-constrained environments (proof of vaccination).

A seal is JSON, ``{"data": {"hdr": {"t", "v", "is"}, "msg": {...}},``
``"sig": {"alg", "cer", "sigvl"}}``, with an ES256 signature over the RFC 8785 canonical JSON of
``data`` by a barcode signer whose certificate is embedded and chains to the issuing state's CSCA.
Modules:

* :mod:`.seal` the JSON envelope; :mod:`.canonical` RFC 8785; :mod:`.certificates` ``sig.cer``;
* :mod:`.fields` the field table with its length limits and their source;
* :mod:`.names`, :mod:`.countries`, :mod:`.mapping` between a seal and a :class:`VaccinationRecord`;
* :mod:`.issue` and :mod:`.verify`, the two directions, behind :data:`FORMAT`.
"""

from __future__ import annotations

from datetime import datetime

from shomeisho.formats.vdsnc.canonical import canonical_json
from shomeisho.formats.vdsnc.fields import FIELD_LIMITS
from shomeisho.formats.vdsnc.issue import issue_seal
from shomeisho.formats.vdsnc.mapping import carried_record, uvci_for
from shomeisho.formats.vdsnc.verify import verify_seal
from shomeisho.model import IssuedCertificate, VaccinationRecord, Verification
from shomeisho.signing import Signer
from shomeisho.trust.certificates import load_certificates, read_certificate
from shomeisho.trust.store import TrustStore

__all__ = [
    "FIELD_LIMITS",
    "FORMAT",
    "VdsncFormat",
    "canonical_json",
    "carried_record",
    "issue_seal",
    "load_certificates",
    "read_certificate",
    "uvci_for",
    "verify_seal",
]


class VdsncFormat:
    """The :class:`~shomeisho.formats.CertificateFormat` for ICAO VDS-NC seals."""

    @property
    def name(self) -> str:
        return "vdsnc"

    def recognises(self, text: str) -> bool:
        """A JSON object, or a one-element array around one, with ``data`` and ``sig`` members."""
        try:
            head = text.lstrip("\ufeff \t\r\n")[:2]  # a BOM is recognised, then refused
            return (head.startswith("{") or (head.startswith("[") and "{" in text[:64])) and (
                '"data"' in text and '"sig"' in text
            )
        except (AttributeError, TypeError):
            return False

    def issue(
        self,
        record: VaccinationRecord,
        signer: Signer,
        *,
        issuer: str,
        issued_at: datetime,
        expires_at: datetime | None,
    ) -> IssuedCertificate:
        return issue_seal(record, signer, issuer=issuer, issued_at=issued_at, expires_at=expires_at)

    def verify(self, text: str, trust: TrustStore, *, at: datetime) -> Verification:
        return verify_seal(text, trust, at=at)


FORMAT = VdsncFormat()
