"""`shomeisho verify` on published certificates, with each kind of --trust file the issue names."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from tests.cli.test_cli import run
from tests.conformance.conftest import corpus_root


@pytest.fixture(scope="module")
def corpora() -> Path:
    return corpus_root()


def _lines(stdout: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in stdout.splitlines()]


def test_japanese_seal_with_csca_pem(corpora: Path) -> None:
    seal = corpora / "vdsnc/jp/cases/jpn-vacc-miyake-shota.json"
    result = run(
        "verify",
        seal,
        "--trust",
        corpora / "vdsnc/jp/certs/JPN-CSCA-E3.pem",
        "--at",
        "2022-01-01T00:00:00Z",
        "--json",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    line = _lines(result.stdout)[0]
    assert (line["format"], line["verdict"]) == ("vdsnc", "valid")
    assert line["date_of_birth"] == "1991-02-18"


def test_australian_seal_with_der_csca_and_crl(corpora: Path) -> None:
    seal = corpora / "vdsnc/cases/aus-vacc-citizen-john.json"
    result = run(
        "verify",
        seal,
        "--trust",
        corpora / "vdsnc/certs/AUS-CSCA-16F2.der",
        "--trust",
        corpora / "vdsnc/certs/AUS-CRL-2021-08-19.crl",
        "--at",
        "2021-10-01T00:00:00Z",
        "--json",
    )
    assert result.returncode == 0, result.stdout
    assert _lines(result.stdout)[0]["verdict"] == "valid"
    wrong = run(
        "verify",
        seal,
        "--trust",
        corpora / "vdsnc/jp/certs/JPN-CSCA-E3.pem",
        "--at",
        "2021-10-01T00:00:00Z",
        "--json",
    )
    assert wrong.returncode == 1
    assert _lines(wrong.stdout)[0]["verdict"] == "untrusted"


def test_smart_health_card_file_with_jwks_and_issuer(corpora: Path) -> None:
    card = corpora / "shc-testdata/files/test-example-00-e-file-multi-jws.smart-health-card"
    result = run(
        "verify",
        card,
        "--trust",
        corpora / "shc-testdata/issuer/.well-known/jwks.json",
        "--issuer",
        "https://spec.smarthealth.cards/examples/issuer",
        "--at",
        "2022-05-31T00:00:00Z",
        "--json",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = _lines(result.stdout)
    assert [line["verdict"] for line in lines] == ["valid", "valid"]
    assert all(line["format"] == "shc" for line in lines)


def test_jwks_without_issuer_is_a_usage_error(corpora: Path) -> None:
    result = run(
        "verify", "shc:/56", "--trust", corpora / "shc-testdata/issuer/.well-known/jwks.json"
    )
    assert result.returncode == 2
    assert "--issuer" in result.stderr


def test_dcc_string_and_picture_with_signer_certificate(corpora: Path, tmp_path: Path) -> None:
    case = json.loads((corpora / "dgc-testdata/UA/2DCode/raw/1.json").read_text())
    cert = tmp_path / "dsc.der"
    cert.write_bytes(base64.b64decode(case["TESTCTX"]["CERTIFICATE"]))
    picture = tmp_path / "dcc.png"
    picture.write_bytes(base64.b64decode(case["2DCODE"]))
    result = run(
        "verify",
        case["PREFIX"],
        picture,
        "--trust",
        cert,
        "--at",
        case["TESTCTX"]["VALIDATIONCLOCK"],
        "--json",
    )
    assert result.returncode == 0, result.stdout
    lines = _lines(result.stdout)
    assert [line["verdict"] for line in lines] == ["valid", "valid"]
    assert lines[0]["name"] == lines[1]["name"]
