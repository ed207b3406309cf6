"""axe-core (vendored, WCAG 2.0/2.1/2.2 A and AA rules) on every page of the resident's procedure,
the public verifier (with a QR image uploaded; its camera scanning, stopped and unavailable; the
country of arrival and failed rules) and the staff pages, in chromium: zero violations.
Prints how many rules ran on how many pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from shomeisho.errors import RuleFailedError
from shomeisho.model import Verification
from shomeisho.presented import Outcome
from tests.browser.conftest import PASSWORD, fake_camera

AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def check(page: Any, scanned: dict[str, int], state: str = "") -> None:
    page.evaluate(AXE)  # not a <script> tag, which the verifier's Content-Security-Policy blocks
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS
    )
    violations = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
    ]
    assert violations == [], f"{page.url} {state}: {violations}"
    scanned[f"{page.url} {state}"] = (
        len(result["passes"]) + len(result["incomplete"]) + len(result["inapplicable"])
    )


def test_the_procedure_and_staff_pages_have_no_violations(
    page: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    scanned: dict[str, int] = {}
    page.goto("/journey")
    check(page, scanned)
    page.get_by_role("button", name="開始する").click()
    page.wait_for_url("**/idp/authorize?**")
    check(page, scanned)
    page.get_by_label("カードを選んでください").select_option(label="髙橋 𠮷子（1961-04-09）")
    page.get_by_label("暗証番号（4桁）").fill("0000")
    page.get_by_role("button", name="サインイン").click()
    check(page, scanned)  # the wrong-PIN message
    page.get_by_label("暗証番号（4桁）").fill("1234")
    page.get_by_role("button", name="サインイン").click()
    page.wait_for_url("**/journey/use")
    check(page, scanned)
    page.get_by_role("button", name="次へ進む").click()
    check(page, scanned)  # the "choose one" error
    page.get_by_label("海外で使う（日本国内でも使えます）").check()
    page.get_by_role("button", name="次へ進む").click()
    page.wait_for_url("**/journey/travel")
    check(page, scanned)
    page.get_by_label("旅券番号").fill("TK1234567")
    page.get_by_role("button", name="次へ進む").click()
    page.wait_for_url("**/journey/check")
    check(page, scanned)
    page.locator('a[href="/journey/name"]').click()
    page.wait_for_url("**/journey/name")
    check(page, scanned)  # the choice of name (the record keeps an old surname)
    page.get_by_label("山﨑 𠮷子（旧姓）").check()
    page.get_by_role("button", name="次へ進む").click()
    page.wait_for_url("**/journey/check")
    page.get_by_label("上記の内容で接種証明書を発行することに同意します").check()
    page.get_by_role("button", name="証明書を発行する").click()
    page.wait_for_url("**/journey/certificate")
    check(page, scanned)
    png = page.request.get("/journey/certificate/shc.png").body()
    page.goto("/verify")
    check(page, scanned)  # the public verifier
    page.get_by_label("QRコードの画像").set_input_files(
        files=[{"name": "code.png", "mimeType": "image/png", "buffer": png}]
    )
    page.get_by_role("button", name="確認する").click()
    verdict = page.locator("h2[role=status]")  # the picture is read in the browser first
    verdict.wait_for()
    assert verdict.inner_text().endswith("有効な証明書です")
    assert "1961-04-09" in page.content()
    check(page, scanned)  # its verdict
    page.goto("/journey/no-such-page")
    check(page, scanned)  # an error page
    page.goto("/staff/sign-in")
    check(page, scanned)
    page.get_by_label("ログインID").fill("operator")
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="サインイン").click()
    page.wait_for_url("**/staff")
    page.get_by_label("氏名").fill("髙橋")
    page.get_by_label("市区町村コード").fill("011002")
    page.get_by_role("button", name="検索する").click()
    check(page, scanned)
    page.get_by_role("link", name="髙橋 𠮷子").click()
    check(page, scanned)
    page.goto("/staff/import")
    check(page, scanned)
    page.get_by_role("button", name="サインアウト").click()
    page.goto("/staff/sign-in")
    page.get_by_label("ログインID").fill("clerk-011002")
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="サインイン").click()
    page.wait_for_url("**/staff")
    page.get_by_label("氏名").fill("髙橋")  # a clerk searches their own municipality only
    page.get_by_role("button", name="検索する").click()
    page.get_by_role("link", name="髙橋 𠮷子").click()
    page.get_by_role("link", name="窓口で接種証明書を発行する").click()
    check(page, scanned)  # the counter form
    page.get_by_role("button", name="証明書を発行する").click()
    check(page, scanned)  # its errors
    page.get_by_label("日本国内で使う").check()
    page.get_by_label("確認した本人確認書類").select_option("my_number_card")
    page.get_by_label("本人が申請書に署名し、この内容での発行に同意した").check()
    page.get_by_role("button", name="証明書を発行する").click()
    page.wait_for_url("**/certificates/**")
    check(page, scanned)  # issued, with the print link
    with capsys.disabled():
        print(
            f"\naxe-core: {len(scanned)} page states scanned, {max(scanned.values())} rules "
            "checked per page (WCAG 2.0-2.2 A and AA): 0 violations"
        )


def test_the_verifier_camera_states_and_country_choice_have_no_violations(
    browser: Any,
    base_url: str,
    live_app: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The camera scanning and stopped, no camera at all, the country of arrival (chosen, and
    refused), and a verdict of failed rules; the verifier holds rules for two countries here."""

    def rules_not_met(items: list[Any], *, at: Any, country: str | None = None) -> list[Outcome]:
        texts = {"en": "Two doses are needed.", "ja": "2回の接種が必要です。"}
        failed = RuleFailedError("failed", rule_id="VR-DE-0001", descriptions=texts)
        return [Outcome("upload", Verification("dcc", errors=[failed], signature_verified=True))]

    monkeypatch.setattr(live_app.state.verifier, "rule_countries", lambda: ["DE", "JP"])
    monkeypatch.setattr(live_app.state.verifier, "verify", rules_not_met)
    scanned: dict[str, int] = {}
    with fake_camera(browser) as camera:
        context = camera.new_context(base_url=base_url, locale="ja-JP", permissions=["camera"])
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto("/verify")
        status = page.locator("#scan-status")
        check(page, scanned, "form with the country choice")
        page.get_by_role("button", name="カメラで読み取る").click()
        expect(status).to_have_text("QRコードをカメラに向けてください")
        check(page, scanned, "camera scanning")
        page.get_by_role("button", name="カメラを止める").click()
        expect(status).to_have_text("カメラを止めました")
        check(page, scanned, "camera stopped")
        page.get_by_label("入国先の国の基準").select_option("DE")
        page.get_by_label("またはQRコードの文字列").fill("HC1:NCFOXN%TS3DH3ZSUZK+.V0ETD%65NL-AH")
        page.get_by_role("button", name="確認する").click()
        page.locator("h2[role=status]").wait_for()
        assert "2回の接種が必要です。" in page.locator(".rules").inner_text()
        check(page, scanned, "rules not met")
        page.goto("/verify")
        page.locator("#country option[value=JP]").evaluate("o => { o.value = 'XX'; }")
        page.get_by_label("入国先の国の基準").select_option("XX")
        page.get_by_label("またはQRコードの文字列").fill("HC1:x")
        page.get_by_role("button", name="確認する").click()
        page.get_by_role("alert").wait_for()
        check(page, scanned, "country refused")
        context.close()
    context = browser.new_context(base_url=base_url, locale="en-GB")  # no camera in this one
    page = context.new_page()
    page.goto("/verify?lang=en")
    page.get_by_role("button", name="Scan with camera").click()
    expect(page.locator("#scan-status")).not_to_be_empty()
    check(page, scanned, "no camera")
    context.close()
    with capsys.disabled():
        print(
            f"\naxe-core: {len(scanned)} verifier states scanned, {max(scanned.values())} rules "
            "checked per page (WCAG 2.0-2.2 A and AA): 0 violations"
        )
