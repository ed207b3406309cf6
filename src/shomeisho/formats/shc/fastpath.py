"""Hot-path decoders for verifying many cards per second, strict by construction.

Verification must run at a good fraction of the raw ECDSA rate (one P-256 verify is ~65 µs), so
the steps that cost most besides the signature get leaner versions here. Each one only ever
*accepts* what the reference decoder accepts, with the same result; anything it is not sure of
goes to the reference decoder, which decides and raises the precise error (code and message):

* the ``shc:/`` digits and base64url: :mod:`shomeisho.wire.numeric` and :mod:`shomeisho.wire.b64`
  have table-driven fast paths of their own (``bytes.fromhex``/``translate``/``binascii``).
* :func:`loads_object`: JSON with the strict rules of :mod:`shomeisho.wire.strict_json` (no BOM,
  UTF-8 only, no duplicate keys, no NaN/Infinity, nothing before or after the value). The common
  case, a minified payload, is parsed by ``orjson`` and accepted only when serialising the result
  gives back the very same bytes (a dropped duplicate key, white space or an unusual number
  spelling would change them). Otherwise a hooked ``json`` decoder decides, and on any failure
  :func:`shomeisho.wire.strict_json.loads` names the error. As before, there is no separate depth
  walk of the whole payload: the parsers' own recursion guards stop runaway nesting, and the FHIR
  checks cap the depth of the bundle they walk (so a payload is accepted exactly as before).
"""

from __future__ import annotations

import json
from typing import Any

import orjson

from shomeisho.errors import MalformedError
from shomeisho.wire import b64, numeric, strict_json

numeric_bytes = numeric.try_decode_bytes


def numeric_decode(digits: str) -> str:
    """The JWS for the digits after ``shc:/`` (the shared decoder has the fast path)."""
    return numeric.decode(digits)


B64_TABLE = b64.TO_STANDARD_TABLE
B64_PAD = b64.PADDING


def b64url_decode(text: str, *, what: str) -> bytes:
    """Strict unpadded base64url (the shared decoder has the fast path and the errors)."""
    return b64.b64url_decode(text, what=what)


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
    if len(data) <= strict_json.MAX_JSON_TEXT:
        try:
            value = orjson.loads(data)
            if type(value) is dict and orjson.dumps(value) == data:
                return value
        except (orjson.JSONDecodeError, orjson.JSONEncodeError):  # encoding: nesting over 255
            pass
        if not data.startswith(b"\xef\xbb\xbf"):
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
