"""Base45 (RFC 9285), the text encoding inside ``HC1:`` QR codes.

Hand-written rather than the ``base45`` package: a per-character Python loop costs about as
much as the ECDSA verification of the whole certificate (see ``benchmarks/codecs.py``). Here
the alphabet lookup is one ``bytes.translate`` and the arithmetic is vectorised with NumPy, so
decoding a typical DCC costs a few microseconds. Strict: every character must be in the alphabet
and every group must be in range, as RFC 9285 section 4.2 requires.
"""

from __future__ import annotations

import numpy as np

from shomeisho.errors import EncodingError

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


def decode(text: str | bytes) -> bytes:
    """Decode base45 text, raising :class:`EncodingError` that says which character is wrong."""
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
