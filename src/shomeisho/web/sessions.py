"""Staff sign-in sessions: an HMAC-signed, expiring cookie naming the staff login.

Stateless and small: the cookie says who and until when, signed with the record secret. Every
request reloads the account (so a deactivated account stops working at once) and the service
checks what it may do. HttpOnly and SameSite=Strict: scripts cannot read it and other sites
cannot make a browser send it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

COOKIE = "shomeisho_staff"
LIFETIME = 8 * 3600  # one working day


def sign(login: str, secret: bytes, *, now: float | None = None) -> str:
    expires = int((now or time.time()) + LIFETIME)
    body = base64.urlsafe_b64encode(f"{login}\n{expires}".encode()).decode("ascii")
    mac = hmac.new(secret, body.encode("ascii"), hashlib.sha256).hexdigest()
    return f"{body}.{mac}"


def login_of(cookie: str | None, secret: bytes, *, now: float | None = None) -> str | None:
    """The login in a valid, unexpired cookie; None otherwise (never raises)."""
    if not cookie or cookie.count(".") != 1:
        return None
    body, mac = cookie.split(".")
    expected = hmac.new(secret, body.encode("ascii", "replace"), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(mac, expected):
        return None
    try:
        login, expires = base64.urlsafe_b64decode(body.encode("ascii")).decode().split("\n")
        if int(expires) < (now or time.time()):
            return None
    except (ValueError, UnicodeError):
        return None
    return login
