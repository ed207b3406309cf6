"""Whether the service can do its work right now: the checks behind ``/readyz``, as data.

Why a check per part and not one yes/no: a load balancer only needs the status code, but the
person paged at night needs to know *which* part broke (the database, a migration not applied, a
signing key, the trust list) without reading logs. Each check has a stable name, ``ok``, and a
short detail with an error code; nothing personal and no key material is ever in it.

The signing-key probe is the real thing, not a file-exists test: each configured signer signs a
probe message and the signature is verified under its certificate's key, so a key that cannot
be decrypted, a certificate replaced by one for another key, and a signer certificate outside its
validity all fail, exactly as issuing would (or, worse, would not, and verifiers would refuse).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric import ec

from shomeisho.errors import KeyStoreError, ShomeishoError
from shomeisho.keys import KeyStore
from shomeisho.signing import verify_es256
from shomeisho.trust.store import TrustStore

DATABASE = "database"
MIGRATIONS = "migrations"
SIGNING_KEYS = "signing_keys"
TRUST_LIST = "trust_list"
CHECKS = (DATABASE, MIGRATIONS, SIGNING_KEYS, TRUST_LIST)
PROBE = b"shomeisho readiness probe "


@dataclass(frozen=True, slots=True)
class Check:
    """One part of readiness; ``code`` names the failure (empty when ``ok``)."""

    name: str
    ok: bool
    detail: str = ""
    code: str = ""

    def to_document(self) -> dict[str, object]:
        doc: dict[str, object] = {"name": self.name, "ok": self.ok}
        if self.detail:
            doc["detail"] = self.detail
        if self.code:
            doc["code"] = self.code
        return doc


@dataclass(frozen=True, slots=True)
class Readiness:
    """Every check; ready only when all pass."""

    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def failed(self) -> tuple[str, ...]:
        return tuple(check.name for check in self.checks if not check.ok)

    def check(self, name: str) -> Check | None:
        return next((check for check in self.checks if check.name == name), None)

    def to_document(self) -> dict[str, object]:
        return {
            "status": "ready" if self.ok else "not_ready",
            "failed": list(self.failed),
            "checks": [check.to_document() for check in self.checks],
        }


def migrations_check(database: str | None, code: str | None) -> Check:
    """The database's Alembic revision must be the code's head: behind means a migration was
    not applied (queries would fail on missing columns), ahead means this is older code."""
    if database is not None and database == code:
        return Check(MIGRATIONS, True, f"at {database}")
    return Check(
        MIGRATIONS,
        False,
        f"database at {database or 'none'}, code at {code or 'none'}; run 'shomeisho db upgrade'",
        "ops.migrations",
    )


def signing_keys_check(
    keys: KeyStore | None,
    names: Iterable[str],
    now: datetime,
    trust: TrustStore | None = None,
) -> Check:
    """Each named signer signs a probe that verifies under its certificate (or, for a key
    without one, its public key), its certificate is valid ``now``, and, given the trust list
    the verifiers use, chains to a trusted authority that has not revoked it (a revoked signer
    still signs, but every certificate it signs is refused)."""
    if keys is None:
        return Check(SIGNING_KEYS, False, "no issuing keys are configured", "keys.setup")
    failures: list[tuple[str, KeyStoreError]] = []
    names = list(names)
    for name in names:
        try:
            probe_signer(keys, name, now, trust)
        except KeyStoreError as exc:
            failures.append((name, exc))
    if not failures:
        return Check(SIGNING_KEYS, True, f"{len(names)} signers sign and verify")
    detail = "; ".join(f"{name}: {exc.code} ({exc.message})" for name, exc in failures)
    return Check(SIGNING_KEYS, False, detail, failures[0][1].code)


def probe_signer(keys: KeyStore, name: str, now: datetime, trust: TrustStore | None = None) -> None:
    """Raise :class:`KeyStoreError` unless ``name`` can sign now (see the module docstring)."""
    signer = keys.signer(name)  # keys.missing / keys.passphrase / keys.certificate
    certificate = signer.certificate
    if certificate is not None:
        if now < certificate.not_valid_before_utc:
            raise KeyStoreError(
                f"its certificate is valid only from {certificate.not_valid_before_utc:%Y-%m-%d}",
                code="keys.not_yet_valid",
            )
        if now > certificate.not_valid_after_utc:
            raise KeyStoreError(
                f"its certificate expired on {certificate.not_valid_after_utc:%Y-%m-%d}",
                code="keys.expired",
            )
    if certificate is not None and trust is not None:
        try:
            trust.check_chain(certificate, at=now, what=name)
        except ShomeishoError as exc:
            revoked = exc.code == "untrusted.revoked_signer"
            raise KeyStoreError(
                f"verifiers would refuse what it signs: {exc.message}",
                code="keys.revoked" if revoked else "keys.untrusted",
            ) from None
    public = certificate.public_key() if certificate is not None else signer.public_key()
    if not isinstance(public, ec.EllipticCurvePublicKey):
        raise KeyStoreError("its certificate does not hold an EC key", code="keys.kind")
    message = PROBE + secrets.token_bytes(16)
    try:
        verify_es256(public, signer.sign(message), message, where=name)
    except ShomeishoError:
        raise KeyStoreError(
            "a probe signature does not verify under its certificate (the certificate is for "
            "another key)",
            code="keys.probe",
        ) from None
