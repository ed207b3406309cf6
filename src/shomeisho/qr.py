"""QR codes: drawing each format's symbol the way its specification asks, and reading them back.

The formats disagree on segment modes and sizes: SMART Health Cards want a byte segment ``shc:/``
followed by one numeric segment, error correction L and at most version 22; EU DCC wants the whole
``HC1:`` text in alphanumeric mode (base45 was chosen so that it fits that mode) with error
correction Q where it fits; VDS-NC JSON is byte mode. Getting this wrong makes codes larger than
needed and unreadable on paper, so the rules live here, in one table.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import segno
import segno.consts
import zxingcpp
from PIL import Image, UnidentifiedImageError

from shomeisho.errors import EncodingError, InputError

SHC_MAX_VERSION = 22
MAX_IMAGE_BYTES = 20 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000


@dataclass(frozen=True)
class ScannedCode:
    """One symbol found in an image: its text and what the reader could tell about it."""

    text: str
    version: int | None
    error_correction: str | None
    position: tuple[int, int]


def make_symbol(text: str, format_name: str) -> segno.QRCode:
    """Build the QR symbol with the segments and error correction each format requires."""
    if format_name == "shc":
        if not text.startswith("shc:/"):
            raise InputError("a SMART Health Card QR must start with shc:/", code="input.qr")
        segments = [("shc:/", segno.consts.MODE_BYTE), (text[5:], segno.consts.MODE_NUMERIC)]
        symbol = segno.make(segments, error="L", micro=False, boost_error=False)  # type: ignore[arg-type]
        if int(symbol.version) > SHC_MAX_VERSION:
            raise InputError(
                f"the card needs QR version {symbol.version}; SMART Health Cards "
                f"allow at most version {SHC_MAX_VERSION}",
                code="input.qr.too_large",
            )
        return symbol
    if format_name == "dcc":
        # HCERT: alphanumeric mode; ECC Q recommended, so start there and let segno boost.
        return segno.make(text, mode="alphanumeric", error="Q", micro=False)
    if format_name == "vdsnc":
        return segno.make(text.encode("utf-8"), mode="byte", error="M", micro=False)
    return segno.make(text, error="M", micro=False)


def render_png(text: str, format_name: str, *, scale: int = 6, border: int = 4) -> bytes:
    """PNG bytes: black on white, 4-module quiet zone, as scanners and printers expect."""
    buffer = io.BytesIO()
    make_symbol(text, format_name).save(
        buffer, kind="png", scale=scale, border=border, dark="#000000", light="#ffffff"
    )
    return buffer.getvalue()


def render_svg(
    text: str, format_name: str, *, scale: int = 6, border: int = 4, title: str | None = None
) -> bytes:
    """SVG bytes for screens and print; ``title`` gives screen readers a text alternative."""
    buffer = io.BytesIO()
    make_symbol(text, format_name).save(
        buffer,
        kind="svg",
        scale=scale,
        border=border,
        dark="#000000",
        light="#ffffff",
        title=title,
        unit="px",
    )
    return buffer.getvalue()


def read_codes(image: bytes) -> list[ScannedCode]:
    """Every QR code in a PNG or JPEG image, in reading order. Several codes are all returned."""
    if len(image) > MAX_IMAGE_BYTES:
        raise EncodingError(
            f"the image is {len(image)} bytes; the limit is {MAX_IMAGE_BYTES}",
            code="encoding.qr.image_too_large",
        )
    try:
        with Image.open(io.BytesIO(image)) as opened:
            if opened.width * opened.height > MAX_IMAGE_PIXELS:
                raise EncodingError(
                    f"the image is {opened.width}x{opened.height} pixels; too large to scan",
                    code="encoding.qr.image_too_large",
                )
            picture = opened.convert("L")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise EncodingError(
            "the file is not a PNG or JPEG image that can be read", code="encoding.qr.image"
        ) from None
    codes = _scan(picture)
    if not codes and min(picture.size) < 400:
        # Small or heavily compressed scans decode better when enlarged first.
        factor = max(2, 800 // max(1, min(picture.size)))
        codes = _scan(
            picture.resize(
                (picture.width * factor, picture.height * factor), Image.Resampling.NEAREST
            )
        )
    return codes


def _scan(picture: Image.Image) -> list[ScannedCode]:
    found = zxingcpp.read_barcodes(
        picture, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    )
    out = []
    for code in found:
        if not code.valid:
            continue
        extra = code.extra if isinstance(code.extra, dict) else {}
        version = extra.get("Version")
        top_left = code.position.top_left
        out.append(
            ScannedCode(
                text=code.text,
                version=int(version) if isinstance(version, str) and version.isdigit() else None,
                error_correction=code.ec_level or None,
                position=(top_left.x, top_left.y),
            )
        )
    out.sort(key=lambda c: (c.position[1], c.position[0]))
    return out
