"""Role x operation x municipality: who may do what, enforced by the service on a real database.

The expected outcome of every cell is written out, so a change in the rules shows up here as a
changed line rather than as a silently passing test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine

from shomeisho.db.store import SqlRecordStore
from shomeisho.errors import AccessDeniedError, NotFoundError
from shomeisho.records.csvformat import parse_row
from shomeisho.records.entities import Staff
from shomeisho.records.ports import ResidentQuery
from shomeisho.records.service import RecordService
from tests.db.records_factory import (
    ADMIN_A,
    CHIYODA,
    CLERK_A,
    CLERK_B,
    OPERATOR,
    event,
    resident,
)


@dataclass
class World:
    service: RecordService
    resident_id: str
    event_id: str


Operation = Callable[[World, Staff], object]


def _import(world: World, actor: Staff) -> object:
    row = parse_row(
        2,
        {
            "resident_number": "IMP1",
            "family_name": "山田",
            "given_name": "太郎",
            "birth_date": "1970-01-01",
            "administered_on": "2021-07-01",
            "product": "comirnaty",
            "lot": "L1",
            "dose_number": "1",
            "source_record_id": "IMP-1",
        },
        CHIYODA,
        "csv",
    )
    return world.service.import_rows(actor, CHIYODA, [row])


OPERATIONS: dict[str, Operation] = {
    "search A": lambda w, a: w.service.search_residents(a, CHIYODA, ResidentQuery()),
    "count A": lambda w, a: w.service.count_residents(a, CHIYODA),
    "search all": lambda w, a: w.service.search_residents(a, None, ResidentQuery()),
    "read resident of A": lambda w, a: w.service.resident_file(a, w.resident_id),
    "history of event of A": lambda w, a: w.service.event_history(a, w.event_id),
    "add resident to A": lambda w, a: w.service.add_resident(a, resident(f"N-{a.login}")),
    "record event in A": lambda w, a: w.service.record_vaccination(
        a, w.resident_id, event(f"E-{a.login}")
    ),
    "correct event of A": lambda w, a: w.service.correct_event(
        a, w.event_id, w.service.resident_file(OPERATOR, w.resident_id).events[0].version,
        event("E-0"), "a reason",
    ),
    "void event of A": lambda w, a: w.service.void_event(
        a, w.event_id, w.service.resident_file(OPERATOR, w.resident_id).events[0].version,
        "a reason",
    ),
    "import into A": _import,
    "verify audit log": lambda w, a: w.service.verify_audit(a),
    "issue at the counter for A": lambda w, a: w.service.file_for_counter(a, w.resident_id),
}  # fmt: skip

OK, DENIED, NOT_FOUND = "ok", "403", "404"
EXPECTED: dict[str, dict[str, str]] = {
    #                          clerk A  admin A  clerk B     operator
    "search A":               {"ca": OK, "aa": OK, "cb": DENIED, "op": OK},
    "count A":                {"ca": OK, "aa": OK, "cb": DENIED, "op": OK},
    "search all":             {"ca": DENIED, "aa": DENIED, "cb": DENIED, "op": OK},
    "read resident of A":     {"ca": OK, "aa": OK, "cb": NOT_FOUND, "op": OK},
    "history of event of A":  {"ca": OK, "aa": OK, "cb": NOT_FOUND, "op": OK},
    "add resident to A":      {"ca": OK, "aa": OK, "cb": DENIED, "op": OK},
    "record event in A":      {"ca": OK, "aa": OK, "cb": NOT_FOUND, "op": OK},
    "correct event of A":     {"ca": OK, "aa": OK, "cb": NOT_FOUND, "op": OK},
    "void event of A":        {"ca": OK, "aa": OK, "cb": NOT_FOUND, "op": OK},
    "import into A":          {"ca": OK, "aa": OK, "cb": DENIED, "op": OK},
    "verify audit log":       {"ca": DENIED, "aa": DENIED, "cb": DENIED, "op": OK},
    "issue at the counter for A": {"ca": OK, "aa": OK, "cb": NOT_FOUND, "op": DENIED},
}  # fmt: skip
ACTORS = {"ca": CLERK_A, "aa": ADMIN_A, "cb": CLERK_B, "op": OPERATOR}


def test_the_table_covers_every_operation() -> None:
    assert set(EXPECTED) == set(OPERATIONS)


@pytest.mark.parametrize("actor_key", list(ACTORS))
@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_access(engine: Engine, operation: str, actor_key: str) -> None:
    service = RecordService(SqlRecordStore(engine))
    person = service.add_resident(OPERATOR, resident("A-1"))
    recorded, _ = service.record_vaccination(OPERATOR, person.resident_id, event("E-0"))
    world = World(service, person.resident_id, recorded.event_id)
    expected = EXPECTED[operation][actor_key]
    try:
        OPERATIONS[operation](world, ACTORS[actor_key])
        outcome = OK
    except AccessDeniedError:
        outcome = DENIED
    except NotFoundError:
        outcome = NOT_FOUND
    assert outcome == expected, f"{ACTORS[actor_key].login}: {operation}"
