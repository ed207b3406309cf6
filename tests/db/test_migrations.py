"""The Alembic migrations build exactly the schema the tables describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, text

from shomeisho.db.bootstrap import prepare
from shomeisho.db.engine import current_revision, head_revision
from shomeisho.db.tables import Base


def test_migrations_match_the_tables(engine: Engine) -> None:
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []
    assert current_revision(engine) == head_revision()


def test_prepare_is_idempotent_and_seeds_every_municipality(engine: Engine) -> None:
    prepare(engine)
    prepare(engine)
    with engine.connect() as connection:
        count = connection.execute(text("SELECT count(*) FROM municipalities")).scalar_one()
        head = connection.execute(text("SELECT seq FROM audit_head")).scalar_one()
    assert count == 1788 and head == 0
