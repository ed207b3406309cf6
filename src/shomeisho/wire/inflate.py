"""Capped decompression: a QR holds ~3 KB, so nothing legitimate inflates past 64 KiB.

``zlib.decompressobj().decompress(data, max_length)`` stops at the cap instead of allocating
whatever a 1000:1 bomb asks for; anything left unconsumed means the cap was hit.
"""

from __future__ import annotations

import zlib

from shomeisho.errors import DecompressionError

MAX_INFLATED = 64 * 1024


def _inflate(data: bytes, wbits: int, what: str, limit: int) -> bytes:
    inflater = zlib.decompressobj(wbits)
    try:
        out = inflater.decompress(data, limit)
    except zlib.error as exc:
        raise DecompressionError(
            f"{what} is not valid compressed data ({exc})", code="decompression.invalid", where=what
        ) from None
    if inflater.unconsumed_tail:
        raise DecompressionError(
            f"{what} inflates to more than {limit} bytes; refusing (possible decompression bomb)",
            code="decompression.too_large",
            where=what,
        )
    if not inflater.eof:
        raise DecompressionError(
            f"{what} ends before the compressed stream does",
            code="decompression.truncated",
            where=what,
        )
    if inflater.unused_data:
        raise DecompressionError(
            f"{what} has {len(inflater.unused_data)} bytes after the compressed stream",
            code="decompression.trailing",
            where=what,
        )
    return out


def inflate_zlib(data: bytes, *, limit: int = MAX_INFLATED, what: str = "zlib data") -> bytes:
    """RFC 1950 zlib, as HCERT uses."""
    return _inflate(data, zlib.MAX_WBITS, what, limit)


def inflate_raw(data: bytes, *, limit: int = MAX_INFLATED, what: str = "DEFLATE data") -> bytes:
    """RFC 1951 raw DEFLATE (no header), as SMART Health Cards use (``zip: DEF``)."""
    return _inflate(data, -zlib.MAX_WBITS, what, limit)


def deflate_raw(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


def deflate_zlib(data: bytes) -> bytes:
    return zlib.compress(data, 9)
