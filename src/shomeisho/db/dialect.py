"""The one statement that differs between SQLite and PostgreSQL: insert unless it exists.

Both speak ``INSERT ... ON CONFLICT (...) DO NOTHING``, but SQLAlchemy builds it through each
dialect's own ``insert``; this picks the right one for the connection.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite


def insert_ignoring_duplicates(connection: Connection, table: Table, unique: list[str]) -> Any:
    """``INSERT INTO table ... ON CONFLICT (unique...) DO NOTHING`` for this connection."""
    module: Any = postgresql if connection.dialect.name == "postgresql" else sqlite
    if connection.dialect.name not in ("postgresql", "sqlite"):
        raise NotImplementedError(f"database {connection.dialect.name} is not supported")
    return module.insert(table).on_conflict_do_nothing(index_elements=unique)
