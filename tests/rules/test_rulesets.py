"""RuleBook mechanics on small hand-made books: which rules are selected (country, clock,
version, certificate type, invalidation by the issuing country), what the rules are evaluated
on, when a rule counts as failed, and the document round trip a trust bundle relies on."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from shomeisho.errors import InputError, RuleError, RuleFailedError, Verdict
from shomeisho.rules import CertificateType, RuleBook, RuleDocuments, bundled_rule_book
from shomeisho.rules.rulesets import certificate_type_of

from .helpers import JST, lab_test, recovery, rule_doc, utc, vaccination

ALWAYS = {"===": [True, True]}
JUNE = utc(2022, 6, 1)
NEVER = {"===": [True, False]}


def rule(identifier: str, version: str = "1.0.0", **changes: Any) -> dict[str, Any]:
    """A rule that always holds (unless ``Logic`` says otherwise), named and typed by its id."""
    prefix, country, _ = identifier.split("-")
    kind = {"GR": "General", "VR": "Vaccination", "TR": "Test", "RR": "Recovery"}
    doc = rule_doc(
        Identifier=identifier,
        Country=country,
        Version=version,
        Type="Invalidation" if prefix == "IR" else "Acceptance",
        CertificateType=kind.get(prefix, "Vaccination"),
        AffectedFields=[],
        Logic=ALWAYS,
        Description=[{"lang": "en", "desc": f"{identifier} {version} holds."}],
    )
    doc.update(changes)
    return doc


def book(*docs: dict[str, Any], value_sets: dict[str, list[str]] | None = None) -> RuleBook:
    return RuleBook.from_documents(list(docs), value_sets or {})


def selected(
    rules: RuleBook,
    *,
    at: datetime = JUNE,
    arrival: str = "XX",
    issuer: str | None = "YY",
    kind: CertificateType | None = CertificateType.VACCINATION,
) -> list[tuple[str, str]]:
    chosen = rules.select(at=at, arrival=arrival, issuer_country=issuer, certificate_type=kind)
    return [(r.identifier, r.version) for r in chosen]


# -- selection -------------------------------------------------------------------------------------
def test_acceptance_rules_of_the_arrival_country_only() -> None:
    rules = book(rule("VR-XX-0001"), rule("VR-ZZ-0001"), rule("VR-YY-0001"))
    assert selected(rules) == [("VR-XX-0001", "1.0.0")]
    assert selected(rules, arrival="ZZ") == [("VR-ZZ-0001", "1.0.0")]
    assert selected(rules, arrival="JP") == []


def test_invalidation_rules_of_the_issuing_country_only() -> None:
    rules = book(rule("VR-XX-0001"), rule("IR-YY-0001"), rule("IR-XX-0001"))
    assert selected(rules) == [("VR-XX-0001", "1.0.0"), ("IR-YY-0001", "1.0.0")]
    assert selected(rules, issuer="XX") == [("VR-XX-0001", "1.0.0"), ("IR-XX-0001", "1.0.0")]
    assert selected(rules, issuer=None) == [("VR-XX-0001", "1.0.0")]


def test_only_rules_in_force_at_the_clock() -> None:
    rules = book(
        rule("VR-XX-0001", ValidFrom="2022-01-01T00:00:00+09:00", ValidTo="2022-07-01T00:00:00Z"),
        rule("VR-XX-0002", ValidFrom="2022-07-01T00:00:00Z", ValidTo="2023-01-01T00:00:00Z"),
    )
    assert selected(rules, at=utc(2021, 12, 31, 14, 59)) == []
    assert selected(rules, at=utc(2021, 12, 31, 15)) == [("VR-XX-0001", "1.0.0")]
    assert selected(rules, at=utc(2022, 6, 30, 23, 59, 59)) == [("VR-XX-0001", "1.0.0")]
    assert selected(rules, at=datetime(2022, 7, 1, 9, tzinfo=JST)) == [("VR-XX-0002", "1.0.0")]
    assert selected(rules, at=utc(2023, 1, 1)) == []


def test_the_highest_version_in_force_wins() -> None:
    rules = book(
        rule("VR-XX-0001", "1.0.0"),
        rule("VR-XX-0001", "1.10.0", ValidFrom="2022-05-01T00:00:00Z"),
        rule("VR-XX-0001", "1.9.0", ValidFrom="2022-03-01T00:00:00Z"),
        rule("VR-XX-0001", "2.0.0", ValidFrom="2022-09-01T00:00:00Z"),
    )
    assert selected(rules, at=utc(2022, 2, 1)) == [("VR-XX-0001", "1.0.0")]
    assert selected(rules, at=utc(2022, 4, 1)) == [("VR-XX-0001", "1.9.0")]
    assert selected(rules, at=utc(2022, 6, 1)) == [("VR-XX-0001", "1.10.0")]  # not string order
    assert selected(rules, at=utc(2022, 10, 1)) == [("VR-XX-0001", "2.0.0")]


def test_a_newer_version_that_ended_gives_way_to_an_older_one_still_in_force() -> None:
    rules = book(
        rule("VR-XX-0001", "1.0.0"),
        rule("VR-XX-0001", "1.1.0", ValidTo="2022-03-01T00:00:00Z"),
    )
    assert selected(rules, at=utc(2022, 2, 1)) == [("VR-XX-0001", "1.1.0")]
    assert selected(rules, at=utc(2022, 4, 1)) == [("VR-XX-0001", "1.0.0")]


def test_rules_for_the_certificate_type_and_general_rules() -> None:
    rules = book(rule("GR-XX-0001"), rule("VR-XX-0001"), rule("TR-XX-0001"), rule("RR-XX-0001"))
    general = ("GR-XX-0001", "1.0.0")
    assert selected(rules) == [general, ("VR-XX-0001", "1.0.0")]
    assert selected(rules, kind=CertificateType.TEST) == [general, ("TR-XX-0001", "1.0.0")]
    assert selected(rules, kind=CertificateType.RECOVERY) == [general, ("RR-XX-0001", "1.0.0")]
    assert selected(rules, kind=None) == [general]


def test_the_certificate_type_of_a_payload() -> None:
    assert certificate_type_of(vaccination()) is CertificateType.VACCINATION
    assert certificate_type_of(lab_test()) is CertificateType.TEST
    assert certificate_type_of(recovery()) is CertificateType.RECOVERY
    assert certificate_type_of({**vaccination(), **lab_test()}) is None
    assert certificate_type_of({"v": None, "t": []}) is CertificateType.TEST
    assert certificate_type_of({}) is None


def test_countries_are_those_with_acceptance_rules() -> None:
    rules = book(
        rule("VR-ZZ-0001", ValidTo="2022-03-01T00:00:00Z"),
        rule("VR-XX-0001"),
        rule("IR-YY-0001"),
    )
    assert rules.countries() == ["XX", "ZZ"]
    assert rules.countries(at=utc(2022, 6, 1)) == ["XX"]
    assert bundled_rule_book().countries() == ["EU", "JP"]


def test_a_naive_clock_is_refused() -> None:
    with pytest.raises(InputError) as raised:
        selected(book(rule("VR-XX-0001")), at=datetime(2022, 6, 1))
    assert raised.value.code == "input.time"


# -- evaluation ------------------------------------------------------------------------------------
def check(rules: RuleBook, payload: Any, **changes: Any) -> list[RuleFailedError]:
    options: dict[str, Any] = {
        "arrival": "XX",
        "at": datetime(2022, 6, 1, 9, tzinfo=JST),
        "issuer_country": "YY",
        "issued_at": utc(2022, 5, 1),
        "expires_at": utc(2023, 5, 1),
    }
    options.update(changes)
    return rules.check(payload, **options)


def test_the_data_is_the_eu_shape(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[object] = []

    def spy(logic: object, data: object) -> object:
        seen.append(data)
        return True

    monkeypatch.setattr("shomeisho.rules.rulesets.evaluate_validated", spy)
    rules = book(rule("VR-XX-0001"), value_sets={"disease-agent-targeted": ["840539006"]})
    assert check(rules, vaccination(), kid="a2lk", region="13") == []
    assert seen == [
        {
            "payload": vaccination(),
            "external": {
                "validationClock": "2022-06-01T09:00:00+09:00",
                "valueSets": {"disease-agent-targeted": ["840539006"]},
                "countryCode": "XX",
                "exp": "2023-05-01T00:00:00+00:00",
                "iat": "2022-05-01T00:00:00+00:00",
                "issuerCountryCode": "YY",
                "kid": "a2lk",
                "region": "13",
            },
        }
    ]


def test_rules_read_the_external_parameters() -> None:
    logic = {
        "and": [
            {"===": [{"var": "external.countryCode"}, "XX"]},
            {"===": [{"var": "external.issuerCountryCode"}, "YY"]},
            {"===": [{"var": "external.kid"}, "a2lk"]},
            {"===": [{"var": "external.region"}, "13"]},
            {
                "before": [
                    {"plusTime": [{"var": "external.iat"}, 0, "day"]},
                    {"plusTime": [{"var": "external.validationClock"}, 0, "day"]},
                    {"plusTime": [{"var": "external.exp"}, 0, "day"]},
                ]
            },
        ]
    }
    rules = book(rule("VR-XX-0001", Logic=logic))
    assert check(rules, vaccination(), kid="a2lk", region="13") == []
    assert [f.rule_id for f in check(rules, vaccination(), kid=None)] == ["VR-XX-0001"]


def test_missing_times_and_kid_are_null() -> None:
    logic = {
        "and": [
            {"!": [{"var": "external.exp"}]},
            {"!": [{"var": "external.iat"}]},
            {"!": [{"var": "external.kid"}]},
            {"!": [{"var": "external.issuerCountryCode"}]},
        ]
    }
    rules = book(rule("VR-XX-0001", Logic=logic))
    assert check(rules, vaccination(), issued_at=None, expires_at=None, issuer_country=None) == []


@pytest.mark.parametrize("result", [False, 1, "true", [True], {"var": "payload.v"}, None])
def test_only_exactly_true_passes(result: object) -> None:
    logic = {"if": [True, result, True]} if result is not None else {"var": "payload.nothing"}
    rules = book(rule("VR-XX-0001", Logic=logic, AffectedFields=["v", "nothing"]))
    (failure,) = check(rules, vaccination())
    assert failure.rule_id == "VR-XX-0001"
    assert failure.code == "rules_failed"
    assert failure.verdict is Verdict.RULES_FAILED


def test_a_failure_names_the_rule_and_carries_its_descriptions() -> None:
    rules = book(
        rule(
            "VR-XX-0001",
            Logic=NEVER,
            Description=[
                {"lang": "en", "desc": "Three doses are needed."},
                {"lang": "ja", "desc": "3回の接種が必要。"},
            ],
        )
    )
    (failure,) = check(rules, vaccination())
    assert failure.descriptions == {"en": "Three doses are needed.", "ja": "3回の接種が必要。"}
    assert failure.message == (
        "The acceptance rule VR-XX-0001 of XX is not met: Three doses are needed."
    )
    assert failure.where == "acceptance rule VR-XX-0001 1.0.0"
    assert failure.as_dict()["rule_id"] == "VR-XX-0001"


def test_an_evaluation_error_is_a_failure_with_its_message() -> None:
    logic = {">=": [{"var": "payload.v.0.dn"}, 3]}
    rules = book(rule("VR-XX-0001", Logic=logic, AffectedFields=["v.0.dn"]))
    assert check(rules, vaccination(dn=3)) == []
    (failure,) = check(rules, {**vaccination(), "v": [{"dn": "3"}]})
    assert isinstance(failure, RuleFailedError)
    assert "could not be evaluated" in failure.message
    assert 'every operand of a ">=" must be an integer' in failure.message


def test_a_value_set_the_book_lacks_fails_the_rule_that_needs_it() -> None:
    logic = {
        "in": [{"var": "payload.v.0.tg"}, {"var": "external.valueSets.disease-agent-targeted"}]
    }
    doc = rule("VR-XX-0001", Logic=logic, AffectedFields=["v.0.tg"])
    assert (
        check(book(doc, value_sets={"disease-agent-targeted": ["840539006"]}), vaccination()) == []
    )
    (failure,) = check(book(doc), vaccination())
    assert "could not be evaluated" in failure.message


def test_failures_in_order_acceptance_then_invalidation() -> None:
    rules = book(
        rule("IR-YY-0001", Logic=NEVER),
        rule("VR-XX-0002", Logic=NEVER),
        rule("GR-XX-0001", Logic=NEVER),
        rule("VR-XX-0001"),
    )
    assert [f.rule_id for f in check(rules, vaccination())] == [
        "GR-XX-0001",
        "VR-XX-0002",
        "IR-YY-0001",
    ]


def test_no_rules_for_the_country_means_nothing_fails() -> None:
    assert check(book(rule("VR-ZZ-0001", Logic=NEVER)), vaccination()) == []


def test_a_mapping_payload_that_is_not_a_dict() -> None:
    from types import MappingProxyType

    logic = {"===": [{"var": "payload.v.0.dn"}, 3]}
    rules = book(rule("VR-XX-0001", Logic=logic, AffectedFields=["v.0.dn"]))
    assert check(rules, MappingProxyType(vaccination(dn=3))) == []


# -- the book as documents -------------------------------------------------------------------------
def test_documents_round_trip() -> None:
    original = bundled_rule_book()
    documents = original.to_documents()
    assert isinstance(documents, RuleDocuments)
    again = RuleBook.from_documents(*documents)
    assert again == original
    assert again.to_documents() == documents
    assert len(documents.rules) == len(original.rules) > 0
    assert documents.value_sets["disease-agent-targeted"] == ["840539006"]


def test_a_rule_version_twice_is_refused() -> None:
    with pytest.raises(RuleError) as raised:
        book(rule("VR-XX-0001"), rule("VR-XX-0001", Logic=NEVER))
    assert raised.value.code == "rules.format.duplicate"
    assert raised.value.where == "VR-XX-0001 Version"


@pytest.mark.parametrize(
    ("rules", "value_sets", "code"),
    [
        ({"rules": []}, {}, "rules.format"),
        ([], [], "rules.format.value_sets"),
        ([], {"x": "840539006"}, "rules.format.value_sets"),
        ([], {"x": [1]}, "rules.format.value_sets"),
        ([], {1: ["a"]}, "rules.format.value_sets"),
        ([], {"x": {"a": 1}}, "rules.format.value_sets"),
        ([rule("VR-XX-0001"), 3], {}, "rules.format"),
        ([rule("VR-XX-0001", Engine="X")], {}, "rules.format.engine"),
    ],
)
def test_malformed_books(rules: object, value_sets: object, code: str) -> None:
    with pytest.raises(RuleError) as raised:
        RuleBook.from_documents(rules, value_sets)
    assert raised.value.code == code


def test_a_book_is_immutable_from_outside() -> None:
    sets = {"x": ["a"]}
    rules = book(rule("VR-XX-0001"), value_sets=sets)
    sets["x"].append("b")
    assert rules.value_sets == {"x": ("a",)}
    assert rules.to_documents().value_sets == {"x": ["a"]}
    assert isinstance(rules.rules, tuple)


def test_a_book_judges_with_its_own_validated_copy_of_each_rule() -> None:
    from dataclasses import replace

    from shomeisho.rules import parse_rule

    rule_ = parse_rule(rule("VR-XX-0001"))
    rules = RuleBook([rule_])
    rule_.logic["==="][1] = False  # changing the rule afterwards changes nothing
    assert check(rules, vaccination()) == []
    with pytest.raises(RuleError) as raised:
        RuleBook([replace(rule_, logic={"or": [True]})])  # built without parse_rule
    assert (raised.value.code, raised.value.where) == ("rules.format.logic", "VR-XX-0001 Logic")
