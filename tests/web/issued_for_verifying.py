"""A service folder with demo keys (``serve --demo``'s layout) and one resident's certificates in
every format, for the tests of the verification API."""

from __future__ import annotations

import zlib
from pathlib import Path

from shomeisho.issuer_setup import create_demo_trust_setup
from shomeisho.keys import FileKeyStore, IssuerSetup
from shomeisho.procedure.issuance import CertificateIssuer, Use
from shomeisho.records.certificate_record import TravelDetails
from shomeisho.settings import Settings
from shomeisho.wire import base45
from tests.paper.test_certificate_pdf import resident_file


def issue_every_format(folder: Path) -> dict[str, str]:
    """Make the demo keys in ``folder/keys`` and return {format: certificate text}."""
    settings = Settings(demo=True, data_dir=folder)
    passphrase = settings.key_passphrase.get_secret_value()
    create_demo_trust_setup(folder / "keys", passphrase, country="JP", country_alpha3="JPN",
                            shc_issuer=settings.shc_issuer_url)  # fmt: skip
    issuer = CertificateIssuer(
        FileKeyStore(folder / "keys", passphrase), IssuerSetup.load(folder / "keys"), with_dcc=True
    )
    issued = issuer.issue(
        resident_file(), Use.OVERSEAS, TravelDetails("TK1234567", "JPN", "TAKAHASHI", "YOSHIKO")
    )
    return {c.format: c.text for c in issued.certificates}


def tampered(dcc: str) -> str:
    """The same EU DCC with one bit of its signature flipped (the last byte of a COSE_Sign1 is
    its signature's), re-encoded: readable, but its signature does not verify."""
    signed = zlib.decompress(base45.decode(dcc.removeprefix("HC1:")))
    return "HC1:" + base45.encode(zlib.compress(signed[:-1] + bytes([signed[-1] ^ 1])))
