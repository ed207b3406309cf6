"""The US data-minimisation profile ``usa-covid19-immunization`` of the dev-tools validator.

Opt-in (``profile=`` in :func:`shomeisho.formats.shc.profile.check_bundle`): exactly one Patient,
at least one Immunization, nothing else; none of the elements the US DM profiles leave out;
an authorised US COVID-19 CVX code, ``occurrenceDateTime`` as ``YYYY-MM-DD`` and status
``completed``. Findings are errors with code ``schema.fhir.profile.usa``.
"""

from __future__ import annotations

import re
from typing import Any

from shomeisho.errors import SchemaError
from shomeisho.formats.shc.problems import Sink

NAME = "usa-covid19-immunization"
_CODE = "schema.fhir.profile.usa"
_US_CVX = frozenset({"207", "208", "212", "217", "218"})
_IMMUNIZATION_FORBIDDEN = tuple(
    """id meta implicitRules language text contained extension modifierExtension identifier
    statusReason encounter recorded primarySource reportOrigin location manufacturer
    expirationDate site route doseQuantity note reasonCode reasonReference subpotentReason
    education programEligibility fundingSource reaction protocolApplied""".split()  # noqa: SIM905
)
_PATIENT_FORBIDDEN = tuple(
    """id implicitRules language text contained extension modifierExtension identifier active
    telecom gender deceasedBoolean deceasedDateTime address maritalStatus multipleBirthBoolean
    multipleBirthInteger photo contact communication generalPractitioner managingOrganization
    link""".split()  # noqa: SIM905
)
_NAME_FORBIDDEN = ("id", "extension", "use")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def check(entries: list[Any], sink: Sink) -> None:
    def error(message: str, where: str) -> None:
        sink.errors.append(SchemaError(message, code=_CODE, where=where))

    candidates = [e.get("resource") for e in entries if isinstance(e, dict)]
    resources: list[dict[str, Any]] = [r for r in candidates if isinstance(r, dict)]
    kinds = [str(r.get("resourceType")) for r in resources]
    if kinds.count("Patient") != 1:
        error(
            f"the profile needs exactly one Patient; there are {kinds.count('Patient')}", "Bundle"
        )
    if "Immunization" not in kinds:
        error("the profile needs at least one Immunization", "Bundle")
    reported: set[str] = set()
    for i, (kind, resource) in enumerate(zip(kinds, resources, strict=True)):
        where = f"entry[{i}]/{kind}"
        if kind == "Patient":
            forbidden = [n for n in _PATIENT_FORBIDDEN if n in resource]
            names = resource.get("name")
            first = names[0] if isinstance(names, list) and names else None
            if isinstance(first, dict):
                forbidden += [f"name.{n}" for n in _NAME_FORBIDDEN if n in first]
            for name in forbidden:
                error(f"Patient.{name} is not allowed", where)
        elif kind == "Immunization":
            _check_immunization(resource, where, error)
        elif kind not in reported:
            error(f"{kind} resources are not allowed by the profile", where)
            reported.add(kind)


def _check_immunization(resource: dict[str, Any], where: str, error: Any) -> None:
    for name in _IMMUNIZATION_FORBIDDEN:
        if name in resource:
            error(f"Immunization.{name} is not allowed", where)
    vaccine = resource.get("vaccineCode")
    coding = vaccine.get("coding") if isinstance(vaccine, dict) else None
    first = coding[0] if isinstance(coding, list) and coding else None
    code = first.get("code") if isinstance(first, dict) else None
    if code and (not isinstance(code, str) or code not in _US_CVX):
        error(f"CVX {code} is not an authorised US COVID-19 vaccine", where)
    when = resource.get("occurrenceDateTime")
    if when is None:
        error("the profile needs occurrenceDateTime", where)
    elif not (isinstance(when, str) and _DAY.match(when)):
        error("occurrenceDateTime must be YYYY-MM-DD", where)
    if resource.get("status") != "completed":
        error('status must be "completed"', where)
