"""The staff JSON API under ``/api/v1``: sessions, residents, events, imports, audit check.

Thin: each route reads the request, asks the record service as the signed-in staff member and
returns the answer's schema. Authorisation is the service's (one table for pages, API and CLI).
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, File, Query, Request, Response, UploadFile

from shomeisho.db.staff import authenticate
from shomeisho.errors import AccessDeniedError, InputError
from shomeisho.procedure import journey_metrics
from shomeisho.records import forms
from shomeisho.records.access import Action, require
from shomeisho.records.csvformat import open_text, read_rows
from shomeisho.records.entities import EventDetails, Staff
from shomeisho.records.municipalities import validate_code
from shomeisho.records.ports import ResidentQuery
from shomeisho.records.service import RecordService
from shomeisho.web import metrics, sessions
from shomeisho.web.schemas import (
    AuditCheckOut,
    CorrectionIn,
    EventIn,
    EventOut,
    EventRecorded,
    HistoryOut,
    ImportOut,
    JourneyMetricsOut,
    MyNumberIn,
    ResidentFileOut,
    ResidentIn,
    ResidentOut,
    ResidentPage,
    RowProblemOut,
    SignIn,
    StaffOut,
    VoidIn,
)

router = APIRouter(prefix="/api/v1", tags=["records"])
MAX_UPLOAD = 200 * 1024 * 1024  # a large municipality's full export


def records(request: Request) -> RecordService:
    service: RecordService = request.app.state.records
    return service


def current_staff(request: Request) -> Staff:
    """The signed-in staff member, or 401 (``access.sign_in``)."""
    staff = sessions.signed_in_staff(request)
    if staff is None:
        raise AccessDeniedError(
            "sign in first: POST /api/v1/session with your login and password",
            code="access.sign_in",
        )
    return staff


StaffDep = Annotated[Staff, Depends(current_staff)]
RecordsDep = Annotated[RecordService, Depends(records)]


def _today() -> datetime:
    return datetime.now(UTC)


@router.post("/session", response_model=StaffOut, summary="Sign in (sets the session cookie)")
def sign_in(body: SignIn, request: Request, response: Response) -> StaffOut:
    staff = authenticate(request.app.state.engine, body.login, body.password)
    if staff is None:
        raise AccessDeniedError("the login or password is wrong", code="access.sign_in")
    sessions.start_staff_session(response, request, staff)
    return StaffOut.of(staff)


@router.delete("/session", status_code=204, summary="Sign out")
def sign_out(response: Response) -> None:
    response.delete_cookie(sessions.COOKIE)


@router.get("/session", response_model=StaffOut, summary="Who is signed in")
def whoami(staff: StaffDep) -> StaffOut:
    return StaffOut.of(staff)


@router.get(
    "/municipalities/{code}/residents",
    response_model=ResidentPage,
    summary="Search residents of a municipality",
)
def search_residents(
    code: str,
    staff: StaffDep,
    service: RecordsDep,
    name: Annotated[str, Query(max_length=100)] = "",
    resident_number: Annotated[str, Query(max_length=64)] = "",
    birth_date: Annotated[str, Query(max_length=10)] = "",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> ResidentPage:
    municipality = validate_code(code)
    query = ResidentQuery(name=name, resident_number=resident_number, birth_date=birth_date)
    found = service.search_residents(staff, municipality, query, limit=limit, offset=offset)
    total = service.count_residents(staff, municipality, query)
    return ResidentPage(total=total, residents=[ResidentOut.of(r) for r in found])


@router.get("/municipalities/{code}/residents/count", summary="Count residents")
def count_residents(code: str, staff: StaffDep, service: RecordsDep) -> dict[str, int]:
    return {"total": service.count_residents(staff, validate_code(code))}


@router.post(
    "/municipalities/{code}/residents",
    response_model=ResidentOut,
    status_code=201,
    summary="Register a resident",
)
def add_resident(code: str, body: ResidentIn, staff: StaffDep, service: RecordsDep) -> ResidentOut:
    details = forms.resident_details(
        body.model_dump(mode="json"), validate_code(code), _today().date()
    )
    return ResidentOut.of(service.add_resident(staff, details))


@router.get("/residents/{resident_id}", response_model=ResidentFileOut, summary="A resident")
def resident_file(resident_id: str, staff: StaffDep, service: RecordsDep) -> ResidentFileOut:
    found = service.resident_file(staff, resident_id)
    return ResidentFileOut(
        resident=ResidentOut.of(found.resident), events=[EventOut.of(e) for e in found.events]
    )


@router.post(
    "/residents/{resident_id}/events",
    response_model=EventRecorded,
    summary="Record a vaccination (idempotent by source record id)",
)
def record_event(
    resident_id: str, body: EventIn, staff: StaffDep, service: RecordsDep, response: Response
) -> EventRecorded:
    resident = service.resident_file(staff, resident_id).resident
    details = _event(body, resident.details.birth_date)
    event, created = service.record_vaccination(staff, resident_id, details)
    response.status_code = 201 if created else 200
    return EventRecorded(created=created, event=EventOut.of(event))


@router.post("/events/{event_id}/correction", response_model=EventOut, summary="Correct")
def correct_event(
    event_id: str, body: CorrectionIn, staff: StaffDep, service: RecordsDep
) -> EventOut:
    resident_id = _resident_of_event(service, staff, event_id)
    birth = service.resident_file(staff, resident_id).resident.details.birth_date
    details = _event(body.event, birth)
    return EventOut.of(
        service.correct_event(staff, event_id, body.expected_version, details, body.reason)
    )


@router.post("/events/{event_id}/void", response_model=EventOut, summary="Void an event")
def void_event(event_id: str, body: VoidIn, staff: StaffDep, service: RecordsDep) -> EventOut:
    return EventOut.of(service.void_event(staff, event_id, body.expected_version, body.reason))


@router.get(
    "/events/{event_id}/history", response_model=list[HistoryOut], summary="Earlier versions"
)
def event_history(event_id: str, staff: StaffDep, service: RecordsDep) -> list[HistoryOut]:
    return [HistoryOut.of(c) for c in service.event_history(staff, event_id)]


@router.post(
    "/municipalities/{code}/imports",
    response_model=ImportOut,
    summary="Import a CSV file (docs/records-import.md)",
)
def import_csv(
    code: str,
    staff: StaffDep,
    service: RecordsDep,
    file: Annotated[UploadFile, File(description="The CSV file")],
    request: Request,
) -> ImportOut:
    municipality = validate_code(code)
    if file.size is not None and file.size > MAX_UPLOAD:
        raise InputError(
            f"the file is larger than {MAX_UPLOAD // 1024 // 1024} MiB; split it",
            code="input.too_large",
        )
    raw = file.file if file.size is not None else io.BytesIO(file.file.read(MAX_UPLOAD + 1))
    rows = read_rows(open_text(raw), municipality, source_system="api")
    report = service.import_rows(staff, municipality, rows, source=file.filename or "upload.csv")
    metrics.count_import(request, report)
    outcome = report.outcome
    return ImportOut(
        municipality_code=municipality,
        rows_read=report.rows_read,
        accepted=report.accepted,
        rejected_rows=report.rejected_rows,
        inserted=outcome.inserted,
        updated=outcome.updated,
        unchanged=outcome.unchanged,
        kept_staff_corrections=outcome.locked,
        residents_created=outcome.residents_created,
        residents_updated=outcome.residents_updated,
        problems=[
            RowProblemOut(row=p.row_number, column=p.column, reason=p.reason)
            for p in report.problems
        ],
    )


@router.put(
    "/residents/{resident_id}/my-number",
    status_code=204,
    summary="Link the resident's My Number (only its keyed hash is kept)",
)
def link_my_number(
    resident_id: str, body: MyNumberIn, staff: StaffDep, service: RecordsDep
) -> None:
    service.link_my_number(staff, resident_id, body.my_number)


@router.get("/audit/verification", response_model=AuditCheckOut, summary="Check the audit log")
def verify_audit(staff: StaffDep, service: RecordsDep) -> AuditCheckOut:
    problems, head = service.verify_audit(staff)
    return AuditCheckOut(
        intact=not problems,
        entries=0 if head is None else head[0],
        head=None if head is None else head[1],
        problems=[{"seq": p.seq, "kind": p.kind, "message": p.message} for p in problems],
    )


@router.get(
    "/journeys/metrics",
    response_model=JourneyMetricsOut,
    summary="Figures of the residents' journeys (national operator)",
    description=(
        "Counts, rates and times of the journeys started in `[from, to)`, each followed to its "
        "end: journeys started, certificates, time to certificate (nearest-rank median and 95th "
        "percentile, share within 60 s), per-step completion, validation errors per step and "
        "field, outcomes without a certificate, all split by use where known. Computed from the "
        "journey events, which hold no personal data; no journey id is returned. `from` and "
        "`to` are ISO 8601 dates or date-times; without an offset they are Japan time, and a "
        "date as `to` includes that day. Defaults: the 7 days up to now; at most 366 days. "
        "Journey events carry no municipality, so only the national operator may ask "
        "(docs/journey.md)."
    ),
    tags=["journeys"],
)
def journey_figures(
    request: Request,
    staff: StaffDep,
    since: Annotated[str | None, Query(alias="from", max_length=40)] = None,
    until: Annotated[str | None, Query(alias="to", max_length=40)] = None,
) -> JourneyMetricsOut:
    require(staff, Action.READ, None)  # every municipality's residents: the operator only
    start, end = journey_metrics.window(since, until, _today())
    events = request.app.state.journey_log.journeys_started_between(start, end)
    return JourneyMetricsOut.of(journey_metrics.journey_metrics(events, start, end))


def _event(body: EventIn, birth_date: str) -> EventDetails:
    return forms.event_details(
        administered_on=body.administered_on,
        product=body.product,
        lot=body.lot,
        dose_number=body.dose_number,
        site=body.site,
        source_system=body.source_system,
        source_record_id=body.source_record_id,
        birth_date=birth_date,
        today=_today().date(),
    )


def _resident_of_event(service: RecordService, staff: Staff, event_id: str) -> str:
    return service.event(staff, event_id).resident_id
