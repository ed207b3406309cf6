"""Revocation lists that only ever grow: DCC hash lists and SHC ``rid`` lists.

DCC (EU eHealth Network revocation, as national backends exchange it): an issuer revokes a
certificate by publishing, per document signer ``kid``, the first 16 bytes of a SHA-256 hash of
one of three things:

* ``UCI``: the unique certificate identifier (``ci``);
* ``COUNTRYCODEUCI``: the CWT issuer country followed by the UCI (so two countries' equal UCIs
  are told apart);
* ``SIGNATURE``: the COSE signature; for ES256 only its ``r`` half, because ``s`` can be negated
  into a second valid signature (ECDSA malleability) while ``r`` cannot.

SHC: a CRL per issuer and key, ``{kid, method: "rid", ctr, rids}`` (see
:mod:`shomeisho.formats.shc.crl`).

The brief's hard rule "revocation never rolls back" is kept here by construction: merging two
lists is a union, a merged SHC CRL keeps every rid either side listed (the earliest cut-off wins)
and the larger counter. No operation removes an entry, so the order in which lists arrive cannot
make a revoked certificate valid again.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from shomeisho.errors import InputError

HASH_BYTES = 16
MAX_HASHES = 2_000_000  # a whole country's list, as a bound against a hostile file


class HashType(StrEnum):
    UCI = "UCI"
    COUNTRYCODEUCI = "COUNTRYCODEUCI"
    SIGNATURE = "SIGNATURE"


def _truncated_sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()[:HASH_BYTES]


def dcc_hashes(
    *, uci: str, issuer_country: str, signature: bytes, es256: bool
) -> dict[HashType, bytes]:
    """The three revocation hashes of one DCC, as an issuer publishes and a verifier looks up."""
    signed = signature[: len(signature) // 2] if es256 else signature
    return {
        HashType.UCI: _truncated_sha256(uci.encode("utf-8")),
        HashType.COUNTRYCODEUCI: _truncated_sha256((issuer_country + uci).encode("utf-8")),
        HashType.SIGNATURE: _truncated_sha256(signed),
    }


def first_uci(payload: Mapping[str, Any]) -> str | None:
    """The ``ci`` of the certificate's (single) vaccination, test or recovery entry."""
    for kind in ("v", "t", "r"):
        entries = payload.get(kind)
        if isinstance(entries, list) and entries and isinstance(entries[0], dict):
            ci = entries[0].get("ci")
            return ci if isinstance(ci, str) else None
    return None


@dataclass
class DccRevocations:
    """Per signer kid (8 bytes), per hash type, the revoked hashes. Grows only."""

    entries: dict[bytes, dict[HashType, set[bytes]]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.entries)

    def __len__(self) -> int:
        return sum(len(h) for per_type in self.entries.values() for h in per_type.values())

    def add(self, kid: bytes, hash_type: HashType, digest: bytes) -> None:
        if len(digest) != HASH_BYTES:
            raise InputError(
                f"a DCC revocation hash has {HASH_BYTES} bytes, not {len(digest)}",
                code="input.revocation",
            )
        self.entries.setdefault(kid, {}).setdefault(hash_type, set()).add(digest)

    def merge(self, other: DccRevocations) -> None:
        for kid, per_type in other.entries.items():
            mine = self.entries.setdefault(kid, {})
            for hash_type, digests in per_type.items():
                mine.setdefault(hash_type, set()).update(digests)

    def revoked_by(self, kid: bytes, hashes: Mapping[HashType, bytes]) -> HashType | None:
        """The hash type under which this certificate is listed for ``kid``, or None."""
        per_type = self.entries.get(kid)
        if not per_type:
            return None
        for hash_type, digest in hashes.items():
            listed = per_type.get(hash_type)
            if listed and digest in listed:
                return hash_type
        return None

    def to_documents(self) -> list[dict[str, Any]]:
        """The JSON form in a trust list: one entry per (kid, type), hashes base64, sorted."""
        out = []
        for kid in sorted(self.entries):
            for hash_type in sorted(self.entries[kid]):
                out.append(
                    {
                        "kid": base64.b64encode(kid).decode("ascii"),
                        "type": hash_type.value,
                        "hashes": sorted(
                            base64.b64encode(d).decode("ascii")
                            for d in self.entries[kid][hash_type]
                        ),
                    }
                )
        return out

    @classmethod
    def from_documents(cls, docs: object, *, where: str = "revocation.dcc") -> DccRevocations:
        out = cls()
        if not isinstance(docs, list):
            raise InputError(f"{where} must be a list", code="input.revocation", where=where)
        total = 0
        for n, doc in enumerate(docs):
            here = f"{where}[{n}]"
            if not isinstance(doc, dict):
                raise InputError(f"{here} must be an object", code="input.revocation", where=here)
            try:
                kid = base64.b64decode(str(doc["kid"]), validate=True)
                hash_type = HashType(doc["type"])
                hashes = doc["hashes"]
                if not isinstance(hashes, list):
                    raise TypeError
                total += len(hashes)
                if total > MAX_HASHES:
                    raise InputError(
                        f"{where} holds more than {MAX_HASHES} hashes",
                        code="input.revocation",
                        where=here,
                    )
                for text in hashes:
                    out.add(kid, hash_type, base64.b64decode(str(text), validate=True))
            except (KeyError, ValueError, TypeError, binascii.Error):
                raise InputError(
                    f"{here} needs 'kid' (base64), 'type' (UCI, COUNTRYCODEUCI or SIGNATURE) and "
                    f"'hashes' (base64 of {HASH_BYTES} bytes each)",
                    code="input.revocation",
                    where=here,
                ) from None
        return out


ShcCrls = dict[str, dict[str, dict[str, Any]]]
"""Issuer URL -> kid -> CRL document ``{kid, method, ctr, rids}``."""


def merge_shc_crls(into: ShcCrls, other: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> None:
    """Merge ``other`` into ``into`` without ever dropping a revocation.

    A rid listed on either side stays listed; when both give a cut-off time (``rid.<seconds>``:
    "cards issued before then"), the later one revokes more, so it is kept; a rid without a
    cut-off revokes every card and wins over any cut-off. ``ctr`` is the larger counter."""
    for iss, per_kid in other.items():
        mine = into.setdefault(iss, {})
        for kid, crl in per_kid.items():
            current = mine.get(kid)
            if current is None:
                mine[kid] = {**crl, "rids": list(crl.get("rids", []))}
                continue
            mine[kid] = {
                "kid": kid,
                "method": "rid",
                "ctr": max(_int(current.get("ctr")), _int(crl.get("ctr"))),
                "rids": _union_rids(current.get("rids", []), crl.get("rids", [])),
            }


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _union_rids(*lists: Iterable[object]) -> list[str]:
    cutoffs: dict[str, int | None] = {}
    for rids in lists:
        for entry in rids:
            if not isinstance(entry, str):
                continue
            rid, dot, cutoff = entry.partition(".")
            when = int(cutoff) if dot and cutoff.isdigit() else None
            if rid not in cutoffs:
                cutoffs[rid] = when
            else:
                known = cutoffs[rid]
                cutoffs[rid] = None if known is None or when is None else max(known, when)
    return [rid if when is None else f"{rid}.{when}" for rid, when in sorted(cutoffs.items())]
