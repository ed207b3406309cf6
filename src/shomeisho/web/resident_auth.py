"""Residents signing in through OpenID Connect, and the page that greets them.

``/sign-in`` sends the browser to the provider (the built-in demo card reader, or the Digital
Agency's in production); ``/auth/callback`` verifies the answer (:mod:`.oidc_client`) and opens a
resident session; ``/me`` shows whose records were found. The journey pages of issue 4 build on
this.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from shomeisho.errors import AccessDeniedError
from shomeisho.records.name_choice import CardName
from shomeisho.records.service import RecordService
from shomeisho.web import pages, sessions
from shomeisho.web.oidc_client import PENDING_LIFETIME, RelyingParty

router = APIRouter(include_in_schema=False)
PENDING_COOKIE = "shomeisho_oidc"
RESIDENT_COOKIE = "shomeisho_resident"
CARD_NAME_COOKIE = "shomeisho_card_name"


def _rp(request: Request) -> RelyingParty:
    party: RelyingParty = request.app.state.relying_party
    return party


def resident_subject(request: Request) -> str | None:
    """The identity provider's subject of the signed-in resident, if any."""
    cookie = request.cookies.get(RESIDENT_COOKIE)
    return sessions.login_of(cookie, request.app.state.secret, purpose="resident")


def card_name(request: Request) -> CardName | None:
    """The name the card showed at sign-in (kept only to offer it as the printed name)."""
    data = sessions.unseal(
        request.cookies.get(CARD_NAME_COOKIE), request.app.state.secret, "card_name"
    )
    if not data or not data.get("f"):
        return None
    return CardName(str(data["f"]), str(data.get("g", "")), str(data.get("o", "")))


def _log_sign_in(request: Request, kind: str, detail: str = "", *, subject: str = "") -> None:
    """The journey's sign_in event, when the sign-in belongs to a started journey; a journey of
    the self-check's synthetic resident (``subject``) is marked synthetic, out of the KPIs."""
    state = sessions.unseal(
        request.cookies.get(sessions.JOURNEY_COOKIE), request.app.state.secret, "journey"
    )
    if state and state.get("id"):
        request.app.state.journey_log.record(state["id"], "sign_in", kind, detail)
        if subject:
            request.app.state.journey_log.mark_synthetic(state["id"], subject)


@router.get("/sign-in")
def sign_in(request: Request) -> Response:
    url, pending = _rp(request).start()
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        PENDING_COOKIE,
        pending,
        max_age=PENDING_LIFETIME,
        httponly=True,
        samesite="lax",  # it must come back on the provider's top-level redirect
        secure=not request.app.state.settings.demo,
    )
    return response


@router.get("/auth/callback")
def callback(request: Request) -> Response:
    try:
        claims = _rp(request).finish(
            request.cookies.get(PENDING_COOKIE), dict(request.query_params)
        )
    except AccessDeniedError as exc:
        _log_sign_in(request, "validation_error", exc.code)
        return pages.render(request, "resident/signed_in.html", 401, file=None, error=exc)
    _log_sign_in(request, "submitted", subject=str(claims["sub"]))
    # back into the procedure when one was started, else to the resident's page
    target = "/journey/use" if request.cookies.get(sessions.JOURNEY_COOKIE) else "/me"
    response = RedirectResponse(target, status_code=303)
    response.delete_cookie(PENDING_COOKIE)
    card = {
        "f": str(claims.get("family_name", "")),
        "g": str(claims.get("given_name", "")),
        "o": str(claims.get("jp_former_family_name", "")),
    }
    response.set_cookie(
        CARD_NAME_COOKIE,
        sessions.seal(card, request.app.state.secret, "card_name", lifetime=3600),
        max_age=3600,
        httponly=True,
        samesite="strict",
        secure=not request.app.state.settings.demo,
    )
    response.set_cookie(
        RESIDENT_COOKIE,
        sessions.sign(str(claims["sub"]), request.app.state.secret, purpose="resident"),
        max_age=3600,
        httponly=True,
        samesite="strict",
        secure=not request.app.state.settings.demo,
    )
    return response


@router.get("/me", response_class=HTMLResponse)
def me(request: Request) -> Response:
    subject = resident_subject(request)
    if subject is None:
        return RedirectResponse("/sign-in", status_code=303)
    service: RecordService = request.app.state.records
    file = service.own_record(subject)
    return pages.render(request, "resident/signed_in.html", file=file, error=None)
