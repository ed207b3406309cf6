"""The seal's JSON envelope ``{"data": ..., "sig": {"alg", "cer", "sigvl"}}``: reading and writing.

Reading is strict (:mod:`shomeisho.wire.strict_json`: no duplicate keys, NaN, byte order mark,
trailing text or deep nesting; at most 16 KiB, several times a QR code's capacity, because published
samples are pretty-printed). The envelope may be wrapped in a one-element JSON array, as KDE stores
the Japanese sample. Exactly the members ``data`` and ``sig`` are allowed, and in ``sig`` exactly
``alg``, ``cer`` and ``sigvl``, all strings. ``cer`` and ``sigvl`` are base64url; the corpus has
both padded and unpadded values, so padding is optional, but when present it must be exact, and the
encoding must be canonical (no stray bits), so that one signature has one spelling.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from shomeisho.errors import EncodingError, MalformedError
from shomeisho.wire import strict_json
from shomeisho.wire.b64 import b64url_decode, b64url_encode

MAX_SEAL_TEXT = 16 * 1024
MAX_DEPTH = 10  # a vaccination seal nests 8 deep including the array wrapper
MAX_SIGNATURE_TEXT = 1024


@dataclass(frozen=True)
class Seal:
    """A structurally sound seal; nothing in it has been checked cryptographically yet."""

    data: dict[str, Any]
    alg: str
    cer: str
    sigvl: str
    wrapped: bool = False


def decode_b64url(text: str, *, what: str, max_length: int) -> bytes:
    """base64url with optional but exact ``=`` padding and canonical final bits."""
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
    if not isinstance(text, str | bytes | bytearray):
        raise MalformedError("a seal is JSON text", code="malformed.vdsnc", where="seal")
    doc = strict_json.loads(text, what="seal", max_length=MAX_SEAL_TEXT, max_depth=MAX_DEPTH)
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
    return decode_b64url(seal.sigvl, what="sig.sigvl", max_length=MAX_SIGNATURE_TEXT)


def write_seal(canonical_data: bytes, *, alg: str, certificate_der: bytes, signature: bytes) -> str:
    """The compact seal text; ``data`` is written in its canonical form, so even a reader that
    (wrongly) verifies the received bytes agrees with one that canonicalises."""
    sig = json.dumps(
        {"alg": alg, "cer": b64url_encode(certificate_der), "sigvl": b64url_encode(signature)},
        separators=(",", ":"),
    )
    return '{"data":' + canonical_data.decode("utf-8") + ',"sig":' + sig + "}"
