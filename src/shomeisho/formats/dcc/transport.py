"""The text wrapping of an HCERT: ``HC1:`` + base45 ( zlib ( COSE_Sign1 ) ).

Each step is a function of its own so that conformance tests can check them one at a time, and
each raises one of our errors (never a library exception): a wrong prefix or a bad base45
character is an :class:`~shomeisho.errors.EncodingError`, broken or oversized zlib a
:class:`~shomeisho.errors.DecompressionError`. Uncompressed payloads are refused: HCERT requires
zlib, and the corpus case ``common/Z2`` ("not compressed") expects exactly that.

Base45 decoding is :func:`shomeisho.wire.base45.decode`, whose integer-lane fast path was
written for DCC.
"""

from __future__ import annotations

from shomeisho.errors import EncodingError
from shomeisho.wire import base45
from shomeisho.wire.inflate import MAX_INFLATED, deflate_zlib, inflate_zlib

PREFIX = "HC1:"


def recognises(text: object) -> bool:
    """Cheap test used for format detection; never raises."""
    return isinstance(text, str) and text.lstrip().startswith(PREFIX)


def unprefix(text: str) -> str:
    """The base45 text after ``HC1:``; surrounding whitespace (a pasted newline) is ignored."""
    stripped = text.strip()
    if not stripped.startswith(PREFIX):
        shown = stripped[:4]
        if len(stripped) >= 4 and stripped[3] == ":":
            detail = f"it starts with {shown!r}, a context this verifier does not support"
        else:
            detail = "it has no context identifier at all"
        raise EncodingError(
            f"an EU DCC starts with {PREFIX!r}; {detail}", code="encoding.prefix", where="prefix"
        )
    return stripped[len(PREFIX) :]


def decode_base45(text: str) -> bytes:
    """Base45 to the zlib bytes; errors name the offending character."""
    return base45.decode(text)


_ZLIB_WHAT = "the zlib-compressed COSE message"


def inflate(data: bytes) -> bytes:
    """zlib to the COSE bytes, refusing anything that would inflate past 64 KiB."""
    return inflate_zlib(data, limit=MAX_INFLATED, what=_ZLIB_WHAT)


def decode(text: str) -> bytes:
    """From the QR text to the COSE_Sign1 bytes (:func:`inflate`, one call fewer)."""
    return inflate_zlib(decode_base45(unprefix(text)), limit=MAX_INFLATED, what=_ZLIB_WHAT)


def encode(cose: bytes) -> str:
    """From COSE_Sign1 bytes to the QR text."""
    return PREFIX + base45.encode(deflate_zlib(cose))
