"""Reading one rule document: every malformed field is a RuleError with a precise code and a
``where`` that names the rule and the field; a good document reads back equal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from shomeisho.errors import RuleError
from shomeisho.rules import BusinessRule, CertificateType, RuleType, parse_rule
from shomeisho.rules.business_rule import FIELDS, payload_paths

from .helpers import rule_doc


def code_of(doc: object) -> tuple[str, str | None]:
    with pytest.raises(RuleError) as raised:
        parse_rule(doc)
    return raised.value.code, raised.value.where


def test_a_good_document_reads_into_typed_fields() -> None:
    rule = parse_rule(rule_doc())
    assert rule.identifier == "VR-XX-0001"
    assert rule.type is RuleType.ACCEPTANCE
    assert rule.certificate_type is CertificateType.VACCINATION
    assert rule.country == "XX"
    assert rule.version_key == (1, 0, 0)
    assert rule.descriptions == {
        "en": "The series must be complete.",
        "ja": "接種シリーズが完了していること。",
    }
    assert rule.valid_from == datetime(2022, 1, 1, tzinfo=UTC)
    assert rule.valid_to == datetime(2023, 1, 1, tzinfo=timezone(timedelta(hours=9)))
    assert rule.affected_fields == ("v.0.dn", "v.0.sd")


def test_the_document_round_trips() -> None:
    doc = rule_doc()
    rule = parse_rule(doc)
    again = rule.to_document()
    assert list(again) == list(FIELDS)
    assert again["ValidFrom"] == "2022-01-01T00:00:00Z"
    assert again["ValidTo"] == "2023-01-01T00:00:00+09:00"
    assert again == doc
    assert parse_rule(again) == rule
    assert hash(parse_rule(again)) == hash(rule)


def test_the_rule_keeps_its_own_copy_of_the_logic() -> None:
    doc = rule_doc()
    rule = parse_rule(doc)
    doc["Logic"][">="][1] = 99
    assert rule.logic == {">=": [{"var": "payload.v.0.dn"}, {"var": "payload.v.0.sd"}]}
    rule.to_document()["Logic"][">="].clear()
    assert rule.logic[">="]


def test_validity_window_is_half_open() -> None:
    rule = parse_rule(rule_doc())
    assert rule.in_force(datetime(2022, 1, 1, tzinfo=UTC))
    assert rule.in_force(datetime(2022, 12, 31, 14, 59, 59, tzinfo=UTC))
    assert not rule.in_force(datetime(2022, 12, 31, 15, tzinfo=UTC))  # 2023-01-01 00:00 JST
    assert not rule.in_force(datetime(2021, 12, 31, 23, 59, 59, tzinfo=UTC))


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"Identifier": ...}, "rules.format.missing", "Identifier"),
        ({"Logic": ...}, "rules.format.missing", "Logic"),
        ({"Description": ...}, "rules.format.missing", "Description"),
        ({"Extra": 1}, "rules.format.unknown", "Extra"),
        ({"Identifier": "VR-XX-1"}, "rules.format.identifier", "Identifier"),
        ({"Identifier": "XR-XX-0001"}, "rules.format.identifier", "Identifier"),
        ({"Identifier": "vr-xx-0001"}, "rules.format.identifier", "Identifier"),
        ({"Identifier": 1}, "rules.format.identifier", "Identifier"),
        ({"Identifier": "VR-JP-0001"}, "rules.format.identifier", "Identifier"),  # not of XX
        ({"Identifier": "TR-XX-0001"}, "rules.format.identifier", "Identifier"),  # type Vaccination
        ({"Identifier": "IR-XX-0001"}, "rules.format.identifier", "Identifier"),  # acceptance
        ({"Type": "Invalidation"}, "rules.format.identifier", "Identifier"),  # named VR
        ({"Type": "acceptance"}, "rules.format.type", "Type"),
        ({"Country": "xx"}, "rules.format.country", "Country"),
        ({"Country": "XXX"}, "rules.format.country", "Country"),
        ({"CertificateType": "Vaccine"}, "rules.format.certificate_type", "CertificateType"),
        ({"Version": "1.0"}, "rules.format.version", "Version"),
        ({"Version": "1.0.0-beta"}, "rules.format.version", "Version"),
        ({"Version": "01.0.0"}, "rules.format.version", "Version"),
        ({"SchemaVersion": 1}, "rules.format.version", "SchemaVersion"),
        ({"EngineVersion": ""}, "rules.format.version", "EngineVersion"),
        ({"Engine": "JSONLOGIC"}, "rules.format.engine", "Engine"),
        ({"Description": []}, "rules.format.description", "Description"),
        (
            {"Description": [{"lang": "ja", "desc": "日本語だけ"}]},
            "rules.format.description",
            "Description",
        ),
        ({"Description": [{"lang": "en"}]}, "rules.format.description", "Description"),
        (
            {"Description": [{"lang": "EN", "desc": "upper case"}]},
            "rules.format.description",
            "Description",
        ),
        (
            {"Description": [{"lang": "en", "desc": "  "}]},
            "rules.format.description",
            "Description",
        ),
        (
            {"Description": [{"lang": "en", "desc": "a"}, {"lang": "en", "desc": "b"}]},
            "rules.format.description",
            "Description",
        ),
        ({"ValidFrom": "2022-01-01"}, "rules.format.validity", "ValidFrom"),
        ({"ValidFrom": "2022-01-01T00:00:00"}, "rules.format.validity", "ValidFrom"),
        ({"ValidFrom": "2022-02-30T00:00:00Z"}, "rules.format.validity", "ValidFrom"),
        ({"ValidTo": "2022-01-01T00:00:00+24:00"}, "rules.format.validity", "ValidTo"),
        ({"ValidTo": "2021-12-31T23:00:00Z"}, "rules.format.validity", "ValidTo"),
        ({"ValidTo": "2022-01-01T00:00:00Z"}, "rules.format.validity", "ValidTo"),  # empty
        ({"AffectedFields": "v.0.dn"}, "rules.format.affected_fields", "AffectedFields"),
        ({"AffectedFields": ["v.0.dn", ""]}, "rules.format.affected_fields", "AffectedFields"),
        ({"AffectedFields": ["v.0.dn"]}, "rules.format.affected_fields", "AffectedFields"),
        ({"Logic": True}, "rules.format.logic", "Logic"),
        ({"Logic": {}}, "rules.format.logic", "Logic"),
        ({"Logic": {"or": [True, False]}}, "rules.format.logic", "Logic"),
        ({"Logic": {"if": [True, 1]}}, "rules.format.logic", "Logic"),
    ],
)
def test_malformed_fields(changes: dict[str, Any], code: str, field: str) -> None:
    found, where = code_of(rule_doc(**changes))
    assert found == code
    assert where is not None
    assert where.split()[-1] == field
    if "Identifier" not in changes:
        assert where.startswith("VR-XX-0001 ")


def test_a_document_that_is_not_an_object() -> None:
    assert code_of([rule_doc()]) == ("rules.format", "rule")
    assert code_of("VR-XX-0001") == ("rules.format", "rule")


def test_a_hostile_identifier_is_not_echoed_into_where() -> None:
    _code, where = code_of(rule_doc(Identifier="x" * 10_000))
    assert where is not None and len(where) < 100


def test_logic_over_the_caps_is_refused_as_logic() -> None:
    deep: Any = True
    for _ in range(200):
        deep = {"!": [deep]}
    found, where = code_of(rule_doc(Logic=deep, AffectedFields=[]))
    assert (found, where) == ("rules.format.logic", "VR-XX-0001 Logic")


@pytest.mark.parametrize(
    ("fields", "logic"),
    [
        (["v.0.dn", "v.0.sd"], {">=": [{"var": "payload.v.0.dn"}, {"var": "payload.v.0.sd"}]}),
        (["v.0"], {">=": [{"var": "payload.v.0.dn"}, {"var": "payload.v.0.sd"}]}),  # a parent
        (["v.0.dn"], {"if": [{"var": "payload.v.0"}, {"var": "payload.v.0.dn"}, 0]}),  # a child
        ([], {"!": [{"var": "external.iat"}]}),  # external parameters only
        (
            ["v"],
            {
                "reduce": [
                    {"var": "payload.v"},
                    {"+": [{"var": "accumulator"}, {"var": "current.dn"}]},
                    0,
                ]
            },
        ),
    ],
)
def test_affected_fields_cover_what_the_logic_reads(fields: list[str], logic: object) -> None:
    parse_rule(rule_doc(AffectedFields=fields, Logic=logic))


def test_payload_paths_are_listed_once_in_order() -> None:
    logic = {
        "and": [
            {"var": "payload.v.0.dn"},
            {"in": [{"var": "payload.v.0.mp"}, {"var": "external.valueSets.x"}]},
            {"var": "payload.v.0.dn"},
        ]
    }
    assert payload_paths(logic) == ["v.0.dn", "v.0.mp"]


def test_rules_with_equal_fields_are_equal() -> None:
    one, two = parse_rule(rule_doc()), parse_rule(rule_doc())
    assert one == two and one is not two
    assert isinstance(one, BusinessRule)
    assert one != parse_rule(rule_doc(Version="1.0.1"))
    assert {one, two} == {one}
