"""The one statement that differs between SQLite and PostgreSQL: insert unless it exists.

Both speak ``INSERT ... ON CONFLICT (...) DO NOTHING``, but SQLAlchemy builds it through each
dialect's own ``insert``; this picks the right one for the connection.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, ColumnElement, Connection, Table, any_, literal
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.types import String


def insert_ignoring_duplicates(connection: Connection, table: Table, unique: list[str]) -> Any:
    """``INSERT INTO table ... ON CONFLICT (unique...) DO NOTHING`` for this connection."""
    module: Any = postgresql if connection.dialect.name == "postgresql" else sqlite
    if connection.dialect.name not in ("postgresql", "sqlite"):
        raise NotImplementedError(f"database {connection.dialect.name} is not supported")
    return module.insert(table).on_conflict_do_nothing(index_elements=unique)


def one_of(connection: Connection, column: Column[Any], values: list[str]) -> ColumnElement[bool]:
    """``column IN (values)``; on PostgreSQL ``column = ANY(:array)``, one parameter instead
    of a thousand, which the server plans once and the driver does not have to splice."""
    if connection.dialect.name == "postgresql":
        return column == any_(literal(values, ARRAY(String())))
    return column.in_(values)
