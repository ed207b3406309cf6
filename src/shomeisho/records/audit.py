"""The audit log's hash chain: what an entry commits to, and how a broken chain is found.

Every change to a record (and, later, every certificate issued) appends one entry. Each entry's
hash covers its own content and the previous entry's hash, so editing, reordering or deleting
any entry changes every hash after it; the newest hash (the head) is kept beside the log and is
what an operator publishes or anchors elsewhere. A database administrator could rewrite the whole
chain and the head together: publishing the head (the status page and ``audit verify`` print it)
is what makes that detectable from outside.

The hash input is canonical JSON (sorted keys, UTF-8, no whitespace) so that any storage that
gives back the same values gives back the same hashes, PostgreSQL and SQLite alike.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

GENESIS = "0" * 64  # the "previous hash" of the first entry


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """What happened, by whom, to what. ``details`` is JSON data (no personal names: ids,
    counts, reasons, content hashes)."""

    at: datetime
    actor: str
    action: str
    municipality_code: str | None
    subject: str
    details: dict[str, Any]


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """A stored entry: its place in the chain and the hashes that bind it there."""

    seq: int
    record: AuditRecord
    prev_hash: str
    hash: str


def canonical(seq: int, record: AuditRecord) -> bytes:
    """The bytes an entry's hash covers (everything but the hashes themselves)."""
    at = record.at if record.at.tzinfo else record.at.replace(tzinfo=UTC)
    body = {
        "seq": seq,
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": record.actor,
        "action": record.action,
        "municipality": record.municipality_code,
        "subject": record.subject,
        "details": record.details,
    }
    return orjson.dumps(body, option=orjson.OPT_SORT_KEYS)


def chain_hash(prev_hash: str, seq: int, record: AuditRecord) -> str:
    """SHA-256 over the previous hash and this entry's canonical bytes, as hex."""
    digest = hashlib.sha256(prev_hash.encode("ascii") + b"\n" + canonical(seq, record))
    return digest.hexdigest()


def next_entry(prev: tuple[int, str] | None, record: AuditRecord) -> AuditEntry:
    """The entry that follows ``prev`` (its seq and hash; None for an empty log)."""
    seq, prev_hash = (1, GENESIS) if prev is None else (prev[0] + 1, prev[1])
    return AuditEntry(seq, record, prev_hash, chain_hash(prev_hash, seq, record))


@dataclass(frozen=True, slots=True)
class ChainProblem:
    """One place where the stored log disagrees with its own chain."""

    seq: int
    kind: str  # "edited", "reordered_or_deleted", "head"
    message: str


def verify_chain(
    entries: Iterable[AuditEntry], head: tuple[int, str] | None
) -> Iterator[ChainProblem]:
    """Walk the log in ``seq`` order and report each break.

    - an entry whose content no longer gives its hash: ``edited``;
    - an entry whose seq is not the next one, or whose ``prev_hash`` is not the hash before it:
      ``reordered_or_deleted`` (a gap in seq or a broken link);
    - a last entry that is not the recorded head (entries deleted from the end): ``head``.
    """
    expected_seq, expected_prev = 1, GENESIS
    last: tuple[int, str] | None = None
    for entry in entries:
        if entry.seq != expected_seq or entry.prev_hash != expected_prev:
            missing = (
                f"entries {expected_seq}..{entry.seq - 1} are missing"
                if entry.seq > expected_seq
                else "it does not follow the entry before it"
            )
            yield ChainProblem(
                entry.seq,
                "reordered_or_deleted",
                f"entry {entry.seq} does not link to the chain: {missing}",
            )
        if chain_hash(entry.prev_hash, entry.seq, entry.record) != entry.hash:
            yield ChainProblem(
                entry.seq,
                "edited",
                f"entry {entry.seq} was changed after it was written (its hash does not match)",
            )
        expected_seq, expected_prev = entry.seq + 1, entry.hash
        last = (entry.seq, entry.hash)
    if last != head:
        shown = "an empty log" if head is None else f"entry {head[0]}"
        found = "no entries" if last is None else f"entry {last[0]}"
        yield ChainProblem(
            0 if last is None else last[0],
            "head",
            f"the recorded head names {shown}, but the log ends with {found}: "
            "entries were deleted from the end or the head was changed",
        )
