"""When the card and the vaccination record disagree on the name, the person still gets a
certificate, in the name they choose (the 2021 app turned such people away)."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
import pypdfium2 as pdfium

from shomeisho import qr
from shomeisho.errors import Verdict
from shomeisho.formats import all_formats
from shomeisho.identity.enrolment import card_key_and_certificate
from shomeisho.records.entities import ResidentDetails
from shomeisho.records.name_choice import CardName, NameSource, name_options
from shomeisho.trust.store import load_trust_file
from tests.db.records_factory import CARD_HOLDER, OPERATOR, event, resident
from tests.web.test_oidc_flow import Live, hidden_fields, live  # noqa: F401


def sign_in_with(browser: httpx.Client, live: Live, subject: str) -> None:  # noqa: F811
    browser.post(f"{live.base}/journey/start")
    to_idp = browser.get(f"{live.base}/sign-in")
    fields = hidden_fields(browser.get(to_idp.headers["location"]).text)
    back = browser.post(
        f"{live.base}/idp/authorize", data=fields | {"card": subject, "pin": "1234"}
    )
    assert browser.get(back.headers["location"]).headers["location"] == "/journey/use"


def test_options_put_the_record_first_and_fold_input_method_differences() -> None:
    details: ResidentDetails = resident()
    same = CardName("髙橋", "𠮷子")
    assert [o.source for o in name_options(details, same)] == [NameSource.RECORD, NameSource.FORMER]
    half_width = CardName("ﾀｶﾊｼ", "ﾖｼｺ")  # not the same written name: offered as the card's
    assert name_options(details, half_width)[-1].source is NameSource.CARD
    assert len(name_options(replace(details, former_family_name=""), None)) == 1


def test_the_old_surname_can_be_printed_without_a_notice(live: Live) -> None:  # noqa: F811
    with httpx.Client(follow_redirects=False) as browser:
        sign_in_with(browser, live, live.subject)
        browser.post(f"{live.base}/journey/use", data={"use": "domestic"})
        check = browser.get(f"{live.base}/journey/check").text
        assert "髙橋 𠮷子" in check and 'href="/journey/name"' in check
        assert "異なります" not in check  # the card shows the record's own name
        page = browser.get(f"{live.base}/journey/name").text
        assert "山﨑 𠮷子（旧姓）" in page and 'value="record" checked' in page
        browser.post(f"{live.base}/journey/name", data={"name": "former"})
        assert "山﨑 𠮷子" in browser.get(f"{live.base}/journey/check").text


def test_a_card_in_a_new_name_still_gets_a_certificate_in_that_name(live: Live) -> None:  # noqa: F811
    person = live.app.state.records.add_resident(OPERATOR, resident("B0002"))
    live.app.state.records.record_vaccination(OPERATOR, person.resident_id, event("W-1", 1))
    married = replace(CARD_HOLDER, family_name="佐藤", former_family_name="")
    key, certificate = card_key_and_certificate(live.app.state.card_authority)
    card = live.app.state.card_store.create(married, "1234", key, certificate)
    live.app.state.records.link_identity(OPERATOR, person.resident_id, card.subject)
    with httpx.Client(follow_redirects=False) as browser:
        sign_in_with(browser, live, card.subject)
        browser.post(f"{live.base}/journey/use", data={"use": "domestic"})
        check = browser.get(f"{live.base}/journey/check").text
        assert (
            "マイナンバーカードの氏名（佐藤 𠮷子）と接種記録の氏名（髙橋 𠮷子）が異なります"
            in check
        )
        assert (
            "佐藤 𠮷子（マイナンバーカードの氏名）" in browser.get(f"{live.base}/journey/name").text
        )
        browser.post(f"{live.base}/journey/name", data={"name": "card"})
        browser.post(f"{live.base}/journey/check", data={"consent": "yes"})
        png = browser.get(f"{live.base}/journey/certificate/shc.png")
        pdf = browser.get(f"{live.base}/journey/certificate.pdf")
    trust = load_trust_file(live.app.state.settings.data_dir / "keys" / "trust-bundle.json")
    text = qr.read_codes(png.content)[0].text
    result = all_formats()["shc"].verify(text, trust, at=datetime.now(UTC) + timedelta(minutes=1))
    assert result.verdict is Verdict.VALID and result.record is not None
    assert result.record.person.name.family == "佐藤"
    assert "髙橋" in {alternate.family for alternate in result.record.person.alternates}
    summary = pdfium.PdfDocument(pdf.content)[0].get_textpage().get_text_range()
    assert re.search(r"氏名 Name\s*佐藤 𠮷子", summary), summary[:200]
    buffer = io.BytesIO()
    pdfium.PdfDocument(pdf.content)[1].render(scale=200 / 72).to_pil().save(buffer, "PNG")
    assert qr.read_codes(buffer.getvalue())[0].text == text
