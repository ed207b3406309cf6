"""SMART Health Links: ``shlink:/`` payloads, manifests and the encrypted files they point to.

A link is ``[https://viewer#]shlink:/`` + base64url JSON ``{url, key, [flag], [label], [exp],
[v]}``. Flag ``U`` means ``url`` is the one encrypted file (GET); otherwise ``url`` is a manifest
(POST ``{recipient, [passcode]}``, flag ``P`` asks for a passcode) listing files by ``location``
or ``embedded``. Files are JWE compact, ``alg: dir``, ``enc: A256GCM`` under the 32-byte link key;
a ``application/smart-health-card`` file is verified card by card like a ``.smart-health-card``.

Unlike the rest of this package, following a link needs the network. Nothing here opens a
connection by itself: the caller passes a :data:`Fetcher` (``urllib_fetcher`` is a plain one).
Every URL must use https (``invalid.shl.not_https.*``); a fetcher may still be allowed to reach a
plain-http test server, and the finding is reported all the same.

Codes: MalformedError ``malformed.shl`` (link, payload, manifest or JWE unreadable); InvalidError
``invalid.shl`` (a rule of the SHL spec broken), ``invalid.shl.not_https.manifest`` /
``.file`` (plain http for the manifest or a file); InputError
``input.shl.passcode`` (the server refused the passcode); UnreadableError ``unreadable.shl.fetch``.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from shomeisho.errors import EncodingError, InvalidError, MalformedError
from shomeisho.formats.shc import crl as crlmod
from shomeisho.formats.shc.shlfetch import (
    Fetcher,
    ShlResult,
    decrypt,
    follow,
    read_file_entry,
    read_manifest,
    urllib_fetcher,
)
from shomeisho.trust.store import TrustStore
from shomeisho.wire import strict_json
from shomeisho.wire.b64 import b64url_decode

PREFIX = "shlink:/"
MAX_LINK = 4096
_KEY = re.compile(r"^[A-Za-z0-9_-]{43}$")
_LINK = re.compile(r"^(?:(https://[^#\s]+)#)?shlink:/([A-Za-z0-9_-]+)$")

__all__ = [
    "Fetcher",
    "ShlResult",
    "decrypt",
    "parse_link",
    "parse_payload",
    "urllib_fetcher",
    "verify_link",
    "verify_link_qr",
    "verify_manifest",
    "verify_manifest_file",
    "verify_payload",
]


def parse_link(text: str, result: ShlResult) -> dict[str, Any] | None:
    """The payload of a ``shlink:/`` URI (optionally behind a viewer URL and ``#``)."""
    stripped = text.strip()
    if stripped != text:
        result.warnings.append(
            MalformedError("the link has spaces around it", code="malformed.shl", where="link")
        )
    match = _LINK.match(stripped) if len(stripped) <= MAX_LINK else None
    if match is None:
        result.errors.append(
            MalformedError(
                "not a SMART Health Link ([https://viewer#]shlink:/<base64url>)",
                code="malformed.shl",
                where="link",
            )
        )
        return None
    try:
        data = b64url_decode(match[2], what="SHL payload")
    except EncodingError as exc:
        result.errors.append(MalformedError(exc.message, code="malformed.shl", where="link"))
        return None
    return parse_payload(data, result)


def parse_payload(data: bytes, result: ShlResult) -> dict[str, Any] | None:
    try:
        payload = strict_json.loads(data.strip(), what="SHL payload")
    except MalformedError as exc:
        result.errors.append(MalformedError(exc.message, code="malformed.shl", where="payload"))
        return None
    if not isinstance(payload, dict):
        result.errors.append(
            MalformedError(
                "the SHL payload is not a JSON object", code="malformed.shl", where="payload"
            )
        )
        return None
    problems = []
    if not isinstance(payload.get("url"), str):
        problems.append("'url' is required")
    if not isinstance(payload.get("key"), str) or not _KEY.match(payload["key"]):
        problems.append("'key' must be 43 base64url characters (256 bits)")
    flag = payload.get("flag", "")
    if not isinstance(flag, str) or not set(flag) <= set("LPU") or ("U" in flag and "P" in flag):
        problems.append("'flag' must be made of L, P, U (U without P)")
    label = payload.get("label")
    if label is not None and (not isinstance(label, str) or len(label) > 80):
        problems.append("'label' must be text of at most 80 characters")
    exp = payload.get("exp")
    if exp is not None and (isinstance(exp, bool) or not isinstance(exp, int | float)):
        problems.append("'exp' must be a number of seconds")
    for problem in problems:
        result.errors.append(
            InvalidError(f"SHL payload: {problem}", code="invalid.shl", where="payload")
        )
    return None if problems else payload


def verify_link(
    text: str,
    trust: TrustStore,
    at: datetime,
    *,
    fetch: Fetcher | None = None,
    passcode: str | None = None,
    crls: crlmod.CrlSet | None = None,
) -> ShlResult:
    result = ShlResult()
    payload = parse_link(text, result)
    if payload is not None:
        follow(payload, trust, at, result, fetch=fetch, passcode=passcode, crls=crls)
    return result


def verify_payload(
    data: bytes,
    trust: TrustStore,
    at: datetime,
    *,
    fetch: Fetcher | None = None,
    passcode: str | None = None,
    crls: crlmod.CrlSet | None = None,
) -> ShlResult:
    result = ShlResult()
    payload = parse_payload(data, result)
    if payload is not None:
        follow(payload, trust, at, result, fetch=fetch, passcode=passcode, crls=crls)
    return result


def verify_manifest(
    data: bytes,
    key: str,
    trust: TrustStore,
    at: datetime,
    *,
    fetch: Fetcher | None = None,
    crls: crlmod.CrlSet | None = None,
) -> ShlResult:
    result = ShlResult()
    read_manifest(data, key, trust, at, result, fetch=fetch, crls=crls)
    return result


def verify_manifest_file(
    data: bytes,
    key: str,
    trust: TrustStore,
    at: datetime,
    *,
    fetch: Fetcher | None = None,
    crls: crlmod.CrlSet | None = None,
) -> ShlResult:
    result = ShlResult()
    try:
        entry = strict_json.loads(data, what="SHL manifest file")
    except MalformedError as exc:
        result.errors.append(MalformedError(exc.message, code="malformed.shl", where="file"))
        return result
    read_file_entry(entry, key, trust, at, result, fetch=fetch, crls=crls)
    return result


def verify_link_qr(
    image: bytes,
    trust: TrustStore,
    at: datetime,
    *,
    fetch: Fetcher | None = None,
    passcode: str | None = None,
    crls: crlmod.CrlSet | None = None,
) -> ShlResult:
    """A link shown as a QR code (one byte-mode segment)."""
    from shomeisho.formats.shc.qrsymbol import read_symbols

    result = ShlResult()
    try:
        symbols = read_symbols(image)
    except EncodingError as exc:
        result.errors.append(exc)
        return result
    symbol = symbols[0]
    if symbol.segments is not None and len(symbol.segments) != 1:
        result.errors.append(
            InvalidError("a SMART Health Link QR has one segment", code="invalid.qr.segments")
        )
    payload = parse_link(symbol.text, result)
    if payload is not None:
        follow(payload, trust, at, result, fetch=fetch, passcode=passcode, crls=crls)
    return result
