"""SHC rules for the QR symbol itself: two segments (byte ``shc:/``, numeric digits), version <= 22.

A QR reader gives the text; the SHC spec also constrains how the text was put in the symbol
("Encoding QRs"): a byte-mode segment for ``shc:/`` and a numeric-mode segment for the digits,
so that the 1,195-character JWS fits version 22. To check that, :func:`read_segments` re-reads
the segment headers from the symbol's module matrix (which zxing-cpp returns after decoding):
it removes the mask, collects the codewords in placement order, de-interleaves the data blocks
and walks the mode/count headers. Error correction is not redone; instead the segment character
counts must add up to the decoded text, and if they do not the segments are reported unknown.

Errors: ``invalid.qr.version`` (above 22), ``invalid.qr.segments``; warning
``invalid.qr.version_not_minimal`` (a smaller version at ECC L would have held the same text);
``encoding.qr`` when an image holds no readable QR code.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shomeisho.errors import EncodingError, InvalidError
from shomeisho.formats.shc import crl as crlmod
from shomeisho.formats.shc.problems import FORMAT_NAME, Sink
from shomeisho.formats.shc.verify import verify_chunks
from shomeisho.model import Verification
from shomeisho.trust.store import TrustStore

MAX_VERSION = 22
_MODE_NAMES = {1: "numeric", 2: "alphanumeric", 4: "byte", 8: "kanji"}
_COUNT_BITS = {1: (10, 12, 14), 2: (9, 11, 13), 4: (8, 16, 16), 8: (8, 10, 12)}
_EC_INDEX = {"L": 1, "M": 0, "Q": 3, "H": 2}  # segno's error level numbers


@dataclass(frozen=True)
class QrSymbol:
    """One decoded QR symbol: its text, version, ECC level and (if readable) its segments."""

    text: str
    version: int
    ec_level: str
    segments: tuple[tuple[str, int], ...] | None


def read_symbols(image: bytes) -> list[QrSymbol]:
    """Decode every QR code in an image (PNG, JPEG...). Raises :class:`EncodingError`
    (``encoding.qr``) when there is none."""
    import io

    import numpy as np
    import zxingcpp
    from PIL import Image, UnidentifiedImageError

    try:
        picture = Image.open(io.BytesIO(image))
        picture.load()
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise EncodingError(f"not a readable image ({exc})", code="encoding.qr") from None
    found = [
        b for b in zxingcpp.read_barcodes(picture) if b.format == zxingcpp.BarcodeFormat.QRCode
    ]
    symbols = []
    for barcode in found:
        extra: dict[str, Any] = dict(barcode.extra) if isinstance(barcode.extra, dict) else {}
        version = int(extra.get("Version", 0) or 0)
        level = str(extra.get("ECLevel") or barcode.ec_level or "")
        segments = None
        if version and level in _EC_INDEX and "DataMask" in extra:
            matrix = np.asarray(barcode.to_image(scale=1, add_quiet_zones=False)) < 128
            segments = read_segments(matrix.tolist(), version, level, int(extra["DataMask"]))
            if segments is not None and sum(n for _, n in segments) != len(barcode.bytes):
                segments = None
        symbols.append(QrSymbol(barcode.text, version, level, segments))
    if not symbols:
        raise EncodingError("no QR code could be read in the image", code="encoding.qr")
    return symbols


def _segno_tables() -> Any:
    """segno's QR tables (alignment positions, error correction blocks), untyped."""
    from segno import consts

    return consts


def _function_modules(version: int) -> list[list[bool]]:
    consts = _segno_tables()

    size = 17 + 4 * version
    used = [[False] * size for _ in range(size)]

    def block(top: int, left: int, height: int, width: int) -> None:
        for r in range(max(top, 0), min(top + height, size)):
            for c in range(max(left, 0), min(left + width, size)):
                used[r][c] = True

    block(0, 0, 9, 9)
    block(0, size - 8, 9, 8)
    block(size - 8, 0, 8, 9)
    block(6, 0, 1, size)
    block(0, 6, size, 1)
    if version >= 2:
        centres = consts.ALIGNMENT_POS[version - 2]
        for r in centres:
            for c in centres:
                if (r, c) in (
                    (centres[0], centres[0]),
                    (centres[0], centres[-1]),
                    (centres[-1], centres[0]),
                ):
                    continue
                block(r - 2, c - 2, 5, 5)
    if version >= 7:
        block(0, size - 11, 6, 3)
        block(size - 11, 0, 3, 6)
    return used


_MASKS: tuple[Callable[[int, int], bool], ...] = (
    lambda i, j: (i + j) % 2 == 0,
    lambda i, j: i % 2 == 0,
    lambda i, j: j % 3 == 0,
    lambda i, j: (i + j) % 3 == 0,
    lambda i, j: (i // 2 + j // 3) % 2 == 0,
    lambda i, j: (i * j) % 2 + (i * j) % 3 == 0,
    lambda i, j: ((i * j) % 2 + (i * j) % 3) % 2 == 0,
    lambda i, j: ((i + j) % 2 + (i * j) % 3) % 2 == 0,
)


def read_segments(
    dark: Sequence[Sequence[bool]], version: int, level: str, mask: int
) -> tuple[tuple[str, int], ...] | None:
    """(mode, character count) of each data segment in a module matrix, or None if unreadable."""
    consts = _segno_tables()

    size = 17 + 4 * version
    if len(dark) != size or any(len(row) != size for row in dark) or not 0 <= mask <= 7:
        return None
    used, flip = _function_modules(version), _MASKS[mask]
    bits: list[int] = []
    upward, col = True, size - 1
    while col > 0:
        if col == 6:
            col = 5
        rows = range(size - 1, -1, -1) if upward else range(size)
        for r in rows:
            for c in (col, col - 1):
                if not used[r][c]:
                    bits.append(int(bool(dark[r][c]) != flip(r, c)))
        upward, col = not upward, col - 2
    codewords = [int("".join(map(str, bits[i : i + 8])), 2) for i in range(0, len(bits) - 7, 8)]
    groups = consts.ECC[version][_EC_INDEX[level]]
    blocks = [g.num_data for g in groups for _ in range(g.num_blocks)]
    data: list[list[int]] = [[] for _ in blocks]
    position = 0
    for i in range(max(blocks)):
        for b, length in enumerate(blocks):
            if i < length:
                if position >= len(codewords):
                    return None
                data[b].append(codewords[position])
                position += 1
    stream = "".join(f"{byte:08b}" for block in data for byte in block)
    return _parse_stream(stream, version)


def _parse_stream(stream: str, version: int) -> tuple[tuple[str, int], ...] | None:
    band = 0 if version <= 9 else 1 if version <= 26 else 2
    segments: list[tuple[str, int]] = []
    at = 0
    while at + 4 <= len(stream):
        mode = int(stream[at : at + 4], 2)
        at += 4
        if mode == 0:
            break
        if mode == 7:  # ECI: an 8-bit designator is enough for anything a card would use
            at += 8
            continue
        if mode not in _COUNT_BITS:
            return None
        width = _COUNT_BITS[mode][band]
        count = int(stream[at : at + width] or "0", 2)
        at += width
        if mode == 1:
            at += 10 * (count // 3) + (0, 4, 7)[count % 3]
        elif mode == 2:
            at += 11 * (count // 2) + 6 * (count % 2)
        else:
            at += (8 if mode == 4 else 13) * count
        if at > len(stream):
            return None
        segments.append((_MODE_NAMES[mode], count))
    return tuple(segments)


def minimal_version(prefix_bytes: int, digits: int) -> int | None:
    """Smallest version at ECC L holding a byte segment then a numeric segment."""
    consts = _segno_tables()

    for version in range(1, 41):
        band = 0 if version <= 9 else 1 if version <= 26 else 2
        needed = (
            4
            + _COUNT_BITS[4][band]
            + 8 * prefix_bytes
            + 4
            + _COUNT_BITS[1][band]
            + 10 * (digits // 3)
            + (0, 4, 7)[digits % 3]
        )
        capacity = 8 * sum(g.num_blocks * g.num_data for g in consts.ECC[version][1])
        if needed <= capacity:
            return version
    return None


def check_symbol(symbol: QrSymbol, sink: Sink) -> None:
    """Apply the SHC "Encoding QRs" rules to one symbol holding ``shc:/`` text."""
    if symbol.version > MAX_VERSION:
        sink.errors.append(
            InvalidError(
                f"the QR code is version {symbol.version}; SHC allows at most {MAX_VERSION}",
                code="invalid.qr.version",
            )
        )
    segments = symbol.segments
    if segments is None:
        sink.warnings.append(
            InvalidError(
                "the QR code's segments could not be read back, so their modes were not checked",
                code="invalid.qr.segments_unknown",
            )
        )
        return
    modes = [mode for mode, _ in segments]
    if modes != ["byte", "numeric"]:
        sink.errors.append(
            InvalidError(
                f"the QR code has segments {', '.join(modes) or 'none'}; SHC needs a byte segment "
                "for 'shc:/' and a numeric segment for the digits",
                code="invalid.qr.segments",
            )
        )
        return
    best = minimal_version(segments[0][1], segments[1][1])
    if best is not None and best < symbol.version:
        sink.warnings.append(
            InvalidError(
                f"the QR code is version {symbol.version}; version {best} at ECC L would hold it",
                code="invalid.qr.version_not_minimal",
            )
        )


def verify_qr_images(
    images: list[bytes], trust: TrustStore, at: datetime, *, crls: crlmod.CrlSet | None = None
) -> Verification:
    """Read one card from its QR image(s) (several for a deprecated chunked card) and verify it."""
    texts: list[str] = []
    checks = Verification(format=FORMAT_NAME)
    for index, image in enumerate(images):
        try:
            symbols = read_symbols(image)
        except EncodingError as exc:
            exc.where = f"image {index + 1}"
            checks.errors.append(exc)
            return checks
        for symbol in symbols[:1]:
            check_symbol(symbol, checks)
            texts.append(symbol.text)
    result = verify_chunks(texts, trust, at, crls=crls)
    result.errors[:0] = checks.errors
    result.warnings[:0] = checks.warnings
    return result
