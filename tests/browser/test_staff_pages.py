"""Staff pages in a real browser: the whole clerk flow, keyboard only, and the language switch.

Import a CSV, find a resident by a hiragana reading, open their record, record a vaccination,
correct it, void it; each step checked on the page the clerk sees. Another municipality's
clerk gets "not found" for the same resident.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.browser.conftest import PASSWORD
from tests.db.records_factory import HEADER, csv_row


def sign_in(page: Any, login: str) -> None:
    page.goto("/staff/sign-in")
    page.get_by_label("ログインID").fill(login)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="サインイン").click()
    page.wait_for_url("**/staff")


def test_the_clerk_flow(page: Any, tmp_path: Path) -> None:
    sign_in(page, "clerk-131016")
    # import a CSV with one bad row
    csv_file = tmp_path / "vrs.csv"
    csv_file.write_bytes(
        (
            HEADER
            + csv_row(1, family_name="髙橋", given_name="𠮷子", family_name_kana="タカハシ")
            + csv_row(2, dose_number="0")
        ).encode("utf-8")
    )
    page.get_by_role("link", name="CSVを取り込む").first.click()
    page.get_by_label("ファイル").set_input_files(str(csv_file))
    page.get_by_role("button", name="CSVを取り込む").click()
    page.get_by_role("heading", name="取り込み結果").wait_for()
    rejected = page.get_by_role("table")
    assert "dose_number" in rejected.inner_text() and "must be 1 to 20" in rejected.inner_text()
    assert page.get_by_role("link", name="受け付けなかった行をCSVで保存").is_visible()

    # find her by a hiragana reading, open the record
    page.goto("/staff")
    page.get_by_label("氏名").fill("たかはし")
    page.get_by_role("button", name="検索する").click()
    page.get_by_role("heading", name="1件見つかりました").wait_for()
    page.get_by_role("link", name="髙橋 𠮷子").click()
    page.get_by_role("heading", name="髙橋 𠮷子").wait_for()
    resident_url = page.url

    # record a vaccination; a mistake first, shown next to its field
    page.get_by_role("link", name="接種を記録する").click()
    page.get_by_label("接種日").fill("2021-07-01")
    page.get_by_label("ワクチン").select_option("comirnaty")
    page.get_by_label("回数").fill("0")
    page.get_by_label("ロット番号").fill("FF2222")
    page.get_by_label("元記録ID").fill("PAGE-1")
    page.get_by_role("button", name="保存する").click()
    page.get_by_role("alert").wait_for()
    assert "1 to 20" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("回数").get_attribute("aria-invalid") == "true"
    page.get_by_label("回数").fill("2")
    page.get_by_role("button", name="保存する").click()
    page.get_by_role("status").wait_for()
    assert "保存しました" in page.get_by_role("status").inner_text()
    assert "FF2222" in page.get_by_role("table").inner_text()

    # correct it, then void it; the reasons stay on the record
    page.get_by_role("link", name="訂正する 2021-07-01").click()
    page.get_by_label("ロット番号").fill("FF3333")
    page.get_by_label("理由").fill("ロット番号の読み違い")
    page.get_by_role("button", name="保存する").click()
    page.get_by_role("status").wait_for()
    table = page.get_by_role("table").inner_text()
    assert "FF3333" in table and "訂正済み" in table and "ロット番号の読み違い" in table
    page.get_by_role("link", name="取り消す 2021-07-01").click()
    page.get_by_label("理由").fill("別人の記録")
    page.get_by_role("button", name="取り消す").click()
    page.get_by_role("status").wait_for()
    assert "取消済み" in page.get_by_role("table").inner_text()

    # another municipality's clerk cannot see her, not even that she exists
    page.get_by_role("button", name="サインアウト").click()
    sign_in(page, "clerk-011002")
    page.goto(resident_url)
    assert page.get_by_role("heading", level=1).inner_text() == "見つかりません"


def test_keyboard_only_sign_in_and_english(page: Any) -> None:
    page.goto("/staff/sign-in?lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.get_by_label("Login").focus()
    page.keyboard.type("clerk-131016")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/staff")
    assert page.get_by_role("heading", level=1).inner_text() == "Search residents"
    page.get_by_role("link", name="日本語").click()
    assert page.get_by_role("heading", level=1).inner_text() == "住民を検索"


def test_a_wrong_password_says_so_without_saying_which(page: Any) -> None:
    page.goto("/staff/sign-in")
    page.get_by_label("ログインID").fill("clerk-131016")
    page.get_by_label("パスワード").fill("wrong-password-here")
    page.get_by_role("button", name="サインイン").click()
    assert "ログインIDまたはパスワードが違います" in page.get_by_role("alert").inner_text()


def test_pages_work_without_javascript(browser: Any, base_url: str) -> None:
    context = browser.new_context(base_url=base_url, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, "operator")
    page.get_by_label("氏名").fill("山田")
    page.get_by_label("市区町村コード").fill("131016")
    page.get_by_role("button", name="検索する").click()
    assert page.get_by_role("heading", level=2).inner_text().endswith("件見つかりました")
    context.close()
