"""Bulk import of vaccination records: our full import against the database's own bulk load.

Run:  .venv/bin/python benchmarks/records_import.py [--rows 1000000] [--postgres URL]

For SQLite (a fresh file) and PostgreSQL (a fresh schema), measured in the same run:
- **ours**: ``RecordService.import_rows`` from the CSV file: decode, parse and check every row
  (names, dates, products), upsert residents and events in batches of 1,000 with their audit
  entries; then the same file again (the idempotent rerun: every row compared, nothing written);
- **raw**: the database's own bulk load of the same, already parsed event rows into a plain table
  with the same columns and unique key (SQLite ``executemany`` in one transaction, PostgreSQL
  ``COPY``), i.e. what no validation, no resident upsert and no audit would cost.
The ratio ours / raw is what carries over between machines.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from sqlalchemy import Engine, text

from shomeisho.db.bootstrap import prepare
from shomeisho.db.engine import make_engine
from shomeisho.db.store import SqlRecordStore
from shomeisho.records.csvformat import COLUMNS, ImportRow, open_text, read_rows
from shomeisho.records.demo_residents import demo_rows
from shomeisho.records.entities import Role, Staff
from shomeisho.records.service import RecordService

MUNICIPALITY = "131016"
ACTOR = Staff(0, "benchmark", "benchmark", Role.NATIONAL_OPERATOR, None)
RAW_COLUMNS = ("source_record_id", "resident_number", "administered_on", "product_code", "lot",
               "dose_number", "site")  # fmt: skip


def make_csv(path: Path, rows: int) -> None:
    """About ``rows`` demo rows (residents have 0-7 doses, so residents are chosen to fit)."""
    written = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMNS))
        writer.writeheader()
        for row in demo_rows(MUNICIPALITY, rows, seed=7):
            writer.writerow(row)
            written += 1
            if written >= rows:
                break


def parsed_rows(path: Path) -> list[ImportRow]:
    with path.open("rb") as raw:
        return [r for r in read_rows(open_text(raw), MUNICIPALITY) if isinstance(r, ImportRow)]


def ours(engine: Engine, path: Path) -> tuple[float, float, int]:
    service = RecordService(SqlRecordStore(engine))
    timings = []
    count = 0
    for _ in range(2):  # first import, then the idempotent rerun
        started = time.perf_counter()
        with path.open("rb") as raw:
            report = service.import_rows(
                ACTOR, MUNICIPALITY, read_rows(open_text(raw), MUNICIPALITY)
            )
        timings.append(time.perf_counter() - started)
        count = report.rows_read
        if report.problems:
            raise SystemExit(f"benchmark rows refused: {report.problems[:3]}")
    return timings[0], timings[1], count


def raw_sqlite(engine: Engine, rows: list[ImportRow]) -> float:
    values = [_raw(r) for r in rows]
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(
            "CREATE TABLE bench_events (id INTEGER PRIMARY KEY, source_record_id TEXT, "
            "resident_number TEXT, administered_on TEXT, product_code TEXT, lot TEXT, "
            "dose_number INTEGER, site TEXT, UNIQUE (source_record_id))"
        )
        started = time.perf_counter()
        cursor.execute("BEGIN")
        cursor.executemany(
            f"INSERT INTO bench_events ({', '.join(RAW_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?, ?)",
            values,
        )
        cursor.execute("COMMIT")
        return time.perf_counter() - started
    finally:
        raw.close()


def raw_postgres(engine: Engine, rows: list[ImportRow]) -> float:
    values = [_raw(r) for r in rows]
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(
            "CREATE TABLE bench_events (id BIGSERIAL PRIMARY KEY, source_record_id TEXT, "
            "resident_number TEXT, administered_on DATE, product_code TEXT, lot TEXT, "
            "dose_number INTEGER, site TEXT, UNIQUE (source_record_id))"
        )
        raw.commit()
        started = time.perf_counter()
        with cursor.copy(f"COPY bench_events ({', '.join(RAW_COLUMNS)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
            for value in values:
                copy.write_row(value)
        raw.commit()
        return time.perf_counter() - started
    finally:
        raw.close()


def _raw(row: ImportRow) -> tuple[object, ...]:
    event = row.event
    return (event.source_record_id, row.resident.resident_number, event.administered_on.isoformat(),
            event.product_code, event.lot, event.dose_number, event.site)  # fmt: skip


def report(name: str, first: float, rerun: float, raw: float, count: int) -> None:
    print(
        f"{name:<11}{count:>10,} rows  ours {count / first:>9,.0f} rows/s  "
        f"rerun {count / rerun:>9,.0f} rows/s  raw bulk load {count / raw:>10,.0f} rows/s  "
        f"ours/raw {raw / first:.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "vrs.csv"
        started = time.perf_counter()
        make_csv(path, args.rows)
        rows = parsed_rows(path)
        print(
            f"{len(rows):,} rows, {len({r.resident.resident_number for r in rows}):,} residents, "
            f"{path.stat().st_size / 1e6:.0f} MB CSV "
            f"(made in {time.perf_counter() - started:.0f} s)"
        )
        if not args.skip_sqlite:
            engine = make_engine(f"sqlite:///{Path(folder) / 'records.sqlite3'}")
            prepare(engine)
            first, rerun, count = ours(engine, path)
            report("SQLite", first, rerun, raw_sqlite(engine, rows), count)
            engine.dispose()
        if not args.skip_postgres:
            schema = "shomeisho_benchmark"
            admin = make_engine(args.postgres)
            with admin.begin() as connection:
                connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
                connection.execute(text(f"CREATE SCHEMA {schema}"))
            engine = make_engine(f"{args.postgres}?options=-csearch_path%3D{schema}")
            prepare(engine)
            first, rerun, count = ours(engine, path)
            report("PostgreSQL", first, rerun, raw_postgres(engine, rows), count)
            engine.dispose()
            with admin.begin() as connection:
                connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            admin.dispose()


if __name__ == "__main__":
    main()
