"""One database per test, on SQLite and on PostgreSQL alike (the same tests run on both).

SQLite: a prepared database file per worker, copied for each test. PostgreSQL: a schema per
test worker in the ``test`` database at 127.0.0.1:5432 (``SHOMEISHO_TEST_POSTGRES_URL`` to
change it), migrated once, emptied before each test. Without a reachable server the PostgreSQL
leg is skipped with a message saying how to run it, except under CI, where it fails.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from shomeisho.db.bootstrap import prepare
from shomeisho.db.engine import make_engine

POSTGRES_URL = os.environ.get(
    "SHOMEISHO_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
EMPTIED = (
    "audit_log",
    "vaccination_event_history",
    "vaccination_events",
    "residents",
    "staff",
    "idp_cards",
    "issued_certificates",
    "revocations",
    "selfcheck_runs",
    "journey_events",
    "api_usage",
    "api_keys",
    "api_organisations",
    "verification_counts",
    "kpi_rollups",
    "kpi_journeys",
    "kpi_journey_steps",
    "kpi_journey_times",
    "kpi_journey_reasons",
    "kpi_issuances",
    "kpi_verifications",
)


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "records.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    prepare(engine)
    engine.dispose()  # the last connection to close checkpoints the WAL into the file
    assert not path.with_name("records.sqlite3-wal").exists()
    return path


@pytest.fixture(scope="session")
def postgres_engine() -> Iterator[Engine]:
    # per process: two test runs on one machine (a clone's CI and a working tree) never share
    schema = f"shomeisho_test_{_worker()}_{os.getpid()}"
    admin = make_engine(POSTGRES_URL)
    try:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            connection.execute(text(f"CREATE SCHEMA {schema}"))
    except Exception as exc:
        admin.dispose()
        message = (
            f"PostgreSQL is not reachable at {POSTGRES_URL} ({type(exc).__name__}); start it "
            "(pg_ctlcluster 15 main start) or set SHOMEISHO_TEST_POSTGRES_URL to run the "
            "PostgreSQL leg"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    admin.dispose()
    separator = "&" if "?" in POSTGRES_URL else "?"
    engine = make_engine(f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}")
    prepare(engine)
    yield engine
    engine.dispose()
    with make_engine(POSTGRES_URL).begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A prepared, empty database (municipalities seeded, no residents, empty audit log)."""
    if request.param == "sqlite":
        path = tmp_path / "records.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        engine = make_engine(f"sqlite:///{path}")
        yield engine
        engine.dispose()
        return
    engine = request.getfixturevalue("postgres_engine")
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {', '.join(EMPTIED)} RESTART IDENTITY CASCADE"))
        connection.execute(text("UPDATE audit_head SET seq = 0, hash = :h"), {"h": "0" * 64})
    yield engine
