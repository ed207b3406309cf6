"""Creating an issuer's demo trust setup: the CAs, signers and published keys every format needs.

A real ministry does this once in a key ceremony; for the embedded default and tests we do it in
one call so that "issue a certificate in every format and verify it" works on a fresh machine.
What is written:

- ``keys/*.key.pem`` (encrypted) and ``certs/*.pem``: DCC country signing CA, DCC document signers
  (vaccination; test; recovery), VDS-NC CSCA and barcode signer, SHC issuer key;
- ``shc/.well-known/jwks.json``: the SHC issuer key set, as it would be published at ``iss``;
- ``trust-bundle.json``: the issuer's own trust file (CA and signer certificates, SHC key set),
  unsigned, for ``verify --trust`` on the machine that made it;
- ``trust-list.json`` and ``trust-list-key.pem``: version 1 of the signed national trust list
  (:mod:`shomeisho.trust.trust_list`) that verifiers sync, and the operator's public key they
  pin (the demo issuer is its own national operator);
- ``issuer.json``: which key signs which format, as which issuer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec

from shomeisho import pki
from shomeisho.errors import KeyStoreError
from shomeisho.keys import FileKeyStore, IssuerSetup
from shomeisho.rules.rulesets import bundled_rule_book
from shomeisho.trust.store import TrustStore, bundle_document
from shomeisho.trust.synced import public_pem
from shomeisho.trust.trust_list import TrustListContent, sign_trust_list

TRUST_LIST_FILE = "trust-list.json"
OPERATOR_KEY_FILE = "trust-list-key.pem"


@dataclass(frozen=True)
class DemoTrustSetup:
    """Paths of what :func:`create_demo_trust_setup` wrote, for printing and for tests."""

    directory: Path
    setup: IssuerSetup
    trust_bundle: Path
    jwks: Path
    key_names: tuple[str, ...]


def create_demo_trust_setup(
    directory: Path,
    passphrase: str,
    *,
    country: str = "JP",
    country_alpha3: str = "JPN",
    shc_issuer: str = "https://demo.shomeisho.example.jp/issuer",
) -> DemoTrustSetup:
    from shomeisho.formats.shc.jwk import issuer_jwks

    directory = Path(directory)
    if (directory / "issuer.json").exists():
        raise KeyStoreError(
            f"{directory} already holds an issuer setup; choose an empty folder", code="keys.exists"
        )
    directory.mkdir(parents=True, exist_ok=True)
    store = FileKeyStore(directory, passphrase)

    dcc_csca = pki.create_authority(
        country, f"{country} DCC Country Signing CA (demo)", organisation="shomeisho demo"
    )
    store.add("dcc-csca", dcc_csca.key, dcc_csca.certificate)
    dcc_signers = {
        "dcc-dsc-vaccination": "v",
        "dcc-dsc-test": "t",
        "dcc-dsc-recovery": "r",
    }
    signer_certs = []
    for name, types in dcc_signers.items():
        issued = pki.create_dcc_signer(
            dcc_csca,
            country,
            f"{country} DCC {name} (demo)",
            types=types,
            organisation="shomeisho demo",
        )
        store.add(name, issued.key, issued.certificate)
        signer_certs.append(issued.certificate)

    vds_csca = pki.create_authority(
        country, f"{country_alpha3} CSCA (demo)", organisation="shomeisho demo"
    )
    store.add("vdsnc-csca", vds_csca.key, vds_csca.certificate)
    bsc = pki.create_vdsnc_signer(
        vds_csca, country, f"{country_alpha3} barcode signer (demo)", organisation="shomeisho demo"
    )
    store.add("vdsnc-bsc", bsc.key, bsc.certificate)

    store.add("shc-issuer", ec.generate_private_key(ec.SECP256R1()))
    jwks = issuer_jwks([store.signer("shc-issuer")])
    jwks_path = directory / "shc" / ".well-known" / "jwks.json"
    jwks_path.parent.mkdir(parents=True, exist_ok=True)
    jwks_path.write_text(json.dumps(jwks, indent=2) + "\n", encoding="utf-8")

    bundle = bundle_document(
        [dcc_csca.certificate, *signer_certs, vds_csca.certificate],
        shc_issuers={shc_issuer: jwks},
        shc_issuer_countries={shc_issuer: country},
    )
    bundle_path = directory / "trust-bundle.json"
    bundle_path.write_text(json.dumps(bundle, indent=2) + "\n", encoding="utf-8")

    store.add("trust-list", ec.generate_private_key(ec.SECP256R1()))
    operator = store.signer("trust-list")
    (directory / OPERATOR_KEY_FILE).write_bytes(public_pem(operator.public_key()))
    issued_at = datetime.now(UTC).replace(microsecond=0)
    content = TrustListContent.from_store(
        TrustStore.from_bundle(bundle, bundle_path),
        version=1,
        issued_at=issued_at,
        operator=f"{country} national operator (demo)",
        next_update=issued_at + timedelta(days=7),
    )
    content.rules, content.value_sets = bundled_rule_book().to_documents()
    (directory / TRUST_LIST_FILE).write_bytes(sign_trust_list(content, operator))

    setup = IssuerSetup(country=country, country_alpha3=country_alpha3, shc_issuer=shc_issuer)
    setup.save(directory)
    return DemoTrustSetup(directory, setup, bundle_path, jwks_path, tuple(store.names()))
