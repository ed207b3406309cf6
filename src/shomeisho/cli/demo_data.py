"""``shomeisho demo-data``: synthetic residents and vaccinations in several municipalities.

Demo mode only: it creates the demo staff accounts (their password is printed, and the same for
all of them) and imports the generated rows through the record service, exactly as a CSV import
would. ``--csv DIR`` also writes the rows as import CSV files.
"""

from __future__ import annotations

import contextlib
import csv
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress, TaskID
from sqlalchemy import Engine

from shomeisho.cli.context import load_settings, open_database, record_service
from shomeisho.cli.kpi_demo import write_demo_history
from shomeisho.db.cards import SqlCardStore
from shomeisho.db.staff import create_staff, staff_by_login
from shomeisho.errors import ConflictError
from shomeisho.identity.cards import CardHolder
from shomeisho.identity.enrolment import card_key_and_certificate, load_or_create_card_authority
from shomeisho.records.csvformat import COLUMNS, parse_row
from shomeisho.records.demo_residents import DEMO_MUNICIPALITIES, demo_rows
from shomeisho.records.entities import Role, Staff
from shomeisho.records.municipalities import municipality_by_code, validate_code
from shomeisho.records.ports import ResidentQuery
from shomeisho.settings import Settings

DEMO_STAFF_PASSWORD = "shomeisho-demo-password"  # noqa: S105 - documented demo value
DEMO_PIN = "1234"  # every demo card's PIN (documented; demo only)
CARDS_EACH = 10
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
    history_days: Annotated[
        int,
        typer.Option(
            "--history-days",
            help="Days of demo use (journeys, issuances, verifications) for the KPI dashboard, "
            "up to yesterday; written once; 0 for none.",
        ),
    ] = 90,
) -> None:
    """Generate realistic synthetic residents and vaccinations (demo mode, local database),
    and a history of their use for the KPI dashboard."""
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
    cards = demo_cards(engine, settings.record_secret.get_secret_value().encode(), settings, codes)
    out.print(
        f"demo staff accounts: operator, clerk-CODE, admin-CODE for {', '.join(codes)}; "
        f"password [bold]{DEMO_STAFF_PASSWORD}[/] (demo only)"
    )
    if cards:
        out.print(f"{cards} demo My Number cards made (PIN [bold]{DEMO_PIN}[/], demo only)")
    issued = write_demo_history(settings, engine, codes, days=history_days, seed=seed, console=out)
    if issued:
        out.print(f"{history_days} days of demo use written and rolled up ({issued} certificates)")


def demo_cards(engine: Engine, secret: bytes, settings: Settings, codes: list[str]) -> int:
    """An emulated card for the first residents of each municipality, linked to them."""
    authority = load_or_create_card_authority(settings.data_dir / "idp", secret)
    cards = SqlCardStore(engine, secret)
    service = record_service(engine)
    operator = staff_by_login(engine, "operator")
    assert operator is not None
    made = 0
    for code in codes:
        for person in service.search_residents(operator, code, ResidentQuery(), limit=CARDS_EACH):
            if person.idp_subject is not None:
                continue
            d = person.details
            holder = CardHolder(
                family_name=d.family_name,
                given_name=d.given_name,
                family_name_kana=d.family_name_kana,
                given_name_kana=d.given_name_kana,
                former_family_name=d.former_family_name,
                birth_date=d.birth_date,
                sex=d.sex.value,
                municipality_code=code,
                address=municipality_by_code(code).display_name,
            )
            key, certificate = card_key_and_certificate(authority)
            card = cards.create(holder, DEMO_PIN, key, certificate)
            service.link_identity(operator, person.resident_id, card.subject)
            made += 1
    return made


def write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMNS))
        writer.writeheader()
        writer.writerows(rows)
