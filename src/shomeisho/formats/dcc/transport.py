"""The text wrapping of an HCERT: ``HC1:`` + base45 ( zlib ( COSE_Sign1 ) ).

Each step is a function of its own so that conformance tests can check them one at a time, and
each raises one of our errors (never a library exception): a wrong prefix or a bad base45
character is an :class:`~shomeisho.errors.EncodingError`, broken or oversized zlib a
:class:`~shomeisho.errors.DecompressionError`. Uncompressed payloads are refused: HCERT requires
zlib, and the corpus case ``common/Z2`` ("not compressed") expects exactly that.

Base45 decoding has a fast path of its own (:func:`_base45_fast`, about half the cost of
:func:`shomeisho.wire.base45.decode` on a DCC); it returns None for anything that is not clean
base45, and the wire decoder then decides, so errors are exactly the wire decoder's.
"""

from __future__ import annotations

from shomeisho.errors import EncodingError
from shomeisho.wire import base45
from shomeisho.wire.base45 import MAX_TEXT
from shomeisho.wire.inflate import MAX_INFLATED, deflate_zlib, inflate_zlib

PREFIX = "HC1:"


def recognises(text: object) -> bool:
    """Cheap test used for format detection; never raises."""
    return isinstance(text, str) and text.lstrip().startswith(PREFIX)


def unprefix(text: str) -> str:
    """The base45 text after ``HC1:``; surrounding whitespace (a pasted newline) is ignored."""
    stripped = text.strip()
    if not stripped.startswith(PREFIX):
        shown = stripped[:4]
        if len(stripped) >= 4 and stripped[3] == ":":
            detail = f"it starts with {shown!r}, a context this verifier does not support"
        else:
            detail = "it has no context identifier at all"
        raise EncodingError(
            f"an EU DCC starts with {PREFIX!r}; {detail}", code="encoding.prefix", where="prefix"
        )
    return stripped[len(PREFIX) :]


def decode_base45(text: str) -> bytes:
    """Base45 to the zlib bytes; errors name the offending character."""
    fast = _base45_fast(text) if type(text) is str else None
    return fast if fast is not None else base45.decode(text)


_BASE45_VALUES = bytes(
    base45.ALPHABET.index(chr(i)) if chr(i) in base45.ALPHABET else 0xFF for i in range(256)
)
# number of 3-character groups -> (0x0000ff in each 24-bit lane, 0xff0000 in each lane)
_LANE_MASKS: dict[int, tuple[int, int]] = {}


def _base45_fast(text: str) -> bytes | None:
    """Decode valid base45 with Python integers as SIMD registers; None if anything is off.

    ``text`` maps to digit values 0..44 (``bytes.translate``), and every 3-character group
    ``c d e`` is one 24-bit lane ``c<<16 | d<<8 | e`` of a single integer. Masking and shifting
    that integer gives the lanes ``c``, ``d`` and ``e`` at once, and ``c + 45d + 2025e`` is the
    group's value (below 2**17, so lanes never carry into each other). A lane above 0xffff is
    invalid base45; otherwise its low two bytes are the output."""
    if not text.isascii() or len(text) > MAX_TEXT or len(text) % 3 == 1:
        return None
    values = text.encode("ascii").translate(_BASE45_VALUES)
    if b"\xff" in values:
        return None
    size = len(values)
    full = size - size % 3
    groups = full // 3
    masks = _LANE_MASKS.get(groups)
    if masks is None:
        masks = (
            int.from_bytes(b"\x00\x00\xff" * groups, "big"),
            int.from_bytes(b"\xff\x00\x00" * groups, "big"),
        )
        if len(_LANE_MASKS) < 256:
            _LANE_MASKS[groups] = masks
    low, high = masks
    lanes = int.from_bytes(values if full == size else values[:full], "big")
    lanes = (lanes >> 16 & low) + 45 * (lanes >> 8 & low) + 2025 * (lanes & low)
    if lanes & high:
        return None
    out = bytearray(lanes.to_bytes(full, "big"))
    del out[::3]
    if full != size:
        tail = values[-2] + values[-1] * 45
        if tail > 0xFF:
            return None
        out.append(tail)
    return bytes(out)


_ZLIB_WHAT = "the zlib-compressed COSE message"


def inflate(data: bytes) -> bytes:
    """zlib to the COSE bytes, refusing anything that would inflate past 64 KiB."""
    return inflate_zlib(data, limit=MAX_INFLATED, what=_ZLIB_WHAT)


def decode(text: str) -> bytes:
    """From the QR text to the COSE_Sign1 bytes (:func:`inflate`, one call fewer)."""
    return inflate_zlib(decode_base45(unprefix(text)), limit=MAX_INFLATED, what=_ZLIB_WHAT)


def encode(cose: bytes) -> str:
    """From COSE_Sign1 bytes to the QR text."""
    return PREFIX + base45.encode(deflate_zlib(cose))
