"""The resident's whole procedure in chromium, timed: measured, not claimed (issue 4).

For each use a fresh browser context (conftest's ``page``: no cookies, so a fresh sign-in with
the card) walks the pages of :mod:`shomeisho.procedure.klm` in order, doing on each what a person
does: press start, choose the card, type the PIN, choose the use, type the passport number, tick
consent, press issue. The system time of a page is measured from the action that leads to it
(the click, the Enter; the address for the first page) until it has loaded, and every page landed
on must be the model's next page. Predicted human time (the keystroke-level model) plus measured
system time must stay under the budget: 30 s domestic, 45 s overseas. The figures are printed
even when the test passes (``-s`` is not needed).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from itertools import pairwise
from typing import Any
from urllib.parse import urlparse

import pytest

from shomeisho.procedure import klm
from shomeisho.procedure.issuance import Use

CARD = "髙橋 𠮷子（1961-04-09）"  # the resident of conftest, PIN 1234
NAME = "髙橋 𠮷子"
PASSPORT = "TK1234567"  # nine characters, as the model types
USE_LABEL = {Use.DOMESTIC: "日本国内で使う", Use.OVERSEAS: "海外で使う（日本国内でも使えます）"}

Action = Callable[[], object]


def timed(page: Any, action: Action, path: str) -> float:
    """Seconds from the action until the page it leads to has loaded; that page must be ``path``."""
    started = time.perf_counter()
    with page.expect_navigation(wait_until="load"):
        action()
    elapsed = time.perf_counter() - started
    assert urlparse(page.url).path == path, f"expected {path}, landed on {page.url}"
    return elapsed


def start(page: Any, use: Use) -> Action:
    return page.get_by_role("button", name="開始する").click


def card_reader(page: Any, use: Use) -> Action:
    page.get_by_label("カードを選んでください").select_option(label=CARD)
    page.get_by_label("暗証番号（4桁）").click()
    page.keyboard.type("1234")
    return lambda: page.keyboard.press("Enter")


def choose_use(page: Any, use: Use) -> Action:
    page.get_by_label(USE_LABEL[use], exact=True).check()
    return page.get_by_role("button", name="次へ進む").click


def travel(page: Any, use: Use) -> Action:
    # prefilled from the record: the person only checks them
    assert page.get_by_label("姓（ローマ字）").input_value() == "TAKAHASHI"
    assert page.get_by_label("名（ローマ字）").input_value() == "YOSHIKO"
    assert page.get_by_label("国籍").input_value() == "JPN"
    page.get_by_label("旅券番号").click()
    page.keyboard.type(PASSPORT)
    return page.get_by_role("button", name="次へ進む").click


def check(page: Any, use: Use) -> Action:
    assert NAME in page.locator("main").inner_text()
    page.get_by_label("上記の内容で接種証明書を発行することに同意します").check()
    return page.get_by_role("button", name="証明書を発行する").click


ON_PAGE: dict[str, Callable[[Any, Use], Action]] = {
    "/journey": start,
    "/idp/authorize": card_reader,
    "/journey/use": choose_use,
    "/journey/travel": travel,
    "/journey/check": check,
}


def walk(page: Any, use: Use) -> list[tuple[klm.Page, float]]:
    """Every page of the use in order, with the measured system time to reach each."""
    pages = klm.pages(use)
    measured = [(pages[0], timed(page, lambda: page.goto(pages[0].path), pages[0].path))]
    for here, there in pairwise(pages):
        submit = ON_PAGE[here.path](page, use)
        measured.append((there, timed(page, submit, there.path)))
    return measured


def assert_a_certificate_is_shown(page: Any, use: Use) -> None:
    main = page.locator("main")
    assert page.get_by_role("heading", level=1).inner_text() == "接種証明書"
    assert NAME in main.inner_text()
    assert main.locator(".qr svg").count() == 1
    assert main.locator(".qr svg path").count() >= 1  # drawn modules, not an empty frame
    if use is Use.OVERSEAS:  # the passport details made a travel certificate
        assert "ICAO VDS-NC" in main.inner_text()


def report(use: Use, measured: list[tuple[klm.Page, float]]) -> str:
    lines = [
        f"\njourney timing, {use.value}: human = predicted (keystroke-level model), "
        "system = measured in chromium from the action until the page has loaded",
        f"  {'#':>2}  {'page':<22}{'operators':<22}{'human s':>9}{'system s':>10}",
    ]
    for page, system in measured:
        lines.append(
            f"  {page.number:>2}  {page.path:<22}{page.operators:<22}"
            f"{page.seconds:>9.2f}{system:>10.3f}"
        )
    human = klm.predicted_seconds(use)
    system = sum(seconds for _, seconds in measured)
    lines.append(
        f"  total: {human:.2f} s human + {system:.3f} s system = {human + system:.2f} s "
        f"(budget {klm.BUDGET_SECONDS[use]:.0f} s)"
    )
    return "\n".join(lines)


@pytest.mark.parametrize("use", [Use.DOMESTIC, Use.OVERSEAS], ids=lambda use: use.value)
def test_the_journey_fits_its_budget(
    page: Any, use: Use, capsys: pytest.CaptureFixture[str]
) -> None:
    measured = walk(page, use)
    with capsys.disabled():
        print(report(use, measured))
    assert [shown.path for shown, _ in measured] == [model.path for model in klm.pages(use)]
    assert_a_certificate_is_shown(page, use)
    total = klm.predicted_seconds(use) + sum(seconds for _, seconds in measured)
    assert total < klm.BUDGET_SECONDS[use], report(use, measured)
