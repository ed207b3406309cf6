"""The record service: every read and write of residents and events, checked and audited.

Pages, API routes and CLI commands call this and nothing else, passing the signed-in
:class:`~shomeisho.records.entities.Staff`; authorisation lives here (:mod:`.access`), so no edge
can forget it. Writes carry their audit record into the store's transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from shomeisho.errors import ConflictError, InputError, NotFoundError
from shomeisho.records import mynumber
from shomeisho.records.access import Action, require, require_visible
from shomeisho.records.audit import AuditRecord, ChainProblem, verify_chain
from shomeisho.records.csvformat import ImportRow, RowProblem
from shomeisho.records.entities import (
    EventChange,
    EventDetails,
    EventStatus,
    Resident,
    ResidentDetails,
    Staff,
    VaccinationEventRecord,
)
from shomeisho.records.ports import BatchOutcome, RecordStore, ResidentQuery

MAX_PAGE = 200
IMPORT_BATCH = 1000


def content_hash(value: Any) -> str:
    """A short digest of a record's content for the audit log (which holds no names)."""
    return hashlib.sha256(orjson.dumps(value, option=orjson.OPT_SORT_KEYS)).hexdigest()[:32]


@dataclass(slots=True)
class ImportReport:
    """What an import did, row by row where it refused."""

    municipality_code: str
    rows_read: int = 0
    accepted: int = 0
    outcome: BatchOutcome = field(default_factory=BatchOutcome)
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def rejected_rows(self) -> int:
        return len({problem.row_number for problem in self.problems})


@dataclass(frozen=True, slots=True)
class ResidentFile:
    """A resident with their events, as the staff page shows them."""

    resident: Resident
    events: list[VaccinationEventRecord]


class RecordService:
    """Residents and events for staff, one municipality at a time (all, for the operator)."""

    def __init__(
        self,
        store: RecordStore,
        *,
        clock: Callable[[], datetime] | None = None,
        my_number_secret: bytes | None = None,
    ) -> None:
        self._store = store
        self._clock = clock or (lambda: datetime.now(UTC))
        self._my_number_secret = my_number_secret

    # -- reading --------------------------------------------------------------------------

    def search_residents(
        self,
        actor: Staff,
        municipality_code: str | None,
        query: ResidentQuery,
        *,
        limit: int = 50,
        offset: int = 0,
    ) -> list[Resident]:
        require(actor, Action.READ, municipality_code)
        limit = max(1, min(limit, MAX_PAGE))
        return self._store.search_residents(
            municipality_code, query, limit=limit, offset=max(0, offset)
        )

    def count_residents(
        self, actor: Staff, municipality_code: str | None, query: ResidentQuery | None = None
    ) -> int:
        require(actor, Action.READ, municipality_code)
        return self._store.count_residents(municipality_code, query or ResidentQuery())

    def resident_file(self, actor: Staff, resident_id: str) -> ResidentFile:
        resident = self._visible_resident(actor, Action.READ, resident_id)
        return ResidentFile(resident, self._store.events_of(resident_id))

    def file_for_counter(self, actor: Staff, resident_id: str) -> ResidentFile:
        """The record a counter clerk issues a paper certificate from (their municipality's
        residents only; the issuance itself is kept and audited with the certificates)."""
        resident = self._visible_resident(actor, Action.ISSUE, resident_id)
        return ResidentFile(resident, self._store.events_of(resident_id))

    def event(self, actor: Staff, event_id: str) -> VaccinationEventRecord:
        return self._visible_event(actor, Action.READ, event_id)

    def event_history(self, actor: Staff, event_id: str) -> list[EventChange]:
        self._visible_event(actor, Action.READ, event_id)
        return self._store.event_history(event_id)

    # -- writing --------------------------------------------------------------------------

    def add_resident(self, actor: Staff, details: ResidentDetails) -> Resident:
        require(actor, Action.RECORD, details.municipality_code)
        self._known_municipality(details.municipality_code)
        audit = self._audit(
            actor.login,
            "resident.add",
            details.municipality_code,
            f"resident-number:{details.resident_number}",
            {"content": content_hash(details)},
        )
        return self._store.add_resident(details, audit)

    def record_vaccination(
        self, actor: Staff, resident_id: str, details: EventDetails
    ) -> tuple[VaccinationEventRecord, bool]:
        """Record one event; True if it is new, False if that source record id was already
        recorded (the existing event is returned, nothing changes)."""
        resident = self._visible_resident(actor, Action.RECORD, resident_id)
        municipality = resident.details.municipality_code

        def audit(event: VaccinationEventRecord) -> AuditRecord:
            return self._audit(
                actor.login,
                "event.add",
                municipality,
                event.event_id,
                {"resident": resident_id, "content": content_hash(event.details)},
            )

        return self._store.add_event(resident_id, details, actor.login, audit)

    def correct_event(
        self, actor: Staff, event_id: str, expected_version: int, details: EventDetails, reason: str
    ) -> VaccinationEventRecord:
        event = self._visible_event(actor, Action.CORRECT, event_id)
        if event.status is EventStatus.VOIDED:
            raise ConflictError(
                "this event was voided; record a new event instead of correcting it",
                code="conflict.voided",
            )
        if details.source_record_id != event.details.source_record_id:
            raise InputError(
                "the source record id identifies the event and cannot be corrected",
                code="input.event",
                where="source_record_id",
            )
        return self._change(
            actor,
            event,
            expected_version=expected_version,
            details=details,
            status=EventStatus.CORRECTED,
            reason=reason,
        )

    def void_event(
        self, actor: Staff, event_id: str, expected_version: int, reason: str
    ) -> VaccinationEventRecord:
        event = self._visible_event(actor, Action.CORRECT, event_id)
        if event.status is EventStatus.VOIDED:
            raise ConflictError("this event is already voided", code="conflict.voided")
        return self._change(
            actor,
            event,
            expected_version=expected_version,
            details=event.details,
            status=EventStatus.VOIDED,
            reason=reason,
        )

    def import_rows(
        self,
        actor: Staff,
        municipality_code: str,
        rows: Iterable[ImportRow | list[RowProblem]],
        *,
        source: str = "csv",
        progress: Callable[[int], None] | None = None,
    ) -> ImportReport:
        """Import parsed rows in batches; each batch is one transaction, so a killed import
        leaves whole batches, and running it again completes it with nothing doubled."""
        require(actor, Action.IMPORT, municipality_code)
        self._known_municipality(municipality_code)
        report = ImportReport(municipality_code)
        batch: list[ImportRow] = []
        changed_by = f"import:{actor.login}"

        def flush() -> None:
            if batch:
                self._import_batch(
                    actor,
                    municipality_code=municipality_code,
                    batch=batch,
                    changed_by=changed_by,
                    source=source,
                    report=report,
                )
                batch.clear()

        for item in rows:
            report.rows_read += 1
            if isinstance(item, list):
                report.problems.extend(item)
            else:
                report.accepted += 1
                batch.append(item)
            if len(batch) >= IMPORT_BATCH:
                flush()
            if progress is not None:
                progress(report.rows_read)
        flush()
        return report

    def link_my_number(self, actor: Staff, resident_id: str, number: str) -> None:
        """Keep the keyed hash of the resident's My Number (the number itself is not kept)."""
        resident = self._visible_resident(actor, Action.RECORD, resident_id)
        value = mynumber.keyed_hash(number, self._secret())
        audit = self._audit(
            actor.login,
            "resident.my_number",
            resident.details.municipality_code,
            resident_id,
            {"linked": True},
        )
        self._store.set_my_number_hash(resident_id, value, audit)

    def find_by_my_number(self, actor: Staff, number: str) -> Resident:
        """The resident with this My Number, if the actor may see them (else not found)."""
        found = self._store.resident_by_my_number_hash(mynumber.keyed_hash(number, self._secret()))
        if found is None:
            raise NotFoundError("no resident has that My Number", code="not_found.record")
        require_visible(actor, Action.READ, found.details.municipality_code, "resident")
        return found

    def own_record(self, subject: str) -> ResidentFile | None:
        """A signed-in resident's own record: the identity provider's subject is the key, and
        it reaches exactly one resident or none (no staff role involved)."""
        resident = self._store.resident_by_idp_subject(subject)
        if resident is None:
            return None
        return ResidentFile(resident, self._store.events_of(resident.resident_id))

    def link_identity(self, actor: Staff, resident_id: str, subject: str) -> None:
        """Tie a resident to their identity-provider subject (card enrolment)."""
        resident = self._visible_resident(actor, Action.RECORD, resident_id)
        audit = self._audit(
            actor.login,
            "resident.identity",
            resident.details.municipality_code,
            resident_id,
            {"linked": True},
        )
        self._store.set_idp_subject(resident_id, subject, audit)

    def _secret(self) -> bytes:
        if self._my_number_secret is None:
            raise InputError(
                "this service has no record secret, so it cannot handle My Numbers",
                code="input.settings",
            )
        return self._my_number_secret

    # -- audit ----------------------------------------------------------------------------

    def verify_audit(self, actor: Staff) -> tuple[list[ChainProblem], tuple[int, str] | None]:
        """Every break in the audit chain, and the head it was checked against."""
        require(actor, Action.READ_AUDIT, None)
        head = self._store.audit_head()
        return list(verify_chain(self._store.audit_entries(), head)), head

    # -- internals ------------------------------------------------------------------------

    def _import_batch(
        self,
        actor: Staff,
        *,
        municipality_code: str,
        batch: list[ImportRow],
        changed_by: str,
        source: str,
        report: ImportReport,
    ) -> None:
        first, last = batch[0].row_number, batch[-1].row_number

        def audit(outcome: BatchOutcome) -> AuditRecord:
            return self._audit(
                actor.login,
                "import.batch",
                municipality_code,
                f"{source}:rows {first}-{last}",
                {
                    "inserted": outcome.inserted,
                    "updated": outcome.updated,
                    "unchanged": outcome.unchanged,
                    "locked": outcome.locked,
                    "changes": [c for c in outcome.changes if c[1] != "unchanged"],
                },
            )

        outcome = self._store.import_batch(municipality_code, batch, changed_by, audit)
        total = report.outcome
        total.inserted += outcome.inserted
        total.updated += outcome.updated
        total.unchanged += outcome.unchanged
        total.locked += outcome.locked
        total.residents_created += outcome.residents_created
        total.residents_updated += outcome.residents_updated

    def _change(
        self,
        actor: Staff,
        event: VaccinationEventRecord,
        *,
        expected_version: int,
        details: EventDetails,
        status: EventStatus,
        reason: str,
    ) -> VaccinationEventRecord:
        reason = " ".join(reason.split())
        if not 3 <= len(reason) <= 500:
            raise InputError(
                "say why (3 to 500 characters): the reason is kept with the record",
                code="input.reason",
                where="reason",
            )
        audit = self._audit(
            actor.login,
            "event.void" if status is EventStatus.VOIDED else "event.correct",
            event.municipality_code,
            event.event_id,
            {
                "from_version": event.version,
                "reason": reason,
                "content": content_hash(details),
            },
        )
        return self._store.change_event(
            event.event_id,
            expected_version=expected_version,
            details=details,
            status=status,
            reason=reason,
            changed_by=actor.login,
            audit=audit,
        )

    def _visible_resident(self, actor: Staff, action: Action, resident_id: str) -> Resident:
        resident = self._store.get_resident(resident_id)
        if resident is None:
            raise NotFoundError("no resident with that id", code="not_found.record")
        require_visible(actor, action, resident.details.municipality_code, "resident")
        return resident

    def _visible_event(self, actor: Staff, action: Action, event_id: str) -> VaccinationEventRecord:
        event = self._store.get_event(event_id)
        if event is None:
            raise NotFoundError("no vaccination event with that id", code="not_found.record")
        require_visible(actor, action, event.municipality_code, "vaccination event")
        return event

    def _known_municipality(self, code: str) -> None:
        if not self._store.municipality_exists(code):
            raise NotFoundError(
                f"there is no municipality {code} in the municipality list",
                code="not_found.municipality",
            )

    def _audit(
        self,
        actor: str,
        action: str,
        municipality_code: str | None,
        subject: str,
        details: dict[str, Any],
    ) -> AuditRecord:
        return AuditRecord(self._clock(), actor, action, municipality_code, subject, details)
