"""Revoking certificates we issued: the revocation, its audit entry, and what to publish."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, insert, select

from shomeisho.db import audit_log
from shomeisho.db.rows import as_utc
from shomeisho.db.tables import IssuedCertificateRow, ResidentRow, RevocationRow, table_of
from shomeisho.errors import ConflictError, NotFoundError
from shomeisho.procedure.revocation import RevocationReason
from shomeisho.records import access
from shomeisho.records.audit import AuditRecord
from shomeisho.records.entities import Staff

ISSUED = table_of(IssuedCertificateRow)
RESIDENTS = table_of(ResidentRow)
REVOCATIONS = table_of(RevocationRow)


@dataclass(frozen=True, slots=True)
class Revocation:
    certificate_id: str
    reason: RevocationReason
    revoked_at: datetime
    revoked_by: str


class SqlRevocationStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def revoke(
        self, actor: Staff, certificate_id: str, reason: RevocationReason, *, at: datetime
    ) -> tuple[Revocation, tuple[str, ...]]:
        """Revoke every format issued under ``certificate_id`` and audit it, in one transaction.

        Only the resident's municipality (its admin) and the national operator may; another
        municipality's certificate is "not found", as for records. Revoking twice is a
        conflict that says when it was revoked, not a second entry."""
        with self.engine.begin() as connection:
            rows = connection.execute(
                select(ISSUED.c.format, RESIDENTS.c.municipality_code)
                .join(RESIDENTS, RESIDENTS.c.id == ISSUED.c.resident_pk)
                .where(ISSUED.c.certificate_id == certificate_id)
                .order_by(ISSUED.c.id)
            ).all()
            if not rows:
                raise NotFoundError("no certificate with that id", code="not_found.certificate")
            municipality = rows[0].municipality_code
            access.require_visible(actor, access.Action.REVOKE, municipality, "certificate")
            known = connection.execute(
                select(REVOCATIONS).where(REVOCATIONS.c.certificate_id == certificate_id)
            ).first()
            if known is not None:
                raise ConflictError(
                    f"certificate {certificate_id} was already revoked on "
                    f"{as_utc(known.revoked_at).isoformat()} ({known.reason})",
                    code="conflict.revoked",
                )
            formats = tuple(row.format for row in rows)
            connection.execute(
                insert(REVOCATIONS).values(
                    certificate_id=certificate_id,
                    reason=reason.value,
                    revoked_at=at,
                    revoked_by=actor.login,
                )
            )
            audit_log.append(
                connection,
                AuditRecord(
                    at,
                    actor.login,
                    "certificate.revoke",
                    municipality,
                    certificate_id,
                    {"reason": reason.value, "formats": list(formats)},
                ),
            )
        return Revocation(certificate_id, reason, at, actor.login), formats

    def revoked_certificates(self) -> list[tuple[str, str, str]]:
        """``(certificate id, format, text)`` of every revoked issuance, for publishing."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(ISSUED.c.certificate_id, ISSUED.c.format, ISSUED.c.text)
                .join(REVOCATIONS, REVOCATIONS.c.certificate_id == ISSUED.c.certificate_id)
                .order_by(ISSUED.c.id)
            ).all()
        return [(row.certificate_id, row.format, row.text) for row in rows]

    def revocations(self) -> list[Revocation]:
        with self.engine.connect() as connection:
            rows = connection.execute(select(REVOCATIONS).order_by(REVOCATIONS.c.revoked_at)).all()
        return [
            Revocation(
                row.certificate_id, RevocationReason(row.reason), as_utc(row.revoked_at),
                row.revoked_by,
            )
            for row in rows
        ]  # fmt: skip
