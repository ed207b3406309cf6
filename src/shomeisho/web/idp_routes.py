"""HTTP edge of the demo identity provider (``/idp``): discovery, JWKS, authorize, token.

The authorize page is the emulated card reader: choose the card, enter its PIN. A wrong PIN
says how many tries are left; a locked card says so and what to do (the municipality resets
the PIN). A request from an unknown client or with an unregistered redirect URI is refused on
the page, never redirected (an open redirector would help phishing).
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from shomeisho.errors import AccessDeniedError, InputError
from shomeisho.identity.cards import PinOutcome
from shomeisho.identity.provider import IdentityProvider
from shomeisho.web import pages

router = APIRouter(prefix="/idp", include_in_schema=False)
FIELDS = ("client_id", "redirect_uri", "response_type", "scope", "state", "nonce",
          "code_challenge", "code_challenge_method")  # fmt: skip


def _idp(request: Request) -> IdentityProvider:
    provider: IdentityProvider = request.app.state.idp
    return provider


def _page(request: Request, status: int, **context: Any) -> HTMLResponse:
    cards = request.app.state.card_store.cards(limit=100)
    return pages.render(request, "idp/authorize.html", status, cards=cards, **context)


@router.get("/.well-known/openid-configuration")
def discovery(request: Request) -> JSONResponse:
    return JSONResponse(_idp(request).discovery())


@router.get("/jwks")
def jwks(request: Request) -> JSONResponse:
    return JSONResponse(_idp(request).jwks())


@router.get("/authorize", response_class=HTMLResponse)
def authorize_page(request: Request) -> HTMLResponse:
    params = {name: request.query_params.get(name, "") for name in FIELDS}
    try:
        _idp(request).authorization_request(params)
    except InputError as exc:
        return _page(request, 400, params=params, refused=exc.message, message=None)
    return _page(request, 200, params=params, refused=None, message=None)


@router.post("/authorize", response_class=HTMLResponse)
async def authorize(request: Request) -> Response:
    form = await request.form()
    params = {name: str(form.get(name, "")) for name in FIELDS}
    t = pages.texts(request)
    try:
        auth = _idp(request).authorization_request(params)
    except InputError as exc:
        return _page(request, 400, params=params, refused=exc.message, message=None)
    code, result = _idp(request).sign_in(auth, str(form.get("card", "")), str(form.get("pin", "")))
    if code is None:
        if result.outcome is PinOutcome.WRONG:
            message = t["pin_wrong"].format(remaining=result.remaining)
        elif result.outcome in (PinOutcome.LOCKED_NOW, PinOutcome.LOCKED):
            message = t["card_locked"]
        else:
            message = t["choose_card"]
        return _page(request, 401, params=params, refused=None, message=message)
    query = urlencode({"code": code, "state": auth.state})
    return RedirectResponse(f"{auth.redirect_uri}?{query}", status_code=303)


@router.post("/token")
async def token(request: Request) -> JSONResponse:
    form = await request.form()
    client_id, client_secret = str(form.get("client_id", "")), str(form.get("client_secret", ""))
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(header[6:]).decode("utf-8")
            client_id, _, client_secret = decoded.partition(":")
        except ValueError:
            client_id = ""
    if form.get("grant_type") != "authorization_code":
        return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
    try:
        tokens = _idp(request).exchange(
            client_id=client_id,
            client_secret=client_secret,
            code=str(form.get("code", "")),
            redirect_uri=str(form.get("redirect_uri", "")),
            code_verifier=str(form.get("code_verifier", "")),
        )
    except AccessDeniedError as exc:
        error = "invalid_client" if exc.code == "access.oidc_client" else "invalid_grant"
        return JSONResponse(
            {"error": error, "error_description": exc.message},
            status_code=401 if error == "invalid_client" else 400,
        )
    return JSONResponse(tokens, headers={"Cache-Control": "no-store"})
