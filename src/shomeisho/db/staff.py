"""Staff accounts in the database: creating them and checking a sign-in.

Only the account's scrypt hash is stored. A failed sign-in does not say whether the login
exists.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, Row, insert, select
from sqlalchemy.exc import IntegrityError

from shomeisho.db import audit_log
from shomeisho.db.tables import StaffRow, table_of
from shomeisho.errors import ConflictError, InputError
from shomeisho.records.audit import AuditRecord
from shomeisho.records.entities import Role, Staff
from shomeisho.records.passwords import hash_password, password_matches

STAFF = table_of(StaffRow)


def _staff(row: Row[Any]) -> Staff:
    return Staff(row.id, row.login, row.display_name, Role(row.role), row.municipality_code)


def create_staff(
    engine: Engine,
    *,
    login: str,
    display_name: str,
    role: Role,
    municipality_code: str | None,
    password: str,
    created_by: str,
    clock: Callable[[], datetime] | None = None,
) -> Staff:
    """Add an account (audited). ConflictError if the login is taken."""
    if (role is Role.NATIONAL_OPERATOR) != (municipality_code is None):
        raise InputError(
            "clerks and municipal admins belong to one municipality; the national operator to none",
            code="input.staff",
        )
    now = (clock or (lambda: datetime.now(UTC)))()
    try:
        with engine.begin() as connection:
            staff_id = connection.execute(
                insert(STAFF)
                .values(
                    login=login,
                    display_name=display_name,
                    role=role.value,
                    municipality_code=municipality_code,
                    password_hash=hash_password(password),
                    active=True,
                    created_at=now,
                )
                .returning(STAFF.c.id)
            ).scalar_one()
            audit_log.append(
                connection,
                AuditRecord(
                    now,
                    created_by,
                    "staff.create",
                    municipality_code,
                    f"staff:{login}",
                    {"role": role.value},
                ),
            )
    except IntegrityError:
        raise ConflictError(f"the login {login!r} is taken", code="conflict.login") from None
    return Staff(staff_id, login, display_name, role, municipality_code)


def authenticate(engine: Engine, login: str, password: str) -> Staff | None:
    """The account if the login and password match an active account; else None."""
    with engine.connect() as connection:
        row = connection.execute(select(STAFF).where(STAFF.c.login == login)).first()
    if row is None:
        password_matches(password, _DUMMY)  # same work either way: timing says nothing
        return None
    if not row.active or not password_matches(password, row.password_hash):
        return None
    return _staff(row)


def staff_by_login(engine: Engine, login: str) -> Staff | None:
    with engine.connect() as connection:
        row = connection.execute(
            select(STAFF).where(STAFF.c.login == login, STAFF.c.active.is_(True))
        ).first()
    return None if row is None else _staff(row)


_DUMMY = hash_password("not-a-real-password-only-for-timing")
