"""Strict base64url without padding (RFC 7515 section 2), as JWS and VDS-NC use it.

The hot path maps the URL alphabet to the standard one with one ``bytes.translate`` (turning
``+``, ``/`` and ``=`` into a character base64 does not know) and lets ``binascii``'s strict mode
refuse anything else; on refusal the regex path below names the problem.
"""

from __future__ import annotations

import base64
import binascii
import re

from shomeisho.errors import EncodingError

_B64URL = re.compile(r"^[A-Za-z0-9_-]*$")
_TO_STANDARD = bytearray(range(256))
for _char in b"+/=":
    _TO_STANDARD[_char] = ord("!")
_TO_STANDARD[ord("-")], _TO_STANDARD[ord("_")] = ord("+"), ord("/")
TO_STANDARD_TABLE = bytes(_TO_STANDARD)
PADDING = (b"", b"===", b"==", b"=")  # by length % 4; a remainder of 1 is refused by binascii


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
    if len(text) <= max_length and text.isascii():
        body_fast = text.rstrip("=") if allow_padding else text
        try:
            raw = body_fast.encode("ascii").translate(TO_STANDARD_TABLE)
            return binascii.a2b_base64(raw + PADDING[len(raw) % 4], strict_mode=True)
        except binascii.Error:
            pass
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
