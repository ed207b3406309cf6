"""Trust anchors and signers in a trust list: which certificate may be which, and its country.

Kept apart from the list's envelope because it is the list's one security rule about content
rather than form: a signer listed as an authority could vouch for certificates it was never
meant to issue, so every certificate is checked when a list is built and again when it is read.
"""

from __future__ import annotations

import binascii
from typing import NamedTuple

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from shomeisho.errors import TrustListError
from shomeisho.trust.certificates import load_certificates
from shomeisho.trust.store import is_authority


def malformed(message: str, where: str) -> TrustListError:
    """The error for a trust list whose content is not as the format says (``where``: field)."""
    return TrustListError(f"trust list: {message}", code="trust.format", where=where)


class CountryCertificate(NamedTuple):
    """A trust anchor or signer with the country it is for (ISO 3166-1 alpha-2 or alpha-3)."""

    country: str
    certificate: x509.Certificate


def anchor_document(entry: CountryCertificate) -> dict[str, str]:
    return {
        "country": entry.country,
        "certificate": entry.certificate.public_bytes(Encoding.PEM).decode("ascii"),
    }


def read_anchor(entry: object, where: str, *, authority: bool) -> CountryCertificate:
    if not isinstance(entry, dict) or not isinstance(entry.get("certificate"), str):
        raise malformed("needs 'country' and a PEM 'certificate'", where)
    country = entry.get("country")
    if not isinstance(country, str) or not (2 <= len(country) <= 3 and country.isalpha()):
        raise malformed("'country' must be an ISO 3166-1 alpha-2 or alpha-3 code", where)
    try:
        # the tolerant reader: Japan's CSCA and signer certificates carry NULL ECDSA parameters
        # that cryptography alone refuses (see shomeisho.trust.certificates)
        (certificate,) = load_certificates(entry["certificate"].encode("ascii"))
    except (ValueError, UnicodeEncodeError, binascii.Error):
        raise malformed("not one PEM certificate", where) from None
    check_anchor(certificate, authority=authority, where=where)
    return CountryCertificate(country.upper(), certificate)


def country_of(certificate: x509.Certificate) -> str:
    names = certificate.subject.get_attributes_for_oid(x509.NameOID.COUNTRY_NAME)
    country = str(names[0].value) if names else ""
    if not (2 <= len(country) <= 3 and country.isalpha()):
        raise malformed(
            f"{certificate.subject.rfc4514_string()} names no country (C=) in its subject",
            "certificates",
        )
    return country.upper()


def check_anchor(certificate: x509.Certificate, *, authority: bool, where: str) -> None:
    """An authority must be a CA allowed to sign certificates; a signer must not be a CA.

    Checked when a list is built and again when it is read, so that a signer certificate listed
    as an authority cannot vouch for certificates it was never meant to issue."""
    if authority:
        if not is_authority(certificate):
            raise malformed("an authority must be a CA certificate (basic constraints)", where)
        try:
            usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
        except x509.ExtensionNotFound:
            return  # older CSCAs omit key usage; basic constraints already say CA
        except ValueError:
            raise malformed("the authority's extensions cannot be read", where) from None
        if not usage.key_cert_sign:
            raise malformed("an authority's key usage must allow certificate signing", where)
    elif is_authority(certificate):
        raise malformed("a signer must not be a CA certificate; list it as an authority", where)
