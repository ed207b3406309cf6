"""The hash-chained audit log: intact after real work, and every kind of tampering found."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text

from shomeisho.db.store import SqlRecordStore
from shomeisho.records.service import RecordService
from tests.db.records_factory import CLERK_A, OPERATOR, event, resident


@pytest.fixture
def service(engine: Engine) -> RecordService:
    service = RecordService(SqlRecordStore(engine))
    for n in range(3):
        person = service.add_resident(CLERK_A, resident(f"A{n}"))
        service.record_vaccination(CLERK_A, person.resident_id, event(f"E{n}"))
    return service  # six entries


def kinds(service: RecordService) -> list[tuple[int, str]]:
    problems, _ = service.verify_audit(OPERATOR)
    return [(p.seq, p.kind) for p in problems]


def test_an_untouched_log_verifies(service: RecordService) -> None:
    problems, head = service.verify_audit(OPERATOR)
    assert problems == [] and head is not None and head[0] == 6


def test_an_edited_entry_is_found(service: RecordService, engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 3"))
    assert kinds(service) == [(3, "edited")]


def test_a_deleted_entry_is_found(service: RecordService, engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_log WHERE seq = 4"))
    assert kinds(service) == [(5, "reordered_or_deleted")]


def test_a_cut_tail_is_found(service: RecordService, engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_log WHERE seq >= 5"))
    assert kinds(service) == [(4, "head")]


def test_reordered_entries_are_found(service: RecordService, engine: Engine) -> None:
    with engine.begin() as connection:  # swap the places of entries 2 and 3
        connection.execute(text("UPDATE audit_log SET seq = 100 WHERE seq = 2"))
        connection.execute(text("UPDATE audit_log SET seq = 2 WHERE seq = 3"))
        connection.execute(text("UPDATE audit_log SET seq = 3 WHERE seq = 100"))
    found = kinds(service)
    assert (2, "reordered_or_deleted") in found and (2, "edited") in found


def test_a_rewritten_chain_still_disagrees_with_the_head(
    service: RecordService, engine: Engine
) -> None:
    """Rewriting an entry and recomputing every later hash is caught by the kept head."""
    from shomeisho.records.audit import chain_hash

    entries = list(service._store.audit_entries())
    with engine.begin() as connection:
        connection.execute(text("UPDATE audit_log SET actor = 'forger' WHERE seq = 2"))
    forged = list(service._store.audit_entries())
    prev = entries[0].hash
    with engine.begin() as connection:
        for entry in forged[1:]:
            new_hash = chain_hash(prev, entry.seq, entry.record)
            connection.execute(
                text("UPDATE audit_log SET prev_hash = :p, hash = :h WHERE seq = :s"),
                {"p": prev, "h": new_hash, "s": entry.seq},
            )
            prev = new_hash
    assert kinds(service) == [(6, "head")]
