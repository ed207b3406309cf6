"""ECDSA/RSA signing and verification in the shapes certificate formats use.

JWS, COSE and VDS-NC all carry ES256 signatures as raw ``r || s`` (64 bytes) while OpenSSL speaks
DER; converting here, in one place, keeps every format from re-deriving it. ``Signer`` is the narrow
interface a key store hands out: sign bytes, give the public key and certificate, never the private
key, so an HSM (PKCS#11 ``C_Sign``) can stand behind it later.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
)

from shomeisho.errors import AlgorithmError, SignatureError, SignatureFormatError

try:
    from shomeisho.wire._accel import es256_der as _der_c
except ImportError:  # built without a C compiler (or an older build): byte operations below
    _der_c: Callable[[bytes], bytes | None] | None = None  # type: ignore[no-redef]

_ECDSA_SHA256 = ec.ECDSA(hashes.SHA256())
ES256 = "ES256"
PS256 = "PS256"
P256_COORDINATE = 32


@runtime_checkable
class Signer(Protocol):
    """What issuing needs from a key: nothing that exposes the private key itself."""

    @property
    def name(self) -> str: ...

    @property
    def algorithm(self) -> str: ...

    @property
    def certificate(self) -> x509.Certificate | None: ...

    def public_key(self) -> ec.EllipticCurvePublicKey: ...

    def sign(self, data: bytes) -> bytes:
        """Sign ``data`` with ES256 and return the raw 64-byte ``r || s``."""
        ...


class LocalSigner:
    """A :class:`Signer` over an in-memory private key; its repr never shows the key."""

    __slots__ = ("_certificate", "_key", "_name")

    def __init__(
        self,
        name: str,
        key: ec.EllipticCurvePrivateKey,
        certificate: x509.Certificate | None = None,
    ) -> None:
        if not isinstance(key.curve, ec.SECP256R1):
            raise AlgorithmError("ES256 needs a P-256 key", code="signature.algorithm")
        self._name = name
        self._key = key
        self._certificate = certificate

    @property
    def name(self) -> str:
        return self._name

    @property
    def algorithm(self) -> str:
        return ES256

    @property
    def certificate(self) -> x509.Certificate | None:
        return self._certificate

    def public_key(self) -> ec.EllipticCurvePublicKey:
        return self._key.public_key()

    def sign(self, data: bytes) -> bytes:
        return der_to_raw(self._key.sign(data, ec.ECDSA(hashes.SHA256())))

    def __repr__(self) -> str:
        return f"LocalSigner(name={self._name!r}, algorithm='ES256', private_key=<hidden>)"


def der_to_raw(der: bytes, size: int = P256_COORDINATE) -> bytes:
    r, s = decode_dss_signature(der)
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


def raw_to_der(raw: bytes, size: int = P256_COORDINATE) -> bytes:
    """DER ``SEQUENCE { INTEGER r, INTEGER s }`` from raw ``r || s``, built with byte operations
    (a third of the cost of going through Python integers, on every verification). A 64-byte
    P-256 signature is converted by the C accelerator where it is built (``_accel.es256_der``,
    the same bytes, property-tested against the code below)."""
    if _der_c is not None and size == P256_COORDINATE:
        der = _der_c(raw)
        if der is not None:
            return der
    if len(raw) != 2 * size:
        raise SignatureFormatError(
            f"an ES256 signature is {2 * size} bytes of r||s; this one is {len(raw)} bytes"
            + (" and looks DER-encoded" if raw[:1] == b"\x30" else ""),
            code="signature.format",
        )
    r = raw[:size].lstrip(b"\x00") or b"\x00"
    s = raw[size:].lstrip(b"\x00") or b"\x00"
    if r[0] & 0x80:
        r = b"\x00" + r
    if s[0] & 0x80:
        s = b"\x00" + s
    body = b"\x02%c%b\x02%c%b" % (len(r), r, len(s), s)
    if len(body) < 0x80:
        return b"\x30%c%b" % (len(body), body)
    return b"\x30\x81%c%b" % (len(body), body)


def verify_es256(public_key: object, signature: bytes, data: bytes, *, where: str) -> None:
    """Verify a raw ``r || s`` ES256 signature; raise a typed error, never return a bool."""
    if not isinstance(public_key, ec.EllipticCurvePublicKey):
        raise AlgorithmError(
            f"ES256 needs an EC key; the signer has a {type(public_key).__name__}", where=where
        )
    if not isinstance(public_key.curve, ec.SECP256R1):
        raise AlgorithmError("ES256 needs a P-256 key", where=where)
    der = raw_to_der(signature)
    try:
        public_key.verify(der, data, _ECDSA_SHA256)
    except InvalidSignature:
        raise SignatureError(
            "the signature does not match the signed content",
            where=where,
            code="signature.mismatch",
        ) from None


def verify_ps256(public_key: object, signature: bytes, data: bytes, *, where: str) -> None:
    """RSASSA-PSS with SHA-256 (COSE alg -37); salt length as RFC 8230 fixes it (32 bytes)."""
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise AlgorithmError(
            f"PS256 needs an RSA key; the signer has a {type(public_key).__name__}", where=where
        )
    try:
        public_key.verify(
            signature,
            data,
            padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32),
            hashes.SHA256(),
        )
    except InvalidSignature:
        raise SignatureError(
            "the signature does not match the signed content",
            where=where,
            code="signature.mismatch",
        ) from None
