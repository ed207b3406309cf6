"""The universal verifier: a country's rules on top of the technical verdict, and the issuing
country of an SMART Health Card from the trust list rather than from the card."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from shomeisho.errors import Verdict
from shomeisho.formats import all_formats
from shomeisho.model import PartialDate, Person, PersonName, VaccinationEvent, VaccinationRecord
from shomeisho.presented import Presented
from shomeisho.rules.rulesets import bundled_rule_book
from shomeisho.signing import LocalSigner
from shomeisho.trust.store import TrustStore
from shomeisho.verifier import Verifier
from tests.conftest import SHC_ISSUER

ARRIVAL = datetime(2022, 12, 1, 9, 0, tzinfo=UTC)  # while Japan's arrival rules were in force
BEFORE_JAPAN_BEGAN = VaccinationRecord(
    person=Person(
        name=PersonName(family_romanised="DOE", given_romanised="JANE"),
        birth_date=PartialDate(1980, 5, 17),
    ),
    events=(
        VaccinationEvent("comirnaty", date(2021, 1, 10), 1, 2, country="US"),
        VaccinationEvent("comirnaty", date(2021, 2, 1), 2, 2, country="US"),
    ),
)


def rules_failed(store: TrustStore, text: str) -> list[str]:
    verifier = Verifier(store, rules=bundled_rule_book())
    (outcome,) = verifier.verify([Presented("card", text=text)], at=ARRIVAL, country="JP")
    assert outcome.verification.signature_verified
    return [getattr(e, "rule_id", e.code) for e in outcome.verification.errors]


def test_a_foreign_card_is_not_judged_by_japans_invalidation_rules(
    trust: TrustStore, shc_signer: LocalSigner
) -> None:
    """Doses in January 2021 would break Japan's invalidation rule for Japanese certificates
    (no COVID-19 vaccination in Japan before 17 February 2021); an SHC says no country, so only
    the trust list's word that its issuer is Japanese brings that rule in."""
    card = all_formats()["shc"].issue(
        BEFORE_JAPAN_BEGAN,
        shc_signer,
        issuer=SHC_ISSUER,
        issued_at=ARRIVAL - timedelta(days=30),
        expires_at=None,
    )
    assert rules_failed(trust, card.text) == ["VR-JP-0002"]  # two doses: Japan asked for three
    trust.issuer_countries[SHC_ISSUER] = "JP"
    assert rules_failed(trust, card.text) == ["VR-JP-0002", "IR-JP-0001"]


def test_only_a_technically_valid_certificate_is_judged(
    trust: TrustStore, shc_signer: LocalSigner
) -> None:
    card = all_formats()["shc"].issue(
        BEFORE_JAPAN_BEGAN, shc_signer, issuer=SHC_ISSUER, issued_at=ARRIVAL, expires_at=None
    )
    tampered = card.text[:-3] + ("0" if card.text[-3] != "0" else "1") + card.text[-2:]
    verifier = Verifier(trust, rules=bundled_rule_book())
    (outcome,) = verifier.verify([Presented("card", text=tampered)], at=ARRIVAL, country="JP")
    assert outcome.verification.verdict is not Verdict.VALID
    assert not any(e.code == "rules_failed" for e in outcome.verification.errors)
