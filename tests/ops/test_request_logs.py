"""The JSON logs of a live service, configured as ``shomeisho serve`` configures them: every line
is JSON, every request's lines carry its request id, and no line holds a certificate, a name, a
date of birth or a passport number, whatever the requests carried in paths, query strings,
bodies or the messages of exceptions."""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from shomeisho import qr
from shomeisho.api_access.service import ApiKeyService
from shomeisho.db.api_keys import SqlApiKeyStore
from shomeisho.db.bootstrap import prepare
from shomeisho.db.engine import make_engine
from shomeisho.identity.enrolment import card_key_and_certificate
from shomeisho.issuer_setup import create_demo_trust_setup
from shomeisho.records.entities import Role
from shomeisho.settings import Settings
from shomeisho.web.app import create_app
from shomeisho.web.logs import configure_logging, unconfigure_logging
from tests.db.records_factory import CARD_HOLDER, OPERATOR, create_accounts, event, resident
from tests.live_server import free_port
from tests.web.test_journey import overseas_certificate
from tests.web.test_oidc_flow import Live

PASSWORD = "request-logs-password"
NEVER = (
    "髙橋 𠮷子 タカハシ ヨシコ TAKAHASHI YOSHIKO 山﨑 YAMAZAKI "  # the holder's names
    "1961-04-09 19610409 TK1234567 霞が関 HC1: shc:/"  # birth date, passport, address, codes
)


@pytest.fixture
def logged(tmp_path: Path) -> Iterator[tuple[Live, io.StringIO]]:
    """A live service with a resident who has a card, a clerk and JSON logs into a buffer;
    uvicorn started exactly as ``serve`` starts it (its own logging off, no access log)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'records.sqlite3'}")
    prepare(engine)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = Settings(demo=True, data_dir=tmp_path, public_url=base)
    create_demo_trust_setup(
        tmp_path / "keys",
        settings.key_passphrase.get_secret_value(),
        shc_issuer=settings.shc_issuer_url,
    )
    create_accounts(engine, {"clerk-131016": (Role.CLERK, "131016")}, PASSWORD)
    app = create_app(settings, engine=engine)
    person = app.state.records.add_resident(OPERATOR, resident())
    for dose in (1, 2):
        app.state.records.record_vaccination(OPERATOR, person.resident_id, event(f"V-{dose}", dose))
    key, certificate = card_key_and_certificate(app.state.card_authority)
    card = app.state.card_store.create(CARD_HOLDER, "1234", key, certificate)
    app.state.records.link_identity(OPERATOR, person.resident_id, card.subject)
    buffer = io.StringIO()
    configure_logging("INFO", stream=buffer)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    try:
        yield Live(base, app, card.subject), buffer
    finally:
        server.should_exit = True
        thread.join(10)
        unconfigure_logging()
        engine.dispose()


class Seen:
    """The request ids the client got back, per request."""

    def __init__(self) -> None:
        self.ids: list[str] = []

    def __call__(self, response: httpx.Response) -> None:
        if response.status_code != 500:  # an unhandled failure is answered outside the observer
            self.ids.append(response.headers["x-request-id"])


def test_no_personal_data_or_certificate_in_any_line(
    logged: tuple[Live, io.StringIO], monkeypatch: pytest.MonkeyPatch
) -> None:
    live, buffer = logged
    seen = Seen()
    token = ApiKeyService(SqlApiKeyStore(live.app.state.engine), live.app.state.secret).create(
        OPERATOR, "Example Travel", 600
    )
    with httpx.Client(follow_redirects=False, event_hooks={"response": [seen]}) as browser:
        # the resident's journey, overseas (a passport number travels through the pages)
        overseas_certificate(browser, live)
        assert "1961-04-09" in browser.get(f"{live.base}/journey/certificate").text
        texts = {
            fmt: qr.read_codes(browser.get(f"{live.base}/journey/certificate/{fmt}.png").content)[
                0
            ].text
            for fmt in ("shc", "dcc", "vdsnc")
        }
        # the public verifier page, and a certificate put in a query string
        for text in texts.values():
            page = browser.post(f"{live.base}/verify", data={"text": text})
            assert "1961-04-09" in page.text
        browser.get(f"{live.base}/verify", params={"text": texts["dcc"]})
        # the verification API, with a certificate in the body and in the URL
        bearer = {"Authorization": f"Bearer {token.token}"}
        for text in texts.values():
            answer = browser.post(f"{live.base}/api/v1/verify", json={"text": text}, headers=bearer)
            assert answer.json()["results"][0]["date_of_birth"] == "1961-04-09"
        browser.post(f"{live.base}/api/v1/verify/{texts['shc']}", json={}, headers=bearer)
        browser.post(f"{live.base}/api/v1/verify?text={texts['dcc']}", json={}, headers=bearer)
        # staff search: residents' names and birth dates in query strings
        browser.post(
            f"{live.base}/staff/sign-in", data={"login": "clerk-131016", "password": PASSWORD}
        )
        for query in ({"name": "髙橋"}, {"name": "TAKAHASHI", "birth_date": "1961-04-09"}):
            found = browser.get(f"{live.base}/staff", params=query)
            assert found.status_code == 200 and "𠮷子" in found.text

        # a failure whose exception message quotes the certificate and the holder
        def broken(*_args: Any, **_kwargs: Any) -> Any:
            raise RuntimeError(f"cannot verify {texts['dcc']} of TAKAHASHI born 1961-04-09")

        monkeypatch.setattr(live.app.state.verifier, "verify", broken)
        failed = browser.post(
            f"{live.base}/api/v1/verify", json={"text": texts["shc"]}, headers=bearer
        )
        assert failed.status_code == 500

        # an unexpected failure in a page, logged by the error handler outside the middleware
        def broken_search(*_args: Any, **_kwargs: Any) -> Any:
            raise RuntimeError("search for 髙橋 𠮷子 1961-04-09 failed")

        monkeypatch.setattr(live.app.state.records, "search_residents", broken_search)
        with httpx.Client(cookies=browser.cookies) as another:  # uvicorn closes the connection
            assert another.get(f"{live.base}/staff", params={"name": "髙橋"}).status_code == 500
        # a request id a proxy chose is kept; one that is not sane is replaced
        kept = browser.get(f"{live.base}/healthz", headers={"X-Request-ID": "proxy-7f3a9c2e"})
        assert kept.headers["x-request-id"] == "proxy-7f3a9c2e"
        odd = browser.get(f"{live.base}/journey", headers={"X-Request-ID": "name 1961-04-09"})
        assert len(odd.headers["x-request-id"]) == 32
    time.sleep(0.2)  # the last access lines are written after the answers are sent
    output = buffer.getvalue()
    lines = [json.loads(line) for line in output.splitlines()]  # every line is JSON
    for never in NEVER.split():
        assert never not in output, never
    for text in texts.values():
        assert text[5:45] not in output
    access = [line for line in lines if line.get("logger") == "shomeisho.access"]
    # each request the browser made has its line (and the service's own calls to the identity
    # provider theirs), all but /healthz, which is logged at DEBUG
    logged_ids = [line["request_id"] for line in access]
    assert set(seen.ids) - {"proxy-7f3a9c2e"} <= set(logged_ids)
    assert "proxy-7f3a9c2e" not in logged_ids and len(set(logged_ids)) == len(logged_ids)
    for line in access:
        assert set(line) == {
            "event",
            "method",
            "route",
            "status",
            "duration_ms",
            "request_id",
            "level",
            "logger",
            "timestamp",
        }
        assert "?" not in line["route"]
    routes = {line["route"] for line in access}
    assert {
        "/journey/use",
        "/journey/certificate/{name}.png",
        "/verify",
        "/api/v1/verify",
        "/staff",
        "(unmatched)",
        "/idp/authorize",
        "/auth/callback",
    } <= routes
    (failure,) = [line for line in lines if line.get("event", "").startswith("verification failed")]
    assert failure["level"] == "error" and failure["request_id"] in logged_ids
    assert failure["event"].startswith("verification failed: RuntimeError at ")
    (unhandled,) = [line for line in lines if line["event"] == "unhandled error on GET /staff"]
    assert unhandled["request_id"] in logged_ids
    assert unhandled["exception"]["type"] == "RuntimeError"
    assert "broken_search" in unhandled["exception"]["where"]
