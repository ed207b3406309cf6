"""The resident's procedure, one question per page, up to issuing (issue 4).

Start -> sign in (OIDC, the card) -> domestic or overseas -> overseas only: passport details ->
check your answers and consent -> the certificate. The journey's own state (a random id, the
use, the passport details) travels in a signed cookie; every step writes a journey event without
personal data. When no certificate can be issued, the page says why and what to do. What was
issued is shown and downloaded by :mod:`.certificate_pages`.
"""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from shomeisho.errors import InputError
from shomeisho.procedure.issuance import CertificateIssuer, Use
from shomeisho.records.audit import AuditRecord
from shomeisho.records.certificate_record import certifiable_events, travel_details
from shomeisho.records.consistency import open_questions
from shomeisho.records.name_choice import card_disagrees, chosen_name, name_options
from shomeisho.records.products import RECORD_PRODUCTS
from shomeisho.records.service import RecordService, ResidentFile
from shomeisho.web import metrics, pages, sessions
from shomeisho.web.resident_auth import card_name, resident_subject

router = APIRouter(prefix="/journey", include_in_schema=False)
COOKIE = sessions.JOURNEY_COOKIE
_TRAVEL_MESSAGES = {
    "passport_number": "passport_error",
    "family_name": "romaji_error",
    "given_name": "romaji_error",
    "nationality": "nationality_error",
}


def _state(request: Request) -> dict[str, Any]:
    return sessions.unseal(request.cookies.get(COOKIE), request.app.state.secret, "journey") or {}


def _log(request: Request, state: dict[str, Any], step: str, kind: str, detail: str = "") -> None:
    if state.get("id"):
        request.app.state.journey_log.record(state["id"], step, kind, detail)


def _t(request: Request) -> tuple[str, dict[str, str]]:
    return pages.language(request), pages.texts(request)


def _render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    return pages.render(request, f"journey/{template}", status, **context)


def signed_in_file(request: Request) -> ResidentFile | None:
    subject = resident_subject(request)
    if subject is None:
        return None
    service: RecordService = request.app.state.records
    return service.own_record(subject)


def _signed_in(request: Request) -> bool:
    return resident_subject(request) is not None


def _with_state(response: Response, request: Request, state: dict[str, Any]) -> Response:
    response.set_cookie(
        COOKIE, sessions.seal(state, request.app.state.secret, "journey", lifetime=3600),
        max_age=3600, httponly=True, samesite="lax",
        secure=not request.app.state.settings.demo,
    )  # fmt: skip
    return response


def doses_in_words(file: ResidentFile, language: str) -> list[str]:
    out = []
    for event in certifiable_events(file.events):
        product = RECORD_PRODUCTS[event.details.product_code]
        day = event.details.administered_on
        if language == "ja":
            out.append(
                f"{event.details.dose_number}回目: {day.year}年{day.month}月{day.day}日 "
                f"{product.name_ja}"
            )
        else:
            out.append(f"Dose {event.details.dose_number}: {day.isoformat()}, {product.name_en}")
    return out


@router.get("", response_class=HTMLResponse)
def start_page(request: Request) -> HTMLResponse:
    return _render(request, "start.html")


@router.post("/start")
def start(request: Request) -> Response:
    state = {"id": secrets.token_hex(16)}
    _log(request, state, "start", "started")
    target = "/journey/use" if _signed_in(request) else "/sign-in"
    return _with_state(RedirectResponse(target, status_code=303), request, state)


@router.get("/use", response_class=HTMLResponse)
def use_page(request: Request) -> Response:
    if not _signed_in(request):
        return RedirectResponse("/sign-in", status_code=303)
    state = _state(request)
    file = signed_in_file(request)
    if file is None or not certifiable_events(file.events):
        _log(request, state, "use", "outcome", "no_records")
        return _render(request, "no_records.html", 404, found=file is not None)
    questions = open_questions(file.events)
    if questions:
        _log(request, state, "use", "outcome", "records_check")
        return _render(request, "being_checked.html", 409, questions=questions)
    return _render(request, "use.html", error=None, chosen=state.get("use"))


@router.post("/use", response_class=HTMLResponse)
async def choose_use(request: Request) -> Response:
    state = _state(request)
    form = await request.form()
    chosen = str(form.get("use", ""))
    if chosen not in (Use.DOMESTIC.value, Use.OVERSEAS.value):
        _log(request, state, "use", "validation_error", "no_choice")
        _, t = _t(request)
        return _render(request, "use.html", 422, error=t["choose_use_error"], chosen=None)
    state["use"] = chosen
    _log(request, state, "use", "submitted", chosen)
    target = "/journey/travel" if chosen == Use.OVERSEAS.value else "/journey/check"
    return _with_state(RedirectResponse(target, status_code=303), request, state)


@router.get("/travel", response_class=HTMLResponse)
def travel_page(request: Request) -> Response:
    file = signed_in_file(request)
    if file is None:
        return RedirectResponse("/journey/use", status_code=303)
    details = file.resident.details
    state = _state(request)
    values = state.get("travel") or {
        "passport_number": "",
        "family_name": details.passport_family_name or details.family_name_romaji,
        "given_name": details.passport_given_name or details.given_name_romaji,
        "nationality": "JPN",
    }
    return _render(request, "travel.html", error=None, values=values)


@router.post("/travel", response_class=HTMLResponse)
async def travel(request: Request) -> Response:
    state = _state(request)
    form = await request.form()
    values = {
        "passport_number": str(form.get("passport_number", "")).strip().upper(),
        "family_name": str(form.get("family_name", "")).strip().upper(),
        "given_name": str(form.get("given_name", "")).strip().upper(),
        "nationality": str(form.get("nationality", "")).strip().upper(),
    }
    _, t = _t(request)
    try:
        travel_details(values)
    except InputError as exc:
        field = exc.where or "passport_number"
        error = (field, t[_TRAVEL_MESSAGES.get(field, "passport_error")])
        _log(request, state, "travel", "validation_error", field)
        return _render(request, "travel.html", 422, error=error, values=values)
    state["travel"] = values
    _log(request, state, "travel", "submitted")
    return _with_state(RedirectResponse("/journey/check", status_code=303), request, state)


def _check(request: Request, file: ResidentFile, state: dict[str, Any], status: int = 200,
           error: str | None = None) -> HTMLResponse:  # fmt: skip
    card = card_name(request)
    details = file.resident.details
    return _render(
        request,
        "check.html",
        status,
        error=error,
        file=file,
        use=state["use"],
        travel=state.get("travel"),
        doses=doses_in_words(file, pages.language(request)),
        name=chosen_name(details, card, state.get("name")),
        name_choices=len(name_options(details, card)),
        card=card if card_disagrees(details, card) else None,
    )


@router.get("/check", response_class=HTMLResponse)
def check_page(request: Request) -> Response:
    file = signed_in_file(request)
    state = _state(request)
    if file is None or "use" not in state:
        return RedirectResponse("/journey/use", status_code=303)
    return _check(request, file, state)


@router.get("/name", response_class=HTMLResponse)
def name_page(request: Request) -> Response:
    """Which name to print, when the card, the record and its old surname offer more than one."""
    file = signed_in_file(request)
    state = _state(request)
    if file is None or "use" not in state:
        return RedirectResponse("/journey/use", status_code=303)
    card = card_name(request)
    options = name_options(file.resident.details, card)
    chosen = chosen_name(file.resident.details, card, state.get("name"))
    return _render(request, "name.html", options=options, chosen=chosen.source.value)


@router.post("/name")
async def choose_name(request: Request) -> Response:
    state = _state(request)
    form = await request.form()
    file = signed_in_file(request)
    if file is None:
        return RedirectResponse("/sign-in", status_code=303)
    card = card_name(request)
    state["name"] = chosen_name(file.resident.details, card, str(form.get("name", ""))).source
    return _with_state(RedirectResponse("/journey/check", status_code=303), request, state)


@router.post("/check", response_class=HTMLResponse)
async def consent(request: Request) -> Response:
    file = signed_in_file(request)
    state = _state(request)
    if file is None or "use" not in state:
        return RedirectResponse("/journey/use", status_code=303)
    form = await request.form()
    _, t = _t(request)
    if form.get("consent") != "yes":
        _log(request, state, "check", "validation_error", "no_consent")
        return _check(request, file, state, 422, t["consent_error"])
    if open_questions(file.events):  # the record changed while the person was on the way
        return RedirectResponse("/journey/use", status_code=303)
    issuer: CertificateIssuer | None = request.app.state.issuer
    if issuer is None:
        _log(request, state, "check", "outcome", "no_keys")
        raise InputError("this service has no issuing keys configured", code="input.settings")
    use = Use(state["use"])
    travel = state.get("travel")
    details = travel_details(travel) if travel and use is Use.OVERSEAS else None
    shown = chosen_name(file.resident.details, card_name(request), state.get("name"))
    issued = issuer.issue(file, use, details, shown=shown)
    resident_id = file.resident.resident_id
    facts = {
        "use": use.value,
        "formats": [c.format for c in issued.certificates],
        "resident": resident_id,
        "name_shown": shown.source.value,
        "consent": "online",
    }

    def audit(code: str) -> AuditRecord:
        return AuditRecord(
            issued.issued_at, "resident", "certificate.issue", code, issued.certificate_id, facts
        )

    request.app.state.issued_store.save(resident_id, issued, "resident", audit)
    _log(request, state, "check", "submitted")
    _log(request, state, "certificate", "outcome", "issued")
    metrics.count_issued(request, (c.format for c in issued.certificates), "online")
    metrics.observe_journey(request, state.get("id", ""))
    return RedirectResponse("/journey/certificate", status_code=303)
