"""``shomeisho records ...``: bulk import and search of vaccination records, as a staff member."""

from __future__ import annotations

import csv
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from shomeisho.cli.context import (
    AS_OPTION,
    DEMO_OPTION,
    load_settings,
    open_database,
    record_service,
    sign_in,
)
from shomeisho.records.csvformat import open_text, read_rows
from shomeisho.records.municipalities import validate_code
from shomeisho.records.ports import ResidentQuery
from shomeisho.records.service import ImportReport

out = Console(highlight=False, soft_wrap=True)


def import_csv(
    file: Path = typer.Argument(..., help="The CSV file (format: docs/records-import.md)."),
    municipality: str = typer.Option(..., "--municipality", help="6-digit municipality code."),
    login: str = AS_OPTION,
    report: Path | None = typer.Option(
        None, "--report", help="Where to write rejected rows as CSV (default: FILE.rejected.csv)."
    ),
    demo: bool = DEMO_OPTION,
) -> None:
    """Import vaccination records from a CSV file into one municipality (safe to re-run)."""
    code = validate_code(municipality)
    settings = load_settings(demo)
    engine = open_database(settings)
    actor = sign_in(engine, login)
    service = record_service(engine)
    size = file.stat().st_size
    with (
        file.open("rb") as raw,
        Progress(
            TextColumn("[bold]importing[/] {task.description}"),
            BarColumn(),
            TextColumn("{task.percentage:>5.1f}%  {task.fields[rows]:,} rows"),
            TimeElapsedColumn(),
            console=out,
            transient=False,
        ) as progress,
    ):
        task = progress.add_task(file.name, total=size, rows=0)
        rows = read_rows(open_text(raw), code, source_system="csv")

        def advance(count: int) -> None:
            if count % 500 == 0:
                progress.update(task, completed=raw.tell(), rows=count)

        result = service.import_rows(actor, code, rows, source=file.name, progress=advance)
        progress.update(task, completed=size, rows=result.rows_read)
    report_path = report or file.with_name(file.name + ".rejected.csv")
    _write_rejections(result, report_path)
    _summary(result, report_path)


def _write_rejections(result: ImportReport, path: Path) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["row", "column", "reason"])
        for problem in result.problems:
            writer.writerow([problem.row_number, problem.column, problem.reason])


def _summary(result: ImportReport, report_path: Path) -> None:
    outcome = result.outcome
    table = Table(title=f"import into {result.municipality_code}", show_header=False)
    for label, value in (
        ("rows read / 読み込んだ行", result.rows_read),
        ("accepted / 受け付けた行", result.accepted),
        ("rejected rows / 受け付けなかった行", result.rejected_rows),
        ("events added / 追加した接種記録", outcome.inserted),
        ("events updated / 更新した接種記録", outcome.updated),
        ("events unchanged / 変更なし", outcome.unchanged),
        ("kept staff corrections / 職員の訂正を保持", outcome.locked),
        ("residents added / 追加した住民", outcome.residents_created),
        ("residents updated / 更新した住民", outcome.residents_updated),
    ):
        table.add_row(label, f"{value:,}")
    out.print(table)
    if result.problems:
        out.print(f"rejected rows with the reason for each: {report_path}")
    else:
        out.print(f"no rows rejected (empty report: {report_path})")


def search(
    name: str = typer.Argument("", help="Any part of a name: kanji, kana or romaji."),
    municipality: str | None = typer.Option(None, "--municipality", help="Municipality code."),
    login: str = AS_OPTION,
    demo: bool = DEMO_OPTION,
) -> None:
    """Find residents by name (with their number of doses), within your municipality."""
    settings = load_settings(demo)
    engine = open_database(settings)
    actor = sign_in(engine, login)
    code = validate_code(municipality) if municipality else actor.municipality_code
    service = record_service(engine)
    query = ResidentQuery(name=name)
    found = service.search_residents(actor, code, query, limit=50)
    total = service.count_residents(actor, code, query)
    table = Table(title=f"{total:,} residents")
    for column in ("id", "municipality", "name", "kana", "born", "doses"):
        table.add_column(column)
    for resident in found:
        details = resident.details
        doses = sum(e.counts for e in service.resident_file(actor, resident.resident_id).events)
        table.add_row(
            resident.resident_id,
            details.municipality_code,
            f"{details.family_name} {details.given_name}",
            f"{details.family_name_kana} {details.given_name_kana}",
            details.birth_date,
            str(doses),
        )
    out.print(table)
