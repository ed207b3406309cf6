"""Storing what was issued (with its audit entry) and finding a resident's newest issuance."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, insert, select

from shomeisho.db import audit_log
from shomeisho.db.rows import as_utc
from shomeisho.db.tables import IssuedCertificateRow, ResidentRow, table_of
from shomeisho.errors import NotFoundError
from shomeisho.procedure.issuance import IssuedSet, Use
from shomeisho.records.audit import AuditRecord

ISSUED = table_of(IssuedCertificateRow)
RESIDENTS = table_of(ResidentRow)


@dataclass(frozen=True, slots=True)
class Issuance:
    """One issuance as the resident's history lists it (no certificate content)."""

    certificate_id: str
    use: Use
    issued_at: datetime
    formats: tuple[str, ...]
    issued_by: str
    channel: str
    register_digest: str
    shown_name: str


class SqlIssuedStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def save(
        self,
        resident_id: str,
        issued: IssuedSet,
        issued_by: str,
        audit: Callable[[str], AuditRecord],
        *,
        channel: str = "app",
        consent: str = "online",
    ) -> None:
        """Keep every certificate of ``issued`` and append the audit entry, in one transaction
        (``audit`` receives the resident's municipality code)."""
        with self.engine.begin() as connection:
            resident = connection.execute(
                select(RESIDENTS.c.id, RESIDENTS.c.municipality_code).where(
                    RESIDENTS.c.resident_id == resident_id
                )
            ).first()
            if resident is None:
                raise NotFoundError("no resident with that id", code="not_found.record")
            connection.execute(
                insert(ISSUED),
                [
                    {
                        "certificate_id": issued.certificate_id,
                        "resident_pk": resident.id,
                        "use": issued.use.value,
                        "format": certificate.format,
                        "text": certificate.text,
                        "issued_at": certificate.issued_at,
                        "expires_at": certificate.expires_at or issued.issued_at,
                        "issued_by": issued_by,
                        "channel": channel,
                        "consent": consent,
                        "register_digest": issued.register_digest,
                        "shown_name": issued.shown_name,
                    }
                    for certificate in issued.certificates
                ],
            )
            audit_log.append(connection, audit(resident.municipality_code))

    def newest(self, resident_id: str) -> list[tuple[str, Use, str, str, datetime]]:
        """The newest issuance's certificates: (certificate id, use, format, text, issued at)."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(ISSUED)
                .join(RESIDENTS, RESIDENTS.c.id == ISSUED.c.resident_pk)
                .where(RESIDENTS.c.resident_id == resident_id)
                .order_by(ISSUED.c.issued_at.desc(), ISSUED.c.id.desc())
            ).all()
        if not rows:
            return []
        newest = rows[0].certificate_id
        return [
            (r.certificate_id, Use(r.use), r.format, r.text, as_utc(r.issued_at))
            for r in rows
            if r.certificate_id == newest
        ]

    def history(self, resident_id: str) -> list[Issuance]:
        """Every issuance for the resident, newest first."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(
                    ISSUED.c.certificate_id, ISSUED.c.use, ISSUED.c.format,
                    ISSUED.c.issued_at, ISSUED.c.issued_by, ISSUED.c.channel,
                    ISSUED.c.register_digest,
                    ISSUED.c.shown_name,
                )
                .join(RESIDENTS, RESIDENTS.c.id == ISSUED.c.resident_pk)
                .where(RESIDENTS.c.resident_id == resident_id)
                .order_by(ISSUED.c.issued_at.desc(), ISSUED.c.id.desc())
            ).all()  # fmt: skip
        grouped: dict[str, list[str]] = {}
        first: dict[str, Any] = {}
        for row in rows:
            grouped.setdefault(row.certificate_id, []).append(row.format)
            first.setdefault(row.certificate_id, row)
        return [
            Issuance(
                certificate_id,
                Use(first[certificate_id].use),
                as_utc(first[certificate_id].issued_at),
                tuple(formats),
                first[certificate_id].issued_by,
                first[certificate_id].channel,
                first[certificate_id].register_digest,
                first[certificate_id].shown_name,
            )
            for certificate_id, formats in grouped.items()
        ]

    def certificates_of(self, resident_id: str, certificate_id: str) -> list[tuple[str, str]]:
        """(format, text) of one of the resident's issuances (empty if it is not theirs)."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(ISSUED.c.format, ISSUED.c.text)
                .join(RESIDENTS, RESIDENTS.c.id == ISSUED.c.resident_pk)
                .where(
                    RESIDENTS.c.resident_id == resident_id,
                    ISSUED.c.certificate_id == certificate_id,
                )
                .order_by(ISSUED.c.id)
            ).all()
        return [(row.format, row.text) for row in rows]
