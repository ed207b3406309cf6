"""Managing API keys (the national operator only, audited) and recognising a presented key.

Keys are the national operator's business: they open a national service to private companies,
which no municipality decides alone. The check goes through the one authorisation table
(:mod:`shomeisho.records.access`), so the command line and any later page agree.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from shomeisho.api_access.keys import (
    ApiKey,
    NewApiKey,
    digest_matches,
    key_id_of,
    new_token,
    organisation_name,
    rate_and_burst,
    token_digest,
)
from shomeisho.api_access.ports import ApiKeyStore
from shomeisho.api_access.usage import UsageRow
from shomeisho.errors import AccessDeniedError, InputError, NotFoundError
from shomeisho.records.access import Action, require
from shomeisho.records.audit import AuditRecord
from shomeisho.records.entities import Staff

LONGEST_REPORT = timedelta(days=366)


class ApiKeyService:
    """Issue, list and revoke keys, and report their usage, as a staff member."""

    def __init__(
        self, store: ApiKeyStore, secret: bytes, *, clock: Callable[[], datetime] | None = None
    ) -> None:
        self._store = store
        self._secret = secret
        self._clock = clock or (lambda: datetime.now(UTC))

    def create(
        self, actor: Staff, organisation: str, rate_per_minute: int, burst: int | None = None
    ) -> NewApiKey:
        """A new key for ``organisation``; the returned token is the only copy of the secret."""
        require(actor, Action.MANAGE_API_KEYS, None)
        name = organisation_name(organisation)
        rate, burst = rate_and_burst(rate_per_minute, burst)
        key_id, token = new_token()
        now = self._clock()  # full precision: listings keep the order keys were made in
        key = ApiKey(key_id, name, rate, burst, now, actor.login)
        audit = AuditRecord(
            now,
            actor.login,
            "api_key.create",
            None,
            f"api_key:{key_id}",
            {"organisation": name, "rate_per_minute": rate, "burst": burst},
        )
        self._store.add_key(key, token_digest(self._secret, token), audit)
        return NewApiKey(key, token)

    def keys(self, actor: Staff) -> list[ApiKey]:
        require(actor, Action.MANAGE_API_KEYS, None)
        return self._store.all_keys()

    def revoke(self, actor: Staff, key_id: str) -> tuple[ApiKey, bool]:
        """Revoke a key for good; (the key, False) when it was revoked before."""
        require(actor, Action.MANAGE_API_KEYS, None)
        now = self._clock().replace(microsecond=0)
        audit = AuditRecord(now, actor.login, "api_key.revoke", None, f"api_key:{key_id}", {})
        done = self._store.revoke_key(key_id, now, actor.login, audit)
        if done is None:
            raise NotFoundError(f"there is no API key {key_id!r}", code="not_found.api_key")
        return done

    def usage(self, actor: Staff, first: date, last: date) -> list[UsageRow]:
        """Stored totals per key, day, format and verdict, for ``first`` to ``last``."""
        require(actor, Action.MANAGE_API_KEYS, None)
        if first > last:
            raise InputError("the report must start before it ends", code="input.date")
        if last - first >= LONGEST_REPORT:
            raise InputError("ask for at most 366 days at once", code="input.date")
        return self._store.usage_between(first, last)


class ApiKeyCheck:
    """Recognises a presented key. Keys found are remembered for ``cache_seconds`` so that a
    busy client costs no database read per request; a revocation therefore takes effect on
    every server process within that time."""

    def __init__(
        self,
        store: ApiKeyStore,
        secret: bytes,
        *,
        cache_seconds: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._secret = secret
        self._cache_seconds = cache_seconds
        self._clock = clock
        self._known: dict[str, tuple[ApiKey, str, float]] = {}

    def authenticate(self, token: str | None) -> ApiKey:
        """The active key ``token`` is, or AccessDeniedError (``access.api_key``). A missing key
        and a wrong or revoked one are told apart only by the message, never by timing
        differences that depend on the secret (the digests are compared in constant time)."""
        if not token:
            raise AccessDeniedError(
                "send your API key as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'",
                code="access.api_key",
            )
        key_id = key_id_of(token)
        found = self._lookup(key_id) if key_id is not None else None
        if (
            found is None
            or not digest_matches(self._secret, token, found[1])
            or not found[0].active
        ):
            raise AccessDeniedError(
                "this API key is not valid (wrong, or revoked); ask the national operator",
                code="access.api_key",
            )
        return found[0]

    def forget(self, key_id: str) -> None:
        """Drop a remembered key (after revoking it in this process)."""
        self._known.pop(key_id, None)

    def _lookup(self, key_id: str) -> tuple[ApiKey, str] | None:
        now = self._clock()
        known = self._known.get(key_id)
        if known is not None and now - known[2] < self._cache_seconds:
            return known[0], known[1]
        found = self._store.find_key(key_id)
        if found is None:
            self._known.pop(key_id, None)
            return None
        self._known[key_id] = (found[0], found[1], now)
        return found
