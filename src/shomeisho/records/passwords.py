"""Staff passwords: scrypt hashes with a per-password salt, compared in constant time.

scrypt from the standard library (RFC 7914) is memory-hard, so a stolen staff table does not
give up weak passwords cheaply; parameters are stored with each hash so they can be raised later
without locking anyone out.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from shomeisho.errors import InputError

_N, _R, _P = 2**14, 8, 1
MIN_LENGTH = 12


def hash_password(password: str) -> str:
    """``scrypt$N$r$p$salt$hash`` (salt and hash base64)."""
    if len(password) < MIN_LENGTH:
        raise InputError(
            f"a staff password needs at least {MIN_LENGTH} characters", code="input.password"
        )
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    encoded = [base64.b64encode(part).decode("ascii") for part in (salt, digest)]
    return f"scrypt${_N}${_R}${_P}${encoded[0]}${encoded[1]}"


def password_matches(password: str, stored: str) -> bool:
    """Whether ``password`` gives ``stored``; False for any malformed stored value."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode("utf-8"),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)
