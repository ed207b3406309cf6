"""The public verifier page: a QR image or pasted text in, one clear verdict out, nothing kept."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from shomeisho import qr
from shomeisho.issuer_setup import create_demo_trust_setup
from shomeisho.keys import FileKeyStore, IssuerSetup
from shomeisho.procedure.issuance import CertificateIssuer, Use
from shomeisho.records.certificate_record import TravelDetails
from shomeisho.settings import Settings
from shomeisho.web.app import create_app
from tests.paper.test_certificate_pdf import resident_file


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> tuple[TestClient, dict[str, str]]:
    folder = tmp_path_factory.mktemp("verify")
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
    return TestClient(create_app(settings)), {c.format: c.text for c in issued.certificates}


@pytest.mark.parametrize("fmt", ["shc", "dcc", "vdsnc"])
def test_an_uploaded_qr_image_is_verified_and_shows_name_and_birth_date_only(
    service: tuple[TestClient, dict[str, str]], fmt: str
) -> None:
    client, texts = service
    png = qr.render_png(texts[fmt], fmt)
    page = client.post("/verify", files={"image": ("code.png", png, "image/png")})
    assert page.status_code == 200
    assert "有効な証明書です" in page.text and "1961-04-09" in page.text
    assert "TAKAHASHI" in page.text
    assert "TK1234567" not in page.text and "FA4597" not in page.text  # nothing beyond the holder


def test_a_tampered_text_is_refused_without_a_name(
    service: tuple[TestClient, dict[str, str]], caplog: pytest.LogCaptureFixture
) -> None:
    client, texts = service
    text = texts["dcc"]
    tampered = text[:-8] + ("A" if text[-8] != "A" else "B") + text[-7:]
    with caplog.at_level(logging.DEBUG):
        page = client.post("/verify?lang=en", data={"text": tampered})
        valid = client.post("/verify?lang=en", data={"text": text})
    assert "Valid certificate" not in page.text and "TAKAHASHI" not in page.text
    assert "Valid certificate" in valid.text
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert text[10:60] not in logged and tampered[10:60] not in logged


def test_nothing_or_too_much_is_answered_on_the_page(
    service: tuple[TestClient, dict[str, str]],
) -> None:
    client, _ = service
    empty = client.post("/verify?lang=ja", data={"text": ""})
    assert empty.status_code == 422 and "貼り付けてください" in empty.text
    huge = client.post("/verify", data={"text": "HC1:" + "A" * 9000})
    assert huge.status_code == 413
    junk = client.post(
        "/verify", files={"image": ("x.png", b"\x89PNG\r\n\x1a\nnot a png", "image/png")}
    )
    assert junk.status_code == 200 and "Traceback" not in junk.text
    assert "読み取れませんでした" in junk.text or "無効" in junk.text
