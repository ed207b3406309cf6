"""SMART Health Cards (spec v1.3): issue and verify ``shc:/`` QR cards and health card files.

Pipeline (issuing): record -> FHIR R4 bundle (:mod:`.fhir`) -> JWT payload (:mod:`.payload`) ->
minified JSON -> raw DEFLATE -> JWS ES256 with ``{"zip":"DEF","alg":"ES256","kid":thumbprint}``
(:mod:`.jws`, :mod:`.jwk`) -> ``shc:/`` numeric text (:mod:`.qrtext`), one QR, JWS <= 1195.
Verifying runs the same way back (:mod:`.verify`): strict decoding (:mod:`.fastpath` on the hot
path), the signature with an issuer key from the trust store (never fetched), then contents:
claims and validity (:mod:`.payload`, :mod:`.vctypes`), FHIR rules (:mod:`.profile`,
:mod:`.elements`, opt-in :mod:`.usprofile`; a payload in the common clean shape is checked in one
pass by :mod:`.onepass`, with the same outcome), revocation (:mod:`.crl`), the record
(:mod:`.fhir`; its checks run at once, the record itself is built when first read). Files with
several cards: :mod:`.card`. QR symbol rules (segments, version): :mod:`.qrsymbol`. SMART Health
Links (online, through a caller-supplied fetcher): :mod:`.shl`, :mod:`.shlfetch`.

An issuer key's ``x5c`` chain, when present, must have been valid when the card was issued
(``nbf``), so cards stay verifiable after the yearly key certificate rolls over; the JWKS in the
trust store is the anchor.

Certificate id. SHC has no element for a certificate identifier, data minimisation forbids
``Immunization.identifier`` and resource ids, and the brief forbids reversible revocation ids.
So the record's ``certificate_id`` is *not* written into the card. When the issuer configures a
revocation secret (``ShcFormat(rid_secret=...)``), the card carries
``vc.rid = base64url(HMAC-SHA-256(secret || kid, certificate_id)[:8])`` and the issuer, who keeps
the secret, can revoke by certificate id; a verifier reports ``certificate_id`` as
``shc:rid:<rid>``, or, without a rid, ``shc:sha256:<base64url of the first 16 bytes of SHA-256 of
the signed payload>``: stable for the card, not derived from signature bytes.

Error codes (class -> codes; W = reported as a warning):

* EncodingError: ``encoding.numeric.header`` (also W for ``shc:/1/1/``), ``.odd``, ``.range``,
  ``.character``, ``.too_long``, ``.chunk_header``, ``.chunk_missing``; ``encoding.base64``;
  ``encoding.qr`` (no QR code in an image).
* MalformedError: ``malformed.trailing``, ``malformed.jws``, ``malformed.jws.too_long``,
  ``malformed.jws.header`` (+ ``.zip``, ``.kid``, ``.crit``), ``malformed.jwt.not_object``,
  ``malformed.json*`` / ``malformed.duplicate_key`` / ``malformed.depth`` from strict JSON.
* DecompressionError: ``decompression.invalid``, ``.too_large``, ``.truncated``, ``.trailing``.
* AlgorithmError: ``signature.algorithm.missing``, ``signature.algorithm.not_allowed``.
* SignatureFormatError: ``signature.format`` (wrong length), ``signature.format.der``.
* SignatureError: ``signature.mismatch``.
* UntrustedError: ``untrusted.unknown_issuer``, ``untrusted.no_key``,
  ``untrusted.issuer_mismatch`` (the kid belongs to another trusted issuer), ``untrusted.bad_key``,
  ``untrusted.x5c`` (+ ``.san``, ``.key``, ``.chain``), ``untrusted.crl`` (+ ``.duplicate``),
  W ``untrusted.crl.unavailable``.
* RevokedError: ``revoked``.
* SchemaError: ``schema.jwt.iss``, ``.iss_url``, ``.nbf``, ``.exp``, ``.nbf_milliseconds``,
  ``.exp_before_nbf``, W ``.exp_milliseconds``; ``schema.vc``, ``schema.vc.fhir_bundle``,
  ``schema.vc.fhir_version``, ``schema.vc.rid``; ``schema.vc_type`` (no health-card type),
  W ``schema.vc_type.missing/.unexpected/.unneeded/.unknown``; ``schema.fhir.*`` (see
  :mod:`.profile`); ``schema.card_file``; W ``schema.record*`` (the card is valid but is not a
  vaccination record this verifier can show).
* InvalidError: ``invalid.qr.chunked`` (deprecated chunking), ``invalid.qr.too_long``,
  ``invalid.qr.version``, ``invalid.qr.segments``; W ``invalid.qr.unneeded_chunks``,
  ``.unbalanced_chunks``, ``.version_not_minimal``, ``.jws_too_long``, ``.segments_unknown``;
  SMART Health Links: ``invalid.shl``, ``invalid.shl.not_https.manifest`` / ``.file``.
* SHL also: MalformedError ``malformed.shl`` (+ ``.jwe``), InputError ``input.shl.passcode``,
  UnreadableError ``unreadable.shl.fetch``.
* ExpiredError ``expired`` (card ``exp``), ``expired.signer`` (x5c); NotYetValidError
  ``not_yet_valid``, ``not_yet_valid.signer``; W InputError ``input.file_extension``.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import datetime

from shomeisho.errors import (
    FormatNotRecognisedError,
    InputError,
    KeyStoreError,
    ShomeishoError,
)
from shomeisho.formats.shc import crl, fhir, jwk, jws, payload, qrtext
from shomeisho.formats.shc.card import (
    read_fhir_health_card,
    read_health_card_file,
    verify_fhir_health_card,
    verify_health_card_file,
    write_health_card_file,
)
from shomeisho.formats.shc.problems import FORMAT_NAME, MAX_SINGLE_QR_JWS, Findings
from shomeisho.formats.shc.qrsymbol import verify_qr_images
from shomeisho.formats.shc.verify import verify_chunks, verify_jws, verify_text
from shomeisho.model import IssuedCertificate, VaccinationRecord, Verification
from shomeisho.signing import ES256, Signer
from shomeisho.trust.store import TrustStore

_BARE_JWS = re.compile(r"^eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")


class ShcFormat:
    """The SHC :class:`~shomeisho.formats.CertificateFormat`.

    ``rid_secret`` (>= 32 bytes, kept by the issuer) makes issued cards revocable by rid;
    ``crls`` (issuer URL -> kid -> CRL document) lets the verifier apply revocation lists that
    were loaded beforehand. Neither is needed for the default :data:`FORMAT`.
    """

    def __init__(self, *, rid_secret: bytes | None = None, crls: crl.CrlSet | None = None) -> None:
        if rid_secret is not None and len(rid_secret) < 32:
            raise InputError("the rid secret must be at least 256 bits", code="input.rid_secret")
        self._rid_secret = rid_secret
        self._crls = crls

    @property
    def name(self) -> str:
        return FORMAT_NAME

    def recognises(self, text: str) -> bool:
        """``shc:/`` text, or a bare compact JWS whose header says ``zip: DEF``."""
        try:
            stripped = text.strip()
            if stripped.startswith(qrtext.PREFIX):
                return True
            if len(stripped) > 64 * 1024 or not _BARE_JWS.match(stripped):
                return False
            head = stripped.split(".", 1)[0]
            header = base64.urlsafe_b64decode(head + "=" * (-len(head) % 4))
            return b'"zip":"DEF"' in header.replace(b" ", b"")
        except (ValueError, binascii.Error, AttributeError):
            return False

    def issue(
        self,
        record: VaccinationRecord,
        signer: Signer,
        *,
        issuer: str,
        issued_at: datetime,
        expires_at: datetime | None,
    ) -> IssuedCertificate:
        """Sign the record as one ``shc:/`` QR text. ``issued_at`` becomes ``nbf`` (whole
        seconds); raises :class:`InputError` if the card would not fit one QR."""
        if signer.algorithm != ES256:
            raise KeyStoreError(
                f"SHC needs an ES256 key; {signer.name!r} is {signer.algorithm}",
                code="keys.algorithm",
            )
        if issued_at.tzinfo is None or (expires_at is not None and expires_at.tzinfo is None):
            raise InputError("issue times must be timezone-aware", code="input.time")
        kid = jwk.thumbprint(signer.public_key())
        rid = (
            crl.compute_rid(self._rid_secret, kid, record.certificate_id)
            if self._rid_secret is not None
            else None
        )
        claims = payload.build_payload(
            fhir.build_bundle(record),
            issuer=issuer,
            issued_at=issued_at,
            expires_at=expires_at,
            rid=rid,
        )
        token = jws.sign(claims, signer, kid)
        if len(token) > MAX_SINGLE_QR_JWS:
            raise InputError(
                f"the card is {len(token)} characters as JWS; one SHC QR holds "
                f"{MAX_SINGLE_QR_JWS}. Shorten the names or split the doses.",
                code="input.too_large",
            )
        return IssuedCertificate(
            format=FORMAT_NAME,
            text=qrtext.encode(token),
            record=record,
            issued_at=issued_at,
            expires_at=expires_at,
            key_id=kid,
        )

    def verify(self, text: str, trust: TrustStore, *, at: datetime) -> Verification:
        """Verify ``shc:/`` text (or a bare JWS); never raises for bad input."""
        try:
            if not isinstance(text, str):
                raise FormatNotRecognisedError("SHC input is text", code="unreadable.format")
            stripped = text.strip()
            if stripped.startswith("shc:") or not _BARE_JWS.match(stripped):
                return verify_text(text, trust, at, crls=self._crls)
            return verify_jws(text, trust, at, crls=self._crls)
        except ShomeishoError as exc:
            return Verification(format=FORMAT_NAME, errors=[exc])
        except (ValueError, TypeError, OverflowError, RecursionError, MemoryError) as exc:
            return Verification(
                format=FORMAT_NAME,
                errors=[
                    FormatNotRecognisedError(
                        f"the input could not be read ({type(exc).__name__})",
                        code="unreadable.format",
                    )
                ],
            )

    def verify_chunks(self, texts: list[str], trust: TrustStore, *, at: datetime) -> Verification:
        return verify_chunks(texts, trust, at, crls=self._crls)


FORMAT = ShcFormat()

__all__ = [
    "FORMAT",
    "Findings",
    "ShcFormat",
    "read_fhir_health_card",
    "read_health_card_file",
    "verify_chunks",
    "verify_fhir_health_card",
    "verify_health_card_file",
    "verify_jws",
    "verify_qr_images",
    "verify_text",
    "write_health_card_file",
]
