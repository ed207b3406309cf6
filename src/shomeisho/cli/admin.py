"""``shomeisho db upgrade``, ``staff add`` and ``audit verify``: running the record system."""

from __future__ import annotations

import os

import typer
from rich.console import Console

from shomeisho.cli.context import (
    AS_OPTION,
    DEMO_OPTION,
    load_settings,
    open_database,
    record_service,
    sign_in,
)
from shomeisho.db.engine import current_revision
from shomeisho.db.staff import create_staff
from shomeisho.errors import AccessDeniedError, InvalidError
from shomeisho.records.access import Action, require
from shomeisho.records.entities import Role
from shomeisho.records.municipalities import validate_code

out = Console(highlight=False, soft_wrap=True)


def db_upgrade(demo: bool = DEMO_OPTION) -> None:
    """Bring the database schema up to date and seed the municipality list (idempotent)."""
    engine = open_database(load_settings(demo))
    out.print(f"database ready at revision {current_revision(engine)}")


def staff_add(
    new_login: str = typer.Argument(..., help="Login of the new account."),
    role: Role = typer.Option(..., "--role", help="clerk, municipal_admin or national_operator."),
    municipality: str | None = typer.Option(None, "--municipality", help="Its municipality."),
    display_name: str = typer.Option(..., "--name", help="Name shown on pages and in the log."),
    login: str = AS_OPTION,
    demo: bool = DEMO_OPTION,
) -> None:
    """Create a staff account (the new password from SHOMEISHO_NEW_STAFF_PASSWORD or asked)."""
    engine = open_database(load_settings(demo))
    actor = sign_in(engine, login)
    code = validate_code(municipality) if municipality else None
    require(actor, Action.MANAGE_STAFF, code)
    if role is Role.NATIONAL_OPERATOR and actor.role is not Role.NATIONAL_OPERATOR:
        raise AccessDeniedError(
            "only the national operator creates operator accounts", code="access.role"
        )
    password = os.environ.get("SHOMEISHO_NEW_STAFF_PASSWORD") or typer.prompt(
        f"password for {new_login}", hide_input=True, confirmation_prompt=True
    )
    staff = create_staff(
        engine,
        login=new_login,
        display_name=display_name,
        role=role,
        municipality_code=code,
        password=password,
        created_by=actor.login,
    )
    out.print(
        f"created {staff.role.value} account {staff.login} ({staff.municipality_code or 'all'})"
    )


def audit_verify(login: str = AS_OPTION, demo: bool = DEMO_OPTION) -> None:
    """Check the audit log's hash chain: any edited, reordered or deleted entry is reported."""
    engine = open_database(load_settings(demo))
    actor = sign_in(engine, login)
    problems, head = record_service(engine).verify_audit(actor)
    shown = "empty log" if head is None else f"{head[0]} entries, head {head[1]}"
    if not problems:
        out.print(f"[green]audit log intact[/]: {shown}")
        return
    for problem in problems:
        out.print(f"[red]{problem.kind}[/] at entry {problem.seq}: {problem.message}")
    raise InvalidError(
        f"the audit log is broken in {len(problems)} place(s) (checked against {shown})",
        code="invalid.audit_log",
    )
