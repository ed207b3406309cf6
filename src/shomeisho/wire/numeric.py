"""The SMART Health Cards numeric QR encoding: each JWS character as two digits of ``ord(c) - 45``.

A Python loop over a 1,195-character JWS costs more than verifying its signature, so decoding
reads the digits as hex with ``bytes.fromhex`` (the pair "ab" becomes the byte 0xab) and maps that
byte to the character 10a + b + 45 with one ``bytes.translate`` (about 2 us). Anything the table
does not map (odd length, non-digits, pairs above 77) goes to a NumPy pass that names the problem.
"""

from __future__ import annotations

import numpy as np

from shomeisho.errors import EncodingError

MAX_DIGITS = 2 * 4096
_INVALID = 0xFF
_PAIRS = bytearray([_INVALID]) * 256
for _tens in range(8):
    for _ones in range(10):
        if _tens * 10 + _ones <= 77:
            _PAIRS[_tens * 16 + _ones] = _tens * 10 + _ones + 45
_PAIR_TABLE = bytes(_PAIRS)


def try_decode_bytes(digits: str) -> bytes | None:
    """The JWS as ASCII bytes when every digit pair is valid, else None (no error raised)."""
    if len(digits) <= MAX_DIGITS and not len(digits) % 2:
        try:
            raw = bytes.fromhex(digits)  # refuses non-ASCII; skips white space, counted below
        except ValueError:
            return None
        if len(raw) * 2 == len(digits):
            out = raw.translate(_PAIR_TABLE)
            if b"\xff" not in out:
                return out
    return None


def decode_bytes(digits: str) -> bytes:
    """The JWS as ASCII bytes; raises :class:`EncodingError` saying which digit is wrong."""
    out = try_decode_bytes(digits)
    if out is not None:
        return out
    return _decode_slowly(digits).encode("ascii")


def encode(jws: str) -> str:
    raw = np.frombuffer(jws.encode("ascii"), dtype=np.uint8).astype(np.int16) - 45
    if raw.size and (int(raw.min()) < 0 or int(raw.max()) > 77):
        raise EncodingError(
            "JWS contains characters outside the SHC numeric range", code="encoding.numeric"
        )
    tens = (raw // 10).astype(np.uint8) + 48
    ones = (raw % 10).astype(np.uint8) + 48
    return np.stack((tens, ones), axis=1).reshape(-1).tobytes().decode("ascii")


def decode(digits: str) -> str:
    """Turn the digits after ``shc:/`` back into the JWS text."""
    return decode_bytes(digits).decode("ascii")


def _decode_slowly(digits: str) -> str:
    if len(digits) > MAX_DIGITS:
        raise EncodingError(
            f"numeric QR content has {len(digits)} digits; the limit is {MAX_DIGITS}",
            code="encoding.numeric.too_long",
        )
    if len(digits) % 2:
        raise EncodingError(
            f"numeric QR content has an odd number of digits ({len(digits)})",
            code="encoding.numeric.odd",
        )
    try:
        raw = digits.encode("ascii")
    except UnicodeEncodeError:
        raise EncodingError(
            "numeric QR content contains non-digit characters", code="encoding.numeric.character"
        ) from None
    arr = np.frombuffer(raw, dtype=np.uint8).astype(np.int16) - 48
    if arr.size and (int(arr.min()) < 0 or int(arr.max()) > 9):
        pos = int(np.argmax((arr < 0) | (arr > 9)))
        raise EncodingError(
            f"character {digits[pos]!r} at position {pos} is not a digit",
            code="encoding.numeric.character",
            where=f"digit {pos}",
        )
    pairs = arr.reshape(-1, 2)
    values = pairs[:, 0] * 10 + pairs[:, 1]
    if values.size and int(values.max()) > 77:
        pos = int(np.argmax(values > 77))
        raise EncodingError(
            f"digit pair {int(values[pos]):02d} at position {pos * 2} is above "
            "77, the largest value the SHC numeric encoding allows",
            code="encoding.numeric.range",
            where=f"digit {pos * 2}",
        )
    return (values + 45).astype(np.uint8).tobytes().decode("ascii")
