"""What the resident takes away: the PDF, the newest certificate after a new dose, error pages.

Runs on the live service of ``test_oidc_flow`` (real OIDC sign-in with the emulated card).
"""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta

import httpx
import pypdfium2 as pdfium

from shomeisho import qr
from shomeisho.errors import Verdict
from shomeisho.formats import all_formats
from shomeisho.trust.store import load_trust_file
from tests.db.records_factory import OPERATOR, event
from tests.web.test_journey import sign_in_through_journey
from tests.web.test_oidc_flow import Live, live  # noqa: F401


def issue_domestic(browser: httpx.Client, live: Live, *, again: bool = False) -> str:  # noqa: F811
    if again:  # still signed in: "issue again" goes straight to the question of use
        assert browser.post(f"{live.base}/journey/start").headers["location"] == "/journey/use"
    else:
        sign_in_through_journey(browser, live)
    browser.post(f"{live.base}/journey/use", data={"use": "domestic"})
    issued = browser.post(f"{live.base}/journey/check", data={"consent": "yes"})
    assert issued.headers["location"] == "/journey/certificate"
    return browser.get(f"{live.base}/journey/certificate").text


def certificate_id_on(page: str) -> str:
    found = re.search(r"証明書番号: <code>([^<]+)</code>", page)
    assert found, "the page names its certificate"
    return found.group(1)


def test_the_pdf_download_reads_back_and_its_code_verifies(live: Live) -> None:  # noqa: F811
    with httpx.Client(follow_redirects=False) as browser:
        page = issue_domestic(browser, live)
        assert 'href="/journey/certificate.pdf"' in page
        pdf = browser.get(f"{live.base}/journey/certificate.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert "attachment" in pdf.headers["content-disposition"]
    document = pdfium.PdfDocument(pdf.content)
    assert len(document) == 2  # the summary and the SMART Health Card
    assert "髙橋 𠮷子" in document[0].get_textpage().get_text_range()
    assert certificate_id_on(page) in document[0].get_textpage().get_text_range()
    buffer = io.BytesIO()
    document[1].render(scale=200 / 72).to_pil().save(buffer, "PNG")
    codes = qr.read_codes(buffer.getvalue())
    trust = load_trust_file(live.app.state.settings.data_dir / "keys" / "trust-bundle.json")
    assert len(codes) == 1
    result = all_formats()["shc"].verify(
        codes[0].text, trust, at=datetime.now(UTC) + timedelta(minutes=1)
    )
    assert result.verdict is Verdict.VALID


def test_a_new_dose_offers_a_new_certificate_and_the_newest_is_marked(live: Live) -> None:  # noqa: F811
    with httpx.Client(follow_redirects=False) as browser:
        first = issue_domestic(browser, live)
        first_id = certificate_id_on(first)
        assert "接種記録が更新されました" not in first
        person = live.app.state.records.own_record(live.subject).resident
        live.app.state.records.record_vaccination(
            OPERATOR, person.resident_id, event("V-3", 3, administered_on=date(2022, 1, 20))
        )
        stale = browser.get(f"{live.base}/journey/certificate").text
        assert "接種記録が更新されました" in stale and "最新の記録で発行し直す" in stale
        assert "3回目" not in stale.split("<h2>")[0].split("接種記録が更新")[0]
        second = issue_domestic(browser, live, again=True)
    second_id = certificate_id_on(second)
    assert second_id != first_id
    assert "最新の証明書" in second and "3回目: 2022年1月20日" in second
    assert "接種記録が更新されました" not in second
    earlier = second.split("以前に発行した証明書")[1]
    assert first_id in earlier and second_id not in earlier


def test_pages_answer_errors_with_a_page_and_the_api_with_problem_json(live: Live) -> None:  # noqa: F811
    with httpx.Client(follow_redirects=False) as browser:
        page = browser.get(f"{live.base}/journey/nowhere", headers={"accept": "text/html"})
        assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
        assert "ページが見つかりません" in page.text and "not_found.route" in page.text
        assert "Traceback" not in page.text
        english = browser.get(
            f"{live.base}/journey/nowhere?lang=en", headers={"accept": "text/html"}
        )
        assert "Page not found" in english.text
        api = browser.get(f"{live.base}/api/v1/nowhere", headers={"accept": "text/html"})
        assert api.headers["content-type"] == "application/problem+json"
