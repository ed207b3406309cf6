"""API keys, their organisations and their usage totals in the database.

Usage totals are added with ``INSERT ... ON CONFLICT DO UPDATE SET total = total + excluded``,
which both databases run atomically, so several server processes may write their batches at
the same time without losing a count. Rows are written in sorted order, so two batches that
touch the same totals lock them in the same order and cannot deadlock on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Row, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from shomeisho.api_access.keys import ApiKey
from shomeisho.api_access.usage import UsageKey, UsageRow
from shomeisho.db import audit_log
from shomeisho.db.dialect import insert_ignoring_duplicates
from shomeisho.db.rows import as_utc
from shomeisho.db.tables import ApiKeyRow, ApiOrganisationRow, ApiUsageRow, table_of
from shomeisho.errors import ConflictError
from shomeisho.records.audit import AuditRecord

ORGANISATIONS = table_of(ApiOrganisationRow)
KEYS = table_of(ApiKeyRow)
USAGE = table_of(ApiUsageRow)
_KEY_COLUMNS = (KEYS, ORGANISATIONS.c.name.label("organisation"))


class SqlApiKeyStore:
    """:class:`~shomeisho.api_access.ports.ApiKeyStore` on SQLite or PostgreSQL."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add_key(self, key: ApiKey, digest: str, audit: AuditRecord) -> None:
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    insert_ignoring_duplicates(connection, ORGANISATIONS, ["name"]).values(
                        name=key.organisation, created_at=key.created_at.astimezone(UTC)
                    )
                )
                organisation = connection.execute(
                    select(ORGANISATIONS.c.id).where(ORGANISATIONS.c.name == key.organisation)
                ).scalar_one()
                connection.execute(
                    insert(KEYS).values(
                        key_id=key.key_id,
                        organisation_id=organisation,
                        digest=digest,
                        rate_per_minute=key.rate_per_minute,
                        burst=key.burst,
                        created_at=key.created_at.astimezone(UTC),  # SQLite keeps no offset
                        created_by=key.created_by,
                    )
                )
                audit_log.append(connection, audit)
        except IntegrityError:
            raise ConflictError(
                "an API key with this id exists already; create the key again",
                code="conflict.api_key",
            ) from None

    def find_key(self, key_id: str) -> tuple[ApiKey, str] | None:
        with self.engine.connect() as connection:
            row = _key_row(connection, key_id)
        return None if row is None else (_key(row), row.digest)

    def all_keys(self) -> list[ApiKey]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(*_KEY_COLUMNS)
                .join(ORGANISATIONS, ORGANISATIONS.c.id == KEYS.c.organisation_id)
                .order_by(KEYS.c.created_at, KEYS.c.key_id)
            ).all()
        return [_key(row) for row in rows]

    def revoke_key(
        self, key_id: str, at: datetime, by: str, audit: AuditRecord
    ) -> tuple[ApiKey, bool] | None:
        with self.engine.begin() as connection:
            changed = connection.execute(
                update(KEYS)
                .where(KEYS.c.key_id == key_id, KEYS.c.revoked_at.is_(None))
                .values(revoked_at=at.astimezone(UTC), revoked_by=by)
            ).rowcount
            if changed:
                audit_log.append(connection, audit)
            row = _key_row(connection, key_id)
        return None if row is None else (_key(row), bool(changed))

    def add_usage(self, counts: Mapping[UsageKey, int]) -> None:
        if not counts:
            return
        rows = [
            {
                "key_id": usage.key_id,
                "day": usage.day,
                "format": usage.format,
                "verdict": usage.verdict,
                "total": total,
            }
            for usage, total in sorted(counts.items())
        ]
        with self.engine.begin() as connection:
            connection.execute(_adding_totals(connection), rows)

    def usage_between(self, first: date, last: date) -> list[UsageRow]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(USAGE, ORGANISATIONS.c.name.label("organisation"))
                .join(KEYS, KEYS.c.key_id == USAGE.c.key_id)
                .join(ORGANISATIONS, ORGANISATIONS.c.id == KEYS.c.organisation_id)
                .where(USAGE.c.day >= first, USAGE.c.day <= last)
                .order_by(USAGE.c.day, USAGE.c.key_id, USAGE.c.format, USAGE.c.verdict)
            ).all()
        return [
            UsageRow(r.key_id, r.organisation, r.day, r.format, r.verdict, r.total) for r in rows
        ]


def _adding_totals(connection: Connection) -> Any:
    """``INSERT INTO api_usage ... ON CONFLICT (key) DO UPDATE SET total = total + new``."""
    module: Any = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = module.insert(USAGE)
    return statement.on_conflict_do_update(
        index_elements=["key_id", "day", "format", "verdict"],
        set_={"total": USAGE.c.total + statement.excluded.total},
    )


def _key_row(connection: Connection, key_id: str) -> Row[Any] | None:
    return connection.execute(
        select(*_KEY_COLUMNS)
        .join(ORGANISATIONS, ORGANISATIONS.c.id == KEYS.c.organisation_id)
        .where(KEYS.c.key_id == key_id)
    ).first()


def _key(row: Row[Any]) -> ApiKey:
    return ApiKey(
        key_id=row.key_id,
        organisation=row.organisation,
        rate_per_minute=row.rate_per_minute,
        burst=row.burst,
        created_at=as_utc(row.created_at),
        created_by=row.created_by,
        revoked_at=None if row.revoked_at is None else as_utc(row.revoked_at),
        revoked_by=row.revoked_by,
    )
