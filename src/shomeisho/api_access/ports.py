"""What API key management needs from storage, as a protocol the database layer implements.

As for records, every write takes the audit record to append and appends it in the same
transaction, so a key can neither appear nor be revoked without its audit entry.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Protocol

from shomeisho.api_access.keys import ApiKey
from shomeisho.api_access.usage import UsageKey, UsageRow
from shomeisho.records.audit import AuditRecord


class ApiKeyStore(Protocol):
    def add_key(self, key: ApiKey, digest: str, audit: AuditRecord) -> None:
        """Store a new key (its organisation is created when new); ConflictError if the key id
        exists."""

    def find_key(self, key_id: str) -> tuple[ApiKey, str] | None:
        """The key and its stored digest, revoked or not; None if there is no such key."""

    def all_keys(self) -> list[ApiKey]:
        """Every key, oldest first."""

    def revoke_key(
        self, key_id: str, at: datetime, by: str, audit: AuditRecord
    ) -> tuple[ApiKey, bool] | None:
        """Revoke the key (appending ``audit``) unless it already is; (the key, whether it was
        revoked now). None if there is no such key."""

    def add_usage(self, counts: Mapping[UsageKey, int]) -> None:
        """Add ``counts`` to the stored totals in one transaction."""

    def usage_between(self, first: date, last: date) -> list[UsageRow]:
        """The stored totals of the days ``first`` to ``last`` (both included)."""
