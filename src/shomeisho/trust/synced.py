"""A verifier's own copy of the trust list: sync while online, verify offline, never roll back.

The state is a folder the verifier owns:

* ``operator-keys.pem``: the operator keys this verifier pins (set at the first sync);
* ``trust-list.json``: the last list accepted, byte for byte as the operator signed it;
* ``revocations.json``: every revocation ever seen in an accepted list (DCC hashes, SHC CRLs).

Why keep revocations apart from the list: the brief's rule is that a revoked certificate is never
valid again, whatever order lists arrive in. Refusing older versions covers a replayed list; the
separate union also covers an operator's mistake, a newer list that forgot an entry. The union is
written *before* the new list, so a crash between the two writes leaves more revoked, never less.
Every file is replaced atomically (write, fsync, rename).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_pem_public_key,
)

from shomeisho.errors import InputError, TrustListError
from shomeisho.trust.revocation import DccRevocations, ShcCrls, merge_shc_crls
from shomeisho.trust.store import TrustStore
from shomeisho.trust.trust_list import SignedTrustList, operator_key_id, read_trust_list

KEYS_FILE = "operator-keys.pem"
LIST_FILE = "trust-list.json"
REVOCATIONS_FILE = "revocations.json"


@dataclass(frozen=True)
class SyncOutcome:
    """What a sync did, in words a person running it can act on."""

    accepted: bool
    version: int
    previous: int | None
    message: str


def load_operator_keys(data: bytes, *, where: str) -> list[ec.EllipticCurvePublicKey]:
    """P-256 public keys from PEM (several may follow one another)."""
    keys: list[ec.EllipticCurvePublicKey] = []
    marker = b"-----END PUBLIC KEY-----"
    for block in data.split(marker)[:-1]:
        try:
            key = load_pem_public_key(block.strip() + b"\n" + marker + b"\n")
        except ValueError:
            raise InputError(
                f"{where} holds a public key that cannot be read", code="input.trust", where=where
            ) from None
        if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(
            key.curve, ec.SECP256R1
        ):
            raise InputError(
                f"{where}: operator keys must be EC P-256 (ES256)", code="input.trust", where=where
            )
        keys.append(key)
    if not keys:
        raise InputError(
            f"{where} holds no PEM public key ('-----BEGIN PUBLIC KEY-----')",
            code="input.trust",
            where=where,
        )
    return keys


def public_pem(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)


class SyncedTrustList:
    """The trust list state in ``directory`` (created on first sync)."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    # -- reading --------------------------------------------------------------------------------
    def operator_keys(self) -> list[ec.EllipticCurvePublicKey]:
        path = self.directory / KEYS_FILE
        if not path.exists():
            return []
        return load_operator_keys(path.read_bytes(), where=str(path))

    def current(self) -> SignedTrustList | None:
        """The accepted list, its signature checked again (a file edited on disk is refused)."""
        path = self.directory / LIST_FILE
        if not path.exists():
            return None
        keys = self.operator_keys()
        if not keys:
            raise TrustListError(
                f"{self.directory} holds a trust list but no pinned operator key",
                code="trust.state",
                where=str(self.directory),
            )
        return read_trust_list(path.read_bytes(), keys)

    def revocations(self) -> tuple[DccRevocations, ShcCrls]:
        path = self.directory / REVOCATIONS_FILE
        if not path.exists():
            return DccRevocations(), {}
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            dcc = DccRevocations.from_documents(doc["dcc"], where=str(path))
            shc: ShcCrls = doc["shc"]
            if not isinstance(shc, dict):
                raise TypeError
        except (ValueError, KeyError, TypeError, OSError):
            raise TrustListError(
                f"{path} is damaged; restore it from a backup (deleting it could un-revoke "
                "certificates)",
                code="trust.state",
                where=str(path),
            ) from None
        return dcc, shc

    def trust_store(self) -> tuple[TrustStore, SignedTrustList]:
        """What a verifier believes: the current list plus every revocation ever accepted."""
        current = self.current()
        if current is None:
            raise TrustListError(
                f"no trust list has been synced into {self.directory}; run "
                "'shomeisho trust sync SOURCE --operator-key KEY.pem' first",
                code="trust.state",
                where=str(self.directory),
            )
        store = current.content.trust_store()
        dcc, shc = self.revocations()
        store.dcc_revocations.merge(dcc)
        merge_shc_crls(store.shc_crls, shc)
        return store, current

    # -- syncing --------------------------------------------------------------------------------
    def sync(
        self,
        data: bytes,
        *,
        operator_keys: list[ec.EllipticCurvePublicKey] | None = None,
        now: datetime,
    ) -> SyncOutcome:
        """Accept ``data`` if the operator signed it and it is newer than the list held.

        ``operator_keys`` are pinned on the first sync; later they may only add keys (a key
        rollover), and a list must verify under the pinned set."""
        pinned = self.operator_keys()
        if operator_keys:
            known = {operator_key_id(k) for k in pinned}
            pinned = pinned + [k for k in operator_keys if operator_key_id(k) not in known]
        if not pinned:
            raise InputError(
                "the first sync needs the operator's public key (--operator-key KEY.pem): a "
                "trust list is believed only under a key the verifier pinned beforehand",
                code="input.trust",
            )
        incoming = read_trust_list(data, pinned)
        current = self.current() if (self.directory / LIST_FILE).exists() else None
        version = incoming.content.version
        if current is not None:
            held = current.content.version
            if version < held:
                raise TrustListError(
                    f"refused: this trust list is version {version}, older than version {held} "
                    "already held (an older list could un-revoke certificates)",
                    code="trust.rollback",
                    where="version",
                )
            if version == held:
                if incoming.payload != current.payload:
                    raise TrustListError(
                        f"refused: this trust list claims version {version}, which is held "
                        "with different content",
                        code="trust.conflict",
                        where="version",
                    )
                return SyncOutcome(False, version, held, f"already up to date (version {held})")
        self.directory.mkdir(parents=True, exist_ok=True)
        _write_atomically(self.directory / KEYS_FILE, b"".join(public_pem(k) for k in pinned))
        dcc, shc = self.revocations()
        dcc.merge(incoming.content.dcc_revocations)
        merge_shc_crls(shc, incoming.content.shc_crls)
        revocations: dict[str, Any] = {"dcc": dcc.to_documents(), "shc": shc}
        _write_atomically(
            self.directory / REVOCATIONS_FILE,
            json.dumps(revocations, ensure_ascii=False, indent=1).encode("utf-8"),
        )
        _write_atomically(self.directory / LIST_FILE, incoming.data)
        previous = current.content.version if current else None
        age = incoming.content.age(now)
        return SyncOutcome(
            True,
            version,
            previous,
            f"accepted version {version}"
            + (f" (was {previous})" if previous is not None else "")
            + f", issued {incoming.content.issued_at.isoformat()} ({describe_age(age)} ago)",
        )


def describe_age(seconds: float) -> str:
    """An age a person reads at a glance: minutes, hours or days."""
    if seconds < 3600:
        return f"{max(0, int(seconds // 60))} min"
    if seconds < 86400 * 2:
        return f"{int(seconds // 3600)} h"
    return f"{int(seconds // 86400)} days"


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
