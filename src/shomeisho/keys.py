"""Key storage: where issuing keys live and how a signer is obtained from them.

``KeyStore`` is deliberately narrow (list, give me a signer, give me a certificate) so that a
PKCS#11 HSM can implement it later: an HSM never hands out a private key, it signs. The file store
keeps private keys as PKCS#8 PEM encrypted with a passphrase that comes from settings, writes
them owner-readable only, and never shows key material in a repr, log line or error.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from shomeisho.errors import KeyStoreError
from shomeisho.signing import LocalSigner, Signer

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


class KeyStore(Protocol):
    """What issuing needs from wherever keys are kept."""

    def names(self) -> list[str]: ...

    def signer(self, name: str) -> Signer: ...

    def certificate(self, name: str) -> x509.Certificate | None: ...


@dataclass(frozen=True)
class _Passphrase:
    value: bytes

    def __repr__(self) -> str:
        return "<passphrase hidden>"


class FileKeyStore:
    """Encrypted PEM keys under ``directory/keys``, certificates under ``directory/certs``."""

    def __init__(self, directory: Path, passphrase: str | bytes) -> None:
        if not passphrase:
            raise KeyStoreError("an empty passphrase cannot protect keys", code="keys.passphrase")
        self.directory = Path(directory)
        self._passphrase = _Passphrase(
            passphrase.encode("utf-8") if isinstance(passphrase, str) else passphrase
        )

    def __repr__(self) -> str:
        return f"FileKeyStore(directory={str(self.directory)!r})"

    def _key_path(self, name: str) -> Path:
        if not _NAME.match(name):
            raise KeyStoreError(
                f"{name!r} is not a valid key name (lowercase letters, digits, -)", code="keys.name"
            )
        return self.directory / "keys" / f"{name}.key.pem"

    def _cert_path(self, name: str) -> Path:
        self._key_path(name)
        return self.directory / "certs" / f"{name}.pem"

    def add(
        self,
        name: str,
        key: ec.EllipticCurvePrivateKey,
        certificate: x509.Certificate | None = None,
    ) -> None:
        """Store a key (encrypted) and its certificate; refuse to overwrite an existing key."""
        path = self._key_path(name)
        if path.exists():
            raise KeyStoreError(
                f"a key named {name!r} already exists in {self.directory}", code="keys.exists"
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(self._passphrase.value),
        )
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        if certificate is not None:
            cert_path = self._cert_path(name)
            cert_path.parent.mkdir(parents=True, exist_ok=True)
            cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))

    def names(self) -> list[str]:
        folder = self.directory / "keys"
        if not folder.is_dir():
            return []
        return sorted(p.name.removesuffix(".key.pem") for p in folder.glob("*.key.pem"))

    def certificate(self, name: str) -> x509.Certificate | None:
        path = self._cert_path(name)
        if not path.exists():
            return None
        try:
            return x509.load_pem_x509_certificate(path.read_bytes())
        except ValueError:
            raise KeyStoreError(
                f"the certificate file for {name!r} is damaged",
                code="keys.certificate",
                where=str(path),
            ) from None

    def private_key(self, name: str) -> ec.EllipticCurvePrivateKey:
        """Only for creating certificates under a CA key kept here; signing goes via ``signer``."""
        path = self._key_path(name)
        if not path.exists():
            known = ", ".join(self.names()) or "none"
            raise KeyStoreError(
                f"no key named {name!r} in {self.directory} (keys here: {known})",
                code="keys.missing",
            )
        try:
            key = serialization.load_pem_private_key(path.read_bytes(), self._passphrase.value)
        except (ValueError, TypeError):
            raise KeyStoreError(
                f"the key {name!r} cannot be decrypted: the passphrase is wrong "
                "or the file is damaged",
                code="keys.passphrase",
            ) from None
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise KeyStoreError(f"the key {name!r} is not an EC key", code="keys.kind")
        return key

    def signer(self, name: str) -> Signer:
        return LocalSigner(name, self.private_key(name), self.certificate(name))


@dataclass(frozen=True)
class IssuerSetup:
    """Which key signs which format, and as which issuer; written by ``keys init``."""

    country: str  # ISO 3166-1 alpha-2 (DCC ``iss`` claim)
    country_alpha3: str  # VDS-NC ``hdr.is``
    shc_issuer: str  # SMART Health Cards ``iss`` URL
    dcc_signer: str = "dcc-dsc-vaccination"
    vdsnc_signer: str = "vdsnc-bsc"
    shc_signer: str = "shc-issuer"

    def signer_for(self, format_name: str) -> str:
        return {"dcc": self.dcc_signer, "vdsnc": self.vdsnc_signer, "shc": self.shc_signer}[
            format_name
        ]

    def issuer_for(self, format_name: str) -> str:
        return {"dcc": self.country, "vdsnc": self.country_alpha3, "shc": self.shc_issuer}[
            format_name
        ]

    def save(self, directory: Path) -> None:
        (directory / "issuer.json").write_text(
            json.dumps(self.__dict__, indent=2) + "\n", encoding="utf-8"
        )

    @classmethod
    def load(cls, directory: Path) -> IssuerSetup:
        path = directory / "issuer.json"
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            return cls(**doc)
        except FileNotFoundError:
            raise KeyStoreError(
                f"{directory} has no issuer.json; create it with 'shomeisho keys init {directory}'",
                code="keys.setup",
            ) from None
        except (ValueError, TypeError):
            raise KeyStoreError(f"{path} is damaged", code="keys.setup", where=str(path)) from None
