"""Issuer keys as JSON Web Keys: the JWKS an issuer publishes, RFC 7638 thumbprints, key lookup.

SHC issuers publish ``{iss}/.well-known/jwks.json``; a verifier here never fetches it. Keys reach
the verifier through :class:`~shomeisho.trust.store.TrustStore` (``issuers``: iss URL -> list of
JWK dicts), loaded from a trust bundle beforehand. Turning a JWK into a key object costs about as
much as a signature check, so key objects and x5c chain checks are cached by the key material.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from shomeisho.errors import (
    EncodingError,
    ExpiredError,
    KeyStoreError,
    NotYetValidError,
    ShomeishoError,
    UntrustedError,
)
from shomeisho.signing import ES256, Signer
from shomeisho.trust.store import TrustStore
from shomeisho.wire.b64 import b64url_decode, b64url_encode

_COORDINATE = 32
_B64URL_43 = re.compile(r"^[A-Za-z0-9_-]{43}$")


def public_jwk(public_key: ec.EllipticCurvePublicKey) -> dict[str, str]:
    """The RFC 7518 members of a P-256 public key: ``kty``, ``crv``, ``x``, ``y``."""
    if not isinstance(public_key, ec.EllipticCurvePublicKey) or not isinstance(
        public_key.curve, ec.SECP256R1
    ):
        raise KeyStoreError("SHC issuer keys must be EC P-256 keys", code="keys.algorithm")
    point = public_key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return {
        "kty": "EC",
        "crv": "P-256",
        "x": b64url_encode(point[1 : 1 + _COORDINATE]),
        "y": b64url_encode(point[1 + _COORDINATE :]),
    }


def thumbprint(public_key: ec.EllipticCurvePublicKey) -> str:
    """RFC 7638 JWK thumbprint (SHA-256, base64url): the ``kid`` SHC requires."""
    return _thumbprint_of(public_jwk(public_key))


def _thumbprint_of(jwk: Mapping[str, str]) -> str:
    required = {name: jwk[name] for name in ("crv", "kty", "x", "y")}
    canonical = json.dumps(required, separators=(",", ":"), sort_keys=True)
    return b64url_encode(hashlib.sha256(canonical.encode("ascii")).digest())


def issuer_jwk(signer: Signer) -> dict[str, str]:
    """The JWKS entry for one signer, members in the order the SHC spec's example uses."""
    if signer.algorithm != ES256:
        raise KeyStoreError(
            f"signer {signer.name!r} uses {signer.algorithm}; SHC needs ES256",
            code="keys.algorithm",
        )
    members = public_jwk(signer.public_key())
    return {
        "kty": "EC",
        "kid": _thumbprint_of(members),
        "use": "sig",
        "alg": ES256,
        "crv": "P-256",
        "x": members["x"],
        "y": members["y"],
    }


def issuer_jwks(signers: list[Signer]) -> dict[str, Any]:
    """The document an issuer serves at ``{iss}/.well-known/jwks.json``."""
    return {"keys": [issuer_jwk(s) for s in signers]}


# -- verifier side -------------------------------------------------------------------------------


def find_jwk(keys: Iterable[Mapping[str, Any]], kid: str) -> Mapping[str, Any] | None:
    """The signing key with this ``kid``; keys for other uses or algorithms are skipped."""
    for jwk in keys:
        if jwk.get("kid") != kid:
            continue
        if jwk.get("use", "sig") != "sig" or jwk.get("alg", ES256) != ES256:
            continue
        return jwk
    return None


def issuers_with_kid(trust: TrustStore, kid: str, *, besides: str) -> list[str]:
    """Other trusted issuers that publish this kid (used only to explain a failure)."""
    return [iss for iss, keys in trust.issuers.items() if iss != besides and find_jwk(keys, kid)]


def key_from_jwk(jwk: Mapping[str, Any]) -> ec.EllipticCurvePublicKey:
    """The public key a JWK describes; raises :class:`UntrustedError` if it is not usable."""
    kty, crv, x, y = jwk.get("kty"), jwk.get("crv"), jwk.get("x"), jwk.get("y")
    if kty != "EC" or crv != "P-256" or not isinstance(x, str) or not isinstance(y, str):
        raise UntrustedError(
            "the issuer key is not an EC P-256 JWK with x and y", code="untrusted.bad_key"
        )
    return _key_from_coordinates(x, y)


@lru_cache(maxsize=256)
def _key_from_coordinates(x: str, y: str) -> ec.EllipticCurvePublicKey:
    if not (_B64URL_43.match(x) and _B64URL_43.match(y)):
        raise UntrustedError(
            "the issuer key's coordinates are not 32-byte base64url values",
            code="untrusted.bad_key",
        )
    try:
        raw = b"\x04" + b64url_decode(x) + b64url_decode(y)
        return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    except (ValueError, EncodingError):
        raise UntrustedError(
            "the issuer key is not a point on P-256", code="untrusted.bad_key"
        ) from None


def check_x5c(jwk: Mapping[str, Any], iss: str, at: datetime) -> list[ShomeishoError]:
    """SHC "Certificates": if a key carries ``x5c``, its leaf must hold the same key, name the
    issuer URL in a SAN URI, and every certificate of the chain must be valid at ``at`` and signed
    by the next. The chain's root is not anchored here: the trust store's JWKS is the anchor."""
    chain = jwk.get("x5c")
    if chain is None:
        return []
    x, y = jwk.get("x"), jwk.get("y")
    if not isinstance(chain, list) or not all(isinstance(c, str) for c in chain) or not chain:
        return [
            UntrustedError(
                "the issuer key's x5c is not a list of certificates", code="untrusted.x5c"
            )
        ]
    result = _chain_facts(tuple(chain), str(x), str(y))
    if isinstance(result, ShomeishoError):
        return [result]
    sans, windows = result
    problems: list[ShomeishoError] = []
    if iss not in sans:
        problems.append(
            UntrustedError(
                f"the issuer key's certificate is for {', '.join(sans) or 'no URL'}, not {iss}",
                code="untrusted.x5c.san",
                where="x5c[0]",
            )
        )
    for index, (not_before, not_after) in enumerate(windows):
        if at < not_before:
            problems.append(
                NotYetValidError(
                    f"certificate {index} of the issuer key's x5c is valid only from "
                    f"{not_before.isoformat()}",
                    code="not_yet_valid.signer",
                    where=f"x5c[{index}]",
                )
            )
        elif at > not_after:
            problems.append(
                ExpiredError(
                    f"certificate {index} of the issuer key's x5c expired on "
                    f"{not_after.isoformat()}",
                    code="expired.signer",
                    where=f"x5c[{index}]",
                )
            )
    return problems


@lru_cache(maxsize=64)
def _chain_facts(
    chain: tuple[str, ...], x: str, y: str
) -> tuple[list[str], list[tuple[datetime, datetime]]] | ShomeishoError:
    """Parse and link-check a chain once; return (SAN URIs of the leaf, validity windows)."""
    import base64
    import binascii

    try:
        certs = [x509.load_der_x509_certificate(base64.b64decode(c, validate=True)) for c in chain]
    except (ValueError, binascii.Error):
        return UntrustedError(
            "the issuer key's x5c holds an unreadable certificate", code="untrusted.x5c"
        )
    try:
        leaf_key = public_jwk(certs[0].public_key())  # type: ignore[arg-type]
    except KeyStoreError:
        return UntrustedError(
            "the x5c leaf certificate does not hold a P-256 key", code="untrusted.x5c.key"
        )
    if (leaf_key["x"], leaf_key["y"]) != (x, y):
        return UntrustedError(
            "the x5c leaf certificate holds a different key than the JWK", code="untrusted.x5c.key"
        )
    for index in range(len(certs) - 1):
        try:
            certs[index].verify_directly_issued_by(certs[index + 1])
        except (InvalidSignature, ValueError, TypeError, UnsupportedAlgorithm):
            return UntrustedError(
                f"x5c certificate {index} is not issued by certificate {index + 1}",
                code="untrusted.x5c.chain",
            )
    try:
        san = certs[0].extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        uris = san.get_values_for_type(x509.UniformResourceIdentifier)
    except x509.ExtensionNotFound:
        uris = []
    windows = [(c.not_valid_before_utc, c.not_valid_after_utc) for c in certs]
    return uris, windows
