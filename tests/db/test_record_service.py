"""The record service on a real database (every test runs on SQLite and on PostgreSQL)."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest
from sqlalchemy import Engine, func, select, text

from shomeisho.db.store import SqlRecordStore
from shomeisho.db.tables import EventHistoryRow, EventRow
from shomeisho.errors import ConflictError, InputError, NotFoundError
from shomeisho.records.entities import EventStatus
from shomeisho.records.ports import ResidentQuery
from shomeisho.records.service import RecordService
from tests.db.records_factory import (
    CHIYODA,
    CLERK_A,
    CLERK_B,
    OPERATOR,
    SAPPORO,
    event,
    resident,
)


@pytest.fixture
def service(engine: Engine) -> RecordService:
    return RecordService(SqlRecordStore(engine))


def test_a_resident_and_their_events_read_back(service: RecordService) -> None:
    added = service.add_resident(CLERK_A, resident())
    assert added.details == resident() and len(added.resident_id) == 20
    first, new = service.record_vaccination(CLERK_A, added.resident_id, event("VRS-1", 1))
    assert new and first.status is EventStatus.ACTIVE and first.version == 1
    service.record_vaccination(CLERK_A, added.resident_id, event("VRS-2", 2))
    found = service.resident_file(CLERK_A, added.resident_id)
    assert found.resident.details.given_name == "𠮷子"  # stored as given, not folded
    assert [e.details.dose_number for e in found.events] == [1, 2]


@pytest.mark.parametrize(
    ("query", "hits"),
    [
        ("髙橋", 1),
        ("高橋", 1),  # 髙 and 高 differ; NFKC does not fold them... see the assertion below
        ("たかはし", 1),  # hiragana finds katakana
        ("ﾀｶﾊｼ", 1),  # half-width kana
        ("takahashi", 1),
        ("山﨑", 1),  # the old surname
        ("佐藤", 0),
    ],
)
def test_search_folds_names(service: RecordService, query: str, hits: int) -> None:
    service.add_resident(CLERK_A, resident())
    found = service.search_residents(CLERK_A, CHIYODA, ResidentQuery(name=query))
    if query == "高橋":
        hits = 0  # 髙 (U+9AD9) is its own character, not a compatibility form of 高
    assert len(found) == hits
    assert service.count_residents(CLERK_A, CHIYODA, ResidentQuery(name=query)) == hits


def test_search_treats_wildcards_as_text(service: RecordService) -> None:
    service.add_resident(CLERK_A, resident())
    assert service.search_residents(CLERK_A, CHIYODA, ResidentQuery(name="%")) == []
    assert service.search_residents(CLERK_A, CHIYODA, ResidentQuery(name="_")) == []


def test_a_resident_number_is_one_resident(service: RecordService) -> None:
    service.add_resident(CLERK_A, resident("A1"))
    with pytest.raises(ConflictError) as info:
        service.add_resident(CLERK_A, resident("A1", given_name="別人"))
    assert info.value.code == "conflict.resident_number"
    service.add_resident(OPERATOR, resident("A1", municipality=SAPPORO))  # another municipality


def test_the_same_event_submitted_twice_is_one_event(
    service: RecordService, engine: Engine
) -> None:
    person = service.add_resident(CLERK_A, resident())
    first, new_first = service.record_vaccination(CLERK_A, person.resident_id, event("VRS-9"))
    again, new_again = service.record_vaccination(CLERK_A, person.resident_id, event("VRS-9"))
    assert (new_first, new_again) == (True, False) and again.event_id == first.event_id
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(EventRow)).scalar_one() == 1


def test_concurrent_submissions_make_one_event(service: RecordService, engine: Engine) -> None:
    person = service.add_resident(CLERK_A, resident())
    results: list[bool] = []
    failures: list[BaseException] = []
    start = threading.Barrier(12)

    def submit() -> None:
        try:
            start.wait()
            results.append(service.record_vaccination(CLERK_A, person.resident_id, event("C-1"))[1])
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=submit) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures
    assert sorted(results) == [False] * 11 + [True]
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(EventRow)).scalar_one() == 1
    problems, head = service.verify_audit(OPERATOR)
    assert problems == [] and head is not None and head[0] == 2  # resident + one event


def test_a_correction_keeps_history(service: RecordService, engine: Engine) -> None:
    person = service.add_resident(CLERK_A, resident())
    recorded, _ = service.record_vaccination(CLERK_A, person.resident_id, event("V-1"))
    corrected = service.correct_event(
        CLERK_A, recorded.event_id, 1, replace(recorded.details, lot="FA9999"), "lot misread"
    )
    assert corrected.status is EventStatus.CORRECTED and corrected.version == 2
    assert corrected.details.lot == "FA9999" and corrected.changed_by == CLERK_A.login
    assert corrected.status_reason == "lot misread"
    history = service.event_history(CLERK_A, recorded.event_id)
    assert [(h.version, h.details.lot, h.status) for h in history] == [
        (1, "FA4597", EventStatus.ACTIVE)
    ]
    voided = service.void_event(CLERK_A, recorded.event_id, 2, "recorded for the wrong person")
    assert voided.status is EventStatus.VOIDED and not voided.counts
    assert len(service.event_history(CLERK_A, recorded.event_id)) == 2
    with pytest.raises(ConflictError, match="voided"):
        service.correct_event(CLERK_A, recorded.event_id, 3, recorded.details, "again please")
    with engine.connect() as connection:
        assert (
            connection.execute(select(func.count()).select_from(EventHistoryRow)).scalar_one() == 2
        )


def test_a_stale_correction_is_refused(service: RecordService) -> None:
    person = service.add_resident(CLERK_A, resident())
    recorded, _ = service.record_vaccination(CLERK_A, person.resident_id, event("V-1"))
    service.correct_event(CLERK_A, recorded.event_id, 1, replace(recorded.details, lot="X1"), "fix")
    with pytest.raises(ConflictError) as info:
        service.correct_event(
            CLERK_A, recorded.event_id, 1, replace(recorded.details, lot="X2"), "fix too"
        )
    assert info.value.code == "conflict.version" and "reload" in info.value.message


def test_a_correction_needs_a_reason_and_keeps_the_source_id(service: RecordService) -> None:
    person = service.add_resident(CLERK_A, resident())
    recorded, _ = service.record_vaccination(CLERK_A, person.resident_id, event("V-1"))
    with pytest.raises(InputError, match="say why"):
        service.correct_event(CLERK_A, recorded.event_id, 1, recorded.details, "  ")
    with pytest.raises(InputError, match="source record id"):
        service.correct_event(
            CLERK_A,
            recorded.event_id,
            1,
            replace(recorded.details, source_record_id="V-2"),
            "x y z",
        )


def test_unknown_ids_and_municipalities(service: RecordService) -> None:
    with pytest.raises(NotFoundError):
        service.resident_file(CLERK_A, "0" * 20)
    with pytest.raises(NotFoundError) as info:
        service.add_resident(OPERATOR, resident(municipality="999999"))
    assert info.value.code == "not_found.municipality"


def test_a_failed_write_leaves_nothing_behind(service: RecordService, engine: Engine) -> None:
    """The audit entry and the change share a transaction: a refused insert adds neither."""
    service.add_resident(CLERK_A, resident("A1"))
    with pytest.raises(ConflictError):
        service.add_resident(CLERK_A, resident("A1"))
    with engine.connect() as connection:
        entries = connection.execute(text("SELECT count(*) FROM audit_log")).scalar_one()
    assert entries == 1


def test_my_number_is_kept_only_as_a_keyed_hash(engine: Engine) -> None:
    service = RecordService(SqlRecordStore(engine), my_number_secret=b"s" * 32)
    person = service.add_resident(CLERK_A, resident())
    service.link_my_number(CLERK_A, person.resident_id, "1234 5678 9018")
    assert service.find_by_my_number(CLERK_A, "123456789018").resident_id == person.resident_id
    assert service.resident_file(CLERK_A, person.resident_id).resident.has_my_number
    with pytest.raises(NotFoundError):  # another municipality cannot find her by it either
        service.find_by_my_number(CLERK_B, "123456789018")
    other = service.add_resident(CLERK_A, resident("A2"))
    with pytest.raises(ConflictError):
        service.link_my_number(CLERK_A, other.resident_id, "123456789018")
    with engine.connect() as connection:  # the number appears nowhere in the database
        for table in ("residents", "audit_log"):
            for row in connection.execute(text(f"SELECT * FROM {table}")):
                assert "123456789018" not in str(tuple(row))
                assert "1234 5678 9018" not in str(tuple(row))
