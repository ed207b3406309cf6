"""Strict CBOR for COSE/CWT: no duplicate map keys, no trailing bytes, no NaN, bounded depth.

``cbor2.loads`` accepts duplicate keys and ignores bytes after the first item; both are ways to make
two verifiers disagree about one signed document. We decode with ``allow_duplicate_keys=False``
through a stream and check that the stream was consumed exactly.

Where the optional C accelerator is built (``_accel.c``), plain data (maps, arrays, integers,
text, bytes, booleans, null) is decoded there first, with the same checks; it answers only when
the item is surely valid, so every error still comes from the cbor2 path below. ``ACCELERATED``
says whether it is in use.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable
from typing import Any

import cbor2

from shomeisho.errors import MalformedError

try:
    from shomeisho.wire._accel import cbor_decode as _decode_c
except ImportError:  # built without a C compiler: cbor2 alone
    _decode_c: Callable[[bytes, int], tuple[object] | None] | None = None  # type: ignore[no-redef]

ACCELERATED = _decode_c is not None

MAX_CBOR = 64 * 1024
MAX_DEPTH = 16


def loads(data: bytes, *, what: str = "CBOR", max_depth: int = MAX_DEPTH) -> Any:
    """Decode exactly one CBOR item; every library failure becomes :class:`MalformedError`."""
    if len(data) > MAX_CBOR:
        raise MalformedError(
            f"{what} is {len(data)} bytes; the limit is {MAX_CBOR}",
            code="malformed.cbor.too_long",
            where=what,
        )
    if _decode_c is not None and type(data) is bytes:
        found = _decode_c(data, max_depth)
        if found is not None:  # no floats in plain data, so no NaN either
            return found[0]
    if not data:
        raise MalformedError(f"{what} is empty", code="malformed.cbor", where=what)
    stream = io.BytesIO(data)
    try:
        decoder = cbor2.CBORDecoder(stream, allow_duplicate_keys=False, max_depth=max_depth)
        value = decoder.decode()
    except cbor2.CBORDecodeError as exc:
        text = str(exc)
        code = "malformed.duplicate_key" if "duplicate" in text.lower() else "malformed.cbor"
        if "depth" in text.lower():
            code = "malformed.depth"
        raise MalformedError(f"{what} is not valid CBOR: {text}", code=code, where=what) from None
    except (
        ValueError,
        TypeError,
        OverflowError,
        RecursionError,
        UnicodeError,
        EOFError,
        LookupError,
        MemoryError,
    ) as exc:
        raise MalformedError(
            f"{what} is not valid CBOR ({type(exc).__name__})", code="malformed.cbor", where=what
        ) from None
    used = stream.tell()
    if used != len(data):
        raise MalformedError(
            f"{what} has {len(data) - used} bytes after the CBOR item",
            code="malformed.trailing",
            where=what,
        )
    if _NON_FINITE.search(data):  # no NaN or infinity can be encoded otherwise
        _reject_non_finite(value, what)
    return value


# Initial bytes of CBOR half/single/double floats (major type 7, additional info 25/26/27).
# Every encoding of a half, single or double NaN/infinity: the head byte, then an exponent of all
# ones. Only when such bytes appear (rarely: they also occur inside other data) is the decoded
# value walked, which keeps the common case at one C-speed regex scan.
_NON_FINITE = re.compile(
    rb"\xf9[\x7c-\x7f\xfc-\xff]|\xfa[\x7f\xff][\x80-\xff]|\xfb[\x7f\xff][\xf0-\xff]"
)


def _reject_non_finite(value: Any, what: str) -> None:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, float):
            if not math.isfinite(item):
                raise MalformedError(
                    f"{what} contains a non-finite number", code="malformed.cbor.nan", where=what
                )
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
        elif isinstance(item, cbor2.CBORTag):
            stack.append(item.value)


def dumps(value: Any) -> bytes:
    return cbor2.dumps(value)
