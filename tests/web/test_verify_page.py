"""The public verifier page: a QR image or pasted text in, one clear verdict out, nothing kept."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any
from unittest.mock import patch

import pytest
from fastapi.testclient import TestClient

from shomeisho import qr
from shomeisho.errors import RuleFailedError
from shomeisho.presented import Presented
from shomeisho.settings import Settings
from shomeisho.web.app import create_app
from tests.web.issued_for_verifying import issue_every_format


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> tuple[TestClient, dict[str, str]]:
    folder = tmp_path_factory.mktemp("verify")
    texts = issue_every_format(folder)
    return TestClient(create_app(Settings(demo=True, data_dir=folder))), texts


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


@pytest.fixture
def with_rules(
    service: tuple[TestClient, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> list[str | None]:
    """The service's verifier holding rules for Japan and Germany: Germany's first rule fails
    (texts in both languages), and a second with an English text only; the countries asked for
    are recorded."""
    client, _ = service
    verifier = client.app.state.verifier  # type: ignore[attr-defined]
    asked: list[str | None] = []
    technical = verifier.verify

    def verify(items: list[Presented], *, at: datetime, country: str | None = None) -> list[Any]:
        asked.append(country)
        outcomes = technical(items, at=at)
        if country == "DE":
            for outcome in outcomes:
                outcome.verification.errors += [
                    RuleFailedError("VR-DE-0001 failed", rule_id="VR-DE-0001",
                                    descriptions={"en": "Two doses are needed.",
                                                  "ja": "2回の接種が必要です。"}),
                    RuleFailedError("VR-DE-0002 failed", rule_id="VR-DE-0002",
                                    descriptions={"en": "The last dose must be 14 days old."}),
                ]  # fmt: skip
        return outcomes

    monkeypatch.setattr(verifier, "rule_countries", lambda: ["DE", "JP"])
    monkeypatch.setattr(verifier, "verify", verify)
    return asked


def test_the_country_choice_appears_only_when_the_verifier_holds_rules(
    service: tuple[TestClient, dict[str, str]], with_rules: list[str | None]
) -> None:
    client, _ = service
    ja = client.get("/verify?lang=ja").text
    assert '<select id="country" name="country"' in ja and "入国先の国の基準" in ja
    assert '<option value="">選ばない（技術的な確認のみ）</option>' in ja
    assert ">ドイツ（DE）</option>" in ja and ">日本（JP）</option>" in ja
    assert "field-error" not in ja and "aria-invalid" not in ja  # no error, none marked
    en = client.get("/verify?lang=en&country=JP").text
    assert "Rules of the country of arrival" in en and ">Germany (DE)</option>" in en
    assert '<option value="JP" selected>Japan (JP)</option>' in en  # kept for the next check
    assert "selected" not in client.get("/verify?country=XX").text


def test_without_rule_books_there_is_no_country_choice(
    service: tuple[TestClient, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, _ = service
    verifier = client.app.state.verifier  # type: ignore[attr-defined]
    monkeypatch.setattr(verifier, "rule_countries", lambda: [])
    page = client.get("/verify").text
    assert 'name="country"' not in page and "入国先の国の基準" not in page


def test_the_chosen_country_is_applied_and_failed_rules_are_listed_in_the_readers_language(
    service: tuple[TestClient, dict[str, str]], with_rules: list[str | None]
) -> None:
    client, texts = service
    ja = client.post("/verify?lang=ja", data={"text": texts["dcc"], "country": "DE"})
    assert ja.status_code == 200 and with_rules == ["DE"]
    assert "この国の受入条件を満たしていません" in ja.text and "verdict-warning" in ja.text
    assert "確認した基準: ドイツ（DE）" in ja.text
    assert "2回の接種が必要です。" in ja.text and "Two doses" not in ja.text
    assert "The last dose must be 14 days old." in ja.text  # no Japanese text: English
    assert "VR-DE-0001" in ja.text and "VR-DE-0002" in ja.text
    assert "1961-04-09" in ja.text  # the signature verified: the holder is shown
    assert 'href="/verify?country=DE"' in ja.text  # the next check keeps the country
    en = client.post("/verify?lang=en", data={"text": texts["dcc"], "country": "DE"})
    assert "Does not meet this country&#39;s rules" in en.text
    assert "Two doses are needed." in en.text and "Rules not met" in en.text
    passed = client.post("/verify?lang=en", data={"text": texts["dcc"], "country": "JP"})
    assert "Valid certificate" in passed.text and "verdict-valid" in passed.text
    technical = client.post("/verify?lang=en", data={"text": texts["dcc"], "country": ""})
    assert "Valid certificate" in technical.text and "Rules checked" not in technical.text
    assert with_rules == ["DE", "DE", "JP", None]


def test_a_country_without_rules_is_refused_on_the_form(
    service: tuple[TestClient, dict[str, str]], with_rules: list[str | None]
) -> None:
    client, texts = service
    page = client.post("/verify?lang=en", data={"text": texts["dcc"], "country": "XX"})
    assert page.status_code == 422 and with_rules == []
    assert "There are no rules for that country" in page.text
    assert 'href="#country"' in page.text and 'aria-invalid="true"' in page.text
    assert "TAKAHASHI" not in page.text


def test_a_country_is_refused_when_the_verifier_holds_no_rules(
    service: tuple[TestClient, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, texts = service
    verifier = client.app.state.verifier  # type: ignore[attr-defined]
    monkeypatch.setattr(verifier, "rule_countries", lambda: [])
    page = client.post("/verify?lang=ja", data={"text": texts["dcc"], "country": "JP"})
    assert page.status_code == 422 and "その国の基準はありません" in page.text
    assert 'href="#image"' in page.text  # no country field to point at


@pytest.mark.parametrize("verdict, kind, icon", [("expired", "warning", "!"),
                                                 ("invalid", "invalid", "✗")])  # fmt: skip
def test_warnings_and_refusals_differ_in_words_and_icon_not_only_colour(
    service: tuple[TestClient, dict[str, str]], verdict: str, kind: str, icon: str
) -> None:
    client, texts = service
    at = datetime(2100, 1, 1, tzinfo=UTC) if verdict == "expired" else None
    text = texts["dcc"] if at else texts["dcc"][:-8] + "AAAAAAAA"
    with patch("shomeisho.web.verify_pages.datetime") as clock:
        clock.now.return_value = at or datetime.now(UTC)
        page = client.post("/verify?lang=en", data={"text": text}).text
    assert f'class="verdict verdict-{kind}"' in page
    assert f'<span class="verdict-icon" aria-hidden="true">{icon}</span>' in page
    words = (
        ["Expired"] if verdict == "expired" else ["Not a valid certificate", "Could not be read"]
    )
    assert any(f"</span> {said}</h2>" in page for said in words)


def test_the_verify_pages_carry_a_content_security_policy(
    service: tuple[TestClient, dict[str, str]],
) -> None:
    client, texts = service
    for response in (
        client.get("/verify"),
        client.post("/verify", data={"text": texts["shc"]}),
        client.post("/verify", data={"text": ""}),
    ):
        policy = response.headers["content-security-policy"]
        assert "script-src 'self' 'wasm-unsafe-eval'" in policy
        assert "connect-src 'self'" in policy and "default-src 'self'" in policy
        assert "img-src 'self' blob: data:" in policy and "media-src 'self' blob:" in policy
        assert "<script>" not in response.text  # scripts come from files only
    assert (
        client.post("/verify", data={"text": texts["shc"]}).headers["cache-control"] == "no-store"
    )
    form = client.get("/verify").text
    assert '<script src="/static/vendor/zxing-wasm/zxing-reader.iife.js" defer>' in form
    assert 'data-wasm="/static/vendor/zxing-wasm/zxing_reader.wasm"' in form
    wasm = client.get("/static/vendor/zxing-wasm/zxing_reader.wasm")
    assert wasm.status_code == 200 and wasm.headers["content-type"] == "application/wasm"
    assert client.get("/static/verify.js").status_code == 200
