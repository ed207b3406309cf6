"""A real service for the self-check to walk: uvicorn on a free port, the built-in provider, demo
keys, SQLite in the data directory (where ``shomeisho selfcheck --data-dir`` finds it too), and
a local webhook that keeps every alert. ``restart`` starts a new process's worth of app on the
same port, database and files, as a deployment or a crash would."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from shomeisho.db.bootstrap import prepare
from shomeisho.db.engine import make_engine
from shomeisho.issuer_setup import create_demo_trust_setup
from shomeisho.ops.runs import SelfCheckRun
from shomeisho.settings import Settings
from shomeisho.web.app import create_app
from tests.database_fixtures import POSTGRES_URL
from tests.live_server import free_port, serving
from tests.ops.tcp_proxy import TcpProxy
from tests.ops.webhook import Webhook, webhook_server


@dataclass
class Live:
    base: str
    port: int
    settings: Settings
    engine: Engine
    hook: Webhook
    caplog: pytest.LogCaptureFixture
    app: Any = None
    _stack: ExitStack = field(default_factory=ExitStack)

    @property
    def data_dir(self) -> Path:
        return self.settings.data_dir

    def start(self) -> None:
        self.app = create_app(self.settings, engine=self.engine)
        self.app.state.selfcheck.alerter.retry_pause = 0.05
        self._stack.enter_context(serving((self.app, self.port)))

    def stop(self) -> None:
        self._stack.close()
        self._stack = ExitStack()

    def restart(self) -> None:
        self.stop()
        self.start()

    def run(self) -> SelfCheckRun:
        run: SelfCheckRun = self.app.state.selfcheck.run_once()
        return run

    def failure_logged(self) -> dict[str, Any]:
        """The newest ``selfcheck_failed`` log line's fields."""
        lines = [
            r.msg for r in self.caplog.records
            if isinstance(r.msg, dict) and r.msg.get("event") == "selfcheck_failed"
        ]  # fmt: skip
        assert lines, "no selfcheck_failed line was logged"
        return lines[-1]

    def not_ready(self, check: str) -> dict[str, Any]:
        """``GET /readyz`` answers 503 naming ``check`` among the failed parts."""
        answer = httpx.get(f"{self.base}/readyz", timeout=10)
        assert answer.status_code == 503, answer.text
        document: dict[str, Any] = answer.json()
        assert check in document["failed"], document
        return document


@contextmanager
def live_service(
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    *,
    engine: Engine | None = None,
    **options: Any,
) -> Iterator[Live]:
    """The service on SQLite in ``tmp_path`` (or on ``engine``, prepared)."""
    caplog.set_level(logging.INFO, logger="shomeisho.selfcheck")
    if engine is None:
        engine = make_engine(f"sqlite:///{(tmp_path / 'records.sqlite3').resolve()}")
        prepare(engine)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with webhook_server() as hook:
        settings = Settings(
            demo=True,
            data_dir=tmp_path,
            public_url=base,
            alert_webhook_url=hook.url,
            readiness_cache_seconds=0.0,
            **options,
        )
        if settings.oidc_issuer is None:
            create_demo_trust_setup(
                tmp_path / "keys",
                settings.key_passphrase.get_secret_value(),
                shc_issuer=settings.shc_issuer_url,
            )
        live = Live(base, port, settings, engine, hook, caplog)
        live.start()
        try:
            yield live
        finally:
            live.stop()
            engine.dispose()


@contextmanager
def postgres_behind_proxy() -> Iterator[tuple[Engine, TcpProxy]]:
    """A prepared schema of its own on the test PostgreSQL server, reached through a relay the
    test can stop (:mod:`tests.ops.tcp_proxy`); skipped without a server, as the other
    PostgreSQL tests are (failed under CI)."""
    schema = f"shomeisho_selfcheck_{os.getpid()}"
    admin = make_engine(POSTGRES_URL)
    try:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            connection.execute(text(f"CREATE SCHEMA {schema}"))
    except Exception as exc:
        admin.dispose()
        message = f"PostgreSQL is not reachable at {POSTGRES_URL} ({type(exc).__name__})"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    url = make_url(POSTGRES_URL)
    proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432))
    proxy.start()
    proxied = url.set(host="127.0.0.1", port=proxy.port).update_query_dict(
        {"options": f"-csearch_path={schema}"}
    )
    engine = make_engine(proxied.render_as_string(hide_password=False))
    try:
        prepare(engine)
        yield engine, proxy
    finally:
        engine.dispose()
        proxy.stop()
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()
