"""Endings that failed people in 2021 end here with a reason and a next step, never a trace."""

from __future__ import annotations

from datetime import date

import httpx

from shomeisho.identity.enrolment import card_key_and_certificate
from tests.db.records_factory import CARD_HOLDER, OPERATOR, event, resident
from tests.web.test_name_choice import sign_in_with
from tests.web.test_oidc_flow import Live, live  # noqa: F401


def test_a_record_with_a_missing_dose_is_explained_not_issued(live: Live) -> None:  # noqa: F811
    person = live.app.state.records.add_resident(OPERATOR, resident("C0003"))
    for dose, day in ((1, date(2021, 6, 1)), (3, date(2022, 1, 10))):
        live.app.state.records.record_vaccination(
            OPERATOR, person.resident_id, event(f"G-{dose}", dose, administered_on=day)
        )
    key, certificate = card_key_and_certificate(live.app.state.card_authority)
    card = live.app.state.card_store.create(CARD_HOLDER, "1234", key, certificate)
    live.app.state.records.link_identity(OPERATOR, person.resident_id, card.subject)
    with httpx.Client(follow_redirects=False) as browser:
        sign_in_with(browser, live, card.subject)
        page = browser.get(f"{live.base}/journey/use")
        assert page.status_code == 409
        assert "接種記録の確認が終わるまで発行できません" in page.text
        assert "2回目の接種の記録がありません" in page.text and "市区町村の窓口" in page.text
        english = browser.get(f"{live.base}/journey/use?lang=en").text
        assert "Dose 2 is missing" in english
        # a hand-made post cannot get round it
        browser.post(f"{live.base}/journey/use", data={"use": "domestic"})
        refused = browser.post(f"{live.base}/journey/check", data={"consent": "yes"})
        assert refused.headers["location"] == "/journey/use"
    assert live.app.state.issued_store.history(person.resident_id) == []
    outcomes = [
        detail
        for journey in _journeys(live)
        for step, kind, detail, _ in live.app.state.journey_log.events(journey)
        if kind == "outcome"
    ]
    assert "records_check" in outcomes


def _journeys(live: Live) -> list[str]:  # noqa: F811
    from sqlalchemy import text

    with live.app.state.engine.connect() as connection:
        return [
            r[0] for r in connection.execute(text("SELECT DISTINCT journey_id FROM journey_events"))
        ]
