"""Certificate formats behind one small interface, and detection of which one an input is.

Every format module exposes ``FORMAT``, an object with::

    name: str                                   "shc" | "dcc" | "vdsnc"
    recognises(text: str) -> bool               cheap prefix/shape test, never raises
    issue(record, signer, *, issuer, issued_at, expires_at) -> IssuedCertificate
    verify(text, trust, *, at) -> Verification  never raises for bad input: errors go in the result

so the CLI, the web pages and the verifier treat them alike.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from shomeisho.model import IssuedCertificate, VaccinationRecord, Verification
from shomeisho.signing import Signer
from shomeisho.trust.store import TrustStore

#: The name a person reads for each format (pages, the PDF, the verifier's verdict).
TITLES = {"shc": "SMART Health Card", "vdsnc": "ICAO VDS-NC", "dcc": "EU DCC"}


class CertificateFormat(Protocol):
    """The interface every format module's ``FORMAT`` object provides."""

    @property
    def name(self) -> str: ...

    def recognises(self, text: str) -> bool: ...

    def issue(
        self,
        record: VaccinationRecord,
        signer: Signer,
        *,
        issuer: str,
        issued_at: datetime,
        expires_at: datetime | None,
    ) -> IssuedCertificate: ...

    def verify(self, text: str, trust: TrustStore, *, at: datetime) -> Verification: ...


def all_formats() -> dict[str, CertificateFormat]:
    """Imported lazily so that using one format does not load the others' dependencies."""
    from shomeisho.formats.dcc import FORMAT as DCC
    from shomeisho.formats.shc import FORMAT as SHC
    from shomeisho.formats.vdsnc import FORMAT as VDSNC

    return {f.name: f for f in (SHC, DCC, VDSNC)}


def detect(text: str) -> CertificateFormat | None:
    for fmt in all_formats().values():
        if fmt.recognises(text):
            return fmt
    return None
