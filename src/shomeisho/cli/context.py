"""What the record commands share: settings, the database, and the signed-in staff member.

Commands that touch records act as a staff account (``--as LOGIN``), with the password from
``SHOMEISHO_STAFF_PASSWORD`` or a hidden prompt, so the command line obeys exactly the access
rules the web pages do.
"""

from __future__ import annotations

import os
from pathlib import Path

import typer
from pydantic import ValidationError
from sqlalchemy import Engine

from shomeisho.db.bootstrap import prepare
from shomeisho.db.engine import make_engine
from shomeisho.db.staff import authenticate
from shomeisho.db.store import SqlRecordStore
from shomeisho.errors import AccessDeniedError, InputError
from shomeisho.records.entities import Staff
from shomeisho.records.service import RecordService
from shomeisho.settings import Settings

AS_OPTION = typer.Option(..., "--as", help="Your staff login; the password is asked for.")
DEMO_OPTION = typer.Option(False, "--demo", help="Demo settings: local SQLite, demo secrets.")
DEMO_DATA_DIR = Path("shomeisho-demo")


def load_settings(demo: bool, data_dir: Path | None = None) -> Settings:
    try:
        settings = Settings(demo=True) if demo else Settings()
    except ValidationError as exc:
        message = "; ".join(
            str(e.get("msg", "")).removeprefix("Value error, ") for e in exc.errors()
        )
        raise InputError(message, code="input.settings") from None
    if data_dir is not None:
        settings.data_dir = data_dir
    elif demo and "data_dir" not in settings.model_fields_set:
        settings.data_dir = DEMO_DATA_DIR  # where `serve --demo` keeps its database and keys
    return settings


def open_database(settings: Settings) -> Engine:
    """The configured database, migrated and seeded (idempotent)."""
    url = settings.resolved_database_url()
    if url.startswith("sqlite:"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(url)
    prepare(engine)
    return engine


def sign_in(engine: Engine, login: str) -> Staff:
    password = os.environ.get("SHOMEISHO_STAFF_PASSWORD")
    if password is None:
        password = typer.prompt(f"password for {login}", hide_input=True)
    staff = authenticate(engine, login, password)
    if staff is None:
        raise AccessDeniedError("the login or password is wrong", code="access.sign_in")
    return staff


def record_service(engine: Engine) -> RecordService:
    return RecordService(SqlRecordStore(engine))
