"""Creating the certificates a national issuer needs: signing CAs and the signers under them.

EU DCC and ICAO VDS-NC both trust a country CA (CSCA) that certifies short-lived document/barcode
signers; what differs is the extended key usage: DCC limits a signer to test, vaccination or
recovery certificates, ICAO marks a barcode signer for visible digital seals. Verifiers check those
marks, so issuing must set them exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID, ObjectIdentifier

# EU DCC signer extended key usage (eHealth Network, "Technical specifications for DCC", vol. 1 §5)
DCC_EKU_TEST = ObjectIdentifier("1.3.6.1.4.1.1847.2021.1.1")
DCC_EKU_VACCINATION = ObjectIdentifier("1.3.6.1.4.1.1847.2021.1.2")
DCC_EKU_RECOVERY = ObjectIdentifier("1.3.6.1.4.1.1847.2021.1.3")
DCC_EKU_BY_TYPE = {"t": DCC_EKU_TEST, "v": DCC_EKU_VACCINATION, "r": DCC_EKU_RECOVERY}
# ICAO Doc 9303 / VDS-NC guideline: barcode signer extended key usage and document type list
ICAO_EKU_VDS_SIGNER = ObjectIdentifier("2.23.136.1.1.14.2")
ICAO_DOCUMENT_TYPE_LIST = ObjectIdentifier("2.23.136.1.1.6.2")


@dataclass(frozen=True)
class IssuedKey:
    """A freshly made key with its certificate, handed to a key store to keep."""

    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate

    def __repr__(self) -> str:
        return f"IssuedKey(subject={self.certificate.subject.rfc4514_string()!r}, key=<hidden>)"


def _name(country: str, common_name: str, organisation: str | None = None) -> x509.Name:
    parts = [x509.NameAttribute(NameOID.COUNTRY_NAME, country)]
    if organisation:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation))
    parts.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(parts)


def create_authority(
    country: str,
    common_name: str,
    *,
    organisation: str | None = None,
    not_before: datetime | None = None,
    days: int = 3650,
    curve: ec.EllipticCurve | None = None,
) -> IssuedKey:
    """A self-signed country signing CA (DCC CSCA or ICAO CSCA)."""
    key = ec.generate_private_key(curve or ec.SECP384R1())
    start = not_before or datetime.now(UTC) - timedelta(days=1)
    name = _name(country, common_name, organisation)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ski, critical=False)
        .sign(key, hashes.SHA384() if isinstance(key.curve, ec.SECP384R1) else hashes.SHA256())
    )
    return IssuedKey(key, cert)


def create_signer(
    authority: IssuedKey,
    country: str,
    common_name: str,
    *,
    extended_key_usage: list[ObjectIdentifier],
    organisation: str | None = None,
    not_before: datetime | None = None,
    days: int = 730,
    extra_extensions: list[x509.ExtensionType] | None = None,
) -> IssuedKey:
    """A P-256 end-entity signer certified by ``authority`` for the given usages."""
    key = ec.generate_private_key(ec.SECP256R1())
    start = not_before or datetime.now(UTC) - timedelta(days=1)
    ca_key = authority.key
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(country, common_name, organisation))
        .issuer_name(authority.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(
            min(start + timedelta(days=days), authority.certificate.not_valid_after_utc)
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
    )
    if extended_key_usage:
        builder = builder.add_extension(x509.ExtendedKeyUsage(extended_key_usage), critical=False)
    for extension in extra_extensions or []:
        builder = builder.add_extension(extension, critical=False)
    digest = hashes.SHA384() if isinstance(ca_key.curve, ec.SECP384R1) else hashes.SHA256()
    return IssuedKey(key, builder.sign(ca_key, digest))


def create_dcc_signer(
    csca: IssuedKey,
    country: str,
    common_name: str,
    *,
    types: str = "v",
    organisation: str | None = None,
    not_before: datetime | None = None,
    days: int = 730,
) -> IssuedKey:
    """A DCC document signer; ``types`` is any of ``t``, ``v``, ``r``."""
    usages = [DCC_EKU_BY_TYPE[t] for t in types]
    return create_signer(
        csca,
        country,
        common_name,
        extended_key_usage=usages,
        organisation=organisation,
        not_before=not_before,
        days=days,
    )


def vdsnc_document_types(*types: str) -> x509.UnrecognizedExtension:
    """ICAO DocumentTypeList extension: SEQUENCE { version INTEGER 0, SET OF PrintableString }."""

    def tlv(tag: int, body: bytes) -> bytes:
        return bytes((tag, len(body))) + body

    strings = b"".join(tlv(0x13, t.encode("ascii")) for t in types)
    value = tlv(0x30, tlv(0x02, b"\x00") + tlv(0x31, strings))
    return x509.UnrecognizedExtension(ICAO_DOCUMENT_TYPE_LIST, value)


def create_vdsnc_signer(
    csca: IssuedKey,
    country: str,
    common_name: str,
    *,
    organisation: str | None = None,
    not_before: datetime | None = None,
    days: int = 730,
) -> IssuedKey:
    """An ICAO barcode signer (BSC) for visible digital seals of type ``NV``."""
    return create_signer(
        csca,
        country,
        common_name,
        extended_key_usage=[ICAO_EKU_VDS_SIGNER],
        extra_extensions=[vdsnc_document_types("NV")],
        organisation=organisation,
        not_before=not_before,
        days=days,
    )


def dcc_key_id(certificate: x509.Certificate) -> bytes:
    """HCERT kid: the first 8 bytes of SHA-256 over the signer certificate's DER."""
    from cryptography.hazmat.primitives.serialization import Encoding

    digest = hashes.Hash(hashes.SHA256())
    digest.update(certificate.public_bytes(Encoding.DER))
    return digest.finalize()[:8]
