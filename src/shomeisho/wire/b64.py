"""Strict base64url without padding (RFC 7515 section 2), as JWS and VDS-NC use it."""

from __future__ import annotations

import base64
import binascii
import re

from shomeisho.errors import EncodingError

_B64URL = re.compile(r"^[A-Za-z0-9_-]*$")


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(
    text: str,
    *,
    what: str = "base64url value",
    allow_padding: bool = False,
    max_length: int = 1 << 20,
) -> bytes:
    """Decode base64url, rejecting the standard alphabet, stray characters and excess length."""
    if len(text) > max_length:
        raise EncodingError(
            f"{what} is {len(text)} characters; the limit is {max_length}",
            code="encoding.base64",
            where=what,
        )
    body = text.rstrip("=") if allow_padding else text
    if not _B64URL.match(body) or len(body) % 4 == 1:
        raise EncodingError(f"{what} is not valid base64url", code="encoding.base64", where=what)
    try:
        return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError):
        raise EncodingError(
            f"{what} is not valid base64url", code="encoding.base64", where=what
        ) from None
