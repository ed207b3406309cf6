"""Making emulated cards: a key pair per card and its certificate from the demo card CA.

Like the real user-authentication certificate (利用者証明用電子証明書), the certificate names
no one: its subject is a random serial, so presenting it reveals nothing about the holder.
Its extended key usage is TLS client authentication, the usage such certificates carry.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID

from shomeisho.errors import InvalidError
from shomeisho.pki import IssuedKey, create_authority, create_signer


def create_card_authority(not_before: datetime | None = None) -> IssuedKey:
    """The demo CA that certifies every emulated card."""
    return create_authority(
        "JP", "shomeisho demo card CA (not a real JPKI CA)", not_before=not_before, days=3650
    )


def card_key_and_certificate(
    authority: IssuedKey, *, not_before: datetime | None = None
) -> tuple[ec.EllipticCurvePrivateKey, str]:
    """A new card key and its PEM certificate (valid five years, as a card's is)."""
    issued = create_signer(
        authority,
        "JP",
        f"card {secrets.token_hex(8)}",
        extended_key_usage=[ExtendedKeyUsageOID.CLIENT_AUTH],
        not_before=not_before,
        days=5 * 365,
    )
    key = issued.key
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key, issued.certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")


def prove_possession(
    key: ec.EllipticCurvePrivateKey,
    certificate_pem: str,
    authority: x509.Certificate,
    at: datetime,
) -> None:
    """What the card reader does after the PIN: the card signs a fresh challenge, and the
    signature must verify under a certificate the card CA issued and that is valid now.
    Raises InvalidError if any of it fails."""
    certificate = x509.load_pem_x509_certificate(certificate_pem.encode("ascii"))
    challenge = secrets.token_bytes(32)
    signature = key.sign(challenge, ec.ECDSA(hashes.SHA256()))
    try:
        certificate.verify_directly_issued_by(authority)
        public = certificate.public_key()
        assert isinstance(public, ec.EllipticCurvePublicKey)
        public.verify(signature, challenge, ec.ECDSA(hashes.SHA256()))
    except Exception as exc:
        raise InvalidError(
            "the card's certificate or signature does not verify", code="invalid.card"
        ) from exc
    if not certificate.not_valid_before_utc <= at <= certificate.not_valid_after_utc:
        raise InvalidError("the card's certificate has expired", code="invalid.card")


def load_or_create_card_authority(folder: Path, secret: bytes) -> IssuedKey:
    """The demo card CA kept in ``folder`` (key encrypted under the record secret), made once."""
    certificate_path, key_path = folder / "card-ca.pem", folder / "card-ca-key.pem"
    if certificate_path.exists() and key_path.exists():
        key = serialization.load_pem_private_key(key_path.read_bytes(), secret)
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        certificate = x509.load_pem_x509_certificate(certificate_path.read_bytes())
        return IssuedKey(key, certificate)
    folder.mkdir(parents=True, exist_ok=True)
    authority = create_card_authority()
    key_path.write_bytes(
        authority.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(secret),
        )
    )
    key_path.chmod(0o600)
    certificate_path.write_bytes(authority.certificate.public_bytes(serialization.Encoding.PEM))
    return authority
