"""The camera reader of the public verifier, in chromium with a fake camera filming a real QR code.

A resident gets their certificate through the procedure (the emulated card, PIN 1234); its QR
code, rendered by ``shomeisho.qr`` as the certificate page shows it, becomes a YUV4MPEG2 video
that Chromium plays as its camera (``--use-file-for-fake-video-capture``). The page decodes the
frames in the browser with the vendored zxing-wasm reader and sends only the text to the server.
Every request the page makes is recorded: all of them must go to the test server (the wasm binary
included), and the Content-Security-Policy must not have blocked anything.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import expect

from shomeisho import qr
from tests.browser.conftest import fake_camera

WIDTH, HEIGHT = 800, 600  # the fake camera's picture; Y4M 4:2:0 needs even sides


def certificate_png(browser: Any, base_url: str) -> tuple[str, bytes]:
    """Walk the procedure as the card holder (domestic use) and return the SMART Health Card's
    text, read back from the certificate page's QR image, and that QR rendered again."""
    context = browser.new_context(base_url=base_url, locale="ja-JP")
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto("/journey")
        page.get_by_role("button", name="開始する").click()
        page.wait_for_url("**/idp/authorize?**")
        page.get_by_label("暗証番号（4桁）").fill("1234")
        page.get_by_role("button", name="サインイン").click()
        page.wait_for_url("**/journey/use")
        page.get_by_label("日本国内で使う").check()
        page.get_by_role("button", name="次へ進む").click()
        page.wait_for_url("**/journey/check")
        page.get_by_label("上記の内容で接種証明書を発行することに同意します").check()
        page.get_by_role("button", name="証明書を発行する").click()
        page.wait_for_url("**/journey/certificate")
        shown = page.request.get("/journey/certificate/shc.png").body()
    finally:
        context.close()
    (code,) = qr.read_codes(shown)
    return code.text, qr.render_png(code.text, "shc")


def y4m_video(png: bytes, path: Path, frames: int = 6) -> Path:
    """A still picture of the QR code on a white page, as an uncompressed Y4M video (4:2:0, full
    range luma mapped to video range, grey chroma)."""
    code = Image.open(io.BytesIO(png)).convert("L")
    side = HEIGHT - 40
    code = code.resize((side, side), Image.Resampling.NEAREST)
    picture = Image.new("L", (WIDTH, HEIGHT), 255)
    picture.paste(code, ((WIDTH - side) // 2, (HEIGHT - side) // 2))
    luma = (16 + np.asarray(picture, dtype=np.float32) * (219 / 255)).round().astype(np.uint8)
    chroma = np.full((HEIGHT // 2) * (WIDTH // 2), 128, dtype=np.uint8).tobytes()
    frame = b"FRAME\n" + luma.tobytes() + chroma + chroma
    header = f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F5:1 Ip A1:1 C420jpeg\n".encode("ascii")
    path.write_bytes(header + frame * frames)
    return path


@pytest.fixture(scope="module")
def issued(
    browser: Any, base_url: str, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, Path]:
    text, png = certificate_png(browser, base_url)
    return text, y4m_video(png, tmp_path_factory.mktemp("camera") / "qr.y4m")


def watched(context: Any) -> tuple[Any, list[str], list[str]]:
    """A page whose every request URL, and every console error, is recorded."""
    requests: list[str] = []
    errors: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.set_default_timeout(20_000)
    return page, requests, errors


@pytest.fixture
def camera_page(browser: Any, base_url: str, issued: tuple[str, Path]) -> Iterator[Any]:
    with fake_camera(browser, issued[1]) as camera:
        context = camera.new_context(base_url=base_url, locale="ja-JP", permissions=["camera"])
        yield watched(context)
        context.close()


@pytest.fixture
def pattern_page(browser: Any, base_url: str) -> Iterator[Any]:
    """A fake camera that films Chromium's test pattern: no QR code, so scanning goes on."""
    with fake_camera(browser) as camera:
        context = camera.new_context(base_url=base_url, locale="ja-JP", permissions=["camera"])
        yield watched(context)
        context.close()


def test_a_qr_code_held_to_the_camera_is_verified_without_leaving_our_origin(
    camera_page: tuple[Any, list[str], list[str]], base_url: str, issued: tuple[str, Path]
) -> None:
    page, requests, errors = camera_page
    posted: list[bytes] = []
    page.on(
        "request",
        lambda r: r.method == "POST" and posted.append(r.post_data_buffer or b""),
    )
    page.goto("/verify")
    status = page.locator("#scan-status")
    page.get_by_role("button", name="カメラで読み取る").click()
    page.locator("h2[role=status]").wait_for()
    verdict = page.locator("h2[role=status]").inner_text()
    assert verdict.endswith("有効な証明書です"), verdict
    assert "1961-04-09" in page.locator(".summary").inner_text()
    assert page.url == f"{base_url}/verify"
    assert status.count() == 0  # the result page, not the form
    # Only the decoded text was sent, to our server; the camera picture never was.
    assert len(posted) == 1 and issued[0].encode("ascii") in posted[0]
    assert b"\x89PNG" not in posted[0] and b"YUV4MPEG" not in posted[0]
    wasm = f"{base_url}/static/vendor/zxing-wasm/zxing_reader.wasm"
    assert wasm in requests, requests
    strays = [url for url in requests if not url.startswith(f"{base_url}/")]
    assert strays == [], f"requests left the test server: {strays}"
    assert [e for e in errors if "Content Security Policy" in e] == []


def test_the_camera_starts_and_stops_with_the_keyboard(
    pattern_page: tuple[Any, list[str], list[str]], base_url: str
) -> None:
    page, requests, _ = pattern_page
    page.emulate_media(reduced_motion="reduce")
    page.goto("/verify?lang=en")
    start, stop = page.locator("#scan-start"), page.locator("#scan-stop")
    status = page.locator("#scan-status")
    assert status.get_attribute("aria-live") == "polite"
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "scan-start":
            break
    else:
        pytest.fail("the scan button cannot be reached with Tab")
    height = start.evaluate("e => e.getBoundingClientRect().height")
    assert height >= 44
    page.keyboard.press("Enter")
    expect(status).to_have_text("Point the camera at the QR code")
    expect(stop).to_be_focused()  # focus follows
    assert page.locator("#scan-video").evaluate("v => v.srcObject !== null && !v.paused")
    assert not start.is_visible() and stop.is_visible()
    animation = page.locator("#scan-video").evaluate("v => getComputedStyle(v).animationName")
    assert animation == "none"  # reduced motion: the frame does not pulse
    page.keyboard.press("Space")
    expect(status).to_have_text("The camera is off")
    expect(start).to_be_focused()
    assert page.locator("#scan-video").evaluate("v => v.srcObject === null")
    assert start.is_visible() and not stop.is_visible()
    page.keyboard.press("Enter")  # and again, stopped with Escape this time
    expect(status).to_have_text("Point the camera at the QR code")
    page.keyboard.press("Escape")
    expect(start).to_be_focused()
    expect(status).to_have_text("The camera is off")
    strays = [url for url in requests if not url.startswith(f"{base_url}/")]
    assert strays == []


def test_without_a_camera_the_page_says_so_and_points_to_upload_or_paste(page: Any) -> None:
    page.goto("/verify?lang=en")  # the shared chromium has no camera and grants none
    page.get_by_role("button", name="Scan with camera").click()
    expect(page.locator("#scan-status")).to_have_text(
        re.compile("^(Camera not available|Use of the camera was not allowed): choose a picture "
                   "or paste the text instead$")
    )  # fmt: skip
    expect(page.locator("#scan-start")).to_be_focused()
    assert page.get_by_label("Picture of the QR code").is_visible()


def test_a_chosen_picture_is_read_in_the_browser_and_only_its_text_is_sent(
    page: Any, issued: tuple[str, Path]
) -> None:
    posted: list[bytes] = []
    page.on("request", lambda r: r.method == "POST" and posted.append(r.post_data_buffer or b""))
    page.goto("/verify")
    png = qr.render_png(issued[0], "shc")
    page.get_by_label("QRコードの画像").set_input_files(
        files=[{"name": "code.png", "mimeType": "image/png", "buffer": png}]
    )
    page.get_by_role("button", name="確認する").click()
    page.locator("h2[role=status]").wait_for()
    assert page.locator("h2[role=status]").inner_text().endswith("有効な証明書です")
    assert len(posted) == 1 and issued[0].encode("ascii") in posted[0]
    assert b"\x89PNG" not in posted[0]


def test_without_javascript_there_is_no_scan_button_and_the_form_still_works(
    browser: Any, base_url: str, issued: tuple[str, Path]
) -> None:
    context = browser.new_context(base_url=base_url, locale="en-GB", java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/verify?lang=en")
        assert not page.locator("#scan").is_visible()
        page.get_by_label("Picture of the QR code").set_input_files(
            files=[{"name": "code.png", "mimeType": "image/png",
                    "buffer": qr.render_png(issued[0], "shc")}]
        )  # fmt: skip
        page.get_by_role("button", name="Check").click()
        assert page.locator("h2[role=status]").inner_text().endswith("Valid certificate")
    finally:
        context.close()
