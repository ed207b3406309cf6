"""Preparing a database for use: migrations, the municipality list, the audit log's head.

Idempotent, so the service and the CLI call it on every start. The municipality list is the
shipped seed (:mod:`shomeisho.records.municipalities`); rows are added or updated, never deleted
(residents may still point at a code that a merger retired).
"""

from __future__ import annotations

from sqlalchemy import Engine, select

from shomeisho.db import audit_log
from shomeisho.db.dialect import insert_ignoring_duplicates
from shomeisho.db.engine import upgrade
from shomeisho.db.tables import MunicipalityRow, table_of
from shomeisho.records.municipalities import load_municipalities

MUNICIPALITIES = table_of(MunicipalityRow)


def prepare(engine: Engine) -> None:
    """Migrate to the newest schema, seed municipalities, create the audit head."""
    upgrade(engine)
    with engine.begin() as connection:
        audit_log.ensure_head(connection)
        known = {row.code for row in connection.execute(select(MUNICIPALITIES.c.code))}
        missing = [
            {
                "code": m.code,
                "prefecture": m.prefecture,
                "name": m.name,
                "prefecture_kana": m.prefecture_kana,
                "name_kana": m.name_kana,
            }
            for m in load_municipalities()
            if m.code not in known
        ]
        if missing:
            connection.execute(
                insert_ignoring_duplicates(connection, MUNICIPALITIES, ["code"]), missing
            )
