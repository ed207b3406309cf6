"""The KPI dashboard in chromium with 90 days of demo history: axe-core (WCAG 2.0-2.2 A and AA)
finds nothing in Japanese or English, with every data table open, on a narrow screen, with a
refused period, and on the staff page; it works with JavaScript off.

With ``SHOMEISHO_SCREENSHOTS=1`` the page (the last 30 days of the demo history) is written to
``docs/screenshots/kpi.png``; otherwise to the test's temporary folder.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from rich.console import Console

from shomeisho.cli.kpi_demo import write_demo_history
from shomeisho.records.csvformat import parse_row
from shomeisho.records.demo_residents import DEMO_MUNICIPALITIES, demo_rows
from tests.browser.conftest import PASSWORD
from tests.browser.test_accessibility import check
from tests.db.records_factory import OPERATOR

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "kpi.png"


@pytest.fixture(scope="module")
def demo_kpi(base_url: str) -> str:
    from tests.browser.conftest import APPS

    app = APPS[base_url]
    for code in DEMO_MUNICIPALITIES:
        rows = (parse_row(n + 2, row, code, "demo") for n, row in enumerate(demo_rows(code, 40)))
        app.state.records.import_rows(OPERATOR, code, rows, source="demo")
    written = write_demo_history(
        app.state.settings, app.state.engine, list(DEMO_MUNICIPALITIES), days=90, seed=2021,
        console=Console(file=io.StringIO()),
    )  # fmt: skip
    assert written > 1000
    return base_url


def open_every_table(page: Any) -> None:
    for summary in page.locator("details.kpi-details > summary").all():
        summary.click()
    assert page.locator("details.kpi-details[open]").count() == 5


def test_the_dashboard_has_no_violations(
    page: Any, demo_kpi: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scanned: dict[str, int] = {}
    page.goto("/kpi")
    assert page.locator("h1").inner_text() == "接種証明書の利用状況"
    assert page.locator("svg.kpi-chart[role=img]").count() == 5
    assert page.locator('a[aria-current="page"]').inner_text() == "直近30日"
    check(page, scanned, "ja")
    target = SCREENSHOT if os.environ.get("SHOMEISHO_SCREENSHOTS") else tmp_path / "kpi.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1100, "height": 900})
    page.screenshot(path=str(target), full_page=True)
    with Image.open(target) as shot:  # a 256-colour palette: a quarter of the bytes, same look
        shot.convert("RGB").quantize(256, method=Image.Quantize.FASTOCTREE).save(
            target, optimize=True
        )
    assert target.stat().st_size > 50_000
    open_every_table(page)
    check(page, scanned, "ja, every table open")
    page.get_by_role("link", name="直近7日").click()
    page.wait_for_url("**/kpi?days=7")
    check(page, scanned, "ja, 7 days (more withheld)")
    page.goto("/kpi?days=90&lang=en")
    assert page.locator("h1").inner_text() == "How the vaccination certificate is used"
    open_every_table(page)
    check(page, scanned, "en, 90 days, every table open")
    page.set_viewport_size({"width": 360, "height": 800})
    check(page, scanned, "en, 360 px wide")
    page.set_viewport_size({"width": 1100, "height": 900})
    page.goto("/kpi?from=2026-02-30&lang=ja")
    assert page.locator(".error-summary a[href='#from']").count() == 1
    check(page, scanned, "ja, a refused period")
    page.goto("/staff/sign-in")
    page.get_by_label("ログインID").fill("operator")
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="サインイン").click()
    page.wait_for_url("**/staff")
    page.goto("/staff/kpi?municipality=011002")
    assert "10未満" not in page.locator("main table").first.inner_text()
    check(page, scanned, "staff, one municipality")
    with capsys.disabled():
        print(
            f"\naxe-core on /kpi: {len(scanned)} page states, {max(scanned.values())} rules "
            f"each (WCAG 2.0-2.2 A and AA): 0 violations; screenshot {target}"
        )


def test_the_dashboard_works_without_javascript(browser: Any, demo_kpi: str) -> None:
    context = browser.new_context(base_url=demo_kpi, locale="ja-JP", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto("/kpi")
        page.get_by_label("開始日").fill("2026-11-01")
        page.get_by_label("終了日").fill("2026-11-07")
        page.get_by_role("button", name="表示する").click()
        page.wait_for_url("**/kpi?from=2026-11-01&to=2026-11-07")
        assert "2026-11-01 〜 2026-11-07" in page.locator(".kpi-shown").inner_text()
        page.locator("details.kpi-details > summary").first.click()
        assert page.locator("details.kpi-details[open] table tbody tr").count() == 7
    finally:
        context.close()
