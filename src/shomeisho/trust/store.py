"""The set of keys and authorities a verifier trusts, and the checks that tie a signer to them.

Kept deliberately format-neutral: a DCC document signer, a VDS-NC barcode signer and an SHC issuer
key are all "a key we believe for some issuer". Formats ask this store two questions: *which keys
might have signed this?* and *does this signer certificate chain to an authority we trust, at the
time it signed?* Bundles, syncing and revocation lists for whole countries come with the verifier.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding

from shomeisho.errors import ExpiredError, InputError, NotYetValidError, UntrustedError
from shomeisho.trust.certificates import load_certificates, read_certificate
from shomeisho.trust.revocation import DccRevocations, ShcCrls, merge_shc_crls

_ISSUED_BY_CAP = 4096


def _sha256(data: bytes) -> bytes:
    digest = hashes.Hash(hashes.SHA256())
    digest.update(data)
    return digest.finalize()


def is_authority(certificate: x509.Certificate) -> bool:
    try:
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        return False
    except ValueError:  # some national signer certificates carry extensions OpenSSL can't parse
        return False
    return constraints.ca


@dataclass
class TrustStore:
    """Trusted signers, authorities, CRLs and SHC issuer key sets.

    ``signers`` are end-entity certificates believed directly; ``authorities`` are CAs whose
    directly issued signers are believed (link certificates are accepted as further anchors).
    ``issuers`` maps an SHC ``iss`` URL to its JWKS keys (public JWK dicts).
    ``dcc_revocations`` and ``shc_crls`` are the certificate revocation lists the formats apply
    after the signature verified; both only ever grow (:mod:`shomeisho.trust.revocation`).
    """

    signers: list[x509.Certificate] = field(default_factory=list)
    authorities: list[x509.Certificate] = field(default_factory=list)
    crls: list[x509.CertificateRevocationList] = field(default_factory=list)
    issuers: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # SHC issuer URL -> its country (ISO alpha-2): an SHC names no country, and invalidation
    # rules are chosen by the issuing country
    issuer_countries: dict[str, str] = field(default_factory=dict)
    dcc_revocations: DccRevocations = field(default_factory=DccRevocations)
    shc_crls: ShcCrls = field(default_factory=dict)
    # Caches for the verify hot path. The lists above stay the source of truth: the kid index is
    # rebuilt whenever ``signers`` is replaced or changes length. ``_issued_by`` remembers, per
    # (signer, authority) pair of objects, a name mismatch (False) or a *successful* chain
    # signature check (True); failed signature checks are not remembered.
    _kid_index: dict[bytes, list[x509.Certificate]] = field(default_factory=dict, repr=False)
    _kid_index_key: tuple[int, int] = field(default=(0, -1), repr=False)
    _issued_by: dict[tuple[int, int], tuple[x509.Certificate, x509.Certificate, bool]] = field(
        default_factory=dict, repr=False
    )
    _crl_signed: dict[
        tuple[int, int], tuple[x509.CertificateRevocationList, x509.Certificate, bool]
    ] = field(default_factory=dict, repr=False)

    # -- building ---------------------------------------------------------------------------
    def add_certificate(self, certificate: x509.Certificate) -> None:
        target = self.authorities if is_authority(certificate) else self.signers
        if certificate not in target:
            target.append(certificate)

    def add_jwks(self, issuer: str, jwks: dict[str, Any]) -> None:
        keys = jwks.get("keys") if isinstance(jwks, dict) else None
        if not isinstance(keys, list):
            raise InputError(f"the key set for {issuer} has no 'keys' list", code="input.jwks")
        self.issuers.setdefault(issuer, []).extend(k for k in keys if isinstance(k, dict))

    def merge(self, other: TrustStore) -> None:
        for cert in other.signers + other.authorities:
            self.add_certificate(cert)
        self.crls.extend(other.crls)
        for issuer, keys in other.issuers.items():
            self.issuers.setdefault(issuer, []).extend(keys)
        self.issuer_countries.update(other.issuer_countries)
        self.dcc_revocations.merge(other.dcc_revocations)
        merge_shc_crls(self.shc_crls, other.shc_crls)

    @classmethod
    def from_bundle(cls, doc: dict[str, Any], path: Path) -> TrustStore:
        """Read the demo trust bundle ``keys init`` writes: PEM certificates, CRLs, SHC keys."""
        return _read_bundle(cls(), doc, path)

    # -- questions formats ask --------------------------------------------------------------
    def signers_with_dcc_kid(self, kid: bytes) -> list[x509.Certificate]:
        """Every trusted signer whose HCERT kid matches; kids collide, so all are returned."""
        key = (id(self.signers), len(self.signers))
        if key != self._kid_index_key:
            index: dict[bytes, list[x509.Certificate]] = {}
            for cert in self.signers:
                index.setdefault(_sha256(cert.public_bytes(Encoding.DER))[:8], []).append(cert)
            self._kid_index, self._kid_index_key = index, key
        return list(self._kid_index.get(kid, ()))

    def issuer_keys(self, issuer: str) -> list[dict[str, Any]] | None:
        return self.issuers.get(issuer)

    def check_chain(self, signer: x509.Certificate, *, at: datetime, what: str = "signer") -> None:
        """Accept ``signer`` if it is trusted directly, or directly issued by a trusted authority
        that was valid at ``at`` and has not revoked it. Raises the error that explains why not."""
        _check_validity(signer, at, what)
        if signer in self.signers:
            self.check_revoked_by_authority(signer, what)
            return
        reasons: list[str] = []
        for authority in self.authorities:
            # Keyed by object identity and holding the objects, so a hit is exact and costs no
            # re-serialisation (a fingerprint costs ~15 us, a quarter of the seal's own check)
            # and no comparison of names (two Name objects built and compared, ~2 us).
            pair = (id(signer), id(authority))
            known = self._issued_by.get(pair)
            if known is None or known[0] is not signer or known[1] is not authority:
                if authority.subject != signer.issuer:
                    self._remember(pair, signer, authority, issued=False)
                    continue
                try:
                    signer.verify_directly_issued_by(authority)
                except (InvalidSignature, ValueError, TypeError, UnsupportedAlgorithm):
                    reasons.append(f"not signed by {authority.subject.rfc4514_string()}")
                    continue
                self._remember(pair, signer, authority, issued=True)
            elif not known[2]:
                continue  # names differ: not this authority's certificate
            not_before, not_after = validity_window(authority)
            if not (not_before <= at <= not_after):
                reasons.append(
                    f"authority {authority.subject.rfc4514_string()} was not valid "
                    f"at {at.isoformat()}"
                )
                continue
            self._check_not_revoked(signer, authority, what)
            return
        detail = (
            "; ".join(reasons)
            if reasons
            else (f"no trusted authority is named {signer.issuer.rfc4514_string()}")
        )
        raise UntrustedError(
            f"the {what} certificate is not issued by a trusted authority ({detail})",
            code="untrusted.chain",
            where=what,
        )

    def _remember(
        self,
        pair: tuple[int, int],
        signer: x509.Certificate,
        authority: x509.Certificate,
        *,
        issued: bool,
    ) -> None:
        if len(self._issued_by) >= _ISSUED_BY_CAP:
            self._issued_by.clear()
        self._issued_by[pair] = (signer, authority, issued)

    def check_revoked_by_authority(self, signer: x509.Certificate, what: str = "signer") -> None:
        """For a signer trusted directly (a DCC document signer is listed, since a DCC carries
        no certificate): refuse it if its issuing authority's CRL revokes it. Listing a signer
        must not shield it from its own CA's revocation."""
        if not self.crls:
            return
        for authority in self.authorities:
            if authority.subject == signer.issuer:
                self._check_not_revoked(signer, authority, what)

    def _crl_is_genuine(
        self, crl: x509.CertificateRevocationList, authority: x509.Certificate
    ) -> bool:
        """Whether ``authority`` signed ``crl``, checked once per pair of objects (a CRL check
        is an ECDSA verification, as costly as the certificate's own)."""
        key = (id(crl), id(authority))
        known = self._crl_signed.get(key)
        if known is None or known[0] is not crl or known[1] is not authority:
            genuine = crl.is_signature_valid(authority.public_key())  # type: ignore[arg-type]
            if len(self._crl_signed) >= _ISSUED_BY_CAP:
                self._crl_signed.clear()
            known = (crl, authority, genuine)
            self._crl_signed[key] = known
        return known[2]

    def _check_not_revoked(
        self, signer: x509.Certificate, authority: x509.Certificate, what: str
    ) -> None:
        for crl in self.crls:
            if crl.issuer != authority.subject:
                continue
            if not self._crl_is_genuine(crl, authority):
                continue
            if crl.get_revoked_certificate_by_serial_number(signer.serial_number) is not None:
                raise UntrustedError(
                    f"the {what} certificate (serial {signer.serial_number:X}) "
                    "is revoked by its authority",
                    code="untrusted.revoked_signer",
                    where=what,
                )


# id(certificate) -> (certificate, not_valid_before_utc, not_valid_after_utc); the entry holds the
# certificate, so its id cannot be reused while the entry exists.
_WINDOWS: dict[int, tuple[x509.Certificate, datetime, datetime]] = {}


def validity_window(certificate: x509.Certificate) -> tuple[datetime, datetime]:
    """``(not_valid_before_utc, not_valid_after_utc)``, read once per certificate object.

    Why: ``cryptography`` builds a new datetime on every read of either property, and a chain
    check reads four of them on every VDS-NC verification. Certificates are immutable, so the
    values cannot change; the validity itself is still checked against ``at`` every time."""
    entry = _WINDOWS.get(id(certificate))
    if entry is None or entry[0] is not certificate:
        entry = (certificate, certificate.not_valid_before_utc, certificate.not_valid_after_utc)
        if len(_WINDOWS) >= _ISSUED_BY_CAP:
            _WINDOWS.clear()
        _WINDOWS[id(certificate)] = entry
    return entry[1], entry[2]


def _check_validity(certificate: x509.Certificate, at: datetime, what: str) -> None:
    not_before, not_after = validity_window(certificate)
    if at < not_before:
        raise NotYetValidError(
            f"the {what} certificate is valid only from {not_before.isoformat()}",
            code="not_yet_valid.signer",
            where=what,
        )
    if at > not_after:
        raise ExpiredError(
            f"the {what} certificate expired on {not_after.isoformat()}",
            code="expired.signer",
            where=what,
        )


def load_trust_file(path: Path, *, issuer: str | None = None) -> TrustStore:
    """Read one ``--trust`` file: certificate (PEM/DER), CRL, JWKS, or a trust bundle JSON."""
    store = TrustStore()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(
            f"cannot read trust file {path}: {exc.strerror}", code="input.trust", where=str(path)
        ) from None
    stripped = data.lstrip()
    if stripped.startswith((b"{", b"[")):
        try:
            doc = json.loads(data)
        except (ValueError, UnicodeDecodeError):
            raise InputError(
                f"trust file {path} is not valid JSON", code="input.trust", where=str(path)
            ) from None
        _load_json_trust(store, doc, issuer, path)
        return store
    try:
        if b"-----BEGIN X509 CRL-----" in data:
            store.crls.append(x509.load_pem_x509_crl(data))
            return store
        if b"-----BEGIN CERTIFICATE-----" in data:
            for cert in load_certificates(data):
                store.add_certificate(cert)
            return store
        try:
            store.add_certificate(read_certificate(data))
        except ValueError:
            store.crls.append(x509.load_der_x509_crl(data))
    except ValueError:
        raise InputError(
            f"trust file {path} is neither a certificate, a CRL, a JWKS nor a trust bundle",
            code="input.trust",
            where=str(path),
        ) from None
    return store


def _load_json_trust(store: TrustStore, doc: Any, issuer: str | None, path: Path) -> None:
    if isinstance(doc, dict) and doc.get("type") == "shomeisho-trust-bundle":
        bundle = TrustStore.from_bundle(doc, path)
        store.merge(bundle)
        return
    if isinstance(doc, dict) and "issuerInfo" in doc:
        _read_vci_snapshot(store, doc, path)
        return
    if isinstance(doc, dict) and "participating_issuers" in doc:
        raise InputError(
            f"{path} is a VCI directory: it names issuers but holds no keys, and a verifier "
            "here fetches nothing; give its snapshot with keys (vci-issuers-metadata.json)",
            code="input.trust",
            where=str(path),
        )
    if isinstance(doc, dict) and "keys" in doc:
        if not issuer:
            raise InputError(
                f"{path} is a JWKS; say which issuer it belongs to with --issuer URL",
                code="input.trust",
                where=str(path),
            )
        store.add_jwks(issuer, doc)
        return
    raise InputError(
        f"trust file {path} is JSON but neither a JWKS nor a trust bundle",
        code="input.trust",
        where=str(path),
    )


def _read_vci_snapshot(store: TrustStore, doc: dict[str, Any], path: Path) -> None:
    """A VCI-style directory snapshot: ``{issuerInfo: [{issuer: {iss, name}, keys, crls}]}``.

    The directory of SMART Health Card issuers publishes each issuer's keys and revocation
    lists in such a snapshot, so one file trusts a whole directory offline."""
    entries = doc["issuerInfo"]
    if not isinstance(entries, list):
        raise InputError(f"{path}: issuerInfo must be a list", code="input.trust", where=str(path))
    for n, entry in enumerate(entries):
        issuer = entry.get("issuer") if isinstance(entry, dict) else None
        iss = issuer.get("iss") if isinstance(issuer, dict) else None
        keys = entry.get("keys") if isinstance(entry, dict) else None
        if not isinstance(iss, str) or not isinstance(keys, list):
            raise InputError(
                f"{path}: issuerInfo[{n}] needs issuer.iss and a keys list",
                code="input.trust",
                where=f"issuerInfo[{n}]",
            )
        store.add_jwks(iss, {"keys": keys})
        crls = entry.get("crls", [])
        if not isinstance(crls, list) or not all(
            isinstance(c, dict) and isinstance(c.get("kid"), str) for c in crls
        ):
            raise InputError(
                f"{path}: issuerInfo[{n}].crls must be a list of CRLs with a kid",
                code="input.trust",
                where=f"issuerInfo[{n}].crls",
            )
        merge_shc_crls(store.shc_crls, {iss: {c["kid"]: c for c in crls}})


def _read_bundle(store: TrustStore, doc: dict[str, Any], path: Path) -> TrustStore:
    try:
        for pem in doc.get("certificates", []):
            for cert in x509.load_pem_x509_certificates(pem.encode("ascii")):
                store.add_certificate(cert)
        for pem in doc.get("crls", []):
            store.crls.append(x509.load_pem_x509_crl(pem.encode("ascii")))
        for iss, jwks in doc.get("shc_issuers", {}).items():
            store.add_jwks(iss, jwks)
        for iss, country in doc.get("shc_issuer_countries", {}).items():
            store.issuer_countries[str(iss)] = str(country).upper()
    except (ValueError, AttributeError, TypeError):
        raise InputError(
            f"trust bundle {path} has an unreadable entry", code="input.trust", where=str(path)
        ) from None
    return store


def bundle_document(
    certificates: Iterable[x509.Certificate],
    *,
    crls: Iterable[x509.CertificateRevocationList] = (),
    shc_issuers: dict[str, dict[str, Any]] | None = None,
    shc_issuer_countries: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The JSON written by ``keys init``; issue 5 replaces it with the signed, versioned bundle."""
    from cryptography.hazmat.primitives.serialization import Encoding as Enc

    return {
        "type": "shomeisho-trust-bundle",
        "version": 1,
        "certificates": [c.public_bytes(Enc.PEM).decode("ascii") for c in certificates],
        "crls": [c.public_bytes(Enc.PEM).decode("ascii") for c in crls],
        "shc_issuers": shc_issuers or {},
        "shc_issuer_countries": shc_issuer_countries or {},
    }
