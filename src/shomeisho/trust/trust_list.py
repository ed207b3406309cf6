"""The national trust list: one signed, versioned file that every verifier syncs.

The national operator publishes what a verifier must believe: trust anchors (DCC country
signing CAs and document signers, VDS-NC CSCAs with their CRLs, SHC issuers' key sets),
certificate revocation lists, value sets and each country's business rules. A verifier at an
airport or inside a private app syncs this one file while it is online and keeps working
offline with the last list it accepted.

Why a signed envelope of our own rather than the files as they are: a verifier must be able to
tell *who* vouches for the whole set (the operator's trust-list key, pinned in the verifier) and
*which* set is newer (a monotonic ``version``), so that an attacker who replays an older list
cannot un-revoke a certificate. The envelope is a JWS in the flattened JSON serialisation
(RFC 7515 section 7.2.2), ES256 with a raw ``r || s`` signature, so any JOSE library can check
it::

    {"type": "shomeisho-trust-list", "protected": b64url({"alg","kid","typ"}),
     "payload": b64url(content JSON), "signature": b64url(r || s)}

The signature is checked before a byte of the content is parsed. ``kid`` is the base64url
SHA-256 of the operator key's SubjectPublicKeyInfo. The content's fields are described on
:class:`TrustListContent` and in ``docs/trust.md``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from shomeisho.errors import ShomeishoError, TrustListError
from shomeisho.signing import Signer, verify_es256
from shomeisho.trust.anchors import (
    CountryCertificate,
    anchor_document,
    check_anchor,
    country_of,
    read_anchor,
)
from shomeisho.trust.anchors import malformed as _malformed
from shomeisho.trust.revocation import DccRevocations, ShcCrls, merge_shc_crls
from shomeisho.trust.store import TrustStore
from shomeisho.wire import strict_json
from shomeisho.wire.b64 import b64url_decode, b64url_encode

TYPE = "shomeisho-trust-list"
MEDIA_TYPE = "shomeisho-trust-list+json"
MAX_LIST_BYTES = 64 * 1024 * 1024  # a whole world of signers, CRLs and revocation hashes
MAX_DEPTH = 96  # rules are CertLogic trees (the engine caps them at 64 levels) inside the list


@dataclass
class TrustListContent:
    """What the operator vouches for in one version of the trust list."""

    version: int
    issued_at: datetime
    operator: str
    next_update: datetime | None = None
    authorities: list[CountryCertificate] = field(default_factory=list)
    signers: list[CountryCertificate] = field(default_factory=list)
    crls: list[x509.CertificateRevocationList] = field(default_factory=list)
    shc_issuers: dict[str, dict[str, Any]] = field(default_factory=dict)  # iss -> JWKS
    shc_issuer_countries: dict[str, str] = field(default_factory=dict)  # iss -> alpha-2
    shc_crls: ShcCrls = field(default_factory=dict)
    dcc_revocations: DccRevocations = field(default_factory=DccRevocations)
    rules: list[dict[str, Any]] = field(default_factory=list)  # EU business-rule documents
    value_sets: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def from_store(
        cls,
        store: TrustStore,
        *,
        version: int,
        issued_at: datetime,
        operator: str,
        next_update: datetime | None = None,
    ) -> TrustListContent:
        """A list holding everything ``store`` trusts (as ``keys init`` or ``--trust`` files
        gathered it); each certificate's country comes from its subject's C attribute."""
        content = cls(version, issued_at, operator, next_update)
        for n, cert in enumerate(store.authorities):
            check_anchor(cert, authority=True, where=f"authorities[{n}]")
            content.authorities.append(CountryCertificate(country_of(cert), cert))
        for n, cert in enumerate(store.signers):
            check_anchor(cert, authority=False, where=f"signers[{n}]")
            content.signers.append(CountryCertificate(country_of(cert), cert))
        content.crls = list(store.crls)
        content.shc_issuers = {iss: {"keys": list(keys)} for iss, keys in store.issuers.items()}
        content.shc_issuer_countries = dict(store.issuer_countries)
        content.dcc_revocations.merge(store.dcc_revocations)
        merge_shc_crls(content.shc_crls, store.shc_crls)
        return content

    def trust_store(self) -> TrustStore:
        """The store the formats verify against, with this list's revocations."""
        store = TrustStore()
        for entry in self.authorities:
            store.authorities.append(entry.certificate)
        for entry in self.signers:
            store.signers.append(entry.certificate)
        store.crls.extend(self.crls)
        for iss, jwks in self.shc_issuers.items():
            store.add_jwks(iss, jwks)
        store.issuer_countries.update(self.shc_issuer_countries)
        store.dcc_revocations.merge(self.dcc_revocations)
        merge_shc_crls(store.shc_crls, self.shc_crls)
        return store

    def age(self, now: datetime) -> float:
        """Seconds since the operator issued this list (what a verifier shows as its age)."""
        return (now - self.issued_at).total_seconds()

    def is_stale(self, now: datetime) -> bool:
        """Past the operator's announced next update: still used, but the verifier says so."""
        return self.next_update is not None and now > self.next_update

    def counts(self) -> dict[str, int]:
        return {
            "authorities": len(self.authorities),
            "signers": len(self.signers),
            "crls": len(self.crls),
            "shc_issuers": len(self.shc_issuers),
            "shc_crls": sum(len(per_kid) for per_kid in self.shc_crls.values()),
            "dcc_revocation_hashes": len(self.dcc_revocations),
            "rules": len(self.rules),
            "value_sets": len(self.value_sets),
        }

    # -- JSON ---------------------------------------------------------------------------------
    def to_document(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "issued_at": _iso(self.issued_at),
            "next_update": _iso(self.next_update) if self.next_update else None,
            "operator": self.operator,
            "authorities": [anchor_document(e) for e in self.authorities],
            "signers": [anchor_document(e) for e in self.signers],
            "crls": [c.public_bytes(Encoding.PEM).decode("ascii") for c in self.crls],
            "shc_issuers": self.shc_issuers,
            "shc_issuer_countries": self.shc_issuer_countries,
            "shc_crls": self.shc_crls,
            "dcc_revocations": self.dcc_revocations.to_documents(),
            "rules": self.rules,
            "value_sets": self.value_sets,
        }

    @classmethod
    def from_document(cls, doc: object) -> TrustListContent:
        """Read the content; every problem names the field (``where``)."""
        if not isinstance(doc, dict):
            raise _malformed("the trust list content is not a JSON object", "content")
        version = doc.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise _malformed("'version' must be a positive integer", "version")
        operator = doc.get("operator")
        if not isinstance(operator, str) or not operator:
            raise _malformed("'operator' must name the operator", "operator")
        content = cls(
            version=version,
            issued_at=_time(doc.get("issued_at"), "issued_at"),
            operator=operator,
            next_update=(
                _time(doc["next_update"], "next_update") if doc.get("next_update") else None
            ),
        )
        content.authorities = [
            read_anchor(e, f"authorities[{n}]", authority=True)
            for n, e in enumerate(_list(doc, "authorities"))
        ]
        content.signers = [
            read_anchor(e, f"signers[{n}]", authority=False)
            for n, e in enumerate(_list(doc, "signers"))
        ]
        for n, pem in enumerate(_list(doc, "crls")):
            try:
                content.crls.append(x509.load_pem_x509_crl(str(pem).encode("ascii")))
            except (ValueError, UnicodeEncodeError):
                raise _malformed("not a PEM certificate revocation list", f"crls[{n}]") from None
        content.shc_issuers = _mapping_of_objects(doc, "shc_issuers")
        for iss, jwks in content.shc_issuers.items():
            if not isinstance(jwks.get("keys"), list):
                raise _malformed(
                    "an SHC issuer's key set needs a 'keys' list", f"shc_issuers[{iss}]"
                )
        countries = doc.get("shc_issuer_countries", {})
        if not isinstance(countries, dict) or not all(
            isinstance(c, str) and len(c) == 2 and c.isalpha() for c in countries.values()
        ):
            raise _malformed(
                "'shc_issuer_countries' must map an issuer URL to an ISO alpha-2 code",
                "shc_issuer_countries",
            )
        content.shc_issuer_countries = {str(k): v.upper() for k, v in countries.items()}
        shc_crls = _mapping_of_objects(doc, "shc_crls")
        for iss, per_kid in shc_crls.items():
            if not all(isinstance(crl, dict) for crl in per_kid.values()):
                raise _malformed("each SHC CRL must be an object", f"shc_crls[{iss}]")
        content.shc_crls = shc_crls
        try:
            content.dcc_revocations = DccRevocations.from_documents(
                doc.get("dcc_revocations", []), where="dcc_revocations"
            )
        except ShomeishoError as exc:
            raise _malformed(exc.message, exc.where or "dcc_revocations") from None
        content.rules = [r for r in _list(doc, "rules") if isinstance(r, dict)]
        if len(content.rules) != len(_list(doc, "rules")):
            raise _malformed("every rule must be a JSON object", "rules")
        value_sets = doc.get("value_sets", {})
        if not isinstance(value_sets, dict) or not all(
            isinstance(codes, list) and all(isinstance(c, str) for c in codes)
            for codes in value_sets.values()
        ):
            raise _malformed(
                "'value_sets' must map a value set id to a list of codes", "value_sets"
            )
        content.value_sets = value_sets
        return content


@dataclass(frozen=True)
class SignedTrustList:
    """A trust list whose signature has been checked, with the exact bytes that were signed."""

    content: TrustListContent
    data: bytes  # the file as received (kept and re-checked by a verifier's synced copy)
    payload: bytes  # the signed content bytes (equal payloads = the same list)
    key_id: str


def operator_key_id(public_key: ec.EllipticCurvePublicKey) -> str:
    """The ``kid`` naming an operator key: base64url SHA-256 of its SubjectPublicKeyInfo."""
    spki = public_key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return b64url_encode(hashlib.sha256(spki).digest())


def sign_trust_list(content: TrustListContent, signer: Signer) -> bytes:
    """The trust list file for ``content``, signed by the operator's trust-list key."""
    header = {"alg": "ES256", "kid": operator_key_id(signer.public_key()), "typ": MEDIA_TYPE}
    protected = b64url_encode(json.dumps(header, separators=(",", ":")).encode("ascii"))
    body = json.dumps(content.to_document(), ensure_ascii=False, separators=(",", ":"))
    payload = b64url_encode(body.encode("utf-8"))
    signature = signer.sign(f"{protected}.{payload}".encode("ascii"))
    envelope = {
        "type": TYPE,
        "protected": protected,
        "payload": payload,
        "signature": b64url_encode(signature),
    }
    return (json.dumps(envelope, indent=1) + "\n").encode("ascii")


def read_trust_list(data: bytes, operator_keys: list[ec.EllipticCurvePublicKey]) -> SignedTrustList:
    """Check the operator's signature on ``data``, then read the content.

    ``operator_keys`` are the keys this verifier pins (more than one while the operator rolls
    its key over). Nothing of the content is parsed before the signature verified."""
    if len(data) > MAX_LIST_BYTES:
        raise _malformed(f"the file is {len(data)} bytes; the limit is {MAX_LIST_BYTES}", "file")
    try:
        envelope = strict_json.loads(data, what="trust list", max_length=MAX_LIST_BYTES)
    except ShomeishoError as exc:
        raise _malformed(f"not a trust list: {exc.message}", "file") from None
    if not isinstance(envelope, dict) or envelope.get("type") != TYPE:
        raise _malformed(f"not a trust list (its 'type' is not {TYPE!r})", "type")
    parts = [envelope.get(name) for name in ("protected", "payload", "signature")]
    if not all(isinstance(part, str) for part in parts):
        raise _malformed("'protected', 'payload' and 'signature' must be text", "envelope")
    protected, payload_text, signature_text = (str(p) for p in parts)
    try:
        header = strict_json.loads(b64url_decode(protected, what="protected header"))
        payload = b64url_decode(payload_text, what="payload", max_length=2 * MAX_LIST_BYTES)
        signature = b64url_decode(signature_text, what="signature")
    except ShomeishoError as exc:
        raise _malformed(exc.message, "envelope") from None
    if not isinstance(header, dict) or header.get("alg") != "ES256":
        raise TrustListError(
            "the trust list must be signed with ES256 (alg in the protected header)",
            code="trust.algorithm",
            where="protected.alg",
        )
    kid = header.get("kid")
    candidates = [k for k in operator_keys if operator_key_id(k) == kid]
    if not candidates:
        known = ", ".join(operator_key_id(k) for k in operator_keys) or "none"
        raise TrustListError(
            f"the trust list is signed by key {kid!r}, which is not a pinned operator key "
            f"(pinned: {known})",
            code="trust.signature.key",
            where="protected.kid",
        )
    signed = f"{protected}.{payload_text}".encode("ascii")
    try:
        verify_es256(candidates[0], signature, signed, where="trust list")
    except ShomeishoError:
        raise TrustListError(
            "the trust list's signature does not verify under the operator's key: it was "
            "altered or signed by someone else",
            code="trust.signature",
            where="signature",
        ) from None
    try:
        document = strict_json.loads(
            payload, what="trust list content", max_length=MAX_LIST_BYTES, max_depth=MAX_DEPTH
        )
    except ShomeishoError as exc:
        raise _malformed(exc.message, "payload") from None
    return SignedTrustList(TrustListContent.from_document(document), data, payload, str(kid))


# -- reading helpers ------------------------------------------------------------------------------
def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _time(value: object, where: str) -> datetime:
    if not isinstance(value, str):
        raise _malformed(f"'{where}' must be an ISO-8601 date-time", where)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise _malformed(f"'{where}' is not an ISO-8601 date-time: {value[:40]!r}", where) from None
    if moment.tzinfo is None:
        raise _malformed(f"'{where}' needs a time zone offset", where)
    return moment


def _list(doc: dict[str, Any], name: str) -> list[Any]:
    value = doc.get(name, [])
    if not isinstance(value, list):
        raise _malformed(f"'{name}' must be a list", name)
    return value


def _mapping_of_objects(doc: dict[str, Any], name: str) -> dict[str, Any]:
    value = doc.get(name, {})
    if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
        raise _malformed(f"'{name}' must map names to objects", name)
    return value
