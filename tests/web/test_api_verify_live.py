"""The verification API served for real by uvicorn: nothing of a certificate reaches any log at
DEBUG level (ours, uvicorn's, the access log, a failure's), and the Python client example in
docs/examples runs against it."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from shomeisho import qr
from shomeisho.api_access.service import ApiKeyService
from shomeisho.db.api_keys import SqlApiKeyStore
from shomeisho.presented import Outcome, Presented
from shomeisho.settings import Settings
from shomeisho.web.app import create_app
from tests.db.records_factory import OPERATOR
from tests.live_server import free_port, serving
from tests.web.issued_for_verifying import issue_every_format, tampered

ROOT = Path(__file__).resolve().parents[2]
CLIENT = ROOT / "docs" / "examples" / "verify_client.py"
MARKER = "QX7-PAYLOAD-MARKER-93F1"  # distinctive text inside the malformed inputs
CLIENT_LOGGERS = ("httpx", "httpcore")  # the test's own HTTP client, not the server


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> tuple[FastAPI, str, dict[str, str]]:
    folder = tmp_path_factory.mktemp("api-live")
    texts = issue_every_format(folder)
    app = create_app(Settings(demo=True, data_dir=folder))
    made = ApiKeyService(SqlApiKeyStore(app.state.engine), app.state.secret).create(
        OPERATOR, "Example Travel", 6000, burst=1000
    )
    return app, made.token, texts


@contextmanager
def debug_server(app: FastAPI, port: int, handler: logging.Handler) -> Iterator[None]:
    """uvicorn at DEBUG with its access log, its loggers also feeding ``handler``."""
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="debug", access_log=True)
    loggers = [logging.getLogger(name) for name in ("uvicorn", "uvicorn.access", "uvicorn.error")]
    for logger in loggers:
        logger.addHandler(handler)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        for logger in loggers:
            logger.removeHandler(handler)


def test_no_certificate_content_is_logged_at_debug_level(
    service: tuple[FastAPI, str, dict[str, str]],
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app, token, texts = service
    port = free_port()
    url = f"http://127.0.0.1:{port}/api/v1/verify"
    broken = tampered(texts["dcc"])
    malformed = f"HC1:{MARKER}ABCDEFGH$%*+-./:"
    secrets_in_play = [texts["dcc"], texts["shc"], texts["vdsnc"], broken, malformed, MARKER]
    caplog.set_level(logging.DEBUG)
    with (
        debug_server(app, port, caplog.handler),
        httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=60) as client,
    ):
        statuses = [
            client.post(url, json={"text": texts["dcc"]}).status_code,  # valid
            client.post(url, json={"text": broken}).status_code,  # invalid
            client.post(url, json={"text": malformed}).status_code,  # unreadable
            client.post(url, json={"text": texts["shc"], "country": MARKER}).status_code,
            client.post(url, json={"text": texts["shc"], MARKER: 1}).status_code,
            client.post(
                url, content=f'{{"text": "{MARKER}', headers={"Content-Type": "application/json"}
            ).status_code,
            client.post(
                url, content=malformed.encode(), headers={"Content-Type": "text/plain"}
            ).status_code,
            client.post(
                url, files={"image": ("seal.png", qr.render_png(texts["vdsnc"], "vdsnc"))}
            ).status_code,
            client.post(
                url, files={"image": ("x.png", b"\x89PNG\r\n\x1a\n" + MARKER.encode())}
            ).status_code,
            client.post(url, json={"text": "HC1:" + MARKER * 400}).status_code,  # too long
            client.post(
                f"{url}?text={quote(texts['dcc'])}", json={"text": texts["dcc"]}
            ).status_code,
            client.post(f"{url}/{quote(texts['dcc'])}", json={}).status_code,  # path: no route
            client.post(
                url, json={"text": malformed}, headers={"Authorization": f"Bearer {MARKER}"}
            ).status_code,
        ]

        def failing(items: list[Presented], **_: object) -> list[Outcome]:
            raise ValueError(f"cannot handle {items[0].text}")  # a bug that quotes its input

        monkeypatch.setattr(app.state.verifier, "verify", failing)
        statuses.append(client.post(url, json={"text": texts["dcc"]}).status_code)
    assert statuses == [200, 200, 200, 422, 422, 422, 415, 200, 200, 413, 200, 404, 401, 500]
    server_records = [r for r in caplog.records if not r.name.startswith(CLIENT_LOGGERS)]
    logged = "\n".join(
        f"{r.name} {r.getMessage()} {caplog.handler.format(r)}" for r in server_records
    )
    printed = "\n".join(capfd.readouterr())
    assert 'POST /api/v1/verify HTTP/1.1" 200' in logged  # the access log was captured ...
    assert "ValueError" in logged  # ... and so was the failure, by type and place only
    for secret in secrets_in_play:
        for piece in {secret[4:40], secret[len(secret) // 2 :][:36], secret[-36:]}:
            assert piece not in logged, f"{piece!r} was logged"
            assert piece not in printed, f"{piece!r} was printed"
        assert quote(secret)[10:50] not in logged and quote(secret)[10:50] not in printed


def test_the_client_example_verifies_files_text_and_images(
    service: tuple[FastAPI, str, dict[str, str]], tmp_path: Path
) -> None:
    app, token, texts = service
    port = free_port()
    (tmp_path / "dcc.txt").write_text(texts["dcc"] + "\n", encoding="utf-8")
    (tmp_path / "shc.png").write_bytes(qr.render_png(texts["shc"], "shc"))
    env = os.environ | {"SHOMEISHO_API_URL": f"http://127.0.0.1:{port}", "SHOMEISHO_API_KEY": token}

    def run(*arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, str(CLIENT), *arguments], env=env,
                              capture_output=True, text=True, timeout=120, check=False)  # fmt: skip

    with serving((app, port)):
        valid = run(str(tmp_path / "dcc.txt"), str(tmp_path / "shc.png"), texts["vdsnc"])
        mixed = run(tampered(texts["dcc"]))
        unauthorised = subprocess.run(
            [sys.executable, str(CLIENT), texts["dcc"]],
            env=env | {"SHOMEISHO_API_KEY": "shomeisho_000000000000_" + "A" * 43},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert valid.returncode == 0, valid.stdout + valid.stderr
    lines = valid.stdout.splitlines()
    assert [line.split("): ")[1].split(",")[0] for line in lines] == [
        "dcc valid",
        "shc valid",
        "vdsnc valid",
    ]
    assert all("born 1961-04-09" in line for line in lines)
    assert mixed.returncode == 1 and "dcc invalid" in mixed.stdout and "born" not in mixed.stdout
    assert unauthorised.returncode == 1 and "access.api_key" in unauthorised.stdout
