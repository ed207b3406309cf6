"""API keys of the organisations whose apps call the verification API.

A key is shown once, when it is issued, and stored only as a keyed hash: a copy of the database
alone can neither call the API nor test guesses, because the hash is keyed with the service
secret. The key carries its id in clear (``shomeisho_<key id>_<secret>``) so that one indexed
lookup finds the stored hash; the secret part holds 256 bits from :mod:`secrets`, so a fast
keyed hash is enough (slow password hashing protects guessable passwords, not random keys).
The fixed prefix lets secret scanners recognise a key that leaked into a repository or a chat.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from shomeisho.errors import InputError

PREFIX = "shomeisho_"
MAX_RATE_PER_MINUTE = 1_000_000
MAX_ORGANISATION = 200
_TOKEN = re.compile(r"shomeisho_([0-9a-f]{12})_[A-Za-z0-9_-]{43}")
# Domain separation: the service secret also keys My Number hashes and session cookies.
_LABEL = b"shomeisho api key v1\x00"


@dataclass(frozen=True, slots=True)
class ApiKey:
    """One key of one organisation, as the operator sees it (never the secret)."""

    key_id: str
    organisation: str
    rate_per_minute: int
    burst: int
    created_at: datetime
    created_by: str
    revoked_at: datetime | None = None
    revoked_by: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True, slots=True)
class NewApiKey:
    """A key just issued, with the only copy of its secret: print it once, then forget it."""

    key: ApiKey
    token: str

    def __repr__(self) -> str:  # a stray debug print must not leak the secret
        return f"NewApiKey(key_id={self.key.key_id!r}, token='***')"


def new_token() -> tuple[str, str]:
    """A fresh (key id, full key): 48 random bits of id, 256 of secret."""
    key_id = secrets.token_hex(6)
    return key_id, f"{PREFIX}{key_id}_{secrets.token_urlsafe(32)}"


def key_id_of(token: str) -> str | None:
    """The id part of a presented key, or None when it does not have a key's shape."""
    found = _TOKEN.fullmatch(token)
    return found.group(1) if found else None


def token_digest(secret: bytes, token: str) -> str:
    """What is stored for a key: HMAC-SHA-256 under the service secret, hex."""
    return hmac.new(secret, _LABEL + token.encode("ascii"), hashlib.sha256).hexdigest()


def digest_matches(secret: bytes, token: str, stored: str) -> bool:
    """Whether ``token`` is the key ``stored`` was made from (constant time)."""
    return hmac.compare_digest(token_digest(secret, token), stored)


def organisation_name(text: str) -> str:
    """The organisation's name in stored form (NFC, trimmed), or InputError."""
    name = unicodedata.normalize("NFC", text).strip()
    if not name or len(name) > MAX_ORGANISATION:
        raise InputError(
            f"the organisation's name must have 1 to {MAX_ORGANISATION} characters",
            code="input.organisation",
            where="organisation",
        )
    if any(unicodedata.category(c).startswith("C") for c in name):
        raise InputError(
            "the organisation's name may not contain control characters",
            code="input.organisation",
            where="organisation",
        )
    return name


def rate_and_burst(rate_per_minute: int, burst: int | None) -> tuple[int, int]:
    """Checked limits; the burst defaults to ten seconds' worth of the rate (at least 1), enough
    for a scanner at a gate that reads a family's codes one after the other."""
    if not 1 <= rate_per_minute <= MAX_RATE_PER_MINUTE:
        raise InputError(
            f"the rate must be 1 to {MAX_RATE_PER_MINUTE:,} requests a minute",
            code="input.rate",
            where="rate",
        )
    if burst is None:
        burst = max(1, rate_per_minute // 6)
    if not 1 <= burst <= MAX_RATE_PER_MINUTE:
        raise InputError(
            f"the burst must be 1 to {MAX_RATE_PER_MINUTE:,} requests",
            code="input.rate",
            where="burst",
        )
    return rate_per_minute, burst
