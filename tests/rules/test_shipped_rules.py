"""The rule sets shipped in ``data/rules``: Japan's border acceptance of 2022-2023 with its
invalidation rules, and the EU baseline template. Each accepts a fully vaccinated traveller and
refuses, with the right rule, what the country refused."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from shomeisho.rules import RuleType, bundled_rule_book

from .helpers import (
    COMIRNATY,
    JCOVDEN,
    JST,
    NUVAXOVID,
    POSITIVE,
    RAT,
    SINOPHARM,
    SPIKEVAX,
    SPUTNIK,
    VALNEVA,
    lab_test,
    recovery,
    utc,
    vaccination,
)

AUTUMN_2022 = datetime(2022, 11, 1, 10, tzinfo=JST)  # 2022-11-01T01:00:00Z


def failed(
    payload: dict[str, Any],
    arrival: str,
    *,
    at: datetime = AUTUMN_2022,
    issuer: str | None = "DE",
    issued_at: datetime | None = None,
) -> list[str]:
    failures = bundled_rule_book().check(
        payload,
        arrival=arrival,
        at=at,
        issuer_country=issuer,
        issued_at=issued_at or utc(2022, 10, 1),
        expires_at=utc(2023, 10, 1),
    )
    return [f.rule_id for f in failures]


def test_every_shipped_rule_speaks_english_and_japanese() -> None:
    rules = bundled_rule_book().rules
    assert len(rules) > 20
    for rule in rules:
        assert set(rule.descriptions) == {"en", "ja"}, rule.identifier
        assert rule.identifier.split("-")[1] == rule.country
    versions = {(r.identifier, r.version) for r in rules}
    assert {("VR-JP-0001", "1.0.0"), ("VR-JP-0001", "2.0.0")} <= versions


def test_countries_in_force_follow_the_dates() -> None:
    book = bundled_rule_book()
    assert book.countries(at=utc(2022, 2, 1)) == ["EU"]
    assert book.countries(at=AUTUMN_2022) == ["EU", "JP"]
    assert book.countries(at=datetime(2023, 4, 29, 0, tzinfo=JST)) == ["EU"]
    assert book.countries(at=utc(2023, 7, 1)) == []


# -- Japan -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("product", [COMIRNATY, SPIKEVAX, NUVAXOVID, "Covishield", "Covaxin"])
def test_japan_accepts_three_doses_of_a_recognised_vaccine(product: str) -> None:
    assert failed(vaccination(mp=product, dn=3, sd=3), "JP") == []
    assert failed(vaccination(mp=product, dn=3, sd=2), "JP") == []  # EU booster encoding
    assert failed(vaccination(mp=product, dn=4, sd=4), "JP") == []


def test_japan_refuses_two_doses() -> None:
    assert failed(vaccination(dn=2, sd=2), "JP") == ["VR-JP-0002"]
    assert failed(vaccination(dn=1, sd=2), "JP") == ["VR-JP-0002"]


def test_japan_counts_a_first_dose_of_jcovden_as_two() -> None:
    assert failed(vaccination(mp=JCOVDEN, dn=1, sd=1), "JP") == ["VR-JP-0002"]
    assert failed(vaccination(mp=COMIRNATY, dn=2, sd=1), "JP") == []  # booster after Jcovden
    assert failed(vaccination(mp=JCOVDEN, dn=2, sd=1), "JP") == []


def test_japan_refuses_an_unrecognised_vaccine() -> None:
    assert failed(vaccination(mp=SPUTNIK), "JP") == ["VR-JP-0001"]
    assert failed(vaccination(mp=SPUTNIK, dn=2, sd=2), "JP") == ["VR-JP-0001", "VR-JP-0002"]


def test_japan_took_the_who_list_from_11_october_2022() -> None:
    """VR-JP-0001 exists in two versions; the newer one is in force from 2022-10-11 JST."""
    sinopharm = vaccination(mp=SINOPHARM)
    assert failed(sinopharm, "JP", at=datetime(2022, 10, 10, 23, 59, tzinfo=JST)) == ["VR-JP-0001"]
    assert failed(sinopharm, "JP", at=datetime(2022, 10, 11, 0, 0, tzinfo=JST)) == []
    assert failed(vaccination(mp="CoronaVac"), "JP") == []


def test_japan_needs_name_in_latin_letters_and_date_of_birth() -> None:
    assert failed(vaccination(dob=""), "JP") == ["GR-JP-0001"]
    assert failed(vaccination(nam={"fn": "髙橋", "gn": "𠮷子"}), "JP") == ["GR-JP-0001"]
    assert failed(vaccination(nam={"gnt": "MADONNA"}), "JP") == []
    assert failed(vaccination(dob="1961"), "JP") == []


def test_japan_refuses_a_dose_dated_after_the_check() -> None:
    assert failed(vaccination(dt="2022-11-01"), "JP") == []
    assert failed(vaccination(dt="2022-11-02"), "JP") == ["VR-JP-0003"]
    assert failed({**vaccination(), "v": [{**vaccination()["v"][0], "dt": None}]}, "JP") == [
        "VR-JP-0003"
    ]


def test_japan_needs_a_vaccination_against_covid19() -> None:
    assert failed(vaccination(tg="999999999"), "JP") == ["VR-JP-0004"]


def test_japan_needs_exactly_one_entry() -> None:
    both = {**vaccination(), **lab_test()}
    assert failed(both, "JP") == ["GR-JP-0002"]
    two_doses = vaccination()
    two_doses["v"] = two_doses["v"] * 2
    assert failed(two_doses, "JP") == ["GR-JP-0002"]
    assert failed({"nam": {"fnt": "X"}, "dob": "2000"}, "JP") == ["GR-JP-0002"]


def test_japan_accepts_a_recent_negative_naat_only() -> None:
    assert failed(lab_test(sc="2022-10-31T12:00:00Z"), "JP") == []
    assert failed(lab_test(tt=RAT), "JP") == ["TR-JP-0001"]
    assert failed(lab_test(tr=POSITIVE), "JP") == ["TR-JP-0002"]
    assert failed(lab_test(sc="2022-10-29T00:59:59Z"), "JP") == ["TR-JP-0003"]
    assert failed(lab_test(sc="2022-10-29T01:00:00Z"), "JP") == []  # exactly 72 hours
    assert failed(lab_test(sc="2022-11-01T02:00:00Z"), "JP") == ["TR-JP-0003"]  # later


def test_japan_does_not_accept_recovery() -> None:
    assert failed(recovery(), "JP") == ["RR-JP-0001"]


def test_no_japanese_rules_outside_the_border_measures() -> None:
    two_doses = vaccination(dn=2, sd=2, dt="2021-06-22")
    assert failed(two_doses, "JP", at=datetime(2022, 2, 28, 23, 59, tzinfo=JST)) == []
    assert failed(two_doses, "JP", at=datetime(2022, 3, 1, 0, 0, tzinfo=JST)) == ["VR-JP-0002"]
    assert failed(two_doses, "JP", at=datetime(2023, 4, 29, 0, 0, tzinfo=JST)) == []


def test_japan_invalidates_what_it_cannot_have_issued() -> None:
    """Invalidation rules apply to certificates Japan issued, whatever the country of arrival."""
    too_early = vaccination(dt="2021-01-10", co="JP")
    assert failed(too_early, "JP", issuer="JP") == ["IR-JP-0001"]
    assert "IR-JP-0001" in failed(too_early, "EU", issuer="JP")
    assert failed(too_early, "JP", issuer="DE") == []  # not Japan's certificate
    assert failed(vaccination(dt="2021-01-10", co="GB"), "JP", issuer="JP") == []
    assert failed(vaccination(), "JP", issuer="JP", issued_at=utc(2021, 12, 19, 14, 59)) == [
        "IR-JP-0002"
    ]
    assert failed(vaccination(), "JP", issuer="JP", issued_at=utc(2021, 12, 19, 15)) == []
    invalidation = [
        r.identifier for r in bundled_rule_book().rules if r.type is RuleType.INVALIDATION
    ]
    assert invalidation == ["IR-JP-0001", "IR-JP-0002"]


# -- the EU baseline template ----------------------------------------------------------------------
def test_eu_accepts_a_complete_recent_series_and_boosters() -> None:
    assert failed(vaccination(dn=2, sd=2, dt="2022-06-01"), "EU") == []
    assert failed(vaccination(dn=3, sd=3, dt="2021-12-01"), "EU") == []
    assert failed(vaccination(dn=3, sd=2, dt="2022-10-31"), "EU") == []  # booster: no waiting
    assert failed(vaccination(mp=JCOVDEN, dn=2, sd=1, dt="2022-10-31"), "EU") == []


def test_eu_refuses_an_incomplete_series() -> None:
    assert failed(vaccination(dn=1, sd=2, dt="2022-06-01"), "EU") == ["VR-EU-0002"]


def test_eu_refuses_a_series_completed_less_than_14_days_ago() -> None:
    assert failed(vaccination(dn=2, sd=2, dt="2022-10-25"), "EU") == ["VR-EU-0003"]
    assert failed(vaccination(mp=JCOVDEN, dn=1, sd=1, dt="2022-10-25"), "EU") == ["VR-EU-0003"]
    assert failed(vaccination(dn=2, sd=2, dt="2022-10-18"), "EU") == []  # 14 days at 01:00Z


def test_eu_accepts_a_primary_series_for_270_days_from_february_2022() -> None:
    old = vaccination(dn=2, sd=2, dt="2021-03-01")
    assert failed(old, "EU", at=utc(2022, 1, 31, 22)) == []  # VR-EU-0004 not yet in force
    assert failed(old, "EU", at=utc(2022, 2, 1)) == ["VR-EU-0004"]
    # 270 days after 2022-02-04 is 2022-11-01T00:00Z, an hour before the check
    assert failed(vaccination(dn=2, sd=2, dt="2022-02-05"), "EU") == []
    assert failed(vaccination(dn=2, sd=2, dt="2022-02-04"), "EU") == ["VR-EU-0004"]
    assert failed(vaccination(dn=2, sd=2, dt="2022-02-04"), "EU", at=utc(2022, 11, 1)) == []


def test_eu_products_follow_the_ema_authorisations() -> None:
    """VR-EU-0001 in three versions: Nuvaxovid from 2021-12-20, Valneva from 2022-06-24."""
    nuvaxovid = vaccination(mp=NUVAXOVID, dn=2, sd=2, dt="2021-10-01")
    assert failed(nuvaxovid, "EU", at=utc(2021, 11, 1)) == ["VR-EU-0001"]
    assert failed(nuvaxovid, "EU", at=utc(2022, 1, 10)) == []
    valneva = vaccination(mp=VALNEVA, dn=2, sd=2, dt="2022-05-01")
    assert failed(valneva, "EU", at=utc(2022, 6, 23)) == ["VR-EU-0001"]
    assert failed(valneva, "EU", at=utc(2022, 6, 24)) == []
    assert failed(vaccination(mp=SPUTNIK), "EU") == ["VR-EU-0001"]
    assert failed(vaccination(mp="Covishield"), "EU") == ["VR-EU-0001"]


def test_eu_tests_and_recoveries() -> None:
    assert failed(lab_test(tt=RAT, sc="2022-10-31T06:00:00Z"), "EU") == []  # 19 hours
    assert failed(lab_test(tt=RAT, sc="2022-10-30T06:00:00Z"), "EU") == ["TR-EU-0001"]
    assert failed(lab_test(sc="2022-10-30T06:00:00Z"), "EU") == []  # NAAT, 43 hours
    assert failed(lab_test(tt="other"), "EU") == ["TR-EU-0001"]
    assert failed(lab_test(tr=POSITIVE), "EU") == ["TR-EU-0002"]
    assert failed(recovery(), "EU") == []
    assert failed(recovery(du="2022-10-31"), "EU") == ["RR-EU-0001"]
    assert failed(recovery(df="2022-11-02"), "EU") == ["RR-EU-0001"]
