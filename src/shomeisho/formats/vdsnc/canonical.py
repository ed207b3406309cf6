"""RFC 8785 (JCS) canonical JSON of a seal's ``data``, the bytes the VDS-NC signature covers.

The ``rfc8785`` package is exact but pure Python: about 60 µs for a typical ``data``, as much as the
ECDSA P-256 verification it feeds. For the JSON a seal holds (strings, safe integers, booleans,
null, objects with ASCII keys) RFC 8785 output is byte-for-byte what the C encoder of ``json``
writes with sorted keys, no whitespace and ``ensure_ascii=False``:

* strings: JCS escapes ``"``, ``\\``, ``\\b \\t \\n \\f \\r`` and other controls below U+0020 as
  lower-case ``\\u00xx``, and nothing else; ``json`` does exactly the same;
* integers up to 2**53 - 1 in magnitude print the same as the IEEE 754 doubles JCS formats;
* keys: JCS sorts by UTF-16 code units, ``json`` by code points; for ASCII keys they agree.

Anything else (floats, larger integers, non-ASCII keys) goes to ``rfc8785``, so the result is always
RFC 8785. ``tests/formats/test_vdsnc.py`` checks the equivalence on generated values.
"""

from __future__ import annotations

import json
from typing import Any

import rfc8785

from shomeisho.errors import MalformedError

SAFE_INTEGER = 2**53 - 1

_encode = json.JSONEncoder(
    ensure_ascii=False, allow_nan=False, sort_keys=True, separators=(",", ":")
).encode


def _in_fast_subset(value: Any) -> bool:
    """True when the C ``json`` encoder writes ``value`` exactly as RFC 8785 would."""
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return True
    if kind is int:
        return bool(-SAFE_INTEGER <= value <= SAFE_INTEGER)
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str or not key.isascii():
                return False
            if type(item) is not str and not _in_fast_subset(item):
                return False
        return True
    if kind is list:
        return all(type(item) is str or _in_fast_subset(item) for item in value)
    return False


def canonical_json(value: Any, *, what: str = "data") -> bytes:
    """The RFC 8785 serialisation of ``value`` as UTF-8 bytes, or :class:`MalformedError`."""
    try:
        if _in_fast_subset(value):
            return _encode(value).encode("utf-8")
        return rfc8785.dumps(value)
    except UnicodeEncodeError:
        raise MalformedError(
            f"{what} contains a lone surrogate, which is not Unicode text",
            code="malformed.vdsnc.canonical",
            where=what,
        ) from None
    except (rfc8785.CanonicalizationError, ValueError, TypeError, RecursionError) as exc:
        raise MalformedError(
            f"{what} cannot be put in RFC 8785 canonical form: {exc}",
            code="malformed.vdsnc.canonical",
            where=what,
        ) from None
