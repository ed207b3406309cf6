"""A resident signs in with the emulated My Number card in a real browser, keyboard only."""

from __future__ import annotations

from typing import Any


def test_sign_in_with_card_and_pin_by_keyboard(page: Any) -> None:
    page.goto("/sign-in")  # -> the provider's card reader, via the real OIDC redirect
    page.get_by_role("heading", name="マイナンバーカードでサインイン").wait_for()
    assert "/idp/authorize?" in page.url and "code_challenge=" in page.url
    page.get_by_label("カードを選んでください").select_option(label="髙橋 𠮷子（1961-04-09）")
    page.get_by_label("暗証番号（4桁）").focus()
    page.keyboard.type("0000")
    page.keyboard.press("Enter")
    assert "あと2回" in page.get_by_role("alert").inner_text()
    page.get_by_label("暗証番号（4桁）").fill("")
    page.get_by_label("暗証番号（4桁）").focus()
    page.keyboard.type("1234")
    page.keyboard.press("Enter")
    page.wait_for_url("**/me")
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading == "サインインしました: 髙橋 𠮷子"
    assert "接種記録が2件見つかりました" in page.locator("main").inner_text()
