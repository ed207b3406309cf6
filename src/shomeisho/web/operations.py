"""The service's operational side on one object: readiness, status facts, metrics, request logs.

``install`` wires it into an app (``create_app``): ``app.state.readiness`` (the checks of
``/readyz``), ``app.state.operations`` (what ``/status`` and the gauges of ``/metrics`` show),
``app.state.metrics`` (a Prometheus registry of this app alone: tests make many apps), the
routes, and the request observer (request ids, the access log line, HTTP metrics).

Facts that cost a file read or a query (certificates, the last self-check) are kept for
:data:`FACTS_SECONDS`, so a Prometheus scrape every few seconds costs nothing noticeable.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from fastapi import FastAPI
from sqlalchemy import Engine

from shomeisho import __version__
from shomeisho.db.selfcheck import SqlSelfCheckLog
from shomeisho.errors import ShomeishoError
from shomeisho.keys import FileKeyStore, IssuerSetup
from shomeisho.ops.expiry import CertificateExpiry, TrustListFacts
from shomeisho.ops.runs import SelfCheckRun
from shomeisho.ops.status import ServiceStatus, Thresholds, service_status
from shomeisho.settings import Settings
from shomeisho.web import metrics, status_pages
from shomeisho.web.observability import RequestObserver
from shomeisho.web.readiness import ReadinessProbe

FACTS_SECONDS = 5.0
UPTIME_DAYS = 90
_GIT_TIMEOUT = 2.0


@dataclass(frozen=True, slots=True)
class Facts:
    """What the gauges of ``/metrics`` read: certificates, trust list, self-check."""

    certificates: tuple[CertificateExpiry, ...]
    trust_list: TrustListFacts | None
    last_run: SelfCheckRun | None
    last_success: datetime | None


class Operations:
    """What ``/status`` and the gauges of ``/metrics`` show, gathered from the readiness probe,
    the key store, the service's verifier and the self-check's stored runs."""

    def __init__(
        self, settings: Settings, engine: Engine, readiness: ReadinessProbe, verifier: Any
    ) -> None:
        self.settings = settings
        self.readiness = readiness
        self.verifier = verifier
        self.selfchecks = SqlSelfCheckLog(engine)
        self.thresholds = Thresholds(
            settings.warn_days,
            settings.trust_list_warn_days,
            settings.trust_list_max_age_days,
            # three missed runs, however often it runs (at least two hours)
            max(timedelta(seconds=3 * settings.selfcheck_interval), timedelta(hours=2)),
        )
        self._commit: str | None = None
        self._lock = threading.Lock()
        self._facts: tuple[float, Facts] | None = None

    @property
    def commit(self) -> str:
        if self._commit is None:
            self._commit = self.settings.commit or _git_commit() or "unknown"
        return self._commit

    def facts(self, *, fresh: bool = False) -> Facts:
        """The facts, read again when older than :data:`FACTS_SECONDS` or when ``fresh``."""
        now = time.monotonic()
        with self._lock:
            held = self._facts
            if not fresh and held is not None and now - held[0] < FACTS_SECONDS:
                return held[1]
        runs = self._recent_runs()
        facts = Facts(
            self._certificates(),
            self._trust_list(),
            runs[0] if runs else None,
            next((run.started_at for run in runs if run.ok), None),
        )
        with self._lock:
            self._facts = (now, facts)
        return facts

    def status(self) -> ServiceStatus:
        readiness = self.readiness.run()
        facts = self.facts(fresh=True)  # a person reloading the page sees what just changed
        try:
            uptime = tuple(self.selfchecks.daily(UPTIME_DAYS))
        except Exception:  # the database is down: readiness says so; the page still answers
            uptime = ()
        return service_status(
            checked_at=datetime.now(UTC),
            version=__version__,
            commit=self.commit,
            database_revision=self.readiness.database_revision,
            code_revision=self.readiness.code_revision,
            readiness=readiness,
            certificates=facts.certificates,
            trust_list=facts.trust_list,
            last_run=facts.last_run,
            uptime=uptime,
            thresholds=self.thresholds,
        )

    # -- facts ----------------------------------------------------------------------------------
    def _recent_runs(self) -> list[SelfCheckRun]:
        try:
            return self.selfchecks.recent(50)
        except Exception:  # the database is down: no self-check facts (readiness says why)
            return []

    def _certificates(self) -> tuple[CertificateExpiry, ...]:
        """Every key in the key store with its certificate's validity (reading a certificate
        needs no passphrase); empty for a service without keys."""
        keys_dir = self.settings.data_dir / "keys"
        passphrase = self.settings.key_passphrase.get_secret_value()
        if not (keys_dir / "keys").is_dir() or not passphrase:
            return ()
        store = FileKeyStore(keys_dir, passphrase)
        roles = _roles(keys_dir)
        found = []
        for name in store.names():
            try:
                certificate = store.certificate(name)
            except ShomeishoError:  # a damaged certificate file: readiness names it
                certificate = None
            role = roles.get(name, "other")
            if certificate is not None and role == "other" and _is_authority(certificate):
                role = "authority"
            found.append(CertificateExpiry.of(name, role, certificate))
        return tuple(found)

    def _trust_list(self) -> TrustListFacts | None:
        if self.verifier is None:
            return None
        try:
            listed = self.verifier.trust_list
            if listed is None:
                return TrustListFacts(None) if self.verifier.current() is not None else None
        except Exception:  # an unreadable trust folder: readiness names it, the page answers
            return None
        return TrustListFacts(listed.version, listed.issued_at, listed.next_update)


def install(app: FastAPI, settings: Settings, engine: Engine) -> None:
    """Readiness, status, metrics and request logging for the service app."""
    verifier = app.state.verifier
    app.state.readiness = ReadinessProbe(settings, engine, verifier)
    app.state.operations = Operations(settings, engine, app.state.readiness, verifier)
    app.state.metrics = metrics.ServiceMetrics(app.state.operations)
    app.include_router(status_pages.router)
    app.include_router(metrics.router)
    app.add_middleware(RequestObserver, metrics=app.state.metrics)


def _roles(keys_dir: Path) -> dict[str, str]:
    try:
        setup = IssuerSetup.load(keys_dir)
    except ShomeishoError:
        return {}
    roles = {setup.signer_for(name): name for name in ("shc", "vdsnc", "dcc")}
    roles["trust-list"] = "trust_list"
    return roles


def _is_authority(certificate: x509.Certificate) -> bool:
    try:
        return bool(certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def _git_commit() -> str | None:
    """``git rev-parse HEAD`` where the package lives, when it runs from a checkout."""
    git = shutil.which("git")
    if git is None:
        return None
    try:
        done = subprocess.run(  # noqa: S603 - a fixed command, no input of anyone's
            [git, "rev-parse", "HEAD"],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=_GIT_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = done.stdout.strip()
    return commit if done.returncode == 0 and len(commit) >= 7 else None
