"""The whole procedure with the keyboard alone and JavaScript switched off.

Nothing is clicked: the test moves with Tab, chooses with the arrow keys and Space, and submits
with Enter, as a person who cannot use a pointer does, in a browser context with JavaScript
disabled. It also checks that every focused control is visibly marked (the design system's focus
ring), since keyboard use depends on seeing where focus is.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import pytest

MAX_TABS = 40


@pytest.fixture
def keyboard_page(browser: Any, base_url: str) -> Iterator[Any]:
    context = browser.new_context(base_url=base_url, locale="ja-JP", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def tab_to(page: Any, selector: str) -> None:
    """Press Tab until ``selector`` has focus; fail if it is never reached."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused = page.locator(":focus")
        if focused.count() and page.locator(f"{selector}:focus").count():
            outline = focused.evaluate("e => getComputedStyle(e).outlineStyle")
            shadow = focused.evaluate("e => getComputedStyle(e).boxShadow")
            assert outline != "none" or shadow != "none", f"{selector}: no visible focus"
            return
    pytest.fail(f"{selector} cannot be reached with Tab on {page.url}")


def enter_to(page: Any, path: str) -> None:
    """Press Enter on the focused control and arrive at ``path``."""
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")
    assert urlparse(page.url).path == path, f"expected {path}, on {page.url}"


def test_the_procedure_with_the_keyboard_and_no_javascript(keyboard_page: Any) -> None:
    page = keyboard_page
    page.goto("/journey")
    tab_to(page, "form[action='/journey/start'] button")
    enter_to(page, "/idp/authorize")
    tab_to(page, "#pin")
    page.keyboard.type("1234")
    enter_to(page, "/journey/use")
    tab_to(page, "#use-domestic")
    page.keyboard.press("Space")
    tab_to(page, "button[type=submit]")
    enter_to(page, "/journey/check")
    tab_to(page, "#consent")
    page.keyboard.press("Space")
    tab_to(page, "form[action='/journey/check'] button")
    enter_to(page, "/journey/certificate")
    assert page.locator("svg").count() >= 1
    assert "髙橋 𠮷子" in page.content()
    tab_to(page, "a[href='/journey/certificate.pdf']")
