"""COSE_Sign1 signatures for HCERT: verifying under a signer certificate, and signing.

Split from :mod:`.cose` (which reads the structure) because this half touches keys. The usual
case, ES256 with a P-256 certificate and a 64-byte ``r || s``, goes straight to the key with the
public key looked up once per certificate object; anything else goes through the shared
:func:`~shomeisho.signing.verify_es256` / :func:`~shomeisho.signing.verify_ps256`, which raise
the same errors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import cbor2
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from shomeisho.errors import InputError, SignatureError
from shomeisho.formats.dcc.cose import (
    ES256,
    HEADER_ALG,
    HEADER_KID,
    TAG_COSE_SIGN1,
    Sign1,
    sig_structure,
)
from shomeisho.signing import ES256 as ES256_NAME
from shomeisho.signing import Signer, raw_to_der, verify_es256, verify_ps256

try:
    from shomeisho.wire._accel import es256_der as _der_c
except ImportError:  # built without a C compiler (or an older build): raw_to_der alone
    _der_c: Callable[[bytes], bytes | None] | None = None  # type: ignore[no-redef]

_ECDSA_SHA256 = ec.ECDSA(hashes.SHA256())
# id(certificate) -> (certificate, its public key, whether that is a P-256 key); the entry holds
# the certificate, so its id cannot be reused while the entry exists.
_KEYS: dict[int, tuple[x509.Certificate, Any, bool]] = {}
_KEYS_SIZE = 4096


def _key(certificate: x509.Certificate) -> tuple[Any, bool]:
    entry = _KEYS.get(id(certificate))
    if entry is None or entry[0] is not certificate:
        key = certificate.public_key()
        p256 = isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1)
        entry = (certificate, key, p256)
        if len(_KEYS) >= _KEYS_SIZE:
            _KEYS.clear()
        _KEYS[id(certificate)] = entry
    return entry[1], entry[2]


def verify(message: Sign1, alg: int, certificate: x509.Certificate) -> None:
    """Check the signature under ``certificate``'s key; raise a SignatureError subclass if not."""
    key, p256 = _key(certificate)
    data = sig_structure(message.protected_bytes, message.payload)
    signature = message.signature
    if alg == ES256 and p256 and len(signature) == 64:
        der = _der_c(signature) if _der_c is not None else None  # raw_to_der, one call fewer
        try:
            key.verify(der or raw_to_der(signature), data, _ECDSA_SHA256)
        except InvalidSignature:
            raise SignatureError(  # the error verify_es256 raises
                "the signature does not match the signed content",
                where="COSE signature",
                code="signature.mismatch",
            ) from None
    elif alg == ES256:
        verify_es256(key, signature, data, where="COSE signature")
    else:
        verify_ps256(key, signature, data, where="COSE signature")


def sign(payload: bytes, signer: Signer, kid: bytes) -> bytes:
    """A tagged COSE_Sign1 with alg ES256 and the kid in the protected header."""
    if signer.algorithm != ES256_NAME:
        raise InputError(
            f"DCC issuing signs with ES256; the signer {signer.name!r} uses {signer.algorithm}",
            code="input.signer",
        )
    protected = cbor2.dumps({HEADER_ALG: ES256, HEADER_KID: kid})
    signature = signer.sign(sig_structure(protected, payload))
    return cbor2.dumps(cbor2.CBORTag(TAG_COSE_SIGN1, [protected, {}, payload, signature]))
