"""The SMART Health Cards numeric QR encoding: each JWS character as two digits of ``ord(c) - 45``.

Vectorised with NumPy for the same reason as :mod:`shomeisho.wire.base45`: a Python loop over a
1,195-character JWS costs more than verifying its signature.
"""

from __future__ import annotations

import numpy as np

from shomeisho.errors import EncodingError

MAX_DIGITS = 2 * 4096


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
