"""The seal's JSON envelope ``{"data": ..., "sig": {"alg", "cer", "sigvl"}}``: reading and writing.

Reading is strict (:mod:`shomeisho.wire.strict_json`: no duplicate keys, NaN, byte order mark,
trailing text or deep nesting; at most 16 KiB, several times a QR code's capacity, because published
samples are pretty-printed). The envelope may be wrapped in a one-element JSON array, as KDE stores
the Japanese sample. Exactly the members ``data`` and ``sig`` are allowed, and in ``sig`` exactly
``alg``, ``cer`` and ``sigvl``, all strings. ``cer`` and ``sigvl`` are base64url; the corpus has
both padded and unpadded values, so padding is optional, but when present it must be exact, and the
encoding must be canonical (no stray bits), so that one signature has one spelling.

The common case is checked first in a few cheap steps (exact members, unpadded canonical
base64url); anything else goes through the general code, which says what is wrong.
"""

from __future__ import annotations

import binascii
import json
from typing import Any, NamedTuple

from shomeisho.errors import EncodingError, MalformedError
from shomeisho.wire import strict_json
from shomeisho.wire.b64 import b64url_decode, b64url_encode

MAX_SEAL_TEXT = 16 * 1024
MAX_DEPTH = 10  # a vaccination seal nests 8 deep including the array wrapper
MAX_SIGNATURE_TEXT = 1024

_SEAL_MEMBERS = frozenset(("data", "sig"))
_SIG_MEMBERS = frozenset(("alg", "cer", "sigvl"))
_B64URL_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_URL_TO_STANDARD = bytes.maketrans(b"-_", b"+/")
# By the length modulo 4 of unpadded base64url: the padding it needs, and the last characters
# whose unused low bits are zero (canonical); None where any last character is canonical.
_PADDING = (b"", b"", b"==", b"=")
_CANONICAL_LAST: tuple[frozenset[str] | None, ...] = (
    None,
    frozenset(),  # length 1 modulo 4 is never base64
    frozenset("AQgw"),  # 4 bits unused
    frozenset("AEIMQUYcgkosw048"),  # 2 bits unused
)
_CANONICAL_LAST_OF_86 = frozenset("AQgw")  # 64 bytes, 86 characters: 86 % 4 == 2
assert _CANONICAL_LAST[86 % 4] == _CANONICAL_LAST_OF_86 and MAX_SIGNATURE_TEXT >= 86


class Seal(NamedTuple):
    """A structurally sound seal; nothing in it has been checked cryptographically yet.

    (A named tuple: immutable like a frozen dataclass, and made in a third of the time.)
    """

    data: dict[str, Any]
    alg: str
    cer: str
    sigvl: str
    wrapped: bool = False


def decode_b64url(text: str, *, what: str, max_length: int) -> bytes:
    """base64url with optional but exact ``=`` padding and canonical final bits."""
    size = len(text)
    canonical_last = _CANONICAL_LAST[size % 4]
    if (
        0 < size <= max_length
        and (canonical_last is None or text[-1] in canonical_last)
        and text.isascii()
    ):  # unpadded and canonical; if nothing but the alphabet, exactly what the code below returns
        raw = text.encode("ascii")
        if not raw.translate(None, _B64URL_ALPHABET):
            return binascii.a2b_base64(raw.translate(_URL_TO_STANDARD) + _PADDING[size % 4])
    body = text.rstrip("=")
    padding = len(text) - len(body)
    if padding and (len(text) % 4 or padding != -len(body) % 4):
        raise EncodingError(f"{what} has wrong base64 padding", code="encoding.base64", where=what)
    raw = b64url_decode(body, what=what, max_length=max_length)
    if b64url_encode(raw) != body:
        raise EncodingError(
            f"{what} is not canonical base64url (stray bits in the last character)",
            code="encoding.base64",
            where=what,
        )
    return raw


def parse_seal(text: str | bytes) -> Seal:
    """Read the envelope; raises :class:`MalformedError` (or its JSON subclasses) if unsound."""
    if type(text) is not str and not isinstance(text, str | bytes | bytearray):
        raise MalformedError("a seal is JSON text", code="malformed.vdsnc", where="seal")
    doc = strict_json.loads(text, what="seal", max_length=MAX_SEAL_TEXT, max_depth=MAX_DEPTH)
    if type(doc) is dict and doc.keys() == _SEAL_MEMBERS:
        data, sig = doc["data"], doc["sig"]
        if type(data) is dict and type(sig) is dict and sig.keys() == _SIG_MEMBERS:
            alg, cer, sigvl = sig["alg"], sig["cer"], sig["sigvl"]
            if type(alg) is str and type(cer) is str and type(sigvl) is str:
                return Seal(data, alg, cer, sigvl)
    wrapped = isinstance(doc, list)
    if wrapped:
        if len(doc) != 1:
            raise MalformedError(
                f"a JSON array around a seal must hold exactly one seal, not {len(doc)} items",
                code="malformed.vdsnc",
                where="seal",
            )
        doc = doc[0]
    if not isinstance(doc, dict):
        raise MalformedError(
            "a seal is a JSON object with 'data' and 'sig'", code="malformed.vdsnc", where="seal"
        )
    _exact_members(doc, ("data", "sig"), "seal")
    data, sig = doc["data"], doc["sig"]
    if not isinstance(data, dict):
        raise MalformedError(
            "the seal's 'data' is not an object", code="malformed.vdsnc", where="data"
        )
    if not isinstance(sig, dict):
        raise MalformedError(
            "the seal's 'sig' is not an object", code="malformed.vdsnc", where="sig"
        )
    _exact_members(sig, ("alg", "cer", "sigvl"), "sig")
    for key in ("alg", "cer", "sigvl"):
        if not isinstance(sig[key], str):
            raise MalformedError(
                f"sig.{key} is not a string", code="malformed.vdsnc", where=f"sig.{key}"
            )
    return Seal(data, sig["alg"], sig["cer"], sig["sigvl"], wrapped)


def _exact_members(obj: dict[str, Any], names: tuple[str, ...], where: str) -> None:
    missing = [n for n in names if n not in obj]
    extra = sorted(k for k in obj if k not in names)
    if missing or extra:
        detail = "; ".join(
            part
            for part in (
                f"missing {', '.join(missing)}" if missing else "",
                f"unexpected {', '.join(extra)}" if extra else "",
            )
            if part
        )
        raise MalformedError(
            f"{where} must have exactly the members {', '.join(names)} ({detail})",
            code="malformed.vdsnc",
            where=where,
        )


def signature_bytes(seal: Seal) -> bytes:
    """``sig.sigvl`` decoded (raw ``r || s`` for ES256)."""
    text = seal.sigvl
    if len(text) == 86 and text[-1] in _CANONICAL_LAST_OF_86 and text.isascii():
        raw = text.encode("ascii")  # the unpadded 64 bytes of ES256; the fast path of
        if not raw.translate(None, _B64URL_ALPHABET):  # decode_b64url, written out
            return binascii.a2b_base64(raw.translate(_URL_TO_STANDARD) + b"==")
    return decode_b64url(text, what="sig.sigvl", max_length=MAX_SIGNATURE_TEXT)


def write_seal(canonical_data: bytes, *, alg: str, certificate_der: bytes, signature: bytes) -> str:
    """The compact seal text; ``data`` is written in its canonical form, so even a reader that
    (wrongly) verifies the received bytes agrees with one that canonicalises."""
    sig = json.dumps(
        {"alg": alg, "cer": b64url_encode(certificate_der), "sigvl": b64url_encode(signature)},
        separators=(",", ":"),
    )
    return '{"data":' + canonical_data.decode("utf-8") + ',"sig":' + sig + "}"
