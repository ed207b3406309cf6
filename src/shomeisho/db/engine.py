"""Making a database engine for a URL, and bringing its schema up to date with Alembic.

SQLite needs three things to behave like a database under concurrent writers: foreign keys on,
WAL (readers do not wait for a writer), and ``BEGIN IMMEDIATE`` so a transaction takes the write
lock when it starts rather than failing with "database is locked" when it first writes; a busy
timeout lets the second writer wait its turn instead of erroring.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

MIGRATIONS = Path(__file__).with_name("migrations")


def sqlite_url(data_dir: Path) -> str:
    """The embedded default: ``records.sqlite3`` in the data directory."""
    data_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{(data_dir / 'records.sqlite3').resolve()}"


def make_engine(url: str, **options: Any) -> Engine:
    """An engine for ``url`` (``postgresql://`` is taken to mean psycopg 3)."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed, connect_args={"timeout": 60}, **options)
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    # executemany goes to psycopg's pipelined executemany (one statement, many parameter sets)
    # instead of SQLAlchemy's multi-VALUES statements, which psycopg would parse in Python.
    options.setdefault("use_insertmanyvalues", False)
    return create_engine(parsed, pool_pre_ping=True, **options)


def _sqlite_connect(connection: Any, _record: Any) -> None:
    connection.isolation_level = None  # let the "begin" hook below issue BEGIN itself
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA busy_timeout = 60000")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine) -> None:
    """Apply every migration not yet applied (idempotent)."""
    command.upgrade(alembic_config(engine), "head")


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()
