"""Reading X.509 certificates leniently in exactly one known way: NULL ECDSA parameters.

RFC 5758 section 3.2 says the ``ecdsa-with-SHA256/384/512`` algorithm
identifiers have *no* parameters, yet Utopia's example BSCs, the Japanese Digital Agency's BSC and
Japan's CSCA E3 carry an explicit ASN.1 NULL there. ``cryptography`` 48 read them with a
``CryptographyDeprecationWarning``; ``cryptography`` 50 refuses them ("ExtraData" in the signature
algorithm). Refusing would make every Japanese seal unreadable, so :func:`read_certificate` detects
exactly that encoding itself (before ``cryptography`` sees the bytes, so no warning is ever raised
on any version), lets ``cryptography`` parse a copy with the NULLs removed, and returns a
:class:`NullParameterCertificate`: it answers every question from that copy, but its bytes,
``tbs_certificate_bytes``, ``signature`` and equality are the original's, and
``verify_directly_issued_by`` checks the issuer's signature over the *original* TBS bytes, so
:meth:`TrustStore.check_chain` works on it unchanged. Nothing else is tolerated: any other DER
problem is an error.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from typing import Any, cast

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding

_SEQUENCE, _INTEGER, _NULL = 0x30, 0x02, 0x05
_ECDSA_SHA2: dict[bytes, hashes.HashAlgorithm] = {
    bytes.fromhex("06082a8648ce3d040301"): hashes.SHA224(),
    bytes.fromhex("06082a8648ce3d040302"): hashes.SHA256(),
    bytes.fromhex("06082a8648ce3d040303"): hashes.SHA384(),
    bytes.fromhex("06082a8648ce3d040304"): hashes.SHA512(),
}
_PEM = re.compile(rb"-----BEGIN CERTIFICATE-----(.+?)-----END CERTIFICATE-----", re.DOTALL)


# -- a little DER, just enough to find and drop the NULLs -----------------------------------------
def der_tlv(buf: bytes, pos: int) -> tuple[int, int, int]:
    """``(tag, content_start, end)`` of the element at ``pos``; ValueError if it overruns."""
    if pos + 2 > len(buf):
        raise ValueError("truncated DER")
    tag, first = buf[pos], buf[pos + 1]
    if first < 0x80:
        start, length = pos + 2, first
    else:
        count = first & 0x7F
        if not 1 <= count <= 3 or pos + 2 + count > len(buf):
            raise ValueError("unsupported DER length")
        start, length = pos + 2 + count, int.from_bytes(buf[pos + 2 : pos + 2 + count], "big")
    end = start + length
    if end > len(buf):
        raise ValueError("DER element overruns its container")
    return tag, start, end


def der_children(buf: bytes) -> list[bytes]:
    out, pos = [], 0
    while pos < len(buf):
        _, _, end = der_tlv(buf, pos)
        out.append(buf[pos:end])
        pos = end
    return out


def der_encode(tag: int, content: bytes) -> bytes:
    n = len(content)
    if n < 0x80:
        return bytes((tag, n)) + content
    size = (n.bit_length() + 7) // 8
    return bytes((tag, 0x80 | size)) + n.to_bytes(size, "big") + content


def _without_null(algorithm: bytes) -> tuple[bytes, hashes.HashAlgorithm] | None:
    """``SEQUENCE {ecdsa-with-SHA2 OID, NULL}`` -> ``(SEQUENCE {OID}, hash)``, else None."""
    tag, start, end = der_tlv(algorithm, 0)
    parts = der_children(algorithm[start:end]) if tag == _SEQUENCE else []
    if len(parts) == 2 and parts[0] in _ECDSA_SHA2 and parts[1] == bytes((_NULL, 0)):
        return der_encode(_SEQUENCE, parts[0]), _ECDSA_SHA2[parts[0]]
    return None


@dataclass(frozen=True)
class _Repair:
    der: bytes  # with the NULLs removed, for cryptography to parse
    tbs: bytes  # the original, signed TBSCertificate
    signature: bytes  # the original signature value (DER ECDSA-Sig-Value)
    hash: hashes.HashAlgorithm


def _repair(der: bytes) -> _Repair | None:
    tag, start, end = der_tlv(der, 0)
    if tag != _SEQUENCE or end != len(der):
        return None
    parts = der_children(der[start:end])
    if len(parts) != 3:
        return None
    tbs, outer_alg, signature_value = parts
    tbs_tag, tbs_start, tbs_end = der_tlv(tbs, 0)
    fields = der_children(tbs[tbs_start:tbs_end])
    index = 2 if fields and fields[0][0] == 0xA0 else 1  # after [0] version and serialNumber
    if tbs_tag != _SEQUENCE or len(fields) <= index:
        return None
    inner = _without_null(fields[index])
    outer = _without_null(outer_alg)
    found = inner or outer
    if found is None:
        return None
    inner_alg = inner[0] if inner else fields[index]
    if inner_alg != (outer[0] if outer else outer_alg):
        raise ValueError("the certificate's two signature algorithm fields disagree")
    fields[index] = inner_alg
    new_tbs = der_encode(_SEQUENCE, b"".join(fields))
    new_der = der_encode(_SEQUENCE, new_tbs + inner_alg + signature_value)
    bits_tag, bits_start, bits_end = der_tlv(signature_value, 0)
    if bits_tag != 0x03 or bits_end == bits_start or signature_value[bits_start] != 0:
        raise ValueError("the certificate's signature is not a whole-byte BIT STRING")
    return _Repair(new_der, tbs, signature_value[bits_start + 1 : bits_end], found[1])


class NullParameterCertificate:
    """Stands in for an ``x509.Certificate`` whose ECDSA algorithm identifiers carry NULLs.

    Attribute access goes to ``cryptography``'s parse of the repaired copy; identity (bytes,
    equality, hash, fingerprint) and the issuer signature check use the original bytes.
    """

    def __init__(self, der: bytes, repair: _Repair) -> None:
        self._der = der
        self._repair = repair
        self._parsed = x509.load_der_x509_certificate(repair.der)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._parsed, name)

    @property
    def tbs_certificate_bytes(self) -> bytes:
        return self._repair.tbs

    @property
    def signature(self) -> bytes:
        return self._repair.signature

    def public_bytes(self, encoding: Encoding) -> bytes:
        if encoding is Encoding.DER:
            return self._der
        body = base64.encodebytes(self._der).replace(b"\n", b"")
        lines = [body[i : i + 64] for i in range(0, len(body), 64)]
        pem = b"\n".join([b"-----BEGIN CERTIFICATE-----", *lines, b"-----END CERTIFICATE-----"])
        return pem + b"\n"

    def fingerprint(self, algorithm: hashes.HashAlgorithm) -> bytes:
        digest = hashes.Hash(algorithm)
        digest.update(self._der)
        return digest.finalize()

    def verify_directly_issued_by(self, issuer: x509.Certificate) -> None:
        """Like ``cryptography``'s: ValueError on a name mismatch, InvalidSignature if forged."""
        if issuer.subject != self._parsed.issuer:
            raise ValueError("Issuer certificate subject does not match certificate issuer.")
        key = issuer.public_key()
        if not isinstance(key, ec.EllipticCurvePublicKey):
            raise TypeError("an ECDSA-signed certificate needs an EC issuer key")
        key.verify(self._repair.signature, self._repair.tbs, ec.ECDSA(self._repair.hash))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, NullParameterCertificate):
            return self._der == other._der
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._der)

    def __repr__(self) -> str:
        return f"<NullParameterCertificate(subject={self._parsed.subject.rfc4514_string()!r})>"


def read_certificate(der: bytes) -> x509.Certificate:
    """Parse one DER certificate, tolerating only NULL ECDSA parameters (see the module docstring).

    Raises ``ValueError`` for anything that is not a certificate.
    """
    repair = _repair(der)
    if repair is None:
        return x509.load_der_x509_certificate(der)
    return cast(x509.Certificate, NullParameterCertificate(der, repair))


def is_tolerated(certificate: x509.Certificate) -> bool:
    return isinstance(certificate, NullParameterCertificate)


def load_certificates(data: bytes) -> list[x509.Certificate]:
    """Every certificate of PEM text, or the one DER certificate, as :func:`read_certificate`."""
    blocks = _PEM.findall(data)
    if not blocks:
        return [read_certificate(data)]
    return [
        read_certificate(base64.b64decode(b"".join(block.split()), validate=True))
        for block in blocks
    ]
