"""One pass over a payload in the clean, common shape: every content check of the hot path at once.

A verifier mostly sees cards shaped like the ones issuers (and :mod:`.fhir`) write: ``iss``,
``nbf``, maybe ``exp``, a ``vc`` with types, maybe a ``rid``, and a FHIR bundle of one Patient
with names and a birth date first, then Immunizations with a CVX coding, a reference to
``resource:0``, a date, a lot and performers, the entries numbered ``resource:0``, ``resource:1``...
in order.
For such a payload the per-element rules of :mod:`.payload` and :mod:`.profile` have nothing to
say, and neither has :func:`.fhir.scan_record`: there is exactly one Patient with a usable name
and a birth date a record can hold, and every dose has a vaccine this verifier knows and a full,
real date. :data:`SCHEMA` says all of that as one JSON Schema, which ``jsonschema_rs`` compiles
once and checks in native code, in one pass over the payload (:func:`is_clean`).

The clean shape is deliberately a *subset* of what the full checks accept without a finding: a
payload outside it (another claim, resource type or element, an ``@context``, ``text``, ``id``
or ``meta``, an empty value, a number where a string belongs, a non-ASCII digit or a 29 February
in a date, a timestamp in milliseconds, a vaccine we do not know...) gets the full checks, which
then decide and word every finding. Patterns here use ASCII classes and end at the very end of the
text, stricter than the full checks' Python patterns (whose ``\\d`` takes any Unicode digit and
whose ``$`` allows a final line break). What a clean payload still leaves open, the times
(``nbf``/``exp`` against the clock) and ``vc.type`` against the content (:func:`.vctypes.
check_facts` with :data:`FACTS`), is judged by the same code as on the full path.
"""

from __future__ import annotations

from typing import Any

import jsonschema_rs

from shomeisho.formats.shc.fhir import CVX_SYSTEM
from shomeisho.formats.shc.vctypes import COVID_CVX, HEALTH_CARD
from shomeisho.vaccines import PRODUCTS

MAX_ENTRIES = 100
"""A clean bundle has at most this many entries (one Patient and up to 99 doses)."""

# A month and day every year has (so no 29 February), then dates and times as FHIR writes them.
_MONTH_DAY = "((0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])|(0[13-9]|1[0-2])-(29|30)|(0[13578]|1[02])-31)"
_DAY = f"[1-9][0-9]{{3}}-{_MONTH_DAY}"
_TIME = (
    "T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\\.[0-9]+)?"
    "(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))"
)
# A birth date PartialDate holds: years 1800 to 2999, with or without month and day.
_BIRTH = f"(18|19|2[0-9])[0-9]{{2}}(-(0[1-9]|1[0-2])|-{_MONTH_DAY})?"

_TEXT: dict[str, Any] = {"type": "string", "minLength": 1}
_SECONDS: dict[str, Any] = {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 10**11}
# Vaccines the record knows (fhir.scan_record) that are also COVID-19 vaccines (vctypes), so a
# clean card's doses all make a record and all say #covid19.
CLEAN_CVX = sorted(p.cvx for p in PRODUCTS.values() if p.cvx in COVID_CVX)
FACTS = (True, True, False)
"""What a clean bundle holds, as :func:`.vctypes.check_facts` takes it: Immunizations, a
COVID-19 dose, no COVID-19 test."""


def _object(required: list[str], **properties: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "required": required,
        "properties": properties,
        "additionalProperties": False,
    }


def _array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "minItems": 1, "items": items}


def _pattern(regex: str) -> dict[str, Any]:
    return {"type": "string", "pattern": f"^{regex}$"}


_NAME = _object(
    [],
    family=_TEXT,
    given=_array(_TEXT),
    use=_TEXT,
    text=_TEXT,
    extension=_array(_object(["url"], url=_TEXT, valueCode=_TEXT, valueString=_TEXT)),
) | {"minProperties": 1}
_PATIENT = _object(
    ["resourceType", "name"],
    resourceType={"const": "Patient"},
    name=_array(_NAME)
    | {"contains": {"anyOf": [{"required": ["family"]}, {"required": ["given"]}]}},
    birthDate=_pattern(_BIRTH),
)
_CODING = _object([], system=_TEXT, code=_TEXT) | {"minProperties": 1}
_IMMUNIZATION = _object(
    ["resourceType", "status", "vaccineCode", "patient", "occurrenceDateTime"],
    resourceType={"const": "Immunization"},
    status={"const": "completed"},
    vaccineCode=_object(
        ["coding"],
        coding={
            "type": "array",
            "prefixItems": [
                _object(["system", "code"], system={"const": CVX_SYSTEM}, code={"enum": CLEAN_CVX})
            ],
            "minItems": 1,
            "items": _CODING,
        },
    ),
    patient=_object(["reference"], reference={"const": "resource:0"}, display=_TEXT),
    occurrenceDateTime=_pattern(f"{_DAY}({_TIME})?"),
    lotNumber=_TEXT,
    performer=_array(_object(["actor"], actor=_object(["display"], display=_TEXT))),
)
_BUNDLE = _object(
    ["resourceType", "type", "entry"],
    resourceType={"const": "Bundle"},
    type={"const": "collection"},
    entry={
        "type": "array",
        "minItems": 2,
        # entry i is resource:i (short, unique fullUrls; resource:0 resolves), the Patient first
        # and only there, then one to 99 Immunizations
        "prefixItems": [
            _object(
                ["fullUrl", "resource"],
                fullUrl={"const": f"resource:{i}"},
                resource={"$ref": "#/$defs/patient" if i == 0 else "#/$defs/immunization"},
            )
            for i in range(MAX_ENTRIES)
        ],
        "items": False,
    },
)
SCHEMA: dict[str, Any] = _object(
    ["iss", "nbf", "vc"],
    iss=_pattern("https://.*[^/]"),
    nbf=_SECONDS,
    exp=_SECONDS,
    vc=_object(
        ["type", "credentialSubject"],
        type={"type": "array", "items": {"type": "string"}, "contains": {"const": HEALTH_CARD}},
        rid=_pattern("[A-Za-z0-9_-]{1,24}"),
        credentialSubject=_object(
            ["fhirVersion", "fhirBundle"],
            fhirVersion=_pattern("[0-9]+\\.[0-9]+\\.[0-9]+"),
            fhirBundle=_BUNDLE,
        ),
    ),
) | {"$defs": {"patient": _PATIENT, "immunization": _IMMUNIZATION}}
"""The clean shape of a health card payload (JSON Schema 2020-12)."""

# The linear-time regex engine: the patterns need nothing else, and it is the faster one.
_VALIDATOR = jsonschema_rs.Draft202012Validator(
    SCHEMA, pattern_options=jsonschema_rs.RegexOptions()
)


def is_clean(payload: object) -> bool:
    """True when the payload is in the clean shape; False sends it to the full checks."""
    try:
        return bool(_VALIDATOR.is_valid(payload))
    except (ValueError, OverflowError):  # not plain JSON for it (a lone surrogate...): not clean
        return False
