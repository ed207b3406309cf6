"""The file key store: encrypted at rest, wrong passphrase refused, no key material in reprs."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from shomeisho.errors import KeyStoreError
from shomeisho.keys import FileKeyStore
from shomeisho.signing import der_to_raw, raw_to_der, verify_es256


def _key_hex(key: ec.EllipticCurvePrivateKey) -> str:
    return format(key.private_numbers().private_value, "x")


def test_key_is_encrypted_at_rest_and_owner_only(tmp_path: Path) -> None:
    store = FileKeyStore(tmp_path, "correct horse battery staple")
    key = ec.generate_private_key(ec.SECP256R1())
    store.add("shc-issuer", key)
    path = tmp_path / "keys" / "shc-issuer.key.pem"
    pem = path.read_bytes()
    assert b"ENCRYPTED PRIVATE KEY" in pem
    plain = key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
    assert plain not in pem
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_signer_signs_and_never_shows_the_key(tmp_path: Path) -> None:
    store = FileKeyStore(tmp_path, "pass phrase")
    key = ec.generate_private_key(ec.SECP256R1())
    store.add("dcc-dsc", key)
    signer = store.signer("dcc-dsc")
    signature = signer.sign(b"hello")
    assert len(signature) == 64
    verify_es256(signer.public_key(), signature, b"hello", where="test")
    for text in (repr(signer), str(signer), repr(store)):
        assert _key_hex(key) not in text
        assert "pass phrase" not in text
    assert "hidden" in repr(signer)


def test_wrong_passphrase_is_a_clear_error(tmp_path: Path) -> None:
    FileKeyStore(tmp_path, "right").add("k1", ec.generate_private_key(ec.SECP256R1()))
    with pytest.raises(KeyStoreError) as info:
        FileKeyStore(tmp_path, "wrong").signer("k1")
    assert info.value.code == "keys.passphrase"
    assert "passphrase" in info.value.message


def test_missing_and_duplicate_and_bad_names(tmp_path: Path) -> None:
    store = FileKeyStore(tmp_path, "p")
    store.add("k1", ec.generate_private_key(ec.SECP256R1()))
    with pytest.raises(KeyStoreError, match="already exists"):
        store.add("k1", ec.generate_private_key(ec.SECP256R1()))
    with pytest.raises(KeyStoreError, match="keys here: k1"):
        store.signer("k2")
    with pytest.raises(KeyStoreError, match="not a valid key name"):
        store.signer("../etc/passwd")
    with pytest.raises(KeyStoreError):
        FileKeyStore(tmp_path, "")
    assert store.names() == ["k1"]


def test_raw_der_conversion_round_trip() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    der = key.sign(b"x", ec.ECDSA(hashes.SHA256()))
    assert raw_to_der(der_to_raw(der)) == der
