"""Staff pages (server-rendered, Japanese and English, no JavaScript needed).

Sign in, search residents, a resident's record, record / correct / void a vaccination, import a
CSV and read its report. Each page asks one thing; every form posts back to its own page, and an
error is shown at the top (an error summary linking to the field) and next to the field, as the
GOV.UK and Digital Agency design systems do. All decisions are the record service's; a refusal
becomes a page that says what happened, never a stack trace.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import io
from datetime import UTC, date, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from shomeisho.db.staff import authenticate
from shomeisho.errors import AccessDeniedError, ConflictError, InputError, NotFoundError
from shomeisho.records import forms
from shomeisho.records.access import Action, may
from shomeisho.records.consistency import open_questions
from shomeisho.records.csvformat import open_text, read_rows
from shomeisho.records.entities import EventDetails, Staff
from shomeisho.records.municipalities import validate_code
from shomeisho.records.ports import ResidentQuery
from shomeisho.records.products import RECORD_PRODUCTS
from shomeisho.records.service import RecordService
from shomeisho.web import metrics, pages, sessions

router = APIRouter(prefix="/staff", include_in_schema=False)


class SignInNeededError(Exception):
    """Raised by a staff page when nobody is signed in; :func:`to_sign_in` answers it."""


def to_sign_in(_request: Request, _exc: Exception) -> Response:
    """Registered by the app for :class:`SignInNeededError`: every staff page, one redirect."""
    return RedirectResponse("/staff/sign-in", status_code=303)


def _staff(request: Request) -> Staff:
    staff = sessions.signed_in_staff(request)
    if staff is None:
        raise SignInNeededError
    return staff


def _csrf(request: Request) -> str:
    """A form token bound to the session cookie (SameSite=Strict already stops cross-site posts;
    this makes a forged form fail even in a browser that ignores SameSite)."""
    cookie = request.cookies.get(sessions.COOKIE, "")
    return hmac.new(
        request.app.state.secret, b"csrf:" + cookie.encode(), hashlib.sha256
    ).hexdigest()


def _page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    return pages.render(request, template, status, csrf=_csrf(request), **context)


def _records(request: Request) -> RecordService:
    service: RecordService = request.app.state.records
    return service


async def _form(request: Request) -> dict[str, Any]:
    data = await request.form()
    if not hmac.compare_digest(str(data.get("csrf", "")), _csrf(request)):
        raise AccessDeniedError("the form has expired; open the page again", code="access.form")
    return dict(data)


def _refusal(request: Request, exc: Exception, staff: Staff | None) -> HTMLResponse:
    t = pages.texts(request)
    if isinstance(exc, NotFoundError):
        title, status = t["not_found"], 404
    elif isinstance(exc, AccessDeniedError):
        title, status = t["not_allowed"], 403
    elif isinstance(exc, ConflictError):
        title, status = t["conflict"], 409
    else:
        title, status = t["error_title"], 422
    message = exc.message if hasattr(exc, "message") else str(exc)
    return _page(request, "staff/refused.html", status, staff=staff, title=title, message=message)


# -- sign in ---------------------------------------------------------------------------


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_page(request: Request) -> HTMLResponse:
    return _page(request, "staff/sign_in.html", staff=None, error=None, login="")


@router.post("/sign-in", response_class=HTMLResponse)
async def sign_in(request: Request) -> Response:
    data = await request.form()
    login, password = str(data.get("login", "")), str(data.get("password", ""))
    staff = authenticate(request.app.state.engine, login, password) if login else None
    if staff is None:
        t = pages.texts(request)
        return _page(
            request, "staff/sign_in.html", 401, staff=None, error=t["sign_in_failed"], login=login
        )
    response = RedirectResponse("/staff", status_code=303)
    sessions.start_staff_session(response, request, staff)
    return response


@router.post("/sign-out")
def sign_out() -> Response:
    response = RedirectResponse("/staff/sign-in", status_code=303)
    response.delete_cookie(sessions.COOKIE)
    return response


# -- search and read ---------------------------------------------------------------------


@router.get("", response_class=HTMLResponse)
def home(request: Request) -> Response:
    staff = _staff(request)
    params = request.query_params
    query = ResidentQuery(
        name=params.get("name", ""),
        resident_number=params.get("resident_number", ""),
        birth_date=params.get("birth_date", ""),
    )
    searched = any((query.name, query.resident_number, query.birth_date))
    code = params.get("municipality") or staff.municipality_code or ""
    try:
        municipality = validate_code(code) if code else None
        service = _records(request)
        found = service.search_residents(staff, municipality, query) if searched else []
        total = service.count_residents(staff, municipality, query) if searched else 0
    except (InputError, AccessDeniedError) as exc:
        return _refusal(request, exc, staff)
    return _page(
        request,
        "staff/search.html",
        staff=staff,
        query=query,
        municipality=code,
        searched=searched,
        residents=found,
        total=total,
    )


@router.get("/residents/{resident_id}", response_class=HTMLResponse)
def resident_page(request: Request, resident_id: str) -> Response:
    try:
        staff = _staff(request)
        file = _records(request).resident_file(staff, resident_id)
    except (NotFoundError, AccessDeniedError) as exc:
        return _refusal(request, exc, None)
    return _page(
        request,
        "staff/resident.html",
        staff=staff,
        resident=file.resident,
        events=file.events,
        products=RECORD_PRODUCTS,
        notice=request.query_params.get("notice"),
        questions=open_questions(file.events),
        may_issue=may(staff, Action.ISSUE, file.resident.details.municipality_code),
    )


# -- record, correct, void ----------------------------------------------------------------


@router.get("/residents/{resident_id}/events/new", response_class=HTMLResponse)
def new_event_page(request: Request, resident_id: str) -> Response:
    return _event_form(request, resident_id, None, {}, None)


@router.post("/residents/{resident_id}/events/new", response_class=HTMLResponse)
async def new_event(request: Request, resident_id: str) -> Response:
    try:
        staff = _staff(request)
        data = await _form(request)
        service = _records(request)
        resident = service.resident_file(staff, resident_id).resident
        details = _event_details(data, resident.details.birth_date)
        event, created = service.record_vaccination(staff, resident_id, details)
    except InputError as exc:
        return _event_form(request, resident_id, None, data, exc)
    except (NotFoundError, AccessDeniedError, ConflictError) as exc:
        return _refusal(request, exc, None)
    notice = "saved" if created else "already_recorded"
    return RedirectResponse(f"/staff/residents/{event.resident_id}?notice={notice}", 303)


@router.get("/events/{event_id}/correct", response_class=HTMLResponse)
def correct_page(request: Request, event_id: str) -> Response:
    return _event_form(request, None, event_id, {}, None)


@router.post("/events/{event_id}/correct", response_class=HTMLResponse)
async def correct(request: Request, event_id: str) -> Response:
    try:
        staff = _staff(request)
        data = await _form(request)
        service = _records(request)
        event = service.event(staff, event_id)
        birth = service.resident_file(staff, event.resident_id).resident.details.birth_date
        details = _event_details(data | {"source_record_id": event.details.source_record_id}, birth)
        version = int(str(data.get("expected_version", "0")) or 0)
        service.correct_event(staff, event_id, version, details, str(data.get("reason", "")))
    except (InputError, ValueError) as exc:
        error = exc if isinstance(exc, InputError) else InputError(str(exc), code="input.event")
        return _event_form(request, None, event_id, data, error)
    except (NotFoundError, AccessDeniedError, ConflictError) as exc:
        return _refusal(request, exc, None)
    return RedirectResponse(f"/staff/residents/{event.resident_id}?notice=saved", 303)


@router.get("/events/{event_id}/void", response_class=HTMLResponse)
def void_page(request: Request, event_id: str) -> Response:
    try:
        staff = _staff(request)
        event = _records(request).event(staff, event_id)
    except (NotFoundError, AccessDeniedError) as exc:
        return _refusal(request, exc, None)
    return _page(request, "staff/void.html", staff=staff, event=event, error=None, data={})


@router.post("/events/{event_id}/void", response_class=HTMLResponse)
async def void(request: Request, event_id: str) -> Response:
    try:
        staff = _staff(request)
        data = await _form(request)
        service = _records(request)
        event = service.event(staff, event_id)
        version = int(str(data.get("expected_version", "0")) or 0)
        service.void_event(staff, event_id, version, str(data.get("reason", "")))
    except InputError as exc:
        return _page(
            request, "staff/void.html", 422, staff=staff, event=event, error=exc, data=data
        )
    except (NotFoundError, AccessDeniedError, ConflictError) as exc:
        return _refusal(request, exc, None)
    return RedirectResponse(f"/staff/residents/{event.resident_id}?notice=saved", 303)


def _event_form(
    request: Request,
    resident_id: str | None,
    event_id: str | None,
    data: dict[str, Any],
    error: InputError | None,
) -> Response:
    try:
        staff = _staff(request)
        service = _records(request)
        event = service.event(staff, event_id) if event_id else None
        resident = service.resident_file(staff, resident_id or event.resident_id).resident  # type: ignore[union-attr]
    except (NotFoundError, AccessDeniedError) as exc:
        return _refusal(request, exc, None)
    values = dict(data)
    if event is not None and not data:
        values = {
            "administered_on": event.details.administered_on.isoformat(),
            "product": event.details.product_code,
            "lot": event.details.lot,
            "dose_number": str(event.details.dose_number),
            "site": event.details.site,
            "source_record_id": event.details.source_record_id,
        }
    return _page(
        request,
        "staff/event_form.html",
        422 if error else 200,
        staff=staff,
        resident=resident,
        event=event,
        values=values,
        error=error,
        products=RECORD_PRODUCTS,
    )


def _event_details(data: dict[str, Any], birth_date: str) -> EventDetails:
    try:
        given_on = date.fromisoformat(str(data.get("administered_on", "")))
    except ValueError:
        raise InputError(
            "enter the date as YYYY-MM-DD", code="input.event", where="administered_on"
        ) from None
    try:
        dose = int(str(data.get("dose_number", "")))
    except ValueError:
        raise InputError(
            "enter the dose as a number", code="input.dose", where="dose_number"
        ) from None
    return forms.event_details(
        administered_on=given_on,
        product=str(data.get("product", "")),
        lot=str(data.get("lot", "")),
        dose_number=dose,
        site=str(data.get("site", "")),
        source_system="staff",
        source_record_id=str(data.get("source_record_id", "")),
        birth_date=birth_date,
        today=datetime.now(UTC).date(),
    )


# -- import --------------------------------------------------------------------------------


@router.get("/import", response_class=HTMLResponse)
def import_page(request: Request) -> Response:
    staff = _staff(request)
    return _page(request, "staff/import.html", staff=staff, report=None, error=None)


@router.post("/import", response_class=HTMLResponse)
async def import_csv(request: Request) -> Response:
    try:
        staff = _staff(request)
        data = await _form(request)
        upload = data.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise InputError("choose a CSV file", code="input.csv", where="file")
        code = validate_code(str(data.get("municipality") or staff.municipality_code or ""))
        rows = read_rows(open_text(upload.file), code, source_system="staff-page")
        report = _records(request).import_rows(staff, code, rows, source=upload.filename)
        metrics.count_import(request, report)
    except InputError as exc:
        return _page(request, "staff/import.html", 422, staff=staff, report=None, error=exc)
    except (NotFoundError, AccessDeniedError) as exc:
        return _refusal(request, exc, staff)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["row", "column", "reason"])
    writer.writerows([p.row_number, p.column, p.reason] for p in report.problems)
    download = base64.b64encode(("\ufeff" + buffer.getvalue()).encode()).decode("ascii")
    return _page(
        request, "staff/import.html", staff=staff, report=report, error=None, download=download
    )
