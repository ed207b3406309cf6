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

Verifying needs the same bytes for ``data`` as a JSON parser returned it, and there the ``orjson``
encoder is faster still (about 1.5 µs instead of 10 µs for the walk and ``json``):
:func:`canonical_json_of_parsed` writes with sorted keys and 53-bit integers enforced, and keeps the
result when it provably is RFC 8785. Measured over every code point, ``orjson`` escapes strings
exactly as JCS does (``"``, ``\\``, the five short escapes, other controls as lower-case
``\\u00xx``, everything else raw, U+007F, U+2028/2029 and non-BMP included), and
``OPT_STRICT_INTEGER`` refuses exactly the integers outside JCS's safe domain. What is left:

* floats (JCS writes ``1`` for ``1.0``): ``orjson`` writes every float as
  ``-?D+(.D+)?(e[+-]D+)?`` with a ``.`` or an ``e`` (checked on two million random doubles), and in
  compact JSON every number starts right after ``:``, ``,`` or ``[``;
* infinities (Python's ``json`` reads ``1e999`` as one), which ``orjson`` writes as ``null`` and
  JCS refuses; a ``null`` too starts right after ``:``, ``,`` or ``[``.

  So one ``bytes.translate`` deletes digits and ``-`` and turns ``,`` and ``[`` into ``:`` and
  ``.`` and ``n`` into ``e``: a float or a ``null`` leaves ``:e`` behind, and finding that (also
  possible inside a string, which merely costs the slow path) sends the value to
  :func:`canonical_json`. (This takes about a microsecond; a regular expression for the same
  scans at about 20 ns a byte.) A caller that knows there is neither (``plain=True``: the field
  check of a seal proves it) skips even that;
* key order: ``orjson`` sorts by code point, JCS by UTF-16 code unit; they differ only between a
  character above U+FFFF and one from U+E000 to U+FFFF, so output holding any four-byte UTF-8
  sequence takes the slow path too (with ``plain=True`` the caller vouches for ASCII keys);
* lone surrogates, which ``orjson`` refuses: the slow path names them.
"""

from __future__ import annotations

import json
from typing import Any

import orjson
import rfc8785

from shomeisho.errors import MalformedError

SAFE_INTEGER = 2**53 - 1

_ORJSON_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_STRICT_INTEGER
_NUMBER_SKELETON = bytes.maketrans(b",[.n", b"::ee"), b"-0123456789"  # translate(*this)
_ALL_BUT_FOUR_BYTE_LEADS = bytes(range(0xF0))  # deleting these leaves the UTF-8 bytes 0xF0-0xF4

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


def canonical_json_of_parsed(value: Any, *, what: str = "data", plain: bool = False) -> bytes:
    """:func:`canonical_json` for a value straight from a JSON parser, whose containers are plain
    ``dict`` and ``list`` holding only ``str``, ``int``, ``float``, ``bool`` and ``None``.

    Other Python types must not come here: ``orjson`` would write some (dates, UUIDs...) that
    RFC 8785 has no form for. ``plain=True`` promises more: no float, no ``None``, no integer
    beyond 2**53 - 1 and only ASCII keys (see the module docstring).
    """
    if type(value) is not dict and type(value) is not list:
        return canonical_json(value, what=what)
    try:
        out = orjson.dumps(value, option=_ORJSON_OPTIONS)
    except orjson.JSONEncodeError:  # a lone surrogate, or an integer JCS cannot write
        return canonical_json(value, what=what)
    if plain:
        return out
    if b":e" in out.translate(*_NUMBER_SKELETON):  # perhaps a float or an infinity
        return canonical_json(value, what=what)
    if not out.isascii() and out.translate(None, _ALL_BUT_FOUR_BYTE_LEADS):
        return canonical_json(value, what=what)  # perhaps keys that sort differently
    return out
