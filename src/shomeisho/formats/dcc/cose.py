"""COSE_Sign1 (RFC 9052) as HCERT uses it: strict parsing, signing, and signature checks.

Rules, each from the HCERT specification or a hard rule of this project:

* The message is ``COSE_Sign1``: tag 18, or untagged, or tag 18 inside the CWT tag 61. Anything
  else is malformed.
* The algorithm comes **only** from the protected header and only from the allow-list
  ES256 (-7) / PS256 (-37). An ``alg`` that appears only in the unprotected header is refused:
  that header is not signed, so an attacker could rewrite it.
* The key identifier (``kid``, label 4) is read from the protected header; the unprotected
  header is used only when the protected one has none (HCERT allows both).
* ES256 signatures are raw ``r || s`` (64 bytes); DER is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import cbor2
from cryptography import x509

from shomeisho.errors import AlgorithmError, InputError, MalformedError
from shomeisho.signing import ES256 as ES256_NAME
from shomeisho.signing import Signer, verify_es256, verify_ps256
from shomeisho.wire import strict_cbor

TAG_COSE_SIGN1 = 18
TAG_CWT = 61
HEADER_ALG = 1
HEADER_CRIT = 2
HEADER_KID = 4
_UNDERSTOOD = {HEADER_ALG, HEADER_KID}  # labels a "crit" header may name (RFC 9052 3.1)
ES256 = -7
PS256 = -37
ALGORITHMS = {ES256: "ES256", PS256: "PS256"}
_ALLOWED_TEXT = "ES256 (-7) or PS256 (-37)"
_TAG_CHAINS = {(), (TAG_COSE_SIGN1,), (TAG_CWT, TAG_COSE_SIGN1)}


@dataclass(frozen=True, slots=True)
class Sign1:
    """A decoded COSE_Sign1. ``protected_bytes`` are kept exactly as received: they are signed."""

    protected_bytes: bytes
    protected: dict[int | str, Any]
    unprotected: dict[int | str, Any]
    payload: bytes
    signature: bytes
    tags: tuple[int, ...]

    def to_be_signed(self) -> bytes:
        """The ``Sig_structure`` of RFC 9052 section 4.4 for a COSE_Sign1 without external AAD."""
        return sig_structure(self.protected_bytes, self.payload)


def sig_structure(protected_bytes: bytes, payload: bytes) -> bytes:
    return cbor2.dumps(["Signature1", protected_bytes, b"", payload])


def _header(value: object, what: str) -> dict[int | str, Any]:
    if type(value) is dict and all(type(label) is int for label in value):
        return value  # the common case: a plain map with integer labels
    if not isinstance(value, Mapping):
        raise MalformedError(
            f"the COSE {what} header is a {type(value).__name__}, not a map",
            code="malformed.cose",
            where=f"COSE {what} header",
        )
    out: dict[int | str, Any] = {}
    for label, item in value.items():
        if isinstance(label, bool) or not isinstance(label, int | str):
            raise MalformedError(
                f"the COSE {what} header has the label {label!r}; labels are integers or text",
                code="malformed.cose",
                where=f"COSE {what} header",
            )
        out[label] = item
    return out


def decode(data: bytes) -> Sign1:
    """Parse COSE_Sign1 bytes strictly (no duplicate keys, no trailing bytes, tags checked)."""
    value = strict_cbor.loads(data, what="the COSE message")
    tags: list[int] = []
    while isinstance(value, cbor2.CBORTag) and len(tags) < 3:
        tags.append(value.tag)
        value = value.value
    if tuple(tags) not in _TAG_CHAINS or isinstance(value, cbor2.CBORTag):
        raise MalformedError(
            f"the COSE message is tagged {tags}; expected COSE_Sign1 (tag 18), untagged, or "
            "inside a CWT tag (61)",
            code="malformed.cose",
            where="COSE tag",
        )
    if not isinstance(value, list | tuple) or len(value) != 4:
        if isinstance(value, list | tuple):
            shape = f"an array of {len(value)} items"
        else:
            shape = f"a {type(value).__name__}"
        raise MalformedError(
            f"COSE_Sign1 is an array of 4 items (protected, unprotected, payload, signature); "
            f"this is {shape}",
            code="malformed.cose",
            where="COSE_Sign1",
        )
    protected_bytes, unprotected, payload, signature = value
    if not isinstance(protected_bytes, bytes):
        raise MalformedError(
            "the COSE protected header must be a byte string holding a CBOR map",
            code="malformed.cose",
            where="COSE protected header",
        )
    if payload is None:
        raise MalformedError(
            "the COSE payload is detached (nil); an HCERT carries its payload",
            code="malformed.cose",
            where="COSE payload",
        )
    if not isinstance(payload, bytes) or not isinstance(signature, bytes):
        raise MalformedError(
            "the COSE payload and signature must be byte strings",
            code="malformed.cose",
            where="COSE_Sign1",
        )
    if protected_bytes:
        protected = _header(
            strict_cbor.loads(protected_bytes, what="the COSE protected header"), "protected"
        )
    else:
        protected = {}
    _check_critical(protected)
    return Sign1(
        protected_bytes=protected_bytes,
        protected=protected,
        unprotected=_header(unprotected, "unprotected"),
        payload=payload,
        signature=signature,
        tags=tuple(tags),
    )


def _check_critical(protected: dict[int | str, Any]) -> None:
    """RFC 9052: a recipient must reject a message whose ``crit`` names a label it does not
    process; HCERT issuers never set ``crit``."""
    critical = protected.get(HEADER_CRIT)
    if critical is None:
        return
    labels = critical if isinstance(critical, list) else [critical]
    unknown = [label for label in labels if label not in _UNDERSTOOD or isinstance(label, bool)]
    if not labels or unknown:
        raise MalformedError(
            f"the COSE protected header marks {unknown or labels!r} as critical; this verifier "
            "processes only alg (1) and kid (4)",
            code="malformed.cose.crit",
            where="COSE protected header",
        )


def algorithm(message: Sign1) -> int:
    """The signature algorithm, from the protected header and the allow-list only."""
    alg = message.protected.get(HEADER_ALG)
    if alg is None:
        if HEADER_ALG in message.unprotected:
            raise AlgorithmError(
                f"COSE protected header has no alg; alg {message.unprotected[HEADER_ALG]!r} "
                "appears only in the unprotected header, which is not signed and is never "
                f"trusted; expected {_ALLOWED_TEXT} in the protected header",
                code="signature.algorithm.unprotected",
                where="COSE protected header",
            )
        raise AlgorithmError(
            f"COSE protected header has no alg; expected {_ALLOWED_TEXT}",
            code="signature.algorithm.missing",
            where="COSE protected header",
        )
    if type(alg) is not int or alg not in ALGORITHMS:
        raise AlgorithmError(
            f"COSE protected header: alg {alg!r} is not allowed; expected {_ALLOWED_TEXT}",
            code="signature.algorithm",
            where="COSE protected header",
        )
    return alg


def key_id(message: Sign1) -> bytes | None:
    """The kid: protected header first, then the unprotected header; None if neither has one."""
    for where, header in (("protected", message.protected), ("unprotected", message.unprotected)):
        kid = header.get(HEADER_KID)
        if kid is None:
            continue
        if not isinstance(kid, bytes) or not kid:
            raise MalformedError(
                f"the kid in the COSE {where} header must be a non-empty byte string",
                code="malformed.cose.kid",
                where=f"COSE {where} header",
            )
        return kid
    return None


def verify(message: Sign1, alg: int, certificate: x509.Certificate) -> None:
    """Check the signature under ``certificate``'s key; raise a SignatureError subclass if not."""
    key = certificate.public_key()
    data = message.to_be_signed()
    if alg == ES256:
        verify_es256(key, message.signature, data, where="COSE signature")
    else:
        verify_ps256(key, message.signature, data, where="COSE signature")


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
