"""QR symbols per format, read back from PNG and JPEG, several codes in one image."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from shomeisho import qr
from shomeisho.errors import EncodingError, InputError
from shomeisho.wire import numeric

HC1 = "HC1:NCFOXN%TSMAHN-HMVKBB7 IV+%U+/U0II7ZL 435G8/EB*C2T0G7WC3K9:HVM*KNO4*J8/Y4F%CD"
SHC = "shc:/" + numeric.encode("eyJ6aXAiOiJERUYiLCJhbGciOiJFUzI1NiJ9.payload.sig" * 4)


@pytest.mark.parametrize(("text", "fmt"), [(HC1, "dcc"), (SHC, "shc"), ('{"data":{}}', "vdsnc")])
def test_png_reads_back(text: str, fmt: str) -> None:
    codes = qr.read_codes(qr.render_png(text, fmt))
    assert [c.text for c in codes] == [text]


def test_modes_and_error_correction() -> None:
    dcc = qr.make_symbol(HC1, "dcc")
    assert dcc.mode == "alphanumeric"
    assert dcc.error in {"Q", "H"}
    shc = qr.make_symbol(SHC, "shc")
    assert shc.error == "L"
    assert shc.mode is None  # mixed: byte segment + numeric segment


def test_shc_over_version_22_is_refused() -> None:
    with pytest.raises(InputError, match="version"):
        qr.make_symbol("shc:/" + "5" * 2600, "shc")


def test_jpeg_and_several_codes_in_one_image() -> None:
    first = Image.open(io.BytesIO(qr.render_png(HC1, "dcc", scale=4)))
    second = Image.open(io.BytesIO(qr.render_png(SHC, "shc", scale=4)))
    sheet = Image.new("L", (first.width + second.width + 40, max(first.height, second.height)), 255)
    sheet.paste(first, (0, 0))
    sheet.paste(second, (first.width + 40, 0))
    buffer = io.BytesIO()
    sheet.convert("RGB").save(buffer, format="JPEG", quality=90)
    codes = qr.read_codes(buffer.getvalue())
    assert sorted(c.text for c in codes) == sorted([HC1, SHC])


def test_svg_has_a_title_for_screen_readers() -> None:
    svg = qr.render_svg(HC1, "dcc", title="EU DCC QR").decode()
    assert "<title>EU DCC QR</title>" in svg


@pytest.mark.parametrize("data", [b"", b"not an image", b"\x89PNG\r\n\x1a\n" + b"\0" * 20])
def test_unreadable_images(data: bytes) -> None:
    with pytest.raises(EncodingError):
        qr.read_codes(data)


def test_blank_image_has_no_codes() -> None:
    buffer = io.BytesIO()
    Image.new("L", (300, 300), 255).save(buffer, format="PNG")
    assert qr.read_codes(buffer.getvalue()) == []
