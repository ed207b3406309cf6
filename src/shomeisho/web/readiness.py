"""Running the readiness checks against the real database, key files and trust list.

Cheap enough for a load balancer to poll every few seconds: the database check is one trivial
query (in a thread with a short deadline, so an unanswering database host makes ``/readyz`` say
so within :data:`DATABASE_TIMEOUT` instead of hanging the poller), the Alembic head is read from
the code once, and the key probes and trust-list reads are reused for
``Settings.readiness_cache_seconds`` (the trust-list files are read again at once when they
change on disk).
"""

from __future__ import annotations

import functools
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, text

from shomeisho.db.engine import head_revision
from shomeisho.errors import ShomeishoError
from shomeisho.issuer_setup import OPERATOR_KEY_FILE, TRUST_LIST_FILE
from shomeisho.keys import FileKeyStore, IssuerSetup
from shomeisho.ops.readiness import (
    DATABASE,
    MIGRATIONS,
    TRUST_LIST,
    Check,
    Readiness,
    migrations_check,
    signing_keys_check,
)
from shomeisho.settings import Settings
from shomeisho.trust.store import load_trust_file
from shomeisho.trust.synced import LIST_FILE, SyncedTrustList, load_operator_keys
from shomeisho.trust.trust_list import read_trust_list

DATABASE_TIMEOUT = 2.0  # seconds


@dataclass
class _Cached:
    at: float
    key: object
    check: Check


class ReadinessProbe:
    """The four checks of ``/readyz`` for one app (``app.state.readiness``)."""

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        verifier: Any,
        *,
        timeout: float = DATABASE_TIMEOUT,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.verifier = verifier  # publication.ServiceVerifier, or None without any trust
        self.timeout = timeout
        self.keys_dir = settings.data_dir / "keys"
        self.state_dir = settings.data_dir / "trust"
        self.database_revision: str | None = None  # as the last check found it
        self._lock = threading.Lock()
        self._cache: dict[str, _Cached] = {}
        self._waiting: threading.Thread | None = None

    @functools.cached_property
    def code_revision(self) -> str | None:
        """The code's Alembic head, read from the migration scripts at the first check (not
        when the app is made: tests make hundreds of apps)."""
        return head_revision()

    def run(self) -> Readiness:
        database, migrations = self._database()
        return Readiness((database, migrations, self._keys(), self._trust_list()))

    # -- database and migrations ----------------------------------------------------------------
    def _database(self) -> tuple[Check, Check]:
        if self._waiting is not None and self._waiting.is_alive():
            self.database_revision = None
            # an earlier probe still waits for the database: do not pile up threads behind it
            return _no_database("an earlier check still waits for the database"), _unknown()
        found: dict[str, Any] = {}
        self.database_revision = None  # until this check finds it

        def probe() -> None:
            try:
                with self.engine.connect() as connection:
                    if connection.dialect.name == "postgresql":
                        connection.execute(text("SET LOCAL statement_timeout = 2000"))
                    connection.execute(text("SELECT 1"))
                    context = MigrationContext.configure(connection)
                    found["revision"] = context.get_current_revision()
            except Exception as exc:  # any failure to reach it is the answer, named by type
                found["error"] = type(exc).__name__

        thread = threading.Thread(target=probe, name="readyz-database", daemon=True)
        thread.start()
        thread.join(self.timeout)
        if thread.is_alive():
            self._waiting = thread
            return _no_database(f"no answer within {self.timeout:g} s"), _unknown()
        if "error" in found:
            return _no_database(f"cannot query it ({found['error']})"), _unknown()
        self.database_revision = found["revision"]
        return (
            Check(DATABASE, True, self.engine.dialect.name),
            migrations_check(self.database_revision, self.code_revision),
        )

    # -- signing keys ---------------------------------------------------------------------------
    def _keys(self) -> Check:
        return self._cached("keys", None, self._probe_keys)

    def _probe_keys(self) -> Check:
        if not (self.keys_dir / "issuer.json").exists():
            return signing_keys_check(None, (), datetime.now(UTC))
        try:
            setup = IssuerSetup.load(self.keys_dir)
            keys = FileKeyStore(self.keys_dir, self.settings.key_passphrase.get_secret_value())
        except ShomeishoError as exc:
            return Check("signing_keys", False, exc.message, exc.code)
        names = [setup.shc_signer, setup.vdsnc_signer]
        if self.settings.issue_dcc:
            names.append(setup.dcc_signer)
        current = self.verifier.current() if self.verifier is not None else None
        trust = current.trust if current is not None else None
        return signing_keys_check(keys, names, datetime.now(UTC), trust)

    # -- trust list -----------------------------------------------------------------------------
    def _trust_list(self) -> Check:
        if self.verifier is None:
            return Check(TRUST_LIST, False, "this service has no trust list", "ops.trust_list")
        try:
            self.verifier.current()  # (re)builds it, syncing a new published list into state_dir
        except Exception as exc:  # an unreadable folder, say: the check fails, /readyz answers
            return Check(
                TRUST_LIST, False, f"cannot load it ({type(exc).__name__})", "ops.trust_list"
            )
        return self._cached("trust", self._fingerprint(), self._read_trust_files)

    def _files(self) -> list[Path]:
        return [
            self.keys_dir / TRUST_LIST_FILE,
            self.keys_dir / OPERATOR_KEY_FILE,
            self.keys_dir / "trust-bundle.json",
            self.state_dir / LIST_FILE,
        ]

    def _fingerprint(self) -> object:
        out: list[tuple[int, int, int] | None] = []
        for path in self._files():
            try:
                stat = path.stat()
                out.append((stat.st_mtime_ns, stat.st_size, stat.st_ino))
            except OSError:
                out.append(None)
        return tuple(out)

    def _read_trust_files(self) -> Check:
        """The published list verifies under the operator key, the list the verifier holds
        verifies under the pinned keys (a file edited on disk fails both), and the verifier
        holds a list; or, for a service with only an unsigned bundle, the bundle reads."""
        published, operator_key, bundle, held = self._files()
        try:
            if published.exists() and operator_key.exists():
                keys = load_operator_keys(operator_key.read_bytes(), where=str(operator_key))
                version = read_trust_list(published.read_bytes(), keys).content.version
                if held.exists():
                    SyncedTrustList(self.state_dir).trust_store()
                detail = f"version {version}"
            else:
                load_trust_file(bundle)
                detail = "unsigned trust bundle"
        except ShomeishoError as exc:
            return Check(TRUST_LIST, False, f"{exc.message}", exc.code)
        except OSError as exc:
            return Check(TRUST_LIST, False, f"cannot read it ({exc.strerror})", "ops.trust_list")
        if self.verifier.current() is None:
            return Check(TRUST_LIST, False, "the verifier holds no trust list", "ops.trust_list")
        return Check(TRUST_LIST, True, detail)

    # -- the cache ------------------------------------------------------------------------------
    def _cached(self, name: str, key: object, compute: Any) -> Check:
        """The check as last computed, while younger than the cache time and ``key`` (what
        it depends on) is unchanged."""
        now = time.monotonic()
        with self._lock:
            held = self._cache.get(name)
            fresh = self.settings.readiness_cache_seconds
            if held is not None and held.key == key and now - held.at < fresh:
                return held.check
        check: Check = compute()
        with self._lock:
            self._cache[name] = _Cached(now, key, check)
        return check


def _no_database(detail: str) -> Check:
    return Check(DATABASE, False, detail, "ops.database")


def _unknown() -> Check:
    return Check(MIGRATIONS, False, "unknown: the database cannot be queried", "ops.database")
