"""A real service on a free port and Debian's chromium driven by Playwright.

The service runs in a thread (uvicorn) on a prepared SQLite database with demo staff; the browser
is the system chromium (``/usr/bin/chromium``, installed by ``.ci/run``). Without chromium the
browser tests are skipped with a message, except under CI, where they fail.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from shomeisho.db.bootstrap import prepare
from shomeisho.db.engine import make_engine
from shomeisho.identity.enrolment import card_key_and_certificate
from shomeisho.issuer_setup import create_demo_trust_setup
from shomeisho.records import passwords
from shomeisho.records.entities import Role
from shomeisho.settings import Settings
from shomeisho.web.app import create_app
from tests.db.records_factory import (
    CARD_HOLDER,
    OPERATOR,
    SAPPORO,
    create_accounts,
    event,
    resident,
)
from tests.live_server import free_port, serving

PASSWORD = "browser-test-password"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
APPS: dict[str, Any] = {}  # base URL -> the app serving it, for tests that adjust app.state


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("browser-service")
    engine = make_engine(f"sqlite:///{folder / 'records.sqlite3'}")
    prepare(engine)
    saved = passwords._N
    passwords._N = 2**8
    try:
        create_accounts(
            engine,
            {
                "clerk-131016": (Role.CLERK, "131016"),
                "clerk-011002": (Role.CLERK, "011002"),
                "operator": (Role.NATIONAL_OPERATOR, None),
            },
            PASSWORD,
        )
    finally:
        passwords._N = saved
    port = free_port()
    settings = Settings(demo=True, data_dir=Path(folder), public_url=f"http://127.0.0.1:{port}")
    create_demo_trust_setup(
        Path(folder) / "keys",
        settings.key_passphrase.get_secret_value(),
        country="JP",
        country_alpha3="JPN",
        shc_issuer=settings.shc_issuer_url,
    )
    app = create_app(settings, engine=engine)
    _card_for_a_resident(app)
    APPS[f"http://127.0.0.1:{port}"] = app
    with serving((app, port)):
        yield f"http://127.0.0.1:{port}"


def _card_for_a_resident(app: Any) -> None:
    """One resident with two doses and an emulated card (PIN 1234) linked to them."""
    person = app.state.records.add_resident(OPERATOR, resident("CARD-1", municipality=SAPPORO))
    for dose in (1, 2):
        app.state.records.record_vaccination(OPERATOR, person.resident_id, event(f"C-{dose}", dose))
    key, certificate = card_key_and_certificate(app.state.card_authority)
    card = app.state.card_store.create(CARD_HOLDER, "1234", key, certificate)
    app.state.records.link_identity(OPERATOR, person.resident_id, card.subject)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        message = "chromium is not installed (apt-get install chromium); browser tests skipped"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def live_app(base_url: str) -> Any:
    """The app behind ``base_url``; it runs in a thread here, so a monkeypatch on it is live."""
    return APPS[base_url]


@contextmanager
def fake_camera(browser: Any, video: Path | None = None) -> Iterator[Any]:
    """Another chromium whose camera is Chromium's fake device, allowed without asking: its test
    pattern, or ``video`` (a Y4M file) played in a loop."""
    args = ["--no-sandbox", "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
    if video is not None:
        args.append(f"--use-file-for-fake-video-capture={video}")
    camera = browser.browser_type.launch(executable_path=CHROMIUM, args=args)
    try:
        yield camera
    finally:
        camera.close()


@pytest.fixture
def page(browser: Any, base_url: str) -> Iterator[Any]:
    context = browser.new_context(base_url=base_url, locale="ja-JP")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
