"""The municipal counter: a clerk issues a paper certificate for a resident who came in person.

For people without a smartphone or a card reader (no one is left behind). The clerk checks the
person's identity document, the person signs the application (their consent), and the clerk
records both here; the certificate is issued with the same keys and formats as online, kept with
channel ``counter`` and the clerk's login, audited, and printed from the same PDF.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from shomeisho.db.issued import Issuance, SqlIssuedStore
from shomeisho.errors import AccessDeniedError, InputError, NotFoundError
from shomeisho.paper.pdf import render_certificate_pdf
from shomeisho.paper.sheet import sheet_for
from shomeisho.procedure.issuance import CertificateIssuer, Use
from shomeisho.records.audit import AuditRecord
from shomeisho.records.certificate_record import certifiable_events, travel_details
from shomeisho.records.consistency import open_questions
from shomeisho.records.entities import Staff
from shomeisho.records.municipalities import municipality_by_code
from shomeisho.records.name_choice import chosen_name, name_options
from shomeisho.records.service import ResidentFile
from shomeisho.web import metrics
from shomeisho.web.staff_pages import _form, _page, _records, _refusal, _staff

router = APIRouter(prefix="/staff", include_in_schema=False)
IDENTITY_DOCUMENTS = ("my_number_card", "driving_licence", "passport", "other_photo_id")


def _form_page(request: Request, file: ResidentFile, data: dict[str, Any],
               error: InputError | None, status: int = 200) -> Response:  # fmt: skip
    details = file.resident.details
    values = {
        "use": "",
        "passport_number": "",
        "family_name": details.passport_family_name or details.family_name_romaji,
        "given_name": details.passport_given_name or details.given_name_romaji,
        "nationality": "JPN",
        "name": "record",
        "identity_document": "",
    } | data
    return _page(
        request,
        "staff/counter_issue.html",
        status,
        staff=_staff(request),
        resident=file.resident,
        events=certifiable_events(file.events),
        questions=open_questions(file.events),
        names=name_options(details, None),
        documents=IDENTITY_DOCUMENTS,
        data=values,
        error=error,
    )


@router.get("/residents/{resident_id}/certificate", response_class=HTMLResponse)
def counter_issue_page(request: Request, resident_id: str) -> Response:
    staff = _staff(request)
    try:
        file = _records(request).file_for_counter(staff, resident_id)
    except (NotFoundError, AccessDeniedError) as exc:
        return _refusal(request, exc, staff)
    return _form_page(request, file, {}, None)


def _check(data: dict[str, Any], file: ResidentFile) -> None:
    """Everything the counter must have established before issuing, as InputErrors."""
    if data.get("use") not in (Use.DOMESTIC.value, Use.OVERSEAS.value):
        raise InputError("choose domestic or overseas use", code="input.option", where="use")
    if data.get("identity_document") not in IDENTITY_DOCUMENTS:
        raise InputError("record which identity document was checked",
                         code="input.option", where="identity_document")  # fmt: skip
    if data.get("consent") != "yes":
        raise InputError("the resident's signed consent is needed before issuing",
                         code="input.consent", where="consent")  # fmt: skip
    if not certifiable_events(file.events):
        raise InputError("there is no COVID-19 vaccination on record to certify",
                         code="input.events", where="use")  # fmt: skip
    if open_questions(file.events):
        raise InputError("the record has open questions (see above); correct it first",
                         code="input.records_check", where="use")  # fmt: skip


@router.post("/residents/{resident_id}/certificate", response_class=HTMLResponse)
async def counter_issue(request: Request, resident_id: str) -> Response:
    staff = _staff(request)
    try:
        data = await _form(request)
        file = _records(request).file_for_counter(staff, resident_id)
    except (NotFoundError, AccessDeniedError) as exc:
        return _refusal(request, exc, staff)
    issuer: CertificateIssuer | None = request.app.state.issuer
    try:
        _check(data, file)
        use = Use(data["use"])
        travel = travel_details(data) if use is Use.OVERSEAS else None
        if issuer is None:
            raise InputError("this service has no issuing keys configured", code="input.settings")
        shown = chosen_name(file.resident.details, None, str(data.get("name", "")))
        issued = issuer.issue(file, use, travel, shown=shown)
    except InputError as exc:
        return _form_page(request, file, data, exc, 422)
    facts = {
        "use": use.value,
        "formats": [c.format for c in issued.certificates],
        "resident": resident_id,
        "channel": "counter",
        "identity_document": data["identity_document"],
        "consent": "signed_application",
        "name_shown": shown.source.value,
    }

    def audit(code: str) -> AuditRecord:
        return AuditRecord(issued.issued_at, staff.login, "certificate.issue", code,
                           issued.certificate_id, facts)  # fmt: skip

    _store(request).save(resident_id, issued, staff.login, audit, channel="counter",
               consent="signed_application")  # fmt: skip
    metrics.count_issued(request, (c.format for c in issued.certificates), "counter")
    target = f"/staff/residents/{resident_id}/certificates/{issued.certificate_id}"
    return RedirectResponse(target, status_code=303)


def _issued(
    request: Request, resident_id: str, certificate_id: str
) -> tuple[Staff, ResidentFile, Issuance] | Response:
    """The resident's record and one of their issuances, or the refusal page."""
    staff = _staff(request)
    try:
        file = _records(request).file_for_counter(staff, resident_id)
        issuance = next(
            (i for i in _store(request).history(resident_id) if i.certificate_id == certificate_id),
            None,
        )
        if issuance is None:
            raise NotFoundError("no such certificate", code="not_found.record")
    except (NotFoundError, AccessDeniedError) as exc:
        return _refusal(request, exc, staff)
    return staff, file, issuance


def _store(request: Request) -> SqlIssuedStore:
    store: SqlIssuedStore = request.app.state.issued_store
    return store


# registered before the page, whose {certificate_id} would otherwise swallow "….pdf"
@router.get("/residents/{resident_id}/certificates/{certificate_id}.pdf")
def counter_pdf(request: Request, resident_id: str, certificate_id: str) -> Response:
    found = _issued(request, resident_id, certificate_id)
    if isinstance(found, Response):
        return found
    _, file, issuance = found
    sheet = sheet_for(
        file,
        use=issuance.use.value,
        certificate_id=certificate_id,
        issued_at=issuance.issued_at,
        codes=_store(request).certificates_of(resident_id, certificate_id),
        issued_by=municipality_by_code(file.resident.details.municipality_code).display_name,
        shown_name=issuance.shown_name,
    )
    return Response(
        render_certificate_pdf(sheet),
        media_type="application/pdf",
        headers={"Content-Disposition": 'inline; filename="vaccination-certificate.pdf"'},
    )


@router.get("/residents/{resident_id}/certificates/{certificate_id}", response_class=HTMLResponse)
def counter_issued_page(request: Request, resident_id: str, certificate_id: str) -> Response:
    found = _issued(request, resident_id, certificate_id)
    if isinstance(found, Response):
        return found
    staff, file, issuance = found
    return _page(request, "staff/counter_issued.html", staff=staff, resident=file.resident,
                 issuance=issuance)  # fmt: skip
