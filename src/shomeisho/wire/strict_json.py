"""Strict JSON for signed payloads: no duplicate keys, NaN, BOM, trailing data or deep nesting.

Python's ``json`` silently keeps the last of two duplicate keys and accepts ``NaN``; both let a
signed document mean different things to different parsers, so they are errors here.

Speed: a duplicate-key hook costs a Python call per object, about as much as the rest of an SHC
verification. So the common case takes a fast path that is still exact: ``orjson`` (strict RFC
8259: no NaN, no trailing data) parses the text, and if serialising the result gives back the very
same bytes, the input cannot have held a duplicate key (a dropped duplicate would change them).
Anything else (whitespace, escapes, big numbers, any parse error) goes to the slow, hooked parser,
which decides and names the problem.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import orjson

from shomeisho.errors import MalformedError

try:
    from shomeisho.wire._accel import json_too_deep as _too_deep_c
except ImportError:  # built without a C compiler (or an older build): the Python walk
    _too_deep_c: Callable[[object, int], bool | None] | None = None  # type: ignore[no-redef]

MAX_JSON_TEXT = 64 * 1024
MAX_DEPTH = 24


def _pairs_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise MalformedError(
                    f"JSON object has the key {key!r} twice",
                    code="malformed.duplicate_key",
                    where=key,
                )
            seen.add(key)
    return out


def _reject_constant(name: str) -> Any:
    raise MalformedError(f"JSON contains {name}, which is not a number", code="malformed.json.nan")


_DECODER = json.JSONDecoder(
    object_pairs_hook=_pairs_without_duplicates, parse_constant=_reject_constant
)


def check_depth(value: Any, limit: int = MAX_DEPTH, what: str = "JSON") -> None:
    """Reject containers nested deeper than ``limit``.

    Recursive, but the recursion stops at ``limit`` levels, so it can never hit Python's own
    recursion limit; measured about five times faster than an explicit stack on SHC payloads.
    Where the C accelerator is built, the same walk runs there (``_accel.json_too_deep``, the
    same answer, property-tested against :func:`_too_deep`): a VDS-NC seal is eleven nested
    containers, eleven Python calls on every verification.
    """
    deep = _too_deep_c(value, limit) if _too_deep_c is not None else None
    if deep is None:
        deep = _too_deep(value, limit)
    if deep:
        raise MalformedError(f"{what} is nested deeper than {limit} levels", code="malformed.depth")


def _too_deep(value: Any, budget: int) -> bool:
    if isinstance(value, dict):
        children: Any = value.values()
    elif isinstance(value, list):
        children = value
    else:
        return False
    if budget <= 0:
        return True
    budget -= 1
    for child in children:
        if (type(child) is dict or type(child) is list) and _too_deep(child, budget):
            return True
    return False


def loads(
    text: str | bytes,
    *,
    what: str = "JSON",
    max_length: int = MAX_JSON_TEXT,
    max_depth: int | None = MAX_DEPTH,
) -> Any:
    """Parse one JSON value and nothing else; raise :class:`MalformedError` saying what is wrong.

    ``max_depth=None`` skips the nesting check for a caller whose own shape check already bounds
    the depth (Python's recursion limit still bounds the slow parser).
    """
    fast = _fast_loads(text, max_length)
    if fast is not _NO_FAST_RESULT:
        if max_depth is not None:
            check_depth(fast, max_depth, what)
        return fast
    if isinstance(text, bytes | bytearray):
        if text.startswith(b"\xef\xbb\xbf"):
            raise MalformedError(
                f"{what} starts with a UTF-8 byte order mark", code="malformed.json.bom", where=what
            )
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MalformedError(
                f"{what} is not UTF-8 (byte {exc.start})", code="malformed.json.utf8", where=what
            ) from None
    if len(text) > max_length:
        raise MalformedError(
            f"{what} is {len(text)} characters; the limit is {max_length}",
            code="malformed.json.too_long",
            where=what,
        )
    if text.startswith("\ufeff"):
        raise MalformedError(
            f"{what} starts with a byte order mark", code="malformed.json.bom", where=what
        )
    try:
        value, end = _DECODER.raw_decode(text, _skip_space(text, 0))
    except MalformedError as exc:
        exc.where = exc.where or what
        raise
    except json.JSONDecodeError as exc:
        raise MalformedError(
            f"{what} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
            code="malformed.json",
            where=what,
        ) from None
    except RecursionError:
        raise MalformedError(
            f"{what} is nested too deeply", code="malformed.depth", where=what
        ) from None
    end = _skip_space(text, end)
    if end != len(text):
        raise MalformedError(
            f"{what} has {len(text) - end} characters after the JSON value",
            code="malformed.trailing",
            where=what,
        )
    if max_depth is not None:
        check_depth(value, max_depth, what)
    return value


_NO_FAST_RESULT: Any = object()


def _fast_loads(text: str | bytes, max_length: int) -> Any:
    """The parsed value when the input is exactly orjson's compact form of it, else a sentinel."""
    if len(text) > max_length:
        return _NO_FAST_RESULT
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else bytes(text)
    try:
        value = orjson.loads(data)
        again = orjson.dumps(value)
    except (orjson.JSONDecodeError, orjson.JSONEncodeError):
        return _NO_FAST_RESULT
    return value if again == data else _NO_FAST_RESULT


def _skip_space(text: str, pos: int) -> int:
    n = len(text)
    while pos < n and text[pos] in " \t\n\r":
        pos += 1
    return pos


def dumps_compact(value: Any) -> str:
    """Minified JSON, UTF-8 characters kept (SHC requires minified payloads)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
