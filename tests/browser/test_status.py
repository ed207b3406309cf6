"""The status page in chromium: axe-core (WCAG 2.0-2.2 A and AA) finds nothing in Japanese or
English, with the day table open, and on a narrow screen; the 90-day bar shows one cell per day.

With ``SHOMEISHO_SCREENSHOTS=1`` the page with its demo data (90 days of self-check runs, two
days with a failed run, three without any, and a signer certificate that expires in 21 days) is
written to ``docs/screenshots/status.png``; otherwise to the test's temporary folder.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from shomeisho.db.selfcheck import SqlSelfCheckLog
from shomeisho.model import JST
from tests.browser.test_accessibility import check
from tests.ops.service_fixtures import recertify, run

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "status.png"
NO_RUN_DAYS = (63, 62, 61)  # the scheduler was stopped for a deployment
FAILED = {37: "verify_dcc", 12: "sign_in"}


def demo_history(app: Any) -> None:
    """Four scheduled runs a day for 90 days (Japan's days), as the service would have kept."""
    log = SqlSelfCheckLog(app.state.engine)
    today = datetime.now(JST).replace(hour=0, minute=0, second=0, microsecond=0)
    now = datetime.now(UTC)
    for days_ago in range(89, -1, -1):
        if days_ago in NO_RUN_DAYS:
            continue
        for hour in (3, 9, 15, 21):
            started = (today - timedelta(days=days_ago, hours=-hour, minutes=-7)).astimezone(UTC)
            if started > now:
                continue
            failed = FAILED.get(days_ago) if hour == 9 else None
            log.record(run(started, failed_at=failed))
    log.record(run(now - timedelta(minutes=12)))


@pytest.fixture(scope="module")
def demo_status(base_url: str) -> str:
    from tests.browser.conftest import APPS

    app = APPS[base_url]
    demo_history(app)
    folder = app.state.settings.data_dir
    now = datetime.now(UTC)
    recertify(
        folder,
        "vdsnc-bsc",
        "vdsnc-csca",
        not_before=now - timedelta(days=344),
        not_after=now + timedelta(days=21, hours=3),
    )
    return base_url


def test_the_status_page_has_no_violations(
    page: Any, demo_status: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scanned: dict[str, int] = {}
    page.goto("/status")
    assert page.locator("h1").inner_text() == "稼働状況"
    assert "稼働中です（対応が必要な警告があります）" in page.locator("h2#state").inner_text()
    assert page.locator(".uptime-bar .day").count() == 90
    assert page.locator(".uptime-bar .day-failed").count() == 2
    assert page.locator(".uptime-bar .day-none").count() == 3
    check(page, scanned, "ja")
    page.get_by_text("日ごとの結果を表で見る").click()
    assert page.locator("details table tbody tr").count() == 90
    check(page, scanned, "ja, the day table open")
    page.goto("/status?lang=en")
    assert "vdsnc-bsc" in page.locator(".warnings").inner_text()
    check(page, scanned, "en")
    page.set_viewport_size({"width": 360, "height": 800})
    check(page, scanned, "en, 360 px wide")
    page.set_viewport_size({"width": 1100, "height": 900})
    target = SCREENSHOT if os.environ.get("SHOMEISHO_SCREENSHOTS") else tmp_path / "status.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 10_000
    with capsys.disabled():
        print(
            f"\naxe-core on /status: {len(scanned)} page states, {max(scanned.values())} rules "
            f"each (WCAG 2.0-2.2 A and AA): 0 violations; screenshot {target}"
        )
