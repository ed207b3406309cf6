"""The SHC credential types (``vc.type``) and the SHOULD rules that tie them to the content.

``https://smarthealth.cards#health-card`` is required (checked in :mod:`.payload`). The others
should match the bundle: ``#immunization`` when there is an Immunization, ``#covid19`` when a dose
or test is for COVID-19, ``#laboratory`` for a COVID-19 test; ``VerifiableCredential`` is
unneeded and unknown types are noted. All of these are warnings (``schema.vc_type.*``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shomeisho.errors import SchemaError
from shomeisho.formats.shc.problems import Sink

HEALTH_CARD = "https://smarthealth.cards#health-card"
IMMUNIZATION = "https://smarthealth.cards#immunization"
LABORATORY = "https://smarthealth.cards#laboratory"
COVID19 = "https://smarthealth.cards#covid19"
VERIFIABLE_CREDENTIAL = "VerifiableCredential"
ISSUED_TYPES = (HEALTH_CARD, IMMUNIZATION, COVID19)
_KNOWN = frozenset({HEALTH_CARD, IMMUNIZATION, LABORATORY, COVID19, VERIFIABLE_CREDENTIAL})
# CDC CVX codes of COVID-19 vaccines and LOINC codes of COVID-19 tests (the reference validator's
# lists): which cards should carry #covid19 / #laboratory.
COVID_CVX = frozenset(
    """207 208 210 211 212 213 217 218 219 221 225 226 227 228 229 230 300 301 302 500 501 502
    503 504 505 506 507 508 509 510 511 512 513 514 515 516 517 518 519 520 521""".split()  # noqa: SIM905
)
COVID_LOINC = frozenset(
    """50548-7 68993-5 82159-5 94306-8 94307-6 94308-4 94309-2 94500-6 94502-2 94503-0 94504-8
    94507-1 94508-9 94531-1 94533-7 94534-5 94547-7 94558-4 94559-2 94562-6 94563-4 94564-2
    94565-9 94640-0 94661-6 94756-4 94757-2 94758-0 94759-8 94760-6 94761-4 94762-2 94764-8
    94845-5 95209-3 95406-5 95409-9 95416-4 95423-0 95424-8 95425-5 95542-7 95608-6
    95609-4""".split()  # noqa: SIM905
)


def _first_code(resource: Mapping[str, Any], element: str) -> str | None:
    concept = resource.get(element)
    coding = concept.get("coding") if isinstance(concept, dict) else None
    first = coding[0] if isinstance(coding, list) and coding else None
    code = first.get("code") if isinstance(first, dict) else None
    return code if isinstance(code, str) else None


def check_types(types: list[str], bundle: Mapping[str, Any], sink: Sink) -> None:
    """Warn where ``vc.type`` does not match the bundle's content."""
    entries = bundle.get("entry")
    candidates = (
        [e.get("resource") for e in entries if isinstance(e, dict)]
        if isinstance(entries, list)
        else []
    )
    resources: list[dict[str, Any]] = [r for r in candidates if isinstance(r, dict)]
    immunizations = [r for r in resources if r.get("resourceType") == "Immunization"]
    covid_dose = any(_first_code(r, "vaccineCode") in COVID_CVX for r in immunizations)
    covid_test = any(
        r.get("resourceType") == "Observation" and _first_code(r, "code") in COVID_LOINC
        for r in resources
    )
    check_facts(types, bool(immunizations), covid_dose, covid_test, sink)


def check_facts(
    types: list[str], immunizations: bool, covid_dose: bool, covid_test: bool, sink: Sink
) -> None:
    """:func:`check_types` given what the bundle holds: any Immunization, a COVID-19 dose, a
    COVID-19 test."""
    if (
        immunizations
        and not covid_test
        and len(types) == 3
        and types[0] == HEALTH_CARD
        and types[1] == IMMUNIZATION
        and types[2] == COVID19
        and covid_dose
    ):
        return  # what issuers write (ISSUED_TYPES): nothing to say

    def warn(message: str, code: str) -> None:
        sink.warnings.append(SchemaError(message, code=code, where="vc.type"))

    if immunizations and IMMUNIZATION not in types:
        warn(f"vc.type should contain {IMMUNIZATION}", "schema.vc_type.missing")
    elif not immunizations and IMMUNIZATION in types:
        warn(
            f"vc.type has {IMMUNIZATION} but the card has no Immunization",
            "schema.vc_type.unexpected",
        )
    if covid_test and LABORATORY not in types:
        warn(f"vc.type should contain {LABORATORY}", "schema.vc_type.missing")
    if (covid_dose or covid_test) and COVID19 not in types:
        warn(f"vc.type should contain {COVID19}", "schema.vc_type.missing")
    elif not (covid_dose or covid_test) and COVID19 in types:
        warn(
            f"vc.type has {COVID19} but the card has no COVID-19 dose or test",
            "schema.vc_type.unexpected",
        )
    if VERIFIABLE_CREDENTIAL in types:
        warn("vc.type VerifiableCredential is not needed", "schema.vc_type.unneeded")
    for t in types:
        if t not in _KNOWN:
            warn(f"vc.type {t!r} is not a known SMART Health Cards type", "schema.vc_type.unknown")
