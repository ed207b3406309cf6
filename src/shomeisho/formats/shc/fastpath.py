"""Hot-path decoders for verifying many cards per second, strict by construction.

Verification must run at a good fraction of the raw ECDSA rate (one P-256 verify is ~65 µs), so
the two steps that cost most besides the signature get leaner versions here:

* :func:`numeric_decode`: the ``shc:/`` digits through one 65,536-entry lookup table (each
  little-endian pair of ASCII digits indexes its character). Anything the table does not map
  (odd length, non-digits, pairs above 77) falls back to :func:`shomeisho.wire.numeric.decode`,
  which raises the precise error.
* :func:`loads_object`: JSON with the strict rules of :mod:`shomeisho.wire.strict_json`
  (no BOM, UTF-8 only, no duplicate keys, no NaN/Infinity, nothing before or after the value)
  but without its separate depth walk: the C scanner's own recursion guard still stops runaway
  nesting, and the FHIR checks cap the depth of the bundle they walk. On any failure the input is
  handed to :func:`shomeisho.wire.strict_json.loads` so the error (code and message) is exactly
  the shared one.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from shomeisho.errors import MalformedError
from shomeisho.wire import numeric, strict_json

_INVALID = 0xFF
_PAIRS = np.full(65536, _INVALID, dtype=np.uint8)
for _tens in range(8):
    for _ones in range(10):
        _value = _tens * 10 + _ones
        if _value <= 77:
            _PAIRS[(0x30 + _tens) | ((0x30 + _ones) << 8)] = _value + 45


def numeric_decode(digits: str) -> str:
    """The JWS for the digits after ``shc:/``; raises :class:`EncodingError` like wire.numeric."""
    if len(digits) <= numeric.MAX_DIGITS and not len(digits) % 2 and digits.isascii():
        out: bytes = _PAIRS[np.frombuffer(digits.encode("ascii"), dtype="<u2")].tobytes()
        if b"\xff" not in out:
            return out.decode("ascii")
    return numeric.decode(digits)  # the reference decoder: raises the precise error


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise ValueError("duplicate key")
    return out


def _constant(name: str) -> Any:
    raise ValueError(name)


_DECODER = json.JSONDecoder(object_pairs_hook=_pairs, parse_constant=_constant)


def loads_object(data: bytes, *, what: str) -> dict[str, Any]:
    """One JSON object, strictly; raises :class:`MalformedError` (strict_json's codes)."""
    if len(data) <= strict_json.MAX_JSON_TEXT and not data.startswith(b"\xef\xbb\xbf"):
        try:
            text = data.decode("utf-8")
            value, end = _DECODER.raw_decode(text)
        except (ValueError, RecursionError):
            pass
        else:
            if end == len(text) and isinstance(value, dict):
                return value
    value = strict_json.loads(data, what=what)  # raises the precise error
    if not isinstance(value, dict):
        raise MalformedError(
            f"the {what} is JSON but not an object", code="malformed.json.object", where=what
        )
    raise MalformedError(
        f"the {what} has white space around the JSON", code="malformed.trailing", where=what
    )
