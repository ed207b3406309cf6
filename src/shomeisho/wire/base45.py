"""Base45 (RFC 9285), the text encoding inside ``HC1:`` QR codes.

Hand-written rather than the ``base45`` package: a per-character Python loop costs about as
much as the ECDSA verification of the whole certificate (see ``benchmarks/codecs.py``). Valid
text takes :func:`decode_fast` (one ``bytes.translate``, then Python integers used as SIMD
registers, ~4 us for a DCC); anything it is unsure of goes to a NumPy pass that names the wrong
character or group. Strict: every character must be in the alphabet and every group must be in
range, as RFC 9285 section 4.2 requires.

Where the optional C accelerator (``_accel.c``, built by ``setup.py`` when a compiler is
present) is importable it replaces :func:`decode_fast`: same contract (bytes or None), about
fourteen times fewer instructions. ``ACCELERATED`` says which one is in use.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from shomeisho.errors import EncodingError

try:
    from shomeisho.wire._accel import base45_decode as _decode_c
except ImportError:  # built without a C compiler: the pure-Python fast path below serves
    _decode_c: Callable[[str], bytes | None] | None = None  # type: ignore[no-redef]

ACCELERATED = _decode_c is not None

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_INVALID = 0xFF
_DECODE_TABLE = bytes(
    ALPHABET.index(chr(i)) if chr(i) in ALPHABET else _INVALID for i in range(256)
)
_ALPHABET_BYTES = np.frombuffer(ALPHABET.encode("ascii"), dtype=np.uint8)
MAX_TEXT = 64 * 1024


def encode(data: bytes) -> str:
    """Encode bytes: each pair becomes three characters, a trailing byte two."""
    n = len(data)
    pairs = np.frombuffer(data[: n - n % 2], dtype=">u2").astype(np.uint32)
    digits = np.empty((pairs.size, 3), dtype=np.uint8)
    digits[:, 0] = pairs % 45
    digits[:, 1] = (pairs // 45) % 45
    digits[:, 2] = pairs // 2025
    out = _ALPHABET_BYTES[digits.reshape(-1)].tobytes()
    if n % 2:
        last = data[-1]
        out += bytes((ALPHABET.encode()[last % 45], ALPHABET.encode()[last // 45]))
    return out.decode("ascii")


# number of 3-character groups -> (0x0000ff in each 24-bit lane, 0xff0000 in each lane)
_LANE_MASKS: dict[int, tuple[int, int]] = {}


def decode_fast(text: str) -> bytes | None:
    """Decode valid base45 with Python integers as SIMD registers; None if anything is off.

    ``text`` maps to digit values 0..44 (``bytes.translate``), and every 3-character group
    ``c d e`` is one 24-bit lane ``c<<16 | d<<8 | e`` of a single integer. Masking and shifting
    that integer gives the lanes ``c``, ``d`` and ``e`` at once, and ``c + 45d + 2025e`` is the
    group's value (below 2**17, so lanes never carry into each other). A lane above 0xffff is
    invalid base45; otherwise its low two bytes are the output."""
    if not text.isascii() or len(text) > MAX_TEXT or len(text) % 3 == 1:
        return None
    values = text.encode("ascii").translate(_DECODE_TABLE)
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


def decode(text: str | bytes) -> bytes:
    """Decode base45 text, raising :class:`EncodingError` that says which character is wrong."""
    if type(text) is str:
        fast = decode_fast(text) if _decode_c is None else _decode_c(text)
        if fast is not None:
            return fast
    raw = text.encode("ascii", "replace") if isinstance(text, str) else bytes(text)
    if len(raw) > MAX_TEXT:
        raise EncodingError(
            f"base45 text is {len(raw)} characters; the limit is {MAX_TEXT}",
            code="encoding.base45",
        )
    if len(raw) % 3 == 1:
        raise EncodingError(
            f"base45 text length {len(raw)} leaves a single character at the end",
            code="encoding.base45",
        )
    values = raw.translate(_DECODE_TABLE)
    bad = values.find(_INVALID)
    if bad != -1:
        raise EncodingError(
            f"character {chr(raw[bad])!r} at position {bad} is not in the base45 alphabet",
            code="encoding.base45",
            where=f"character {bad}",
        )
    full = len(values) - len(values) % 3
    arr = np.frombuffer(values, dtype=np.uint8, count=full).reshape(-1, 3).astype(np.uint32)
    numbers = arr[:, 0] + arr[:, 1] * 45 + arr[:, 2] * 2025
    if numbers.size and int(numbers.max()) > 0xFFFF:
        group = int(np.argmax(numbers > 0xFFFF))
        raise EncodingError(
            f"base45 group {group} decodes to a value above 65535",
            code="encoding.base45",
            where=f"characters {group * 3}..{group * 3 + 2}",
        )
    out = numbers.astype(">u2").tobytes()
    if len(values) % 3 == 2:
        tail = values[-2] + values[-1] * 45
        if tail > 0xFF:
            raise EncodingError(
                "the last base45 pair decodes to a value above 255", code="encoding.base45"
            )
        out += bytes((tail,))
    return out
