"""Appending to and reading the hash-chained audit log inside the caller's transaction.

Appending locks the single head row first (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite's
``BEGIN IMMEDIATE`` already holds the database's write lock), so concurrent writers take turns
and the chain never forks. The head row is created with the schema (seq 0, the genesis hash).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC

from sqlalchemy import Connection, Engine, insert, select, update

from shomeisho.db.rows import as_utc
from shomeisho.db.tables import AuditHeadRow, AuditRow, table_of
from shomeisho.records.audit import GENESIS, AuditEntry, AuditRecord, next_entry

AUDIT_HEAD = table_of(AuditHeadRow)
AUDIT = table_of(AuditRow)


def ensure_head(connection: Connection) -> None:
    """Create the head row of an empty log (called when the database is prepared)."""
    if connection.execute(select(AUDIT_HEAD.c.id)).first() is None:
        connection.execute(insert(AUDIT_HEAD).values(id=1, seq=0, hash=GENESIS))


def append(connection: Connection, record: AuditRecord) -> AuditEntry:
    """Append ``record`` as the next entry, in the caller's transaction."""
    head = connection.execute(
        select(AUDIT_HEAD.c.seq, AUDIT_HEAD.c.hash).where(AUDIT_HEAD.c.id == 1).with_for_update()
    ).one()
    prev = None if head.seq == 0 else (head.seq, head.hash)
    at = record.at.astimezone(UTC) if record.at.tzinfo else record.at.replace(tzinfo=UTC)
    entry = next_entry(prev, AuditRecord(at, *_rest(record)))
    connection.execute(
        insert(AUDIT).values(
            seq=entry.seq,
            at=at,
            actor=record.actor,
            action=record.action,
            municipality_code=record.municipality_code,
            subject=record.subject,
            details=record.details,
            prev_hash=entry.prev_hash,
            hash=entry.hash,
        )
    )
    connection.execute(
        update(AUDIT_HEAD).where(AUDIT_HEAD.c.id == 1).values(seq=entry.seq, hash=entry.hash)
    )
    return entry


def _rest(record: AuditRecord) -> tuple[str, str, str | None, str, dict[str, object]]:
    return (record.actor, record.action, record.municipality_code, record.subject, record.details)


def entries(engine: Engine, *, batch: int = 5000) -> Iterator[AuditEntry]:
    """Every entry in seq order, read in pages so a long log is not held in memory."""
    after = 0
    while True:
        with engine.connect() as connection:
            rows = connection.execute(
                select(AUDIT).where(AUDIT.c.seq > after).order_by(AUDIT.c.seq).limit(batch)
            ).all()
        for row in rows:
            at = as_utc(row.at)
            record = AuditRecord(
                at, row.actor, row.action, row.municipality_code, row.subject, row.details
            )
            yield AuditEntry(row.seq, record, row.prev_hash, row.hash)
        if len(rows) < batch:
            return
        after = rows[-1].seq


def head(engine: Engine) -> tuple[int, str] | None:
    with engine.connect() as connection:
        row = connection.execute(select(AUDIT_HEAD.c.seq, AUDIT_HEAD.c.hash)).first()
    if row is None or row.seq == 0:
        return None
    return (row.seq, row.hash)
