"""``shomeisho demo-data``: synthetic residents and vaccinations in several municipalities.

Demo mode only: it creates the demo staff accounts (their password is printed, and the same for
all of them) and imports the generated rows through the record service, exactly as a CSV import
would. ``--csv DIR`` also writes the rows as import CSV files.
"""

from __future__ import annotations

import contextlib
import csv
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import Progress, TaskID
from sqlalchemy import Engine

from shomeisho.cli.context import load_settings, open_database, record_service
from shomeisho.db.staff import create_staff, staff_by_login
from shomeisho.errors import ConflictError
from shomeisho.records.csvformat import COLUMNS, parse_row
from shomeisho.records.demo_residents import DEMO_MUNICIPALITIES, demo_rows
from shomeisho.records.entities import Role, Staff
from shomeisho.records.municipalities import municipality_by_code, validate_code

DEMO_STAFF_PASSWORD = "shomeisho-demo-password"  # noqa: S105 - documented demo value
out = Console(highlight=False, soft_wrap=True)


def demo_staff(engine: Engine, municipalities: list[str]) -> Staff:
    """Create (once) the operator and a clerk and admin per municipality; return the operator."""
    accounts: list[tuple[str, str, Role, str | None]] = [
        ("operator", "国 運用担当 (demo)", Role.NATIONAL_OPERATOR, None)
    ]
    for code in municipalities:
        name = municipality_by_code(code).display_name
        accounts.append((f"clerk-{code}", f"{name} 職員 (demo)", Role.CLERK, code))
        accounts.append((f"admin-{code}", f"{name} 管理者 (demo)", Role.MUNICIPAL_ADMIN, code))
    for login, display, role, scope in accounts:
        if staff_by_login(engine, login) is None:
            with contextlib.suppress(ConflictError):  # created meanwhile by another start
                create_staff(
                    engine,
                    login=login,
                    display_name=display,
                    role=role,
                    municipality_code=scope,
                    password=DEMO_STAFF_PASSWORD,
                    created_by="demo-data",
                )
    operator = staff_by_login(engine, "operator")
    assert operator is not None
    return operator


def demo_data(
    residents: int = typer.Option(200, "--residents", help="Residents per municipality."),
    municipality: list[str] = typer.Option(
        [], "--municipality", help="Municipality code (repeatable; default: four of them)."
    ),
    csv_dir: Path | None = typer.Option(None, "--csv", help="Also write the rows as CSV here."),
    seed: int = typer.Option(2021, "--seed", help="Same seed, same people."),
    data_dir: Path | None = typer.Option(None, "--data-dir", help="Demo data directory."),
) -> None:
    """Generate realistic synthetic residents and vaccinations (demo mode, local database)."""
    codes = [validate_code(c) for c in municipality] or DEMO_MUNICIPALITIES
    settings = load_settings(True, data_dir)
    engine = open_database(settings)
    operator = demo_staff(engine, codes)
    service = record_service(engine)
    with Progress(console=out) as progress:
        for code in codes:
            rows = list(demo_rows(code, residents, seed=seed))
            if csv_dir is not None:
                write_csv(csv_dir / f"demo-{code}.csv", rows)
            task = progress.add_task(municipality_by_code(code).display_name, total=len(rows))
            parsed = (parse_row(n + 2, row, code, "demo") for n, row in enumerate(rows))

            def advance(count: int, task: TaskID = task) -> None:
                progress.update(task, completed=count)

            report = service.import_rows(
                operator, code, parsed, source="demo-data", progress=advance
            )
            if report.problems:
                first = report.problems[0]
                out.print(f"[red]{len(report.problems)} demo rows refused[/], e.g. {first}")
    out.print(
        f"demo staff accounts: operator, clerk-CODE, admin-CODE for {', '.join(codes)}; "
        f"password [bold]{DEMO_STAFF_PASSWORD}[/] (demo only)"
    )


def write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMNS))
        writer.writeheader()
        writer.writerows(rows)
