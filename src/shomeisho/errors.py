"""One exception tree for every failure shomeisho reports.

Callers (the CLI, the web pages, a private app using the library) need two things from a failure:
a *stable code* they can count, translate and test against, and a *message a person can act on*.
Verifiers additionally need to turn a failure into a verdict, so every class names the verdict it
leads to. The tree follows the stages of verification, in the order they run::

    ShomeishoError                      code "error"
    ├── InputError                      a record, option or file given to us is unusable (usage)
    ├── KeyStoreError                   keys missing, passphrase wrong, key of the wrong kind
    ├── UnreadableError                 verdict "unreadable": not a certificate we can read
    │   ├── FormatNotRecognisedError    no format claims the input
    │   ├── EncodingError               base45 / base64url / SHC numeric / QR image
    │   ├── DecompressionError          zlib / raw DEFLATE broken, or over the inflate cap
    │   └── MalformedError              CBOR / JSON / COSE / JWS structure: duplicate keys,
    │                                   trailing bytes, NaN, BOM, nesting or length caps
    ├── InvalidError                    verdict "invalid": readable but not acceptable
    │   ├── SignatureError              signature does not verify
    │   │   ├── SignatureFormatError    e.g. DER where the format says raw r||s
    │   │   └── AlgorithmError          algorithm not allowed, or not in the protected header
    │   ├── SchemaError                 payload breaks the format's schema or value sets
    │   └── RevokedError                on a revocation list
    ├── UntrustedError                  verdict "untrusted": no trusted key or chain
    │   └── KeyUsageError               signer certificate not allowed for this certificate type
    ├── ExpiredError                    verdict "expired"
    ├── NotYetValidError                verdict "not_yet_valid"
    ├── RuleError                       a business rule (CertLogic) is invalid, over its caps,
    │                                   or cannot be evaluated on the data: the rule fails
    ├── AccessDeniedError               the signed-in person may not do this (HTTP 403)
    ├── NotFoundError                   no such record that this person may see (HTTP 404)
    └── ConflictError                   the change clashes with the record's state (HTTP 409)

The last three come from the record service, not from verification; their verdict is never
shown.

A subclass fixes the default ``code``; an instance may carry a more precise code from the same
family (for example ``malformed.duplicate_key``), always starting with its class's code prefix so
that counting by family keeps working. ``where`` says which part of the input was at fault.
"""

from __future__ import annotations

from enum import StrEnum


class Verdict(StrEnum):
    """The one-word outcome a verifier shows, ordered from best to worst by ``severity``."""

    VALID = "valid"
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"
    UNTRUSTED = "untrusted"
    INVALID = "invalid"
    UNREADABLE = "unreadable"

    @property
    def severity(self) -> int:
        return _SEVERITY[self]


_SEVERITY = {
    Verdict.VALID: 0,
    Verdict.NOT_YET_VALID: 1,
    Verdict.EXPIRED: 2,
    Verdict.UNTRUSTED: 3,
    Verdict.INVALID: 4,
    Verdict.UNREADABLE: 5,
}


class ShomeishoError(Exception):
    """Root of every error we raise on purpose; anything else escaping a decoder is a bug."""

    code: str = "error"
    verdict: Verdict = Verdict.INVALID

    def __init__(self, message: str, *, code: str | None = None, where: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            family = type(self).code
            if not (code == family or code.startswith(family + ".")):
                raise ValueError(f"error code {code!r} is not in the {family!r} family")
            self.code = code
        self.where = where

    def __str__(self) -> str:
        return f"{self.message} (at {self.where})" if self.where else self.message

    def as_dict(self) -> dict[str, str]:
        """The shape used by ``--json`` output and API problem details."""
        out = {"code": self.code, "message": self.message}
        if self.where:
            out["where"] = self.where
        return out


class InputError(ShomeishoError):
    """Raised when a record, option or file handed to us cannot be used as given."""

    code = "input"


class KeyStoreError(ShomeishoError):
    """Raised when a key is missing, cannot be decrypted, or is not the kind the job needs."""

    code = "keys"


class UnreadableError(ShomeishoError):
    """Raised when the input cannot be read as a certificate at all."""

    code = "unreadable"
    verdict = Verdict.UNREADABLE


class FormatNotRecognisedError(UnreadableError):
    """Raised when no supported format recognises the input."""

    code = "unreadable.format"


class EncodingError(UnreadableError):
    """Raised when a transport encoding (base45, base64url, SHC numeric, QR) is broken."""

    code = "encoding"


class DecompressionError(UnreadableError):
    """Raised when compressed data is broken or would inflate past the cap."""

    code = "decompression"


class MalformedError(UnreadableError):
    """Raised when CBOR/JSON/COSE/JWS structure breaks the strict decoding rules."""

    code = "malformed"


class InvalidError(ShomeishoError):
    """Raised when a readable certificate is not acceptable."""

    code = "invalid"


class SignatureError(InvalidError):
    """Raised when a signature does not verify under the key it names."""

    code = "signature"


class SignatureFormatError(SignatureError):
    """Raised when a signature is encoded in a way the format forbids (e.g. DER for JWS)."""

    code = "signature.format"


class AlgorithmError(SignatureError):
    """Raised when the algorithm is not on the allow-list or not in a protected header."""

    code = "signature.algorithm"


class SchemaError(InvalidError):
    """Raised when the payload breaks its format's schema, profile or value sets."""

    code = "schema"


class RevokedError(InvalidError):
    """Raised when the certificate is on a revocation list."""

    code = "revoked"


class UntrustedError(ShomeishoError):
    """Raised when no trusted key or certificate chain vouches for the signer."""

    code = "untrusted"
    verdict = Verdict.UNTRUSTED


class KeyUsageError(UntrustedError):
    """Raised when the signer certificate may not sign this kind of certificate."""

    code = "untrusted.key_usage"


class ExpiredError(ShomeishoError):
    """Raised when the certificate (or its signer) is past its validity at the validation clock."""

    code = "expired"
    verdict = Verdict.EXPIRED


class NotYetValidError(ShomeishoError):
    """Raised when the certificate is not valid yet at the validation clock."""

    code = "not_yet_valid"
    verdict = Verdict.NOT_YET_VALID


class RuleError(ShomeishoError):
    """Raised when a business rule (a CertLogic expression) is not valid, exceeds the nesting,
    size or evaluation caps, or meets data it cannot be evaluated on. A verifier counts the rule
    as failed (the CertLogic specification's advice), hence the verdict "invalid"."""

    code = "rules"


class AccessDeniedError(ShomeishoError):
    """Raised when a staff member acts outside their role or municipality.

    Records of another municipality are reported as :class:`NotFoundError` instead, so that a
    clerk cannot learn by probing which residents exist elsewhere."""

    code = "access"


class NotFoundError(ShomeishoError):
    """Raised when a resident, event or account does not exist or is not visible to the actor."""

    code = "not_found"


class ConflictError(ShomeishoError):
    """Raised when a change does not fit the record's current state (e.g. editing a voided
    event, or a stale version)."""

    code = "conflict"


def worst_verdict(errors: list[ShomeishoError] | tuple[ShomeishoError, ...]) -> Verdict:
    """The verdict a person sees when several things are wrong: the most severe one wins."""
    verdict = Verdict.VALID
    for error in errors:
        if error.verdict.severity > verdict.severity:
            verdict = error.verdict
    return verdict
