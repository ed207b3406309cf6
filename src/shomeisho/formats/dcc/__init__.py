"""EU Digital COVID Certificate / WHO GDHCN HCERT: ``HC1:`` + base45(zlib(COSE_Sign1(CWT))).

``FORMAT`` is the :class:`~shomeisho.formats.CertificateFormat` the rest of shomeisho uses.
The modules, in the order a certificate is read:

* :mod:`.transport` -- the ``HC1:`` prefix, base45, zlib (64 KiB cap);
* :mod:`.cose` -- COSE_Sign1 parsing, algorithm allow-list, kid, ES256/PS256 checks, signing;
* :mod:`.signers` -- finding the trusted document signer by kid, extended key usage;
* :mod:`.cwt` -- CWT claims ``iss``/``iat``/``exp``/``hcert``;
* :mod:`.schema`, :mod:`.valuesets` -- payload schema 1.3.x and the eHN value sets;
* :mod:`.payload` -- the DCC payload to and from :class:`~shomeisho.model.VaccinationRecord`;
* :mod:`.verify`, :mod:`.issue` -- the two pipelines.

Error codes are stable; besides the family defaults they include ``encoding.prefix``,
``decompression.too_large``, ``malformed.cose``, ``malformed.cose.kid``, ``malformed.cose.crit``,
``malformed.cwt``, ``malformed.duplicate_key``, ``malformed.trailing``, ``signature.mismatch``,
``signature.format``, ``signature.algorithm`` (``.missing``, ``.unprotected``),
``untrusted.no_key``, ``untrusted.key_usage``, ``expired.certificate``, ``expired.signer``,
``not_yet_valid.certificate``, ``not_yet_valid.signer``, ``schema.payload`` and ``schema.cwt``.
Warnings, which never change the verdict: ``schema.format`` (a date that is not one),
``schema.valueset`` (a code outside the shipped value sets) and ``schema.record`` (a test or
recovery certificate, or contents that do not form a vaccination record).

Stage functions for conformance testing and diagnostics: :func:`.transport.unprefix`,
:func:`.transport.decode_base45`, :func:`.transport.inflate`, :func:`.cose.decode`,
:func:`.signers.find_signer`, :func:`.cwt.decode`, :func:`.verify.check_validity`,
:func:`.signers.check_key_usage`, :func:`.schema.validate`, :func:`.payload.to_record`;
:func:`.payload.project` gives the part of a record that a DCC carries.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from shomeisho.formats.dcc import issue as _issue
from shomeisho.formats.dcc import transport
from shomeisho.formats.dcc import verify as _verify
from shomeisho.formats.dcc.payload import project

if TYPE_CHECKING:
    from shomeisho.model import IssuedCertificate, VaccinationRecord, Verification
    from shomeisho.signing import Signer
    from shomeisho.trust.store import TrustStore

__all__ = ["FORMAT", "DccFormat", "project"]


class DccFormat:
    """The EU DCC behind the common format interface."""

    @property
    def name(self) -> str:
        return "dcc"

    def recognises(self, text: str) -> bool:
        return transport.recognises(text)

    def issue(
        self,
        record: VaccinationRecord,
        signer: Signer,
        *,
        issuer: str,
        issued_at: datetime,
        expires_at: datetime | None,
    ) -> IssuedCertificate:
        """Sign the record's latest dose; ``issuer`` is the CWT ``iss`` country code."""
        return _issue.issue(
            record, signer, issuer=issuer, issued_at=issued_at, expires_at=expires_at
        )

    def verify(self, text: str, trust: TrustStore, *, at: datetime) -> Verification:
        """Never raises for bad input; see :mod:`shomeisho.formats.dcc.verify`."""
        return _verify.verify(text, trust, at=at)


FORMAT = DccFormat()

if TYPE_CHECKING:
    from shomeisho.formats import CertificateFormat

    _conforms: CertificateFormat = FORMAT  # mypy checks DccFormat against the protocol
