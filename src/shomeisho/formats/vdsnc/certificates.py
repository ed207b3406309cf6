"""Barcode signer certificates: reading ``sig.cer``, tolerating NULL parameters, checking usage.

**NULL parameters** are tolerated by :mod:`shomeisho.trust.certificates`.

**Usage.** ICAO marks a BSC with the extended key usage 2.23.136.1.1.14.2 and a DocumentTypeList
(2.23.136.1.1.6.2) naming the seal types it may sign (``NV`` vaccination, ``NT`` test). When a
certificate carries either extension, it must allow this seal; a certificate with neither (such as
the Path-Check "Friesland" test DSC) is not refused for it.

**Per-signer facts are cached** (:func:`seal_signer`, keyed by the ``sig.cer`` text): the parsed
certificate, its key, its usage verdict per seal type and its subject's countries. Nothing about a
particular seal or its signature is cached.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.x509.oid import NameOID

from shomeisho.errors import AlgorithmError, KeyUsageError, MalformedError, ShomeishoError
from shomeisho.formats.vdsnc.seal import decode_b64url
from shomeisho.pki import ICAO_DOCUMENT_TYPE_LIST, ICAO_EKU_VDS_SIGNER
from shomeisho.signing import P256_COORDINATE, verify_es256
from shomeisho.trust.certificates import der_children, der_tlv, is_tolerated, read_certificate

try:
    from shomeisho.wire._accel import es256_der as _der_c
except ImportError:  # built without a C compiler (or an older build): byte operations below
    _der_c: Callable[[bytes], bytes | None] | None = None  # type: ignore[no-redef]

MAX_CERTIFICATE_TEXT = 8 * 1024
DOCUMENT_TYPE_BY_SEAL = {"icao.vacc": "NV", "icao.test": "NT"}

_SEQUENCE, _INTEGER, _NULL, _SET, _PRINTABLE, _UTF8 = 0x30, 0x02, 0x05, 0x31, 0x13, 0x0C
NULL_PARAMETERS_WARNING = (
    "the barcode signer certificate encodes its ECDSA algorithm with NULL parameters, which "
    "RFC 5758 forbids; it was read leniently"
)


# ECDSA over a SHA-256 digest taken with hashlib: the same check, without the OpenSSL digest
# context ``cryptography`` sets up per call (about 1 µs).
_ECDSA_PREHASHED_SHA256 = ec.ECDSA(Prehashed(hashes.SHA256()))


def _der_integer(value: bytes) -> bytes:
    value = value.lstrip(b"\x00")
    if not value or value[0] & 0x80:
        value = b"\x00" + value
    return bytes((_INTEGER, len(value))) + value


def es256_der(raw: bytes) -> bytes:
    """A 64-byte ``r || s`` as the DER ``ECDSA-Sig-Value`` OpenSSL verifies: what
    :func:`shomeisho.signing.raw_to_der` returns, built without two big integers (the body is
    at most 70 bytes, so every length fits one byte); by the C accelerator where it is built
    (``_accel.es256_der``, tested against this code in ``tests/wire/test_b64_and_der.py``)."""
    if _der_c is not None:
        der = _der_c(raw)
        if der is not None:
            return der
    body = _der_integer(raw[:P256_COORDINATE]) + _der_integer(raw[P256_COORDINATE:])
    return bytes((_SEQUENCE, len(body))) + body


@dataclass(frozen=True)
class SealSigner:
    """The barcode signer named by a seal's ``sig.cer``, parsed once and cached by its text.

    Its usage is judged once per seal type too; errors are made afresh for every verification so
    that no two results share an exception object.
    """

    certificate: x509.Certificate
    public_key: ec.EllipticCurvePublicKey
    key_id: str  # first 8 bytes of SHA-256 over the DER, in hex
    null_parameters: bool
    usage_problems: Mapping[str | None, tuple[str, str] | None]  # seal type -> (message, code)

    def warnings(self) -> list[ShomeishoError]:
        if not self.null_parameters:
            return []
        code = "malformed.vdsnc.certificate_null_parameters"
        return [MalformedError(NULL_PARAMETERS_WARNING, code=code, where="sig.cer")]

    def usage_error(self, seal_type: str | None) -> KeyUsageError | None:
        problem = self.usage_problems.get(seal_type)
        if problem is None:
            return None
        return KeyUsageError(problem[0], code=problem[1], where="sig.cer")

    @cached_property
    def countries(self) -> frozenset[str | bytes]:
        """The ``C`` values of the signer's subject (read on first use, as before caching)."""
        subject = self.certificate.subject
        return frozenset(a.value for a in subject.get_attributes_for_oid(NameOID.COUNTRY_NAME))

    def verify(self, signature: bytes, data: bytes, *, where: str) -> None:
        """:func:`shomeisho.signing.verify_es256` with this (P-256) key, minus its per-call checks:
        the raw ``r || s`` becomes DER here, and any failure is left to ``verify_es256`` to
        diagnose and raise, so errors are word for word the same."""
        if len(signature) == 2 * P256_COORDINATE:
            try:
                self.public_key.verify(
                    es256_der(signature), hashlib.sha256(data).digest(), _ECDSA_PREHASHED_SHA256
                )
                return
            except InvalidSignature:
                pass
        verify_es256(self.public_key, signature, data, where=where)


_RECENT: list[tuple[str, SealSigner]] = []  # the last signers seal_signer returned, newest first
_RECENT_SIZE = 4


def seal_signer(cer: str) -> SealSigner:
    """Decode ``sig.cer``; raises Encoding/Malformed/AlgorithmError. Cached: seals share BSCs.

    The few signers seen last are found by comparing the text (a ``memcmp``) before the
    :func:`functools.lru_cache` lookup, which must hash the ~700 characters of every new ``cer``
    string (about 2,600 instructions, one fortieth of what a seal costs around its ECDSA
    check). Only successes are kept, as in the lru_cache."""
    for known, signer in _RECENT:
        if known == cer:
            return signer
    signer = _seal_signer(cer)
    _RECENT.insert(0, (cer, signer))
    del _RECENT[_RECENT_SIZE:]
    return signer


@lru_cache(maxsize=64)
def _seal_signer(cer: str) -> SealSigner:
    der = decode_b64url(cer, what="sig.cer", max_length=MAX_CERTIFICATE_TEXT)
    try:
        certificate = read_certificate(der)
        key = certificate.public_key()
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise MalformedError(
            f"sig.cer is not a readable X.509 certificate ({exc})",
            code="malformed.vdsnc.certificate",
            where="sig.cer",
        ) from None
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        raise AlgorithmError(
            f"ES256 needs a P-256 key; the certificate in sig.cer holds {type(key).__name__}",
            code="signature.algorithm",
            where="sig.cer",
        )
    problems: dict[str | None, tuple[str, str] | None] = {}
    for seal_type in (None, *DOCUMENT_TYPE_BY_SEAL):
        try:
            check_usage(certificate, seal_type)
            problems[seal_type] = None
        except KeyUsageError as exc:
            problems[seal_type] = (exc.message, exc.code)
    key_id = hashlib.sha256(der).digest()[:8].hex()
    return SealSigner(certificate, key, key_id, is_tolerated(certificate), problems)


def document_types(certificate: x509.Certificate) -> set[str] | None:
    """The DocumentTypeList of a BSC, or None when it has none. ValueError if unreadable."""
    try:
        extension = certificate.extensions.get_extension_for_oid(ICAO_DOCUMENT_TYPE_LIST)
    except x509.ExtensionNotFound:
        return None
    value = extension.value
    raw = value.value if isinstance(value, x509.UnrecognizedExtension) else b""
    tag, start, end = der_tlv(raw, 0)
    parts = der_children(raw[start:end]) if tag == _SEQUENCE and end == len(raw) else []
    if len(parts) != 2 or parts[0][0] != _INTEGER or parts[1][0] != _SET:
        raise ValueError("DocumentTypeList is not SEQUENCE { version, SET OF string }")
    _, set_start, set_end = der_tlv(parts[1], 0)
    out = set()
    for item in der_children(parts[1][set_start:set_end]):
        item_tag, item_start, item_end = der_tlv(item, 0)
        if item_tag not in (_PRINTABLE, _UTF8):
            raise ValueError("DocumentTypeList holds a non-string")
        out.add(item[item_start:item_end].decode("ascii"))
    return out


def check_usage(certificate: x509.Certificate, seal_type: str | None) -> None:
    """Raise :class:`KeyUsageError` if the BSC's extensions do not allow this kind of seal."""
    try:
        extensions = certificate.extensions
        usage = extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        usage = None
    except ValueError as exc:
        raise KeyUsageError(
            f"the barcode signer's extensions are unreadable ({exc})",
            code="untrusted.key_usage",
            where="sig.cer",
        ) from None
    if usage is not None and ICAO_EKU_VDS_SIGNER not in usage:
        raise KeyUsageError(
            "the certificate in sig.cer is not an ICAO barcode signer (its "
            "extended key usage lacks 2.23.136.1.1.14.2)",
            code="untrusted.key_usage",
            where="sig.cer",
        )
    wanted = DOCUMENT_TYPE_BY_SEAL.get(seal_type or "")
    try:
        allowed = document_types(certificate)
    except (ValueError, UnicodeDecodeError):
        raise KeyUsageError(
            "the barcode signer's DocumentTypeList is unreadable",
            code="untrusted.key_usage",
            where="sig.cer",
        ) from None
    if wanted and allowed is not None and wanted not in allowed:
        raise KeyUsageError(
            f"the barcode signer may sign {', '.join(sorted(allowed)) or 'nothing'}"
            f", not {wanted} ({seal_type}) seals",
            code="untrusted.key_usage.document_type",
            where="sig.cer",
        )
