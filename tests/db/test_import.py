"""Bulk import on a real database: rejections named, reruns idempotent, a killed run completed."""

from __future__ import annotations

import io
from typing import Any

import pytest
from sqlalchemy import Engine, text

from shomeisho.db.store import SqlRecordStore
from shomeisho.records import service as service_module
from shomeisho.records.csvformat import HeaderError, open_text, read_rows
from shomeisho.records.service import ImportReport, RecordService
from tests.db.records_factory import CHIYODA, CLERK_A, HEADER, OPERATOR, csv_row


def run_import(service: RecordService, content: str | bytes, **options: Any) -> ImportReport:
    data = content.encode("utf-8") if isinstance(content, str) else content
    rows = read_rows(open_text(io.BytesIO(data)), CHIYODA)
    return service.import_rows(CLERK_A, CHIYODA, rows, **options)


def state(engine: Engine) -> list[tuple[Any, ...]]:
    """Everything an import decides, without generated ids and clocks."""
    with engine.connect() as connection:
        residents = connection.execute(
            text(
                "SELECT resident_number, family_name, given_name, birth_date, sex "
                "FROM residents ORDER BY resident_number"
            )
        ).all()
        events = connection.execute(
            text(
                "SELECT e.source_record_id, r.resident_number, e.administered_on, e.product_code, "
                "e.lot, e.dose_number, e.status, e.version FROM vaccination_events e "
                "JOIN residents r ON r.id = e.resident_pk ORDER BY e.source_record_id"
            )
        ).all()
    return [tuple(r) for r in residents] + [tuple(e) for e in events]


@pytest.fixture
def service(engine: Engine) -> RecordService:
    return RecordService(SqlRecordStore(engine))


def test_rows_import_and_bad_rows_are_named(service: RecordService, engine: Engine) -> None:
    content = (
        HEADER
        + csv_row(1)
        + csv_row(1, dose=2)
        + csv_row(2, birth_date="1980-13-01")
        + csv_row(3, product="no-such-vaccine", dose_number="x")
        + csv_row(4, administered_on="2999-01-01")
        + csv_row(5)
    )
    report = run_import(service, content)
    assert (report.rows_read, report.accepted, report.rejected_rows) == (6, 3, 3)
    assert report.outcome.inserted == 3 and report.outcome.residents_created == 2
    named = {(p.row_number, p.column) for p in report.problems}
    assert named == {
        (4, "birth_date"),
        (5, "product"),
        (5, "dose_number"),
        (6, "administered_on"),
    }
    assert all("1980-13-01" not in p.reason for p in report.problems)  # no personal values
    assert len(state(engine)) == 2 + 3


def test_a_rerun_changes_nothing(service: RecordService, engine: Engine) -> None:
    content = HEADER + "".join(csv_row(n, dose) for n in range(1, 30) for dose in (1, 2))
    first = run_import(service, content)
    before = state(engine)
    second = run_import(service, content)
    assert first.outcome.inserted == 58
    assert (second.outcome.inserted, second.outcome.updated, second.outcome.unchanged) == (0, 0, 58)
    assert second.outcome.residents_created == second.outcome.residents_updated == 0
    assert state(engine) == before


def test_a_changed_row_updates_with_history(service: RecordService, engine: Engine) -> None:
    run_import(service, HEADER + csv_row(1))
    report = run_import(service, HEADER + csv_row(1, lot="EY9999"))
    assert report.outcome.updated == 1
    with engine.connect() as connection:
        lot, version = connection.execute(text("SELECT lot, version FROM vaccination_events")).one()
        kept = connection.execute(text("SELECT count(*) FROM vaccination_event_history")).scalar()
    assert (lot, version, kept) == ("EY9999", 2, 1)


def test_an_import_never_overwrites_a_staff_correction(service: RecordService) -> None:
    run_import(service, HEADER + csv_row(1))
    person = service.search_residents(CLERK_A, CHIYODA, service_module.ResidentQuery())[0]
    recorded = service.resident_file(CLERK_A, person.resident_id).events[0]
    from dataclasses import replace

    service.correct_event(
        CLERK_A, recorded.event_id, 1, replace(recorded.details, lot="FIXED"), "lot misread"
    )
    report = run_import(service, HEADER + csv_row(1))
    assert report.outcome.locked == 1
    assert service.resident_file(CLERK_A, person.resident_id).events[0].details.lot == "FIXED"


def test_a_killed_import_rerun_gives_the_same_state(
    service: RecordService, engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.setattr(service_module, "IMPORT_BATCH", 7)
    content = HEADER + "".join(csv_row(n, dose) for n in range(1, 41) for dose in (1, 2))

    class KilledError(Exception):
        pass

    def kill_after(count: int) -> None:
        if count == 33:  # mid-batch: four whole batches committed, the fifth never will be
            raise KilledError

    with pytest.raises(KilledError):
        run_import(service, content, progress=kill_after)
    assert 0 < len(state(engine)) < 40 + 80
    run_import(service, content)
    killed_then_rerun = state(engine)
    problems, _ = service.verify_audit(OPERATOR)
    assert problems == []
    # a clean database given the file once ends in the same state
    with engine.begin() as connection:
        for table in ("audit_log", "vaccination_event_history", "vaccination_events", "residents"):
            connection.execute(text(f"DELETE FROM {table}"))
        connection.execute(text("UPDATE audit_head SET seq = 0, hash = :h"), {"h": "0" * 64})
    run_import(service, content)
    assert state(engine) == killed_then_rerun
    assert len(killed_then_rerun) == 40 + 80


def test_shift_jis_files_and_japanese_spellings(service: RecordService, engine: Engine) -> None:
    content = (HEADER + csv_row(1, sex="男", dose_number="１")).encode("cp932")
    report = run_import(service, content)
    assert report.accepted == 1, report.problems
    assert state(engine)[0][1:] == ("山田", "花子1", "1980-01-02", "male")


def test_an_unusable_header_imports_nothing(service: RecordService) -> None:
    with pytest.raises(HeaderError) as info:
        run_import(service, "resident_number,family_name\nR1,山田\n")
    assert "missing required columns" in info.value.message and info.value.where == "row 1"


def test_concurrent_imports_of_one_file_make_each_event_once(
    service: RecordService, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    monkeypatch.setattr(service_module, "IMPORT_BATCH", 25)
    content = HEADER + "".join(csv_row(n, dose) for n in range(1, 101) for dose in (1, 2))
    failures: list[BaseException] = []
    reports: list[ImportReport] = []
    start = threading.Barrier(3)

    def worker() -> None:
        try:
            start.wait()
            reports.append(run_import(service, content))
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures
    assert len(state(engine)) == 100 + 200
    assert sum(r.outcome.inserted for r in reports) == 200  # each event inserted exactly once
    assert sum(r.outcome.residents_created for r in reports) == 100
    problems, _ = service.verify_audit(OPERATOR)
    assert problems == []
