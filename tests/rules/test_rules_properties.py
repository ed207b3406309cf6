"""Properties on random input: whatever payload a certificate carries and whatever a rule
document holds, the rule books answer with our errors only, never a stack trace."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shomeisho.errors import RuleError, RuleFailedError
from shomeisho.model import PartialDate, Person, PersonName, VaccinationEvent, VaccinationRecord
from shomeisho.rules import BusinessRule, bundled_rule_book, parse_rule
from shomeisho.rules.business_rule import FIELDS
from shomeisho.rules.mapping import record_payload

from .helpers import BASE_RULE, COMIRNATY, JCOVDEN, SINOPHARM, SPUTNIK, rule_doc

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=20,
)
dates = st.dates(date(2020, 1, 1), date(2024, 1, 1)).map(date.isoformat)
date_like = dates | st.sampled_from(["", "2022", "2022-13-01", "2022-02-30", "x"]) | json_values

entries = st.fixed_dictionaries(
    {},
    optional={
        "tg": st.sampled_from(["840539006", "x"]) | json_values,
        "mp": st.sampled_from([COMIRNATY, JCOVDEN, SINOPHARM, SPUTNIK]) | json_values,
        "dn": st.integers(-2, 5) | json_values,
        "sd": st.integers(-2, 5) | json_values,
        "dt": date_like,
        "co": st.sampled_from(["JP", "DE"]) | json_values,
        "tt": st.sampled_from(["LP6464-4", "LP217198-3"]) | json_values,
        "tr": st.sampled_from(["260415000", "260373001"]) | json_values,
        "sc": date_like,
        "df": date_like,
        "du": date_like,
    },
)
payloads = st.fixed_dictionaries(
    {},
    optional={
        "ver": st.just("1.3.0"),
        "nam": st.fixed_dictionaries({}, optional={"fnt": scalars, "gnt": scalars}) | json_values,
        "dob": date_like,
        "v": st.lists(entries, max_size=2) | json_values,
        "t": st.lists(entries, max_size=2) | json_values,
        "r": st.lists(entries, max_size=2) | json_values,
    },
) | st.dictionaries(st.text(max_size=4), json_values)
clocks = st.datetimes(datetime(2021, 1, 1), datetime(2024, 1, 1), timezones=st.just(UTC))


@SETTINGS
@given(
    payload=payloads,
    at=clocks,
    arrival=st.sampled_from(["JP", "EU", "XX"]),
    issuer=st.sampled_from(["JP", "DE", None]),
    issued=st.none() | clocks,
)
def test_random_payloads_only_ever_fail_rules(
    payload: dict[str, Any], at: datetime, arrival: str, issuer: str | None, issued: datetime | None
) -> None:
    failures = bundled_rule_book().check(
        payload,
        arrival=arrival,
        at=at,
        issuer_country=issuer,
        issued_at=issued,
        expires_at=None if issued is None else issued + timedelta(days=365),
    )
    assert all(isinstance(f, RuleFailedError) and f.code == "rules_failed" for f in failures)
    assert len({f.rule_id for f in failures}) == len(failures)


@SETTINGS
@given(
    changes=st.dictionaries(
        st.sampled_from([*FIELDS, "Extra"]), json_values | st.just(...), max_size=3
    )
)
def test_random_rule_documents_give_a_rule_or_a_rule_error(changes: dict[str, Any]) -> None:
    try:
        rule = parse_rule(rule_doc(**changes))
    except RuleError as exc:
        assert exc.code.startswith("rules.format")
        assert exc.where
    else:
        assert isinstance(rule, BusinessRule)
        assert parse_rule(rule.to_document()) == rule


@SETTINGS
@given(document=json_values)
def test_random_json_is_never_a_rule(document: object) -> None:
    try:
        parse_rule(document)
    except RuleError as exc:
        assert exc.code.startswith("rules.format")
    else:  # pragma: no cover - a random value is never a whole valid rule
        raise AssertionError(document)


names = st.builds(
    PersonName,
    family=st.none() | st.sampled_from(["髙橋", "Müller", "O'Neil"]),
    given=st.none() | st.sampled_from(["𠮷子", "Zoë"]),
    family_romanised=st.none() | st.sampled_from(["TAKAHASHI", "Ł", "-"]),
    given_romanised=st.just("YOSHIKO"),
)
events = st.builds(
    VaccinationEvent,
    product=st.sampled_from(["comirnaty", "jcovden", "nuvaxovid", "Sputnik V"]),
    date=st.dates(date(2020, 12, 1), date(2023, 6, 1)),
    dose_number=st.integers(1, 6),
    series_doses=st.integers(1, 4),
    country=st.sampled_from(["JP", "US"]),
)
records = st.builds(
    VaccinationRecord,
    person=st.builds(
        Person,
        name=names,
        birth_date=st.none() | st.just(PartialDate(1961)) | st.just(PartialDate(1990, 2, 28)),
    ),
    events=st.lists(events, min_size=1, max_size=4).map(tuple),
)


@SETTINGS
@given(record=records, carried=st.booleans(), at=clocks)
def test_any_record_maps_and_is_judged(
    record: VaccinationRecord, carried: bool, at: datetime
) -> None:
    payload = record_payload(record, series_carried=carried)
    assert len(payload["v"]) == 1
    for arrival in ("JP", "EU"):
        failures = bundled_rule_book().check(
            payload, arrival=arrival, at=at, issuer_country="JP", issued_at=at, expires_at=None
        )
        assert all(isinstance(f, RuleFailedError) for f in failures)


def test_the_base_rule_of_the_properties_is_valid() -> None:
    assert parse_rule(BASE_RULE).identifier == "VR-XX-0001"
