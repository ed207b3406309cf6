"""/readyz breaks when a part breaks: the database gone, a migration not applied, a signing key
deleted, damaged or its certificate expired, the trust list corrupted on disk. Each answer is 503
and names exactly the part at fault; with everything whole it is 200 again."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from shomeisho.db.bootstrap import prepare
from shomeisho.db.engine import MIGRATIONS, alembic_config, make_engine
from shomeisho.issuer_setup import TRUST_LIST_FILE
from tests.database_fixtures import POSTGRES_URL
from tests.ops.service_fixtures import now, recertify, service


def failed(answer: object) -> list[str]:
    body = answer.json()  # type: ignore[attr-defined]
    assert answer.status_code == (200 if not body["failed"] else 503)  # type: ignore[attr-defined]
    return list(body["failed"])


def check(answer: object, name: str) -> dict[str, object]:
    checks = {c["name"]: c for c in answer.json()["checks"]}  # type: ignore[attr-defined]
    return dict(checks[name])


def test_ready_when_every_part_works(tmp_path: Path, engine: Engine) -> None:
    client, _ = service(tmp_path, engine)
    answer = client.get("/readyz")
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"
    body = answer.json()
    assert body["status"] == "ready" and body["failed"] == []
    assert [c["name"] for c in body["checks"]] == [
        "database",
        "migrations",
        "signing_keys",
        "trust_list",
    ]
    assert check(answer, "signing_keys")["detail"] == "3 signers sign and verify"
    assert check(answer, "trust_list")["detail"] == "version 1"
    assert client.get("/healthz").json() == {"status": "ok"}


# -- the database ------------------------------------------------------------------------------


@pytest.fixture()
def own_postgres_database() -> Iterator[tuple[str, Engine]]:
    """A PostgreSQL database of this test alone (so it can be dropped under the service)."""
    name = f"shomeisho_readyz_{os.getpid()}"
    admin = make_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            connection.execute(text(f"CREATE DATABASE {name}"))
    except Exception as exc:
        admin.dispose()
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is not reachable at {POSTGRES_URL}: {exc}")
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES_URL} ({type(exc).__name__})")
    url = POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    engine = make_engine(url)
    prepare(engine)
    try:
        yield name, engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def test_a_dropped_database_fails_readiness_and_status_says_so(
    tmp_path: Path, own_postgres_database: tuple[str, Engine]
) -> None:
    name, engine = own_postgres_database
    client, _ = service(tmp_path, engine)
    assert failed(client.get("/readyz")) == []
    admin = make_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:  # also ends the service's open connections
        connection.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
    admin.dispose()
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert "database" in failed(answer)
    assert set(failed(answer)) <= {"database", "migrations"}  # migrations cannot be read either
    assert check(answer, "database")["code"] == "ops.database"
    assert check(answer, "signing_keys")["ok"] and check(answer, "trust_list")["ok"]
    status = client.get("/status.json")
    assert status.status_code == 200  # the status page still answers, and says what is wrong
    assert status.json()["status"] == "not_ready"
    assert status.json()["migration"]["database"] is None
    page = client.get("/status?lang=en")
    assert page.status_code == 200 and "Part of the service is not working" in page.text


def test_a_database_that_does_not_answer_fails_within_the_deadline(tmp_path: Path) -> None:
    """A host that accepts the connection and then says nothing (a hung server, a black-holed
    network): /readyz answers 503 after the deadline instead of hanging the load balancer."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    port = silent.getsockname()[1]
    engine = make_engine(f"postgresql://nobody@127.0.0.1:{port}/none")
    healthy = make_engine(f"sqlite:///{tmp_path / 'records.sqlite3'}")
    prepare(healthy)
    try:
        client, app = service(tmp_path, healthy)
        app.state.readiness.engine = engine
        app.state.readiness.timeout = 0.5
        answer = client.get("/readyz")
        assert answer.status_code == 503
        assert check(answer, "database")["detail"] == "no answer within 0.5 s"
        again = client.get("/readyz")  # the first probe still hangs: no second thread behind it
        assert "still waits" in str(check(again, "database")["detail"])
        hung = [t for t in threading.enumerate() if t.name == "readyz-database"]
        assert len(hung) == 1
    finally:
        silent.close()
        engine.dispose()
        healthy.dispose()


# -- migrations ------------------------------------------------------------------------------


def test_a_migration_not_applied_fails_readiness(tmp_path: Path, engine: Engine) -> None:
    client, _ = service(tmp_path, engine)
    scripts = ScriptDirectory(str(MIGRATIONS))
    head = scripts.get_current_head()
    assert head is not None
    previous = scripts.get_revision(head).down_revision
    assert isinstance(previous, str)
    command.stamp(alembic_config(engine), previous, purge=True)
    try:
        answer = client.get("/readyz")
        assert failed(answer) == ["migrations"]
        assert check(answer, "migrations")["detail"] == (
            f"database at {previous}, code at {head}; run 'shomeisho db upgrade'"
        )
        assert client.get("/status.json").json()["migration"] == {
            "database": previous,
            "code": head,
        }
    finally:
        command.stamp(alembic_config(engine), "head", purge=True)
    assert failed(client.get("/readyz")) == []


# -- signing keys ----------------------------------------------------------------------------


def test_a_deleted_signing_key_fails_readiness(tmp_path: Path, engine: Engine) -> None:
    client, _ = service(tmp_path, engine)
    (tmp_path / "keys" / "keys" / "vdsnc-bsc.key.pem").unlink()
    answer = client.get("/readyz")
    assert failed(answer) == ["signing_keys"]
    assert check(answer, "signing_keys")["code"] == "keys.missing"
    assert str(check(answer, "signing_keys")["detail"]).startswith("vdsnc-bsc: keys.missing")


def test_a_damaged_key_file_fails_readiness(tmp_path: Path, engine: Engine) -> None:
    client, _ = service(tmp_path, engine)
    key = tmp_path / "keys" / "keys" / "shc-issuer.key.pem"
    key.write_bytes(key.read_bytes().replace(b"A", b"B", 5))
    answer = client.get("/readyz")
    assert failed(answer) == ["signing_keys"]
    assert check(answer, "signing_keys")["code"] == "keys.passphrase"


def test_an_expired_signer_certificate_fails_readiness(tmp_path: Path, engine: Engine) -> None:
    client, _ = service(tmp_path, engine)
    recertify(
        tmp_path,
        "dcc-dsc-vaccination",
        "dcc-csca",
        not_before=now() - timedelta(days=400),
        not_after=now() - timedelta(days=1),
    )
    answer = client.get("/readyz")
    assert failed(answer) == ["signing_keys"]
    assert check(answer, "signing_keys")["code"] == "keys.expired"
    warnings = client.get("/status.json").json()["warnings"]
    assert {"code": "ops.certificate.expired", "subject": "dcc-dsc-vaccination"}.items() <= (
        warnings[0].items()
    )


def test_a_certificate_for_another_key_fails_the_probe(tmp_path: Path, engine: Engine) -> None:
    client, _ = service(tmp_path, engine)
    recertify(
        tmp_path,
        "vdsnc-bsc",
        "vdsnc-csca",
        not_before=now() - timedelta(days=1),
        not_after=now() + timedelta(days=300),
        other_key=True,
    )
    answer = client.get("/readyz")
    assert failed(answer) == ["signing_keys"]
    assert check(answer, "signing_keys")["code"] == "keys.probe"


def test_key_probes_are_reused_for_the_cache_time(tmp_path: Path, engine: Engine) -> None:
    """A load balancer polling every second must not decrypt every key every second."""
    client, _ = service(tmp_path, engine, readiness_cache_seconds=60.0)
    assert failed(client.get("/readyz")) == []
    (tmp_path / "keys" / "keys" / "vdsnc-bsc.key.pem").unlink()
    assert failed(client.get("/readyz")) == []  # still the probe of a moment ago
    client.app.state.settings.readiness_cache_seconds = 0.0  # type: ignore[attr-defined]
    assert failed(client.get("/readyz")) == ["signing_keys"]


# -- the trust list --------------------------------------------------------------------------


def _corrupt(path: Path) -> None:
    data = bytearray(path.read_bytes())
    middle = data.index(b'"signature"') + 20
    data[middle] = ord("A") if data[middle] != ord("A") else ord("B")
    path.write_bytes(bytes(data))


def test_a_corrupted_published_trust_list_fails_readiness(tmp_path: Path, engine: Engine) -> None:
    client, _ = service(tmp_path, engine)
    assert failed(client.get("/readyz")) == []  # the verifier took version 1
    _corrupt(tmp_path / "keys" / TRUST_LIST_FILE)
    answer = client.get("/readyz")
    assert failed(answer) == ["trust_list"]
    assert check(answer, "trust_list")["code"] == "trust.signature"
    page = client.get("/status?lang=en")
    assert "Trust list" in page.text and "trust.signature" in page.text
    assert client.get("/status.json").json()["readiness"]["failed"] == ["trust_list"]


def test_a_corrupted_held_trust_list_fails_readiness(tmp_path: Path, engine: Engine) -> None:
    """The copy the service's own verifier accepted (``{data dir}/trust``) edited on disk."""
    client, _ = service(tmp_path, engine)
    assert failed(client.get("/readyz")) == []
    _corrupt(tmp_path / "trust" / "trust-list.json")
    answer = client.get("/readyz")
    assert failed(answer) == ["trust_list"]
    assert str(check(answer, "trust_list")["code"]).startswith("trust.")


def test_a_service_without_keys_or_trust_is_not_ready(tmp_path: Path, engine: Engine) -> None:
    (tmp_path / "keys").mkdir()
    client, _ = service(tmp_path, engine)
    answer = client.get("/readyz")
    assert failed(answer) == ["signing_keys", "trust_list"]
    assert check(answer, "signing_keys")["code"] == "keys.setup"
    assert check(answer, "trust_list")["code"] == "ops.trust_list"
