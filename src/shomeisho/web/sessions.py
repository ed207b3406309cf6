"""Signed cookies: one mechanism for staff and resident sessions, the sign-in in progress and the
journey's state.

Stateless and small: a cookie holds JSON data, its purpose and an expiry, MAC'd with the record
secret (HMAC-SHA256), so one cookie cannot be replayed as another kind. Session cookies name who
is signed in; every request reloads the account (a deactivated account stops working at once)
and the service checks what it may do. HttpOnly everywhere; SameSite=Strict for sessions.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

from fastapi import Request, Response

from shomeisho.db.staff import staff_by_login
from shomeisho.records.entities import Staff

COOKIE = "shomeisho_staff"
JOURNEY_COOKIE = "shomeisho_journey"
LIFETIME = 8 * 3600  # one working day


def seal(data: dict[str, Any], secret: bytes, purpose: str, *, lifetime: float,
         now: float | None = None) -> str:  # fmt: skip
    """``data`` as a cookie value that :func:`unseal` accepts for ``purpose`` until it expires."""
    document = {"p": purpose, "e": int((now or time.time()) + lifetime), "d": data}
    body = base64.urlsafe_b64encode(json.dumps(document).encode("utf-8")).decode("ascii")
    return f"{body}.{_mac(body, secret)}"


def unseal(value: str | None, secret: bytes, purpose: str, *, now: float | None = None
           ) -> dict[str, Any] | None:  # fmt: skip
    """The data of a valid, unexpired cookie sealed for ``purpose``; None otherwise (never
    raises)."""
    if not value or value.count(".") != 1:
        return None
    body, mac = value.split(".")
    if not hmac.compare_digest(mac, _mac(body, secret)):
        return None
    try:
        document = json.loads(base64.urlsafe_b64decode(body.encode("ascii")))
        if document["p"] != purpose or int(document["e"]) < (now or time.time()):
            return None
        data = document["d"]
    except (ValueError, KeyError, TypeError, UnicodeError):
        return None
    return data if isinstance(data, dict) else None


def _mac(body: str, secret: bytes) -> str:
    return hmac.new(secret, body.encode("ascii", "replace"), hashlib.sha256).hexdigest()


def sign(login: str, secret: bytes, *, now: float | None = None, purpose: str = "staff") -> str:
    """A session cookie naming ``login`` (a staff login or a resident's subject)."""
    return seal({"login": login}, secret, purpose, lifetime=LIFETIME, now=now)


def login_of(cookie: str | None, secret: bytes, *, now: float | None = None,
             purpose: str = "staff") -> str | None:  # fmt: skip
    """The login in a valid, unexpired session cookie; None otherwise (never raises)."""
    data = unseal(cookie, secret, purpose, now=now)
    login = None if data is None else data.get("login")
    return login if isinstance(login, str) else None


def signed_in_staff(request: Request) -> Staff | None:
    """The active staff account named by the request's session cookie, if any."""
    login = login_of(request.cookies.get(COOKIE), request.app.state.secret)
    return staff_by_login(request.app.state.engine, login) if login else None


def start_staff_session(response: Response, request: Request, staff: Staff) -> None:
    response.set_cookie(
        COOKIE,
        sign(staff.login, request.app.state.secret),
        max_age=LIFETIME,
        httponly=True,
        samesite="strict",
        secure=not request.app.state.settings.demo,
    )
