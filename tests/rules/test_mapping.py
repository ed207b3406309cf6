"""Every format judged alike: real DCC, SHC and VDS-NC certificates issued for the same record
and verified give the same rule outcome, because SHC and VDS-NC records are mapped onto the DCC
payload the rules are written against."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from shomeisho import pki
from shomeisho.errors import SchemaError, Verdict
from shomeisho.formats.dcc import FORMAT as DCC
from shomeisho.formats.dcc import cose, cwt, transport, typical
from shomeisho.formats.dcc.payload import to_payload
from shomeisho.formats.shc import FORMAT as SHC
from shomeisho.formats.shc.jwk import issuer_jwks
from shomeisho.formats.vdsnc import FORMAT as VDSNC
from shomeisho.model import (
    PartialDate,
    Person,
    PersonName,
    VaccinationEvent,
    VaccinationRecord,
    Verification,
)
from shomeisho.rules import bundled_rule_book
from shomeisho.rules.mapping import (
    check_verification,
    issuer_country,
    record_payload,
    rules_payload,
)
from shomeisho.signing import LocalSigner
from shomeisho.trust.store import TrustStore

from .helpers import JST

ISSUED = datetime(2022, 10, 20, 10, tzinfo=JST)
CHECK = datetime(2022, 11, 1, 10, tzinfo=JST)
SHC_ISSUER = "https://rules.shomeisho.example.jp/issuer"
PERSON = Person(
    name=PersonName(
        family="髙橋", given="𠮷子", family_romanised="TAKAHASHI", given_romanised="YOSHIKO"
    ),
    birth_date=PartialDate(1961, 4, 9),
    sex="F",
    passport_number="TK1234567",
    nationality="JPN",
)


@dataclass(frozen=True)
class Issuers:
    """Signers valid in 2022 for each format, and a trust store that trusts them."""

    dcc: LocalSigner
    vdsnc: LocalSigner
    shc: LocalSigner
    trust: TrustStore


@pytest.fixture(scope="module")
def issuers() -> Issuers:
    start = datetime(2021, 12, 1, tzinfo=JST)
    dcc_csca = pki.create_authority("JP", "JP DCC CSCA (rules)", not_before=start)
    dcc_key = pki.create_dcc_signer(dcc_csca, "JP", "JP DSC (rules)", not_before=start)
    vdsnc_csca = pki.create_authority("JP", "JP CSCA (rules)", not_before=start)
    vdsnc_key = pki.create_vdsnc_signer(vdsnc_csca, "JP", "JP BSC (rules)", not_before=start)
    shc = LocalSigner("shc", ec.generate_private_key(ec.SECP256R1()))
    trust = TrustStore()
    trust.add_certificate(dcc_csca.certificate)
    trust.add_certificate(dcc_key.certificate)
    trust.add_certificate(vdsnc_csca.certificate)
    trust.add_jwks(SHC_ISSUER, issuer_jwks([shc]))
    return Issuers(
        dcc=LocalSigner("dcc", dcc_key.key, dcc_key.certificate),
        vdsnc=LocalSigner("vdsnc", vdsnc_key.key, vdsnc_key.certificate),
        shc=shc,
        trust=trust,
    )


def signed_payload(text: str) -> dict[str, Any]:
    """The HCERT payload inside a DCC, read without the verifier."""
    claims, is_typical = typical.read_claims(cose.decode(transport.decode(text)).payload)
    payload = claims.payload if is_typical else cwt.json_payload(claims.payload)
    return dict(payload)


def verified(issuers: Issuers, record: VaccinationRecord) -> dict[str, Verification]:
    """The record issued and verified in every format (all valid)."""
    expires = ISSUED + timedelta(days=365)
    out: dict[str, Verification] = {}
    for fmt, signer, issuer in (
        (DCC, issuers.dcc, "JP"),
        (SHC, issuers.shc, SHC_ISSUER),
        (VDSNC, issuers.vdsnc, "JPN"),
    ):
        text = fmt.issue(record, signer, issuer=issuer, issued_at=ISSUED, expires_at=expires).text
        verification = fmt.verify(text, issuers.trust, at=CHECK)
        assert verification.verdict is Verdict.VALID, (fmt.name, verification.errors)
        if fmt is DCC:
            if verification.payload is None:  # until the DCC verifier keeps its payload
                verification.payload = signed_payload(text)
            assert dict(verification.payload) == to_payload(record)
        out[fmt.name] = verification
    return out


def doses(*given: tuple[str, date, int, int]) -> VaccinationRecord:
    return VaccinationRecord(
        person=PERSON,
        events=tuple(
            VaccinationEvent(product=p, date=d, dose_number=dn, series_doses=sd, lot="AB1234")
            for p, d, dn, sd in given
        ),
    )


RECORDS = {
    "three doses": doses(
        ("comirnaty", date(2021, 6, 1), 1, 2),
        ("comirnaty", date(2021, 6, 22), 2, 2),
        ("spikevax", date(2022, 1, 10), 3, 3),
    ),
    "two doses": doses(
        ("comirnaty", date(2021, 6, 1), 1, 2), ("comirnaty", date(2021, 6, 22), 2, 2)
    ),
    "jcovden and a booster": doses(
        ("jcovden", date(2021, 8, 1), 1, 1), ("comirnaty", date(2022, 2, 1), 2, 1)
    ),
    "jcovden only": doses(("jcovden", date(2022, 6, 1), 1, 1)),
    "dated before Japan began": doses(
        ("comirnaty", date(2021, 1, 10), 1, 2), ("comirnaty", date(2021, 2, 1), 2, 2)
    ),
}
EXPECTED = {
    ("three doses", "JP"): [],
    ("three doses", "EU"): [],
    ("two doses", "JP"): ["VR-JP-0002"],
    ("two doses", "EU"): ["VR-EU-0004"],
    ("jcovden and a booster", "JP"): [],
    ("jcovden and a booster", "EU"): [],
    ("jcovden only", "JP"): ["VR-JP-0002"],
    ("jcovden only", "EU"): [],
    ("dated before Japan began", "JP"): ["VR-JP-0002", "IR-JP-0001"],
    ("dated before Japan began", "EU"): ["VR-EU-0004", "IR-JP-0001"],
}


@pytest.mark.parametrize("name", list(RECORDS))
def test_every_format_gets_the_outcome_of_the_dcc(issuers: Issuers, name: str) -> None:
    by_format = verified(issuers, RECORDS[name])
    book = bundled_rule_book()
    for arrival in ("JP", "EU"):
        outcome = {
            fmt: [
                f.rule_id
                for f in check_verification(
                    book, v, arrival=arrival, at=CHECK, issuer_countries={SHC_ISSUER: "JP"}
                )
            ]
            for fmt, v in by_format.items()
        }
        assert outcome["dcc"] == EXPECTED[name, arrival], arrival
        assert outcome["shc"] == outcome["dcc"], arrival
        assert outcome["vdsnc"] == outcome["dcc"], arrival


def test_the_issuing_country_of_each_format(issuers: Issuers) -> None:
    by_format = verified(issuers, RECORDS["three doses"])
    named = {SHC_ISSUER: "JP"}  # as the trust list names its SHC issuers' countries
    assert {fmt: issuer_country(v, named) for fmt, v in by_format.items()} == {
        "dcc": "JP",
        "shc": "JP",
        "vdsnc": "JP",
    }
    # an SHC issuer the trust list does not place has no country (its record's JP is a default)
    assert issuer_country(by_format["shc"]) is None


def test_a_mapped_record_is_the_dcc_of_that_record() -> None:
    for record in RECORDS.values():
        assert record_payload(record) == to_payload(record)
    given_only = VaccinationRecord(
        person=Person(name=PersonName(given_romanised="MADONNA"), birth_date=None),
        events=RECORDS["jcovden only"].events,
    )
    assert record_payload(given_only) == to_payload(given_only)


def test_a_single_dose_first_vaccine_is_seen_when_the_format_does_not_carry_series() -> None:
    """SHC and VDS-NC readers make up ``series_doses`` (the number of doses in the card)."""
    as_read = doses(("jcovden", date(2021, 8, 1), 1, 2), ("comirnaty", date(2022, 2, 1), 2, 2))
    assert record_payload(as_read)["v"][0]["sd"] == 2  # the record as it is
    entry = record_payload(as_read, series_carried=False)["v"][0]
    assert (entry["dn"], entry["sd"]) == (2, 1)
    two = record_payload(RECORDS["two doses"], series_carried=False)["v"][0]
    assert (two["dn"], two["sd"]) == (2, 2)


def test_what_a_dcc_cannot_say_is_missing_for_the_rules() -> None:
    foreign = VaccinationRecord(
        person=Person(name=PersonName(family="髙橋", given="𠮷子"), birth_date=None),
        events=(
            VaccinationEvent(
                product="Sputnik V", date=date(2022, 1, 5), dose_number=3, series_doses=3
            ),
        ),
    )
    payload = record_payload(foreign)
    assert payload["nam"] == {"fn": "髙橋", "gn": "𠮷子"}
    assert payload["dob"] == ""
    assert payload["v"][0]["mp"] == "Sputnik V"
    assert not {"tg", "vp", "ma"} & set(payload["v"][0])
    failures = bundled_rule_book().check(
        payload, arrival="JP", at=CHECK, issuer_country="JP", issued_at=None, expires_at=None
    )
    assert [f.rule_id for f in failures] == ["GR-JP-0001", "VR-JP-0001", "VR-JP-0004"]


def test_the_dcc_payload_is_used_as_signed() -> None:
    signed = {"ver": "1.3.0", "v": [{"dn": 9}]}
    verification = Verification("dcc", signature_verified=True, issuer="FR")
    verification.payload = signed
    payload = rules_payload(verification)
    assert payload == signed and payload is not signed
    assert issuer_country(verification) == "FR"


def test_a_dcc_without_its_payload_falls_back_to_its_record() -> None:
    record = RECORDS["three doses"]
    verification = Verification("dcc", signature_verified=True, record=record)
    assert rules_payload(verification) == to_payload(record)
    assert issuer_country(verification) == "JP"  # from v[0].co


@pytest.mark.parametrize(
    ("issuer", "payload", "expected"),
    [
        (None, {"t": [{"co": "DE"}]}, "DE"),
        ("JPN", {"v": [{"co": "FR"}]}, "FR"),
        (None, {"v": [{"co": "france"}]}, None),
        (None, {"v": "x"}, None),
        (None, {}, None),
    ],
)
def test_the_issuing_country_of_a_dcc(issuer: str | None, payload: Any, expected: str) -> None:
    verification = Verification("dcc", signature_verified=True, issuer=issuer)
    verification.payload = payload
    assert issuer_country(verification) == expected


def test_nothing_to_judge_without_a_verified_signature() -> None:
    record = RECORDS["two doses"]
    unsigned = Verification("shc", record=record, signature_verified=False)
    assert rules_payload(unsigned) is None
    assert issuer_country(unsigned) is None
    assert check_verification(bundled_rule_book(), unsigned, arrival="JP", at=CHECK) == []
    assert rules_payload(Verification("vdsnc", signature_verified=True)) is None
    assert issuer_country(Verification("shc", signature_verified=True)) is None


def test_a_record_that_cannot_be_built_is_nothing_to_judge() -> None:
    def broken() -> VaccinationRecord:
        raise SchemaError("no record", code="schema.record")

    verification = Verification("shc", signature_verified=True)
    verification.defer_record(broken)
    assert rules_payload(verification) is None
    assert issuer_country(verification) is None


def test_an_shc_takes_the_country_the_trust_list_gives_its_issuer() -> None:
    record = VaccinationRecord(
        person=PERSON,
        events=(
            VaccinationEvent(
                product="comirnaty",
                date=date(2022, 1, 5),
                dose_number=1,
                series_doses=2,
                country="US",
            ),
        ),
    )
    card = Verification("shc", signature_verified=True, record=record, issuer=SHC_ISSUER)
    assert issuer_country(card) is None  # the record's country is not the issuer's
    assert issuer_country(card, {SHC_ISSUER: "US"}) == "US"
