"""One exception tree for every failure shomeisho reports.

Callers (the CLI, the web pages, a private app using the library) need two things from a failure:
a *stable code* they can count, translate and test against, and a *message a person can act on*.
Verifiers additionally need to turn a failure into a verdict, so every class names the verdict it
leads to. The tree follows the stages of verification, in the order they run::

    ShomeishoError                      code "error"
    ├── InputError                      a record, option or file given to us is unusable (usage)
    ├── KeyStoreError                   keys missing, passphrase wrong, key of the wrong kind
    ├── TrustListError                  a national trust list refused: bad signature, older
    │                                   than the one held (rollback), malformed, stale
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
    │   └── RevokedError                verdict "revoked": on the issuer's revocation list
    ├── UntrustedError                  verdict "untrusted": no trusted key or chain
    │   └── KeyUsageError               signer certificate not allowed for this certificate type
    ├── ExpiredError                    verdict "expired"
    ├── NotYetValidError                verdict "not_yet_valid"
    ├── RuleError                       a business rule (CertLogic) is invalid, over its caps,
    │                                   or cannot be evaluated on the data: the rule fails
    ├── RuleFailedError                 verdict "rules_failed": a sound certificate that the
    │                                   country's acceptance (or the issuer's invalidation)
    │                                   rules do not accept; names the rule and says why
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
    RULES_FAILED = "rules_failed"
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"
    UNTRUSTED = "untrusted"
    INVALID = "invalid"
    REVOKED = "revoked"
    UNREADABLE = "unreadable"

    @property
    def severity(self) -> int:
        return _SEVERITY[self]


# A certificate failing only a country's rules is technically sound, so that is the mildest
# failure; a revoked one was withdrawn on purpose by its issuer, which a checker must see even
# when something else is also wrong with it.
_SEVERITY = {
    Verdict.VALID: 0,
    Verdict.RULES_FAILED: 1,
    Verdict.NOT_YET_VALID: 2,
    Verdict.EXPIRED: 3,
    Verdict.UNTRUSTED: 4,
    Verdict.INVALID: 5,
    Verdict.REVOKED: 6,
    Verdict.UNREADABLE: 7,
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


class TrustListError(ShomeishoError):
    """Raised when a signed trust list cannot be accepted: its signature is not the operator's,
    it is older than the list already held (a rollback could un-revoke certificates), it
    contradicts a list of the same version, or its content is malformed. The list already held
    stays in force."""

    code = "trust"


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
    """Raised when the certificate is on its issuer's revocation list (DCC hash lists, SHC
    ``rid`` lists, our own issuer's revocations). Its own verdict, because a checker must tell a
    withdrawn certificate from a broken one."""

    code = "revoked"
    verdict = Verdict.REVOKED


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


class RuleFailedError(ShomeishoError):
    """Raised (collected, in practice) when a business rule evaluates to anything but true.

    ``rule_id`` is the rule's identifier (``VR-JP-0001``), ``descriptions`` its text per language
    (``{"en": ..., "ja": ...}``) so a page can say in the reader's language what was not met."""

    code = "rules_failed"
    verdict = Verdict.RULES_FAILED

    def __init__(
        self,
        message: str,
        *,
        rule_id: str,
        descriptions: dict[str, str] | None = None,
        code: str | None = None,
        where: str | None = None,
    ) -> None:
        super().__init__(message, code=code, where=where)
        self.rule_id = rule_id
        self.descriptions = dict(descriptions or {})

    def as_dict(self) -> dict[str, str]:
        out = super().as_dict()
        out["rule_id"] = self.rule_id
        return out


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
