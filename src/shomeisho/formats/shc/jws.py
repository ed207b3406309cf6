"""JWS compact serialization as SHC uses it: ``{"zip":"DEF","alg":"ES256","kid":...}``, a raw
DEFLATE payload, and a raw ``r || s`` ES256 signature.

Reading is split in two so that "signatures first, then contents" holds: :func:`read` decodes
the three parts strictly (base64url, header JSON, inflate with the 64 KiB cap, payload JSON) and
:func:`check_signature` resolves the issuer key and verifies; only then does
:mod:`~shomeisho.formats.shc.payload` look at the claims. The algorithm comes only from the
protected header (JWS has no other) and must be on the allow-list ``{ES256}``; ``jku``, ``jwk``
and ``x5u`` header parameters are never followed.
"""

from __future__ import annotations

import binascii
import json
import zlib
from binascii import a2b_base64
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from shomeisho.errors import (
    AlgorithmError,
    DecompressionError,
    EncodingError,
    InvalidError,
    MalformedError,
    SignatureError,
    SignatureFormatError,
    UntrustedError,
)
from shomeisho.formats.shc import fastpath
from shomeisho.formats.shc import jwk as jwkmod
from shomeisho.formats.shc.problems import MAX_JWS_TEXT, MAX_SINGLE_QR_JWS, Findings, Sink
from shomeisho.signing import ES256, Signer, raw_to_der
from shomeisho.trust.store import TrustStore
from shomeisho.wire import strict_json
from shomeisho.wire.b64 import b64url_encode
from shomeisho.wire.inflate import MAX_INFLATED, deflate_raw, inflate_raw

ALLOWED_ALGORITHMS = frozenset({ES256})
_WHITESPACE = " \t\r\n\f\v\ufeff"


@dataclass
class ParsedJws:
    """A JWS whose parts decoded; ``usable`` is False when the header rules out verifying it."""

    text: str
    header: Mapping[str, Any]
    payload_bytes: bytes
    payload: dict[str, Any]
    signing_input: bytes
    signature: bytes
    kid: str | None
    usable: bool


def sign(payload: Mapping[str, Any], signer: Signer, kid: str) -> str:
    """Minify, raw-DEFLATE and sign a JWT payload; return the compact JWS."""
    header = b64url_encode(
        strict_json.dumps_compact({"zip": "DEF", "alg": ES256, "kid": kid}).encode("utf-8")
    )
    body = b64url_encode(deflate_raw(strict_json.dumps_compact(payload).encode("utf-8")))
    signing_input = f"{header}.{body}"
    signature = signer.sign(signing_input.encode("ascii"))
    if len(signature) != 64:
        raise SignatureFormatError(
            f"the signer returned {len(signature)} bytes; ES256 in JWS is 64 bytes of r||s",
            code="signature.format",
        )
    return f"{signing_input}.{b64url_encode(signature)}"


def read(text: str, sink: Sink) -> ParsedJws | None:
    """Decode a compact JWS strictly; record every problem in ``sink``.

    Returns None when nothing trustworthy can be read (the payload is needed to find the key).
    Header problems (alg, zip, kid) are recorded but decoding continues, so one report lists them
    all; ``usable`` then says the signature must not be checked.
    """
    stripped = text.strip(_WHITESPACE)
    if stripped != text:
        sink.errors.append(
            MalformedError(
                "the JWS has characters (spaces, line breaks, a byte "
                "order mark) before or after it",
                code="malformed.trailing",
                where="JWS",
            )
        )
    if len(stripped) > MAX_JWS_TEXT:
        sink.errors.append(
            MalformedError(
                f"the JWS is {len(stripped)} characters; the limit is {MAX_JWS_TEXT}",
                code="malformed.jws.too_long",
            )
        )
        return None
    parts = stripped.split(".")
    if len(parts) != 3 or not all(parts):
        sink.errors.append(
            MalformedError(
                "not a compact JWS (three base64url parts separated by dots)",
                code="malformed.jws",
                where="JWS",
            )
        )
        return None
    if len(stripped) > MAX_SINGLE_QR_JWS:
        sink.warnings.append(
            InvalidError(
                f"the JWS is {len(stripped)} characters; a single SHC QR holds at most "
                f"{MAX_SINGLE_QR_JWS}",
                code="invalid.qr.jws_too_long",
                where="JWS",
            )
        )
    head_b64, body_b64, sig_b64 = parts
    kid: str | None
    clean = _clean_header(head_b64)
    if clean is not None:  # the usual case: the header of a key we have seen, nothing to say
        header, kid = clean
        usable = True
    else:
        try:
            header = _header(head_b64)
        except (EncodingError, MalformedError) as exc:
            sink.errors.append(
                MalformedError(
                    f"the JWS header is unreadable: {exc.message}",
                    code="malformed.jws.header",
                    where="JWS header",
                )
            )
            return None
        usable, kid = _check_header(header, sink)
    try:
        signature = fastpath.b64url_decode(sig_b64, what="JWS signature")
    except EncodingError as exc:
        sink.errors.append(exc)
        return None
    if len(signature) != 64:
        usable = False
        looks_der = len(signature) > 64 and signature[0] == 0x30 and signature[2] == 0x02
        sink.errors.append(
            SignatureFormatError(
                f"the ES256 signature is {len(signature)} bytes"
                + (
                    " of DER; JWS needs the 64-byte r||s form (RFC 7518 section 3.4)"
                    if looks_der
                    else "; JWS needs 64 bytes of r||s"
                ),
                code="signature.format.der" if looks_der else "signature.format",
                where="JWS signature",
            )
        )
    try:
        compressed = fastpath.b64url_decode(body_b64, what="JWS payload")
        payload_bytes = inflate_raw(compressed, what="JWS payload")
        payload = fastpath.loads_object(payload_bytes, what="JWS payload")
    except (EncodingError, DecompressionError) as exc:
        sink.errors.append(exc)
        return None
    except MalformedError as exc:
        if exc.code == "malformed.json.object":
            exc = MalformedError(exc.message, code="malformed.jwt.not_object", where="JWS payload")
        sink.errors.append(exc)
        return None
    return ParsedJws(
        stripped,
        header,
        payload_bytes,
        payload,
        f"{head_b64}.{body_b64}".encode("ascii"),
        signature,
        kid,
        usable,
    )


def read_clean(jws: bytes) -> ParsedJws | None:
    """:func:`read` for a JWS (ASCII bytes, as :func:`.fastpath.numeric_bytes` gives it) in which
    :func:`read` would find nothing to say: the same result, with less work. None otherwise,
    and nothing is recorded: :func:`read` then decodes it and says what is wrong."""
    parts = jws.split(b".")
    if len(parts) != 3 or not (0 < len(jws) <= MAX_SINGLE_QR_JWS) or not all(parts):
        return None
    head_b64, body_b64, sig_b64 = parts
    clean = _clean_header(head_b64.decode("ascii"))
    if clean is None:
        return None
    table, pad = fastpath.B64_TABLE, fastpath.B64_PAD
    try:  # fastpath.b64url_decode, inline
        signature = a2b_base64(sig_b64.translate(table) + pad[len(sig_b64) % 4], strict_mode=True)
        compressed = a2b_base64(
            body_b64.translate(table) + pad[len(body_b64) % 4], strict_mode=True
        )
    except binascii.Error:
        return None
    if len(signature) != 64:
        return None
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)  # wire.inflate.inflate_raw, inline
    try:
        payload_bytes = inflater.decompress(compressed, MAX_INFLATED)
    except zlib.error:
        return None
    if inflater.unconsumed_tail or not inflater.eof or inflater.unused_data:
        return None
    try:
        payload = fastpath.loads_object(payload_bytes, what="JWS payload")
    except MalformedError:
        return None
    header, kid = clean
    return ParsedJws(
        jws.decode("ascii"),
        header,
        payload_bytes,
        payload,
        jws[: len(head_b64) + 1 + len(body_b64)],
        signature,
        kid,
        True,
    )


@lru_cache(maxsize=64)
def _clean_header(head_b64: str) -> tuple[Mapping[str, Any], str] | None:
    """A decoded header :func:`_check_header` has nothing to say about, and its kid; cached
    like :func:`_header` (a fact of the issuer key, the same on every card it signs)."""
    try:
        header = _header(head_b64)
    except (EncodingError, MalformedError):
        return None
    findings = Findings()
    usable, kid = _check_header(header, findings)
    if not usable or kid is None or findings.errors or findings.warnings:
        return None
    return header, kid


@lru_cache(maxsize=64)
def _header(head_b64: str) -> Mapping[str, Any]:
    """Decoded protected headers, cached: every card of one issuer key has the same header."""
    if len(head_b64) > 1024:
        raise MalformedError("the JWS header is too long", code="malformed.jws.header")
    return MappingProxyType(
        fastpath.loads_object(
            fastpath.b64url_decode(head_b64, what="JWS header"), what="JWS header"
        )
    )


def _check_header(header: Mapping[str, Any], sink: Sink) -> tuple[bool, str | None]:
    usable = True
    alg = header.get("alg")
    if alg is None:
        usable = False
        sink.errors.append(
            AlgorithmError(
                "the JWS header has no 'alg'; SHC requires ES256",
                code="signature.algorithm.missing",
                where="JWS header",
            )
        )
    elif type(alg) is not str or alg not in ALLOWED_ALGORITHMS:
        usable = False
        sink.errors.append(
            AlgorithmError(
                f"the JWS header's alg is {json.dumps(alg)}; only ES256 is allowed",
                code="signature.algorithm.not_allowed",
                where="JWS header",
            )
        )
    if header.get("zip") != "DEF":
        sink.errors.append(
            MalformedError(
                "the JWS header has no 'zip'"
                if "zip" not in header
                else f'the JWS header\'s zip is {json.dumps(header["zip"])}; SHC requires "DEF"',
                code="malformed.jws.header.zip",
                where="JWS header",
            )
        )
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        usable = False
        kid = None
        sink.errors.append(
            MalformedError(
                "the JWS header has no 'kid', so no issuer key can be chosen",
                code="malformed.jws.header.kid",
                where="JWS header",
            )
        )
    if "crit" in header:
        usable = False
        sink.errors.append(
            MalformedError(
                "the JWS header lists critical extensions ('crit'), which SHC does not define",
                code="malformed.jws.header.crit",
                where="JWS header",
            )
        )
    return usable, kid


def check_signature(
    parsed: ParsedJws, iss: str, trust: TrustStore, key_time: datetime, sink: Sink
) -> bool:
    """Find the issuer's key for ``kid`` and verify; True only when the signature verified.

    ``key_time`` is when an x5c chain on the key must have been valid (the card's ``nbf``).
    """
    key = verify_signature(parsed, iss, trust, sink)
    if key is None:
        return False
    if "x5c" in key:
        sink.errors.extend(jwkmod.check_x5c(key, iss, key_time))
    return True


def verify_signature(
    parsed: ParsedJws, iss: str, trust: TrustStore, sink: Sink
) -> Mapping[str, Any] | None:
    """The issuer JWK whose key verified the signature, or None (the reason is in ``sink``).

    Its ``x5c`` chain, if any, is still to be checked (:func:`.jwk.check_x5c`), as
    :func:`check_signature` does."""
    if not parsed.usable or parsed.kid is None:
        return None
    keys = trust.issuer_keys(iss)
    if keys is None:
        sink.errors.append(
            UntrustedError(
                f"no keys are trusted for the issuer {iss}",
                code="untrusted.unknown_issuer",
                where="iss",
            )
        )
        return None
    key = jwkmod.find_jwk(keys, parsed.kid)
    if key is None:
        others = jwkmod.issuers_with_kid(trust, parsed.kid, besides=iss)
        if others:
            sink.errors.append(
                UntrustedError(
                    f"the card says it is from {iss}, but key {parsed.kid} belongs to "
                    f"{', '.join(others)}",
                    code="untrusted.issuer_mismatch",
                    where="kid",
                )
            )
        else:
            sink.errors.append(
                UntrustedError(
                    f"the issuer {iss} has no trusted key {parsed.kid}",
                    code="untrusted.no_key",
                    where="kid",
                )
            )
        return None
    try:
        _verify_es256(jwkmod.key_from_jwk(key), parsed.signature, parsed.signing_input)
    except (SignatureError, UntrustedError) as exc:
        sink.errors.append(exc)
        return None
    return key


_ECDSA_SHA256 = ec.ECDSA(hashes.SHA256())  # immutable: one for every verification


def _verify_es256(public_key: ec.EllipticCurvePublicKey, signature: bytes, data: bytes) -> None:
    """:func:`shomeisho.signing.verify_es256` for a P-256 key from :mod:`.jwk` and a 64-byte
    ``r || s`` (:func:`read` made sure of both), without re-checking them on the hot path."""
    try:
        public_key.verify(raw_to_der(signature), data, _ECDSA_SHA256)
    except InvalidSignature:
        raise SignatureError(
            "the signature does not match the signed content",
            where="JWS signature",
            code="signature.mismatch",
        ) from None
