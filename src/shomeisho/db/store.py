"""The SQL record store: :class:`~shomeisho.records.ports.RecordStore` on SQLAlchemy Core.

Each write is one transaction that includes its audit entry. Duplicates are stopped by the
database itself (unique constraints, ``INSERT ... ON CONFLICT DO NOTHING``), never by a
read-then-write check alone, so concurrent submissions of the same event still make one row.
Bulk import lives in :mod:`.bulk`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Row, and_, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from shomeisho.db import audit_log, bulk
from shomeisho.db.dialect import insert_ignoring_duplicates
from shomeisho.db.rows import (
    as_utc,
    event_values,
    new_public_id,
    resident_values,
    row_to_details,
    row_to_event_details,
    snapshot_details,
)
from shomeisho.db.tables import EventHistoryRow, EventRow, MunicipalityRow, ResidentRow, table_of
from shomeisho.errors import ConflictError, NotFoundError
from shomeisho.records import names
from shomeisho.records.audit import AuditEntry, AuditRecord
from shomeisho.records.csvformat import ImportRow
from shomeisho.records.entities import (
    EventChange,
    EventDetails,
    EventStatus,
    Resident,
    ResidentDetails,
    VaccinationEventRecord,
)
from shomeisho.records.ports import BatchOutcome, ResidentQuery

RESIDENTS = table_of(ResidentRow)
EVENTS = table_of(EventRow)
HISTORY = table_of(EventHistoryRow)
MUNICIPALITIES = table_of(MunicipalityRow)


def _resident(row: Row[Any]) -> Resident:
    return Resident(
        resident_id=row.resident_id,
        details=row_to_details(row),
        idp_subject=row.idp_subject,
        has_my_number=row.my_number_hash is not None,
        created_at=as_utc(row.created_at),
        updated_at=as_utc(row.updated_at),
    )


def _event(row: Row[Any], resident_id: str) -> VaccinationEventRecord:
    return VaccinationEventRecord(
        event_id=row.event_id,
        resident_id=resident_id,
        municipality_code=row.municipality_code,
        details=row_to_event_details(row),
        status=EventStatus(row.status),
        version=row.version,
        status_reason=row.status_reason,
        changed_by=row.changed_by,
        changed_at=as_utc(row.changed_at),
    )


_EVENT_WITH_RESIDENT = select(EVENTS, RESIDENTS.c.resident_id).join(
    RESIDENTS, RESIDENTS.c.id == EVENTS.c.resident_pk
)


class SqlRecordStore:
    """The record store on one SQLAlchemy engine (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine, *, clock: Callable[[], datetime] | None = None) -> None:
        self.engine = engine
        self._clock = clock or (lambda: datetime.now(UTC))
        self._batches = 0

    # -- reading --------------------------------------------------------------------------

    def municipality_exists(self, code: str) -> bool:
        with self.engine.connect() as connection:
            found = connection.execute(
                select(MUNICIPALITIES.c.code).where(MUNICIPALITIES.c.code == code)
            ).first()
        return found is not None

    def _filters(self, municipality_code: str | None, query: ResidentQuery) -> list[Any]:
        # the self-check's synthetic resident is no one's to look after: staff never list it
        filters: list[Any] = [RESIDENTS.c.synthetic.is_(False)]
        if municipality_code is not None:
            filters.append(RESIDENTS.c.municipality_code == municipality_code)
        if query.name.strip():
            key = "%" + _escape(names.matching_key(query.name)) + "%"
            filters.append(
                or_(
                    RESIDENTS.c.name_key.like(key, escape="\\"),
                    RESIDENTS.c.kana_key.like(key, escape="\\"),
                )
            )
        if query.resident_number.strip():
            filters.append(RESIDENTS.c.resident_number == query.resident_number.strip())
        if query.birth_date.strip():
            filters.append(
                RESIDENTS.c.birth_date.startswith(query.birth_date.strip(), autoescape=True)
            )
        return filters

    def search_residents(
        self, municipality_code: str | None, query: ResidentQuery, *, limit: int, offset: int
    ) -> list[Resident]:
        statement = (
            select(RESIDENTS)
            .where(and_(True, *self._filters(municipality_code, query)))
            .order_by(RESIDENTS.c.kana_key, RESIDENTS.c.id)
            .limit(limit)
            .offset(offset)
        )
        with self.engine.connect() as connection:
            return [_resident(row) for row in connection.execute(statement)]

    def count_residents(self, municipality_code: str | None, query: ResidentQuery) -> int:
        statement = (
            select(func.count())
            .select_from(RESIDENTS)
            .where(and_(True, *self._filters(municipality_code, query)))
        )
        with self.engine.connect() as connection:
            return int(connection.execute(statement).scalar_one())

    def get_resident(self, resident_id: str) -> Resident | None:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(RESIDENTS).where(RESIDENTS.c.resident_id == resident_id)
            ).first()
        return None if row is None else _resident(row)

    def events_of(self, resident_id: str) -> list[VaccinationEventRecord]:
        statement = _EVENT_WITH_RESIDENT.where(RESIDENTS.c.resident_id == resident_id).order_by(
            EVENTS.c.administered_on, EVENTS.c.dose_number, EVENTS.c.id
        )
        with self.engine.connect() as connection:
            return [_event(row, row.resident_id) for row in connection.execute(statement)]

    def get_event(self, event_id: str) -> VaccinationEventRecord | None:
        with self.engine.connect() as connection:
            row = connection.execute(
                _EVENT_WITH_RESIDENT.where(EVENTS.c.event_id == event_id)
            ).first()
        return None if row is None else _event(row, row.resident_id)

    def event_history(self, event_id: str) -> list[EventChange]:
        statement = (
            select(HISTORY)
            .join(EVENTS, EVENTS.c.id == HISTORY.c.event_pk)
            .where(EVENTS.c.event_id == event_id)
            .order_by(HISTORY.c.version)
        )
        with self.engine.connect() as connection:
            return [
                EventChange(
                    event_id=event_id,
                    version=row.version,
                    details=snapshot_details(row.snapshot),
                    status=EventStatus(row.status),
                    reason=row.reason,
                    changed_by=row.changed_by,
                    changed_at=as_utc(row.changed_at),
                )
                for row in connection.execute(statement)
            ]

    # -- writing --------------------------------------------------------------------------

    def add_resident(self, details: ResidentDetails, audit: AuditRecord) -> Resident:
        now = self._clock()
        values = resident_values(details) | {
            "resident_id": new_public_id(),
            "created_at": now,
            "updated_at": now,
        }
        try:
            with self.engine.begin() as connection:
                connection.execute(insert(RESIDENTS).values(values))
                audit_log.append(connection, audit)
        except IntegrityError:
            raise ConflictError(
                f"municipality {details.municipality_code} already has a resident with number "
                f"{details.resident_number}",
                code="conflict.resident_number",
            ) from None
        found = self.get_resident(values["resident_id"])
        if found is None:  # pragma: no cover - just written in a committed transaction
            raise NotFoundError("the resident just added cannot be read back")
        return found

    def add_event(
        self,
        resident_id: str,
        details: EventDetails,
        changed_by: str,
        audit: Callable[[VaccinationEventRecord], AuditRecord],
    ) -> tuple[VaccinationEventRecord, bool]:
        with self.engine.begin() as connection:
            resident = connection.execute(
                select(RESIDENTS.c.id, RESIDENTS.c.municipality_code).where(
                    RESIDENTS.c.resident_id == resident_id
                )
            ).one()
            values = event_values(details) | {
                "event_id": new_public_id(),
                "resident_pk": resident.id,
                "municipality_code": resident.municipality_code,
                "status": EventStatus.ACTIVE.value,
                "version": 1,
                "status_reason": "",
                "changed_by": changed_by,
                "changed_at": self._clock(),
            }
            inserted = connection.execute(
                insert_ignoring_duplicates(
                    connection, EVENTS, ["municipality_code", "source_record_id"]
                )
                .values(values)
                .returning(EVENTS.c.event_id)
            ).first()
            row = self._event_by_source(connection, resident.municipality_code, details)
            event = _event(row, row.resident_id)
            if inserted is not None:
                audit_log.append(connection, audit(event))
        return event, inserted is not None

    def _event_by_source(
        self, connection: Connection, municipality_code: str, details: EventDetails
    ) -> Row[Any]:
        return connection.execute(
            _EVENT_WITH_RESIDENT.where(
                EVENTS.c.municipality_code == municipality_code,
                EVENTS.c.source_record_id == details.source_record_id,
            )
        ).one()

    def change_event(
        self,
        event_id: str,
        *,
        expected_version: int,
        details: EventDetails,
        status: EventStatus,
        reason: str,
        changed_by: str,
        audit: AuditRecord,
    ) -> VaccinationEventRecord:
        with self.engine.begin() as connection:
            row = connection.execute(
                select(EVENTS).where(EVENTS.c.event_id == event_id).with_for_update()
            ).one()
            if row.version != expected_version:
                raise ConflictError(
                    f"this event was changed by {row.changed_by} while you were editing it "
                    f"(version {row.version}, you had {expected_version}); reload and try again",
                    code="conflict.version",
                )
            bulk.keep_history(connection, row)
            connection.execute(
                update(EVENTS)
                .where(EVENTS.c.id == row.id)
                .values(
                    event_values(details)
                    | {
                        "status": status.value,
                        "version": row.version + 1,
                        "status_reason": reason,
                        "changed_by": changed_by,
                        "changed_at": self._clock(),
                    }
                )
            )
            audit_log.append(connection, audit)
        changed = self.get_event(event_id)
        if changed is None:  # pragma: no cover - just written in a committed transaction
            raise NotFoundError("the event just changed cannot be read back")
        return changed

    def import_batch(
        self,
        municipality_code: str,
        rows: Sequence[ImportRow],
        changed_by: str,
        audit: Callable[[BatchOutcome], AuditRecord],
    ) -> BatchOutcome:
        with self.engine.begin() as connection:
            outcome = bulk.import_batch(
                connection, municipality_code, rows, changed_by, self._clock()
            )
            audit_log.append(connection, audit(outcome))
        self._batches += 1
        if self._batches & (self._batches - 1) == 0:  # after batches 1, 2, 4, 8, ...
            bulk.refresh_statistics(self.engine)
        return outcome

    def set_my_number_hash(self, resident_id: str, value: str, audit: AuditRecord) -> None:
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    update(RESIDENTS)
                    .where(RESIDENTS.c.resident_id == resident_id)
                    .values(my_number_hash=value, updated_at=self._clock())
                )
                audit_log.append(connection, audit)
        except IntegrityError:
            raise ConflictError(
                "another resident is already linked to this My Number",
                code="conflict.my_number",
            ) from None

    def resident_by_idp_subject(self, subject: str) -> Resident | None:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(RESIDENTS).where(RESIDENTS.c.idp_subject == subject)
            ).first()
        return None if row is None else _resident(row)

    def set_idp_subject(self, resident_id: str, subject: str, audit: AuditRecord) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                update(RESIDENTS)
                .where(RESIDENTS.c.resident_id == resident_id)
                .values(idp_subject=subject, updated_at=self._clock())
            )
            audit_log.append(connection, audit)

    def resident_by_my_number_hash(self, value: str) -> Resident | None:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(RESIDENTS).where(RESIDENTS.c.my_number_hash == value)
            ).first()
        return None if row is None else _resident(row)

    # -- audit ----------------------------------------------------------------------------

    def append_audit(self, record: AuditRecord) -> AuditEntry:
        with self.engine.begin() as connection:
            return audit_log.append(connection, record)

    def audit_entries(self) -> Iterator[AuditEntry]:
        return audit_log.entries(self.engine)

    def audit_head(self) -> tuple[int, str] | None:
        return audit_log.head(self.engine)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
