"""Which trusted certificate signed a DCC, and whether it may sign this kind of certificate.

A DCC carries only the 8-byte ``kid`` of its document signer (DSC), so the verifier must already
trust the DSC itself (national trust lists publish DSCs). Kids are truncated hashes and may
collide, so every trusted signer with the kid is tried. The DSC's extended key usage may limit it
to test (``t``), vaccination (``v``) or recovery (``r``) certificates; a DSC without any of the
DCC usages may sign all three (eHealth Network, DCC technical specifications vol. 1, section 5).
"""

from __future__ import annotations

import binascii
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from cryptography import x509

from shomeisho.errors import (
    ExpiredError,
    KeyUsageError,
    NotYetValidError,
    SignatureError,
    SignatureFormatError,
    UntrustedError,
)
from shomeisho.formats.dcc import cose, cosesig
from shomeisho.pki import DCC_EKU_BY_TYPE

if TYPE_CHECKING:
    from shomeisho.trust.store import TrustStore

# The DCC usages, plus the mistyped ``...4.1.0.1847...`` OIDs that some member states put in
# their 2021 DSCs; the EU test suite treats them alike, and recognising them can only narrow
# what such a DSC may sign.
_TYPE_OIDS: dict[str, frozenset[str]] = {
    kind: frozenset({oid.dotted_string, oid.dotted_string.replace(".1847.", ".0.1847.")})
    for kind, oid in DCC_EKU_BY_TYPE.items()
}
_ALL_DCC_OIDS = frozenset().union(*_TYPE_OIDS.values())
_TYPE_NAMES = {"t": "test", "v": "vaccination", "r": "recovery"}


def kid_text(kid: bytes) -> str:
    """A kid as DCC trust lists write it (standard base64)."""
    return binascii.b2a_base64(kid, newline=False).decode("ascii")


def signers_with_kid(trust: TrustStore, kid: bytes) -> list[x509.Certificate]:
    """Every trusted signer with this kid (:meth:`TrustStore.signers_with_dcc_kid`, indexed)."""
    return trust.signers_with_dcc_kid(kid)


def find_signer(message: cose.Sign1, trust: TrustStore) -> x509.Certificate:
    """The trusted certificate whose key verifies ``message``; raises the error saying why not."""
    protected = message.protected
    alg = protected.get(cose.HEADER_ALG)
    if type(alg) is not int or alg not in cose.ALGORITHMS:
        alg = cose.algorithm(message)  # raises the error that says what is wrong
    kid = protected.get(cose.HEADER_KID)
    if type(kid) is not bytes or not kid:
        kid = cose.key_id(message)
    if kid is None:
        raise UntrustedError(
            "the COSE headers carry no kid, so no trusted document signer can be chosen",
            code="untrusted.no_key",
            where="COSE kid",
        )
    candidates = signers_with_kid(trust, kid)
    if not candidates:
        raise UntrustedError(
            f"no trusted DCC document signer has the kid {kid_text(kid)}",
            code="untrusted.no_key",
            where="COSE kid",
        )
    failures: list[SignatureError] = []
    for certificate in candidates:
        try:
            cosesig.verify(message, alg, certificate)
        except SignatureFormatError:
            raise
        except SignatureError as exc:
            failures.append(exc)
        else:
            return certificate
    if len(failures) == 1:
        raise failures[0]
    raise SignatureError(
        f"the signature verifies under none of the {len(failures)} trusted signers with the kid "
        f"{kid_text(kid)}",
        code="signature.mismatch",
        where="COSE signature",
    )


def allowed_types(certificate: x509.Certificate) -> frozenset[str]:
    """The certificate types (``t``/``v``/``r``) this DSC may sign.

    Raises ValueError when the certificate's extensions are not valid DER (cryptography then
    reads none of them): its usage is unknown, and the caller must not guess."""
    try:
        usage = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return frozenset(_TYPE_OIDS)
    oids = {oid.dotted_string for oid in usage} & _ALL_DCC_OIDS
    if not oids:
        return frozenset(_TYPE_OIDS)
    return frozenset(kind for kind, kind_oids in _TYPE_OIDS.items() if oids & kind_oids)


@dataclass(frozen=True, slots=True)
class _Facts:
    """What verification reads from a DSC, parsed once: validity and extended key usage."""

    certificate: x509.Certificate
    not_before: datetime
    not_after: datetime
    allowed: frozenset[str] | None  # None: the extensions are not valid DER
    problem: str


# id(certificate) -> facts; the entry holds the certificate, so its id cannot be reused.
_FACTS: dict[int, _Facts] = {}
_FACTS_SIZE = 4096


def _facts(certificate: x509.Certificate) -> _Facts:
    facts = _FACTS.get(id(certificate))
    if facts is not None and facts.certificate is certificate:
        return facts
    try:
        allowed: frozenset[str] | None = allowed_types(certificate)
        problem = ""
    except ValueError as exc:
        allowed, problem = None, str(exc)
    facts = _Facts(
        certificate,
        certificate.not_valid_before_utc,
        certificate.not_valid_after_utc,
        allowed,
        problem,
    )
    if len(_FACTS) >= _FACTS_SIZE:
        _FACTS.clear()
    _FACTS[id(certificate)] = facts
    return facts


def check_validity(certificate: x509.Certificate, at: datetime) -> None:
    """The DSC must be within its validity period at ``at`` (same errors as TrustStore)."""
    facts = _facts(certificate)
    if at < facts.not_before:
        raise NotYetValidError(
            f"the DCC document signer certificate is valid only from "
            f"{facts.not_before.isoformat()}",
            code="not_yet_valid.signer",
            where="DCC document signer",
        )
    if at > facts.not_after:
        raise ExpiredError(
            f"the DCC document signer certificate expired on {facts.not_after.isoformat()}",
            code="expired.signer",
            where="DCC document signer",
        )


def check_key_usage(certificate: x509.Certificate, kind: str) -> None:
    """Raise KeyUsageError if the DSC's extended key usage excludes certificates of ``kind``."""
    facts = _facts(certificate)
    allowed = facts.allowed
    if allowed is None:
        subject = certificate.subject.rfc4514_string()
        raise KeyUsageError(
            f"the extensions of the document signer {subject} are not valid DER "
            f"({facts.problem}); its extended key usage is unknown, so it is not accepted for "
            "any certificate type",
            code="untrusted.key_usage",
            where="signer extended key usage",
        )
    if kind in allowed:
        return
    may = ", ".join(_TYPE_NAMES[k] for k in sorted(allowed))
    subject = certificate.subject.rfc4514_string()
    raise KeyUsageError(
        f"the document signer {subject} may sign only {may} certificates (extended key "
        f"usage); this is a {_TYPE_NAMES[kind]} certificate",
        code="untrusted.key_usage",
        where="signer extended key usage",
    )
