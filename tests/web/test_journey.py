"""The resident's procedure over HTTP, from the start page to a verifiable certificate.

Uses the live service of ``test_oidc_flow`` (real OIDC sign-in with the emulated card). Every
certificate shown is fetched as the PNG the page links to, decoded with the QR reader and
verified against the demo trust bundle.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from shomeisho import qr
from shomeisho.errors import Verdict
from shomeisho.formats import all_formats
from shomeisho.trust.store import load_trust_file
from tests.web.test_oidc_flow import Live, hidden_fields, live  # noqa: F401


def sign_in_through_journey(browser: httpx.Client, live: Live) -> httpx.Response:  # noqa: F811
    assert "開始する" in browser.get(f"{live.base}/journey").text
    started = browser.post(f"{live.base}/journey/start")
    assert started.headers["location"] == "/sign-in"
    to_idp = browser.get(f"{live.base}/sign-in")
    fields = hidden_fields(browser.get(to_idp.headers["location"]).text)
    back = browser.post(
        f"{live.base}/idp/authorize", data=fields | {"card": live.subject, "pin": "1234"}
    )
    landed = browser.get(back.headers["location"])
    assert landed.headers["location"] == "/journey/use"  # back into the procedure
    return browser.get(f"{live.base}/journey/use")


PASSPORT = {
    "passport_number": "TK1234567",
    "family_name": "TAKAHASHI",
    "given_name": "YOSHIKO",
    "nationality": "JPN",
}


def overseas_certificate(browser: httpx.Client, live: Live) -> httpx.Response:  # noqa: F811
    """Sign in, choose overseas use, give the passport details and consent: the answer to the
    consent (a redirect to the certificate page)."""
    sign_in_through_journey(browser, live)
    browser.post(f"{live.base}/journey/use", data={"use": "overseas"})
    browser.post(f"{live.base}/journey/travel", data=PASSPORT)
    return browser.post(f"{live.base}/journey/check", data={"consent": "yes"})


def verify_shown(browser: httpx.Client, live: Live, names: list[str]) -> None:  # noqa: F811
    trust = load_trust_file(live.app.state.settings.data_dir / "keys" / "trust-bundle.json")
    for name in names:
        png = browser.get(f"{live.base}/journey/certificate/{name}.png")
        assert png.status_code == 200 and png.headers["content-type"] == "image/png"
        codes = qr.read_codes(png.content)
        assert len(codes) == 1
        result = all_formats()[name].verify(
            codes[0].text, trust, at=datetime.now(UTC) + timedelta(minutes=1)
        )
        assert result.verdict is Verdict.VALID, (name, result.errors)
        assert result.record is not None  # VDS-NC carries the romanised name only
        assert result.record.person.name.family_romanised == "TAKAHASHI"


def test_domestic_journey(live: Live) -> None:  # noqa: F811
    with httpx.Client(follow_redirects=False) as browser:
        use = sign_in_through_journey(browser, live)
        assert "どこで使いますか" in use.text
        missing = browser.post(f"{live.base}/journey/use", data={})
        assert missing.status_code == 422 and "選んでください" in missing.text
        chosen = browser.post(f"{live.base}/journey/use", data={"use": "domestic"})
        assert chosen.headers["location"] == "/journey/check"
        check = browser.get(f"{live.base}/journey/check")
        assert "1回目: 2021年6月1日" in check.text and "2回目" in check.text
        refused = browser.post(f"{live.base}/journey/check", data={})
        assert refused.status_code == 422 and "同意が必要" in refused.text
        issued = browser.post(f"{live.base}/journey/check", data={"consent": "yes"})
        assert issued.headers["location"] == "/journey/certificate"
        page = browser.get(f"{live.base}/journey/certificate")
        assert (
            "最新の証明書" in page.text and "<svg" in page.text and "SMART Health Card" in page.text
        )
        verify_shown(browser, live, ["shc"])
        card = browser.get(f"{live.base}/journey/certificate.smart-health-card")
        assert card.status_code == 200 and b"verifiableCredential" in card.content


def test_overseas_journey_with_a_passport_mistake_first(live: Live) -> None:  # noqa: F811
    with httpx.Client(follow_redirects=False) as browser:
        sign_in_through_journey(browser, live)
        browser.post(f"{live.base}/journey/use", data={"use": "overseas"})
        travel = browser.get(f"{live.base}/journey/travel")
        assert 'value="TAKAHASHI"' in travel.text and 'value="JPN"' in travel.text  # prefilled
        wrong = browser.post(
            f"{live.base}/journey/travel",
            data={
                "passport_number": "12",
                "family_name": "TAKAHASHI",
                "given_name": "YOSHIKO",
                "nationality": "JPN",
            },
        )
        assert wrong.status_code == 422 and 'aria-invalid="true"' in wrong.text
        ok = browser.post(
            f"{live.base}/journey/travel",
            data={
                "passport_number": "tk1234567",
                "family_name": "takahashi",
                "given_name": "yoshiko",
                "nationality": "jpn",
            },
        )
        assert ok.headers["location"] == "/journey/check"
        assert "TK1234567" in browser.get(f"{live.base}/journey/check").text
        browser.post(f"{live.base}/journey/check", data={"consent": "yes"})
        page = browser.get(f"{live.base}/journey/certificate")
        assert "ICAO VDS-NC" in page.text and "EU DCC" in page.text
        verify_shown(browser, live, ["shc", "vdsnc", "dcc"])
        steps = [
            (step, kind)
            for journey in _journeys(live)
            for step, kind, _, _ in live.app.state.journey_log.events(journey)
        ]
        assert ("travel", "validation_error") in steps and ("certificate", "outcome") in steps


def _journeys(live: Live) -> list[str]:  # noqa: F811
    from sqlalchemy import text

    with live.app.state.engine.connect() as connection:
        return [
            row[0]
            for row in connection.execute(text("SELECT DISTINCT journey_id FROM journey_events"))
        ]
