"""The resident's procedure, one question per page (issue 4; first version, no PDF yet).

Start -> sign in (OIDC, the card) -> domestic or overseas -> overseas only: passport details ->
check your answers and consent -> the certificate. The journey's own state (a random id, the
use, the passport details) travels in a signed cookie; every step writes a journey event without
personal data. When no certificate can be issued, the page says why and what to do.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from shomeisho import qr
from shomeisho.errors import InputError
from shomeisho.procedure.issuance import CertificateIssuer, Use
from shomeisho.records.audit import AuditRecord
from shomeisho.records.certificate_record import TravelDetails, certifiable_events
from shomeisho.records.products import RECORD_PRODUCTS
from shomeisho.records.service import RecordService, ResidentFile
from shomeisho.web import pages, sessions
from shomeisho.web.resident_auth import resident_subject

router = APIRouter(prefix="/journey", include_in_schema=False)
COOKIE = sessions.JOURNEY_COOKIE
_PASSPORT = re.compile(r"[A-Z0-9]{6,9}")
SHC_FILE = "vaccination.smart-health-card"
FORMAT_NAMES = {"shc": "SMART Health Card", "vdsnc": "ICAO VDS-NC", "dcc": "EU DCC"}


def _state(request: Request) -> dict[str, Any]:
    return sessions.unseal(request.cookies.get(COOKIE), request.app.state.secret, "journey") or {}


def _log(request: Request, state: dict[str, Any], step: str, kind: str, detail: str = "") -> None:
    if state.get("id"):
        request.app.state.journey_log.record(state["id"], step, kind, detail)


def _t(request: Request) -> tuple[str, dict[str, str]]:
    return pages.language(request), pages.texts(request)


def _render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    return pages.render(request, f"journey/{template}", status, **context)


def _resident(request: Request) -> ResidentFile | None:
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
    file = _resident(request)
    if file is None or not certifiable_events(file.events):
        _log(request, state, "use", "outcome", "no_records")
        return _render(request, "no_records.html", 404, found=file is not None)
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
    file = _resident(request)
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
    error = None
    if not _PASSPORT.fullmatch(values["passport_number"]):
        error = ("passport_number", t["passport_error"])
    elif not re.fullmatch(r"[A-Z][A-Z '-]{0,38}", values["family_name"]):
        error = ("family_name", t["romaji_error"])
    elif not re.fullmatch(r"[A-Z]{3}", values["nationality"]):
        error = ("nationality", t["nationality_error"])
    if error:
        _log(request, state, "travel", "validation_error", error[0])
        return _render(request, "travel.html", 422, error=error, values=values)
    state["travel"] = values
    _log(request, state, "travel", "submitted")
    return _with_state(RedirectResponse("/journey/check", status_code=303), request, state)


@router.get("/check", response_class=HTMLResponse)
def check_page(request: Request) -> Response:
    file = _resident(request)
    state = _state(request)
    if file is None or "use" not in state:
        return RedirectResponse("/journey/use", status_code=303)
    language, _ = _t(request)
    return _render(
        request,
        "check.html",
        error=None,
        file=file,
        use=state["use"],
        travel=state.get("travel"),
        doses=doses_in_words(file, language),
    )


@router.post("/check", response_class=HTMLResponse)
async def consent(request: Request) -> Response:
    file = _resident(request)
    state = _state(request)
    if file is None or "use" not in state:
        return RedirectResponse("/journey/use", status_code=303)
    form = await request.form()
    language, t = _t(request)
    if form.get("consent") != "yes":
        _log(request, state, "check", "validation_error", "no_consent")
        return _render(request, "check.html", 422, error=t["consent_error"], file=file,
                       use=state["use"], travel=state.get("travel"),
                       doses=doses_in_words(file, language))  # fmt: skip
    issuer: CertificateIssuer | None = request.app.state.issuer
    if issuer is None:
        _log(request, state, "check", "outcome", "no_keys")
        raise InputError("this service has no issuing keys configured", code="input.settings")
    use = Use(state["use"])
    travel = state.get("travel")
    details = (
        TravelDetails(travel["passport_number"], travel["nationality"], travel["family_name"],
                      travel["given_name"])
        if travel and use is Use.OVERSEAS else None
    )  # fmt: skip
    issued = issuer.issue(file, use, details)
    resident_id = file.resident.resident_id
    facts = {
        "use": use.value,
        "formats": [c.format for c in issued.certificates],
        "resident": resident_id,
    }

    def audit(code: str) -> AuditRecord:
        return AuditRecord(
            issued.issued_at, "resident", "certificate.issue", code, issued.certificate_id, facts
        )

    request.app.state.issued_store.save(resident_id, issued, "resident", audit)
    _log(request, state, "check", "submitted")
    _log(request, state, "certificate", "outcome", "issued")
    return RedirectResponse("/journey/certificate", status_code=303)


@router.get("/certificate", response_class=HTMLResponse)
def certificate_page(request: Request) -> Response:
    file = _resident(request)
    if file is None:
        return RedirectResponse("/sign-in", status_code=303)
    newest = request.app.state.issued_store.newest(file.resident.resident_id)
    if not newest:
        return RedirectResponse("/journey/use", status_code=303)
    shown = request.query_params.get("format") or newest[0][2]
    certificates = {fmt: text for _, _, fmt, text, _ in newest}
    if shown not in certificates:
        shown = next(iter(certificates))
    language, _ = _t(request)
    svg = qr.render_svg(
        certificates[shown], shown, scale=5, title=f"{FORMAT_NAMES[shown]} QR"
    ).decode("utf-8")
    return _render(
        request,
        "certificate.html",
        file=file,
        formats=list(certificates),
        shown=shown,
        names=FORMAT_NAMES,
        svg=svg[svg.index("<svg") :],
        issued_at=newest[0][4],
        use=newest[0][1].value,
        doses=doses_in_words(file, language),
    )


@router.get("/certificate/{name}.png")
def certificate_png(request: Request, name: str) -> Response:
    file = _resident(request)
    if file is None:
        return Response(status_code=401)
    for _, _, fmt, text, _ in request.app.state.issued_store.newest(file.resident.resident_id):
        if fmt == name:
            return Response(qr.render_png(text, fmt), media_type="image/png")
    return Response(status_code=404)


@router.get("/certificate.smart-health-card")
def health_card_file(request: Request) -> Response:
    from shomeisho.formats.shc import write_health_card_file
    from shomeisho.wire import numeric

    file = _resident(request)
    if file is None:
        return Response(status_code=401)
    for _, _, fmt, text, _ in request.app.state.issued_store.newest(file.resident.resident_id):
        if fmt == "shc":
            body = write_health_card_file([numeric.decode(text[5:])])
            return Response(
                body,
                media_type="application/smart-health-card",
                headers={"Content-Disposition": f'attachment; filename="{SHC_FILE}"'},
            )
    return Response(status_code=404)
