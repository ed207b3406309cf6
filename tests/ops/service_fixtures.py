"""A service with demo keys on a given database, and ways to break or age its parts, for the tests
of /readyz, /status, /metrics and the logs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from shomeisho.issuer_setup import TRUST_LIST_FILE, create_demo_trust_setup
from shomeisho.keys import FileKeyStore
from shomeisho.ops.runs import SelfCheckRun, StepResult
from shomeisho.settings import Settings
from shomeisho.trust.trust_list import read_trust_list, sign_trust_list
from shomeisho.web.app import create_app

STEPS = ("service", "sign_in", "issue", "download", "verify_shc", "verify_vdsnc", "verify_dcc")


def service(tmp_path: Path, engine: Engine, **settings: Any) -> tuple[TestClient, Any]:
    """A client of a fresh service on ``engine`` with demo keys in ``tmp_path/keys``; readiness
    reuses nothing (``readiness_cache_seconds=0``) unless a test says otherwise."""
    chosen = Settings(demo=True, data_dir=tmp_path, **({"readiness_cache_seconds": 0.0} | settings))
    keys = tmp_path / "keys"
    if not keys.exists():
        create_demo_trust_setup(
            keys, chosen.key_passphrase.get_secret_value(), shc_issuer=chosen.shc_issuer_url
        )
    app = create_app(chosen, engine=engine)
    return TestClient(app), app


def key_store(tmp_path: Path) -> FileKeyStore:
    return FileKeyStore(tmp_path / "keys", Settings(demo=True).key_passphrase.get_secret_value())


def recertify(
    tmp_path: Path,
    name: str,
    authority: str,
    *,
    not_before: datetime,
    not_after: datetime,
    other_key: bool = False,
) -> None:
    """Replace the certificate of key ``name`` by one with this validity (for another key when
    ``other_key``), issued by the same authority with the same extensions."""
    store = key_store(tmp_path)
    old = store.certificate(name)
    ca = store.certificate(authority)
    assert old is not None and ca is not None
    key = ec.generate_private_key(ec.SECP256R1()) if other_key else store.private_key(name)
    builder = (
        x509.CertificateBuilder()
        .subject_name(old.subject)
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
    )
    for extension in old.extensions:
        builder = builder.add_extension(extension.value, extension.critical)
    certificate = builder.sign(store.private_key(authority), hashes.SHA256())
    path = tmp_path / "keys" / "certs" / f"{name}.pem"
    path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))


def publish_trust_list(
    tmp_path: Path, *, version: int, issued_at: datetime, next_update: datetime | None
) -> None:
    """Sign and publish a new version of the demo trust list with these dates."""
    store = key_store(tmp_path)
    operator = store.signer("trust-list")
    path = tmp_path / "keys" / TRUST_LIST_FILE
    content = read_trust_list(path.read_bytes(), [operator.public_key()]).content
    content.version, content.issued_at, content.next_update = version, issued_at, next_update
    path.write_bytes(sign_trust_list(content, operator))


def run(started: datetime, *, failed_at: str | None = None) -> SelfCheckRun:
    """A self-check run of every step, failing at ``failed_at`` (later steps not run)."""
    steps = []
    for n, step in enumerate(STEPS):
        if failed_at is not None and STEPS.index(failed_at) < n:
            steps.append(StepResult(step, False, 0.0, "not_run"))
            continue
        ok = step != failed_at
        steps.append(StepResult(step, ok, 40.0 + 13 * n, "valid" if ok else "http_503"))
    return SelfCheckRun(started, started + timedelta(seconds=4), tuple(steps), "schedule")


def now() -> datetime:
    return datetime.now(UTC)
