"""ICAO VDS-NC corpus: every published seal gets the manifest's verdict at the manifest's time.

Two manifests (``vdsnc/EXPECTED.tsv`` and ``vdsnc/jp/EXPECTED.tsv``, paths relative to ``vdsnc/``)
list each seal with a mode:

* ``full``: trust only the listed CSCAs and link certificates (and the CRL), as a border would;
* ``signature``: trust the barcode signer given in ``cert_files`` directly.

Each row is checked in its own mode, and every seal is also checked signature-only, trusting the
signer in its own ``sig.cer``, against the manifest's ``signature`` column. The corpus README's
caveats show up here: certificates with NULL ECDSA parameters (Utopia's and Japan's, refused by
``cryptography`` 50, read by our tolerant reader without any warning), link certificates as
anchors, the JSON array around the Japanese seal, and a string ``seq``.
"""

from __future__ import annotations

import csv
import json
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from shomeisho.errors import Verdict
from shomeisho.formats.vdsnc import FORMAT, load_certificates, read_certificate
from shomeisho.model import Verification
from shomeisho.trust.certificates import is_tolerated
from shomeisho.trust.store import TrustStore
from shomeisho.wire.b64 import b64url_decode
from tests.conformance.conftest import corpus_root

pytestmark = pytest.mark.conformance

MANIFESTS = ("EXPECTED.tsv", "jp/EXPECTED.tsv")
# What each invalid row fails on: the manifest says only "invalid", we are more precise.
FIRST_ERROR = {
    "aus-vacc-jane-catherine-tampered": "signature.mismatch",
    "aus-vacc-john-tampered": "signature.mismatch",
    "not-a-vds": "malformed.vdsnc",
}
UNTRUSTED_SUFFIXES = ("-untrusted", "-wrong-anchor")


@dataclass(frozen=True)
class Row:
    case: str
    seal_file: str
    cert_files: tuple[str, ...]
    expected: str  # valid | invalid
    mode: str  # full | signature
    at: datetime
    signature: str  # valid | invalid | n/a: the signature alone


@dataclass(frozen=True)
class Run:
    row: Row
    mode: str  # the row's own mode, or "signature-only" (trust the seal's own sig.cer)

    @property
    def expected(self) -> str:
        if self.mode == "signature-only":
            return "valid" if self.row.signature == "valid" else "invalid"
        return self.row.expected

    @property
    def id(self) -> str:
        return f"{self.row.case}[{self.mode}]"


def vdsnc_dir() -> Path:
    return corpus_root() / "vdsnc"


@cache
def rows() -> tuple[Row, ...]:
    out = []
    for manifest in MANIFESTS:
        with (vdsnc_dir() / manifest).open(encoding="utf-8", newline="") as handle:
            for raw in csv.DictReader(handle, delimiter="\t"):
                out.append(
                    Row(
                        case=raw["case"],
                        seal_file=raw["seal_file"],
                        cert_files=tuple(f for f in raw["cert_files"].split(";") if f),
                        expected=raw["expected_verdict"],
                        mode=raw["mode"],
                        at=datetime.fromtimestamp(int(raw["validation_time"]), UTC),
                        signature=raw["signature"],
                    )
                )
    return tuple(out)


def runs() -> list[Run]:
    out = [Run(row, row.mode) for row in rows()]
    out += [Run(row, "signature-only") for row in rows()]
    return out


def trust_for(run: Run) -> TrustStore:
    store = TrustStore()
    if run.mode == "signature-only":
        seal = own_signer(run.row)
        if seal is not None:
            store.signers.append(seal)
        return store
    for name in run.row.cert_files:
        data = (vdsnc_dir() / name).read_bytes()
        if name.endswith(".crl"):
            crl = (
                x509.load_pem_x509_crl(data)
                if data.startswith(b"-----")
                else x509.load_der_x509_crl(data)
            )
            store.crls.append(crl)
            continue
        for certificate in load_certificates(data):
            if run.mode == "signature":
                store.signers.append(certificate)
            else:
                store.add_certificate(certificate)
    return store


def own_signer(row: Row) -> x509.Certificate | None:
    """The barcode signer in the seal's own ``sig.cer`` (None for something that is no seal)."""
    doc = json.loads((vdsnc_dir() / row.seal_file).read_text(encoding="utf-8"))
    doc = doc[0] if isinstance(doc, list) else doc
    cer = doc.get("sig", {}).get("cer")
    return read_certificate(b64url_decode(cer, allow_padding=True)) if cer else None


def verify(run: Run) -> Verification:
    text = (vdsnc_dir() / run.row.seal_file).read_text(encoding="utf-8")
    return FORMAT.verify(text, trust_for(run), at=run.row.at)


# -- the manifests ---------------------------------------------------------------------------------
def test_manifests_are_as_documented() -> None:
    main = [r for r in rows() if not r.seal_file.startswith("jp/")]
    japan = [r for r in rows() if r.seal_file.startswith("jp/")]
    assert (len(main), sum(r.expected == "valid" for r in main)) == (15, 7)
    assert (len(japan), sum(r.expected == "valid" for r in japan)) == (2, 1)


@pytest.mark.parametrize("run", runs(), ids=lambda r: r.id)
def test_seal(run: Run) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = verify(run)
    assert not caught, [str(w.message) for w in caught]  # no deprecation spam, nothing to escalate
    if run.expected == "valid":
        assert result.verdict is Verdict.VALID, [e.as_dict() for e in result.errors]
        return
    assert result.verdict is not Verdict.VALID
    first = result.errors[0].code
    if run.row.case in FIRST_ERROR:
        assert first == FIRST_ERROR[run.row.case]
    elif run.row.case.endswith(UNTRUSTED_SUFFIXES):
        assert first == "untrusted.chain" and result.verdict is Verdict.UNTRUSTED


def test_valid_vaccination_seals_decode() -> None:
    decoded = {}
    for run in runs():
        if run.mode == "signature-only" or run.expected != "valid":
            continue
        result = verify(run)
        if result.record is not None:
            decoded[run.row.case] = result.record
    japan = decoded["jpn-vacc-miyake-shota"]
    assert japan.person.name.family_romanised == "MIYAKE"
    assert japan.person.name.given_romanised == "SHOTA"
    assert [(e.product, e.dose_number, e.country, e.lot) for e in japan.events] == [
        ("comirnaty", 1, "JP", "FC9880"),
        ("comirnaty", 2, "JP", "FE8206"),
        ("comirnaty", 3, "JP", "FE9787"),
    ]
    assert {e.issuer for e in japan.events} == {"Ministry of Health, Labour and Welfare"}
    john = decoded["aus-vacc-john"]
    assert john.person.name.family_romanised == "CITIZEN"
    assert [e.product for e in john.events] == ["vaxzevria", "spikevax"]
    assert john.events[1].lot is None  # "Not recorded"
    assert decoded["icao-vacc-smith-bill-signature"].events[0].country == "UT"
    assert decoded["pathcheck-vacc-friesland-signature"].events[0].dose_number == 1


# -- the certificates behind the caveats -----------------------------------------------------------
def _certificate(name: str) -> x509.Certificate:
    (certificate,) = load_certificates((vdsnc_dir() / name).read_bytes())
    return certificate


@pytest.mark.parametrize(
    "name",
    [
        "certs/UTO-BSC-05.der",
        "certs/UTO-BSC-06.der",
        "jp/certs/JPN-BSC-DIGITAL-AGENCY-010C.der",
        "jp/certs/JPN-CSCA-E3.der",
    ],
)
def test_null_parameter_certificates_are_read_silently(name: str) -> None:
    der = (vdsnc_dir() / name).read_bytes()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        certificate = read_certificate(der)
    assert not caught
    assert is_tolerated(certificate)
    assert certificate.public_bytes(Encoding.DER) == der


@pytest.mark.parametrize(
    ("signer", "anchor"),
    [
        ("jp/certs/JPN-BSC-DIGITAL-AGENCY-010C.der", "jp/certs/JPN-CSCA-E3.der"),
        ("jp/certs/JPN-BSC-DIGITAL-AGENCY-010C.der", "jp/certs/JPN-CSCA-E5.der"),
        ("certs/AUS-BSC-DFAT-18AD.der", "certs/AUS-CSCA-16F2.der"),
        ("certs/AUS-BSC-DFAT-18AD.der", "certs/AUS-CSCA-16F5.der"),
    ],
)
def test_each_anchor_alone_issues_its_signer(signer: str, anchor: str) -> None:
    """Self-signed CSCAs and link certificates share subject and key, so either anchors."""
    at = datetime(2021, 12, 1, tzinfo=UTC)
    TrustStore(authorities=[_certificate(anchor)]).check_chain(_certificate(signer), at=at)


def test_crl_is_checked_and_does_not_list_the_aus_signer() -> None:
    crl = x509.load_der_x509_crl((vdsnc_dir() / "certs/AUS-CRL-2021-08-19.crl").read_bytes())
    csca = _certificate("certs/AUS-CSCA-16F2.der")
    assert crl.issuer == csca.subject and crl.is_signature_valid(csca.public_key())  # type: ignore[arg-type]
    store = TrustStore(authorities=[csca], crls=[crl])
    store.check_chain(
        _certificate("certs/AUS-BSC-DFAT-18AD.der"), at=datetime(2021, 10, 1, tzinfo=UTC)
    )


# -- the summary -----------------------------------------------------------------------------------
def test_summary(capsys: pytest.CaptureFixture[str]) -> None:
    """Re-runs every case (so it does not depend on test order) and prints one table."""
    lines, agree = [], {"listed": [0, 0], "signature-only": [0, 0]}
    for run in runs():
        result = verify(run)
        ok = (result.verdict is Verdict.VALID) == (run.expected == "valid")
        key = "signature-only" if run.mode == "signature-only" else "listed"
        agree[key][0] += ok
        agree[key][1] += 1
        detail = result.errors[0].code if result.errors else ""
        lines.append(
            f"  {run.row.case:38} {run.mode:15} {run.expected:8} "
            f"{result.verdict.value:10} {'agrees' if ok else 'DIFFERS':8} {detail}"
        )
    listed = [r for r in runs() if r.mode != "signature-only"]
    valid = sum(r.expected == "valid" for r in listed)
    with capsys.disabled():
        print(
            f"\nVDS-NC conformance: {len(listed)} manifest rows ({valid} valid, "
            f"{len(listed) - valid} invalid expected)"
        )
        print(f"  {'case':38} {'mode':15} {'expected':8} {'verdict':10} {'':8} first error")
        print("\n".join(lines))
        print(
            f"  listed mode: {agree['listed'][0]}/{agree['listed'][1]} agree with the manifest; "
            f"signature-only: {agree['signature-only'][0]}/{agree['signature-only'][1]} agree "
            "with its signature column"
        )
    assert agree["listed"][0] == agree["listed"][1]
    assert agree["signature-only"][0] == agree["signature-only"][1]
