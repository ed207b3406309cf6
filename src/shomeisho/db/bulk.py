"""One import batch in one transaction: residents and events upserted, history kept.

Per batch a handful of statements, whatever its size: read the residents and events that already
exist (one ``IN`` query each), insert the new ones with ``ON CONFLICT DO NOTHING`` (so a
concurrent import of the same rows cannot make duplicates; what it inserted first is then read
back and compared like any existing row), update what changed after copying the old version to
the history. An event corrected or voided by staff is *locked*: an import never overwrites a
person's correction. Rerunning a file (after a crash, or by mistake) finds every row unchanged.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Row, bindparam, insert, select, text, update

from shomeisho.db.dialect import insert_ignoring_duplicates, one_of
from shomeisho.db.rows import EVENT_FIELDS, event_values, new_public_id, resident_values, snapshot
from shomeisho.db.tables import EventHistoryRow, EventRow, ResidentRow, table_of
from shomeisho.records.csvformat import ImportRow
from shomeisho.records.entities import EventStatus
from shomeisho.records.ports import BatchOutcome

RESIDENTS = table_of(ResidentRow)
EVENTS = table_of(EventRow)
HISTORY = table_of(EventHistoryRow)
_RESIDENT_FIELDS = (
    "family_name", "given_name", "family_name_kana", "given_name_kana", "family_name_romaji",
    "given_name_romaji", "former_family_name", "passport_family_name", "passport_given_name",
    "birth_date", "sex", "name_key", "kana_key",
)  # fmt: skip


def keep_history(connection: Connection, row: Row[Any]) -> None:
    """Copy the event's current version into the history before it changes."""
    connection.execute(
        insert(HISTORY).values(
            event_pk=row.id,
            version=row.version,
            snapshot=snapshot(row),
            status=row.status,
            reason=row.status_reason,
            changed_by=row.changed_by,
            changed_at=row.changed_at,
        )
    )


def _digest(values: dict[str, Any], fields: Sequence[str]) -> str:
    text = "\x1f".join(str(values[name]) for name in fields)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def import_batch(
    connection: Connection,
    municipality_code: str,
    rows: Sequence[ImportRow],
    changed_by: str,
    now: datetime,
) -> BatchOutcome:
    outcome = BatchOutcome()
    residents: dict[str, dict[str, Any]] = {}
    events: dict[str, tuple[str, dict[str, Any]]] = {}
    for row in rows:  # within a batch the last row for a resident or event wins
        residents[row.resident.resident_number] = resident_values(row.resident)
        events[row.event.source_record_id] = (row.resident.resident_number, event_values(row.event))

    # residents: insert the new ones, update the changed ones, then map numbers to row ids
    existing = _existing_residents(connection, municipality_code, list(residents))
    new = [
        values | {"resident_id": new_public_id(), "created_at": now, "updated_at": now}
        for number, values in residents.items()
        if number not in existing
    ]
    if new:
        # executemany without RETURNING (the driver's fast path); what this batch created is
        # then told apart from what a concurrent import created by the random ids given here
        connection.execute(
            insert_ignoring_duplicates(
                connection, RESIDENTS, ["municipality_code", "resident_number"]
            ),
            new,
        )
        ours = {v["resident_id"] for v in new}
        created = _existing_residents(
            connection, municipality_code, [v["resident_number"] for v in new]
        )
        outcome.residents_created = sum(r.resident_id in ours for r in created.values())
        existing.update(created)
    changed = [
        {
            "pk": existing[number].id,
            "number": number,
            **{name: values[name] for name in _RESIDENT_FIELDS},
        }
        for number, values in residents.items()
        if any(getattr(existing[number], name) != values[name] for name in _RESIDENT_FIELDS)
    ]
    if changed:
        connection.execute(
            update(RESIDENTS)
            .where(RESIDENTS.c.id == bindparam("pk"))
            .values({name: bindparam(name) for name in _RESIDENT_FIELDS} | {"updated_at": now}),
            changed,
        )
        outcome.residents_updated = len(changed)
        for item in changed:
            outcome.changes.append(
                (f"resident:{item['number']}", "updated", _digest(item, _RESIDENT_FIELDS))
            )

    # events
    stored = _existing_events(connection, municipality_code, list(events))
    fresh = [
        values
        | {
            "event_id": new_public_id(),
            "resident_pk": existing[number].id,
            "municipality_code": municipality_code,
            "status": EventStatus.ACTIVE.value,
            "version": 1,
            "status_reason": "",
            "changed_by": changed_by,
            "changed_at": now,
        }
        for source_id, (number, values) in events.items()
        if source_id not in stored
    ]
    if fresh:
        connection.execute(
            insert_ignoring_duplicates(
                connection, EVENTS, ["municipality_code", "source_record_id"]
            ),
            fresh,
        )
        inserted = {
            r.source_record_id
            for r in connection.execute(
                select(EVENTS.c.source_record_id).where(
                    one_of(connection, EVENTS.c.event_id, [v["event_id"] for v in fresh])
                )
            )
        }
        outcome.inserted = len(inserted)
        for values in fresh:
            if values["source_record_id"] in inserted:
                outcome.changes.append(
                    (values["source_record_id"], "inserted", _digest(values, EVENT_FIELDS))
                )
        raced = [v["source_record_id"] for v in fresh if v["source_record_id"] not in inserted]
        if raced:  # another import inserted them meanwhile: compare like any stored event
            stored.update(_existing_events(connection, municipality_code, raced))
    updates: list[dict[str, Any]] = []
    for source_id, old in stored.items():
        number, values = events[source_id]
        same = old.resident_pk == existing[number].id and all(
            getattr(old, name) == values[name] for name in EVENT_FIELDS
        )
        if same:
            outcome.unchanged += 1
            outcome.changes.append((source_id, "unchanged", ""))
        elif old.status != EventStatus.ACTIVE.value:
            outcome.locked += 1
            outcome.changes.append((source_id, "locked", _digest(values, EVENT_FIELDS)))
        else:
            keep_history(connection, old)
            updates.append(
                {name: values[name] for name in EVENT_FIELDS}
                | {"pk": old.id, "resident": existing[number].id, "next_version": old.version + 1}
            )
            outcome.changes.append((source_id, "updated", _digest(values, EVENT_FIELDS)))
    if updates:
        connection.execute(
            update(EVENTS)
            .where(EVENTS.c.id == bindparam("pk"))
            .values(
                {name: bindparam(name) for name in EVENT_FIELDS}
                | {
                    "resident_pk": bindparam("resident"),
                    "version": bindparam("next_version"),
                    "changed_by": changed_by,
                    "changed_at": now,
                }
            ),
            updates,
        )
        outcome.updated = len(updates)
    return outcome


def _existing_residents(
    connection: Connection, municipality_code: str, numbers: list[str]
) -> dict[str, Row[Any]]:
    if not numbers:
        return {}
    rows = connection.execute(
        select(
            RESIDENTS.c.id,
            RESIDENTS.c.resident_number,
            RESIDENTS.c.resident_id,
            *(RESIDENTS.c[name] for name in _RESIDENT_FIELDS),
        ).where(
            RESIDENTS.c.municipality_code == municipality_code,
            one_of(connection, RESIDENTS.c.resident_number, numbers),
        )
    )
    return {row.resident_number: row for row in rows}


def _existing_events(
    connection: Connection, municipality_code: str, source_ids: list[str]
) -> dict[str, Row[Any]]:
    if not source_ids:
        return {}
    rows = connection.execute(
        select(EVENTS)
        .where(
            EVENTS.c.municipality_code == municipality_code,
            one_of(connection, EVENTS.c.source_record_id, source_ids),
        )
        .with_for_update()
    )
    return {row.source_record_id: row for row in rows}


def refresh_statistics(engine: Engine) -> None:
    """Let PostgreSQL's planner see how big the tables have grown during a long import.

    Without it, a table that was empty when the import began is planned as tiny, and the
    batch lookups scan every row of the municipality instead of using the unique index
    (measured: 0.6 s instead of 5 ms per batch at 20,000 events). SQLite needs nothing."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as connection:
        connection.execute(text("ANALYZE residents"))
        connection.execute(text("ANALYZE vaccination_events"))
