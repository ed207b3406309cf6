"""Issuing a resident's certificates for a use: domestic (SHC) or overseas (SHC, VDS-NC, DCC).

One issuance is one certificate id shared by the formats issued together (VDS-NC, whose uvci
holds at most 12 characters, carries an id of its own), and "the newest certificate" is one
well-defined set. Keys come through the narrow :class:`~shomeisho.keys.KeyStore` interface.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from shomeisho.errors import InputError
from shomeisho.formats import all_formats
from shomeisho.formats.shc import ShcFormat
from shomeisho.keys import IssuerSetup, KeyStore
from shomeisho.model import IssuedCertificate, new_certificate_id
from shomeisho.records.certificate_record import (
    TravelDetails,
    certificate_record,
    register_digest,
)
from shomeisho.records.name_choice import NameOption
from shomeisho.records.service import ResidentFile


class Use(StrEnum):
    DOMESTIC = "domestic"
    OVERSEAS = "overseas"


@dataclass(frozen=True, slots=True)
class IssuedSet:
    """Everything issued at once for one use."""

    certificate_id: str
    use: Use
    issued_at: datetime
    certificates: tuple[IssuedCertificate, ...]
    register_digest: str = ""
    shown_name: str = ""  # the name printed, when the person chose one other than the record's

    def by_format(self, name: str) -> IssuedCertificate | None:
        return next((c for c in self.certificates if c.format == name), None)


class CertificateIssuer:
    """Issues with the service's keys; DCC abroad only where the operator configured it."""

    def __init__(
        self,
        keys: KeyStore,
        setup: IssuerSetup,
        *,
        with_dcc: bool = False,
        validity: timedelta = timedelta(days=365),
        clock: Callable[[], datetime] | None = None,
        rid_secret: bytes | None = None,
    ) -> None:
        """``rid_secret`` (see :func:`shomeisho.procedure.revocation.rid_secret`) puts a
        revocation id in every SMART Health Card, so that a card can be revoked later."""
        self._keys = keys
        self._rid_secret = rid_secret
        self._setup = setup
        self._with_dcc = with_dcc
        self._validity = validity
        self._clock = clock or (lambda: datetime.now(UTC))

    def formats_for(self, use: Use) -> tuple[str, ...]:
        if use is Use.DOMESTIC:
            return ("shc",)
        return ("shc", "vdsnc", "dcc") if self._with_dcc else ("shc", "vdsnc")

    def issue(
        self,
        file: ResidentFile,
        use: Use,
        travel: TravelDetails | None = None,
        *,
        shown: NameOption | None = None,
    ) -> IssuedSet:
        """Issue every format ``use`` needs from the resident's register (in the name the
        person chose, when the card and the record disagree)."""
        if use is Use.OVERSEAS and travel is None:
            raise InputError(
                "an overseas certificate needs the passport details", code="input.travel"
            )
        certificate_id = new_certificate_id()
        record = certificate_record(
            file,
            travel=travel if use is Use.OVERSEAS else None,
            certificate_id=certificate_id,
            shown=shown,
        )
        now = self._clock().replace(microsecond=0)
        formats = all_formats()
        if self._rid_secret is not None:
            formats["shc"] = ShcFormat(rid_secret=self._rid_secret)
        issued = tuple(
            formats[name].issue(
                record,
                self._keys.signer(self._setup.signer_for(name)),
                issuer=self._setup.issuer_for(name),
                issued_at=now,
                expires_at=now + self._validity,
            )
            for name in self.formats_for(use)
        )
        name = (shown.full if shown else "") or ""
        return IssuedSet(certificate_id, use, now, issued, register_digest(file), name)
