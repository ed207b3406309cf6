"""A demo issuing setup on disk (``keys init``'s layout), made once per test module."""

from __future__ import annotations

from pathlib import Path

import pytest

from shomeisho.issuer_setup import create_demo_trust_setup

KEYS_PASSPHRASE = "test-keys-passphrase"
SHC_ISSUER = "https://demo.shomeisho.example.jp/issuer"


@pytest.fixture(scope="module")
def demo_keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Country signing CA, document signers, SHC key and trust bundle, keys under
    :data:`KEYS_PASSPHRASE`."""
    folder = tmp_path_factory.mktemp("keys") / "keys"
    create_demo_trust_setup(
        folder, KEYS_PASSPHRASE, country="JP", country_alpha3="JPN", shc_issuer=SHC_ISSUER
    )
    return folder
