"""What the record service needs from storage, as a protocol the database layer implements.

The service decides *whether* something may happen and what the audit log says about it; the
store makes it happen atomically: every write method takes the audit record to append and must
append it in the same transaction as the change, so a change without its audit entry (or the
reverse) cannot exist.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

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


@dataclass(frozen=True, slots=True)
class ResidentQuery:
    """A search: any part of a name (kanji, kana or romaji, compared NFKC-folded), a resident
    number, or a birth date prefix. Empty fields do not filter."""

    name: str = ""
    resident_number: str = ""
    birth_date: str = ""


@dataclass(slots=True)
class BatchOutcome:
    """What one import batch did; ``changes`` lists (source_record_id, action, content hash)
    for the audit entry, action being inserted/updated/unchanged/locked."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    locked: int = 0  # corrected or voided by staff: an import does not overwrite that
    residents_created: int = 0
    residents_updated: int = 0
    changes: list[tuple[str, str, str]] = field(default_factory=list)


class RecordStore(Protocol):
    """Storage for municipalities, residents, events and the audit log."""

    def municipality_exists(self, code: str) -> bool: ...

    def search_residents(
        self, municipality_code: str | None, query: ResidentQuery, *, limit: int, offset: int
    ) -> list[Resident]: ...

    def count_residents(self, municipality_code: str | None, query: ResidentQuery) -> int: ...

    def get_resident(self, resident_id: str) -> Resident | None: ...

    def events_of(self, resident_id: str) -> list[VaccinationEventRecord]: ...

    def get_event(self, event_id: str) -> VaccinationEventRecord | None: ...

    def event_history(self, event_id: str) -> list[EventChange]: ...

    def add_resident(self, details: ResidentDetails, audit: AuditRecord) -> Resident:
        """Raises ConflictError if the municipality already has this resident number."""
        ...

    def add_event(
        self,
        resident_id: str,
        details: EventDetails,
        changed_by: str,
        audit: Callable[[VaccinationEventRecord], AuditRecord],
    ) -> tuple[VaccinationEventRecord, bool]:
        """Insert, or return the event that already has this source record id (False)."""
        ...

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
        """Keep the current version in the history and write the new one; ConflictError if
        the stored version is not ``expected_version`` (someone changed it meanwhile)."""
        ...

    def import_batch(
        self,
        municipality_code: str,
        rows: Sequence[ImportRow],
        changed_by: str,
        audit: Callable[[BatchOutcome], AuditRecord],
    ) -> BatchOutcome:
        """Upsert residents and events of one batch in one transaction."""
        ...

    def set_my_number_hash(self, resident_id: str, value: str, audit: AuditRecord) -> None:
        """Raises ConflictError if another resident already has this hash."""
        ...

    def resident_by_my_number_hash(self, value: str) -> Resident | None: ...

    def resident_by_idp_subject(self, subject: str) -> Resident | None: ...

    def set_idp_subject(self, resident_id: str, subject: str, audit: AuditRecord) -> None: ...

    def append_audit(self, record: AuditRecord) -> AuditEntry: ...

    def audit_entries(self) -> Iterator[AuditEntry]: ...

    def audit_head(self) -> tuple[int, str] | None: ...
