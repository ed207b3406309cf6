"""The FHIR R4 bundle inside an SHC, built from and read back into a :class:`VaccinationRecord`.

Shape (SHC "Health Cards are Compact" + the SMART Health Cards vaccination IG's data-minimisation
profiles): ``{"resourceType":"Bundle","type":"collection","entry":[...]}`` with ``fullUrl``
``resource:N``, the Patient first, one Immunization per dose referring to ``resource:0``; no
``id``, ``meta``, ``text``, ``Coding.display`` or ``CodeableConcept.text``.

Names. A record has a primary name and alternates (旧姓, passport spelling, kana), each possibly
both as written (kanji) and romanised. Each becomes one or two ``Patient.name`` entries::

    written form       {"family":"髙橋","given":["𠮷子"]}                         (no extension)
    romanised form     {..., "extension":[EN-representation "ABC"], "family":"TAKAHASHI", ...}
    kana reading       {..., "extension":[EN-representation "SYL"], ...}
    kind former_surname -> "use":"old", passport -> "use":"official", primary -> no ``use``

``EN-representation`` is the core FHIR extension
``http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation`` (ABC alphabetic, SYL
syllabic, IDE ideographic) that JP Core uses for the same purpose. The written entry comes first,
its romanised entry right after it; a reader merges the two back into one name. ``given`` is one
string in the record and a one-element list in FHIR (a reader joins several with spaces).

Not carried (data minimisation, and there is no DM-allowed element for them): sex, passport
number, nationality, country and issuing authority of each dose, dose number and series length
(``protocolApplied`` is outside the DM profile), and the certificate id (see the package
docstring). A reader numbers doses by their order in the card and sets ``series_doses`` to the
number of doses in the card; country and issuer take the record defaults.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any, NamedTuple

from shomeisho.errors import InputError, SchemaError, ShomeishoError
from shomeisho.model import (
    PartialDate,
    Person,
    PersonName,
    VaccinationEvent,
    VaccinationRecord,
)
from shomeisho.vaccines import by_cvx, product

CVX_SYSTEM = "http://hl7.org/fhir/sid/cvx"
EN_REPRESENTATION = "http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation"
_USE_OF_KIND = {"primary": None, "kana": None, "former_surname": "old", "passport": "official"}
_KIND_OF_USE = {"old": "former_surname", "maiden": "former_surname", "official": "passport"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_BIRTH = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def build_bundle(record: VaccinationRecord) -> dict[str, Any]:
    """The minimal bundle for a record; raises :class:`InputError` for what SHC cannot carry."""
    person = record.person
    patient: dict[str, Any] = {"resourceType": "Patient", "name": _names(person)}
    if person.birth_date is not None:
        patient["birthDate"] = person.birth_date.iso()
    entries: list[dict[str, Any]] = [{"fullUrl": "resource:0", "resource": patient}]
    for number, event in enumerate(record.events, start=1):
        vaccine = product(event.product)
        immunization: dict[str, Any] = {
            "resourceType": "Immunization",
            "status": "completed",
            "vaccineCode": {"coding": [{"system": CVX_SYSTEM, "code": vaccine.cvx}]},
            "patient": {"reference": "resource:0"},
            "occurrenceDateTime": event.date.isoformat(),
        }
        if event.performer:
            immunization["performer"] = [{"actor": {"display": event.performer}}]
        if event.lot:
            immunization["lotNumber"] = event.lot
        entries.append({"fullUrl": f"resource:{number}", "resource": immunization})
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def _names(person: Person) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for name in (person.name, *person.alternates):
        if name.kind not in _USE_OF_KIND:
            raise InputError(
                f"name kind {name.kind!r} has no SHC mapping; use one of {', '.join(_USE_OF_KIND)}",
                code="input.name",
            )
        use = _USE_OF_KIND[name.kind]
        if name.family or name.given:
            out.append(
                _human_name(use, "SYL" if name.kind == "kana" else None, name.family, name.given)
            )
        if name.family_romanised or name.given_romanised:
            out.append(_human_name(use, "ABC", name.family_romanised, name.given_romanised))
    return out


def _human_name(
    use: str | None, representation: str | None, family: str | None, given: str | None
) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    if use:
        entry["use"] = use
    if representation:
        entry["extension"] = [{"url": EN_REPRESENTATION, "valueCode": representation}]
    if family:
        entry["family"] = family
    if given:
        entry["given"] = [given]
    return entry


# -- reading -------------------------------------------------------------------------------------


def _list(value: object) -> list[Any]:
    """A JSON array as a list; anything else (the checks report it) as an empty one."""
    return value if type(value) is list else []


def read_record(
    bundle: Mapping[str, Any], certificate_id: str, warnings: list[ShomeishoError]
) -> VaccinationRecord:
    """Turn a checked bundle into a record. Raises :class:`SchemaError` (code ``schema.record``)
    when the card has no patient or no dose we can name; doses with a vaccine or date we cannot
    represent are skipped with a warning."""
    return build_record(scan_record(bundle, warnings), certificate_id)


Dose = tuple[date, str, str | None, str | None]
"""One dose as the record needs it: day, product key, lot, performer."""


class RecordPlan(NamedTuple):
    """What :func:`scan_record` found: enough to build the record without failing.

    Verification scans eagerly (the ``schema.record*`` warnings belong to the result) and builds
    the record only when somebody asks for it (:meth:`Verification.defer_record`).
    """

    patient: Mapping[str, Any]
    doses: list[Dose]


def scan_record(bundle: Mapping[str, Any], warnings: list[ShomeishoError]) -> RecordPlan:
    """Every check :func:`read_record` makes, in the same order, without building anything:
    appends the skipped-dose warnings, raises :class:`SchemaError` (``schema.record.*``)."""
    patient: Mapping[str, Any] | None = None
    patients = 0
    doses: list[Dose] = []
    for index, entry in enumerate(_list(bundle.get("entry"))):
        resource = entry.get("resource") if type(entry) is dict else None
        if type(resource) is not dict:
            continue
        kind = resource.get("resourceType")
        if kind == "Patient":
            patient = resource
            patients += 1
        elif kind == "Immunization":
            dose = _dose(resource, index, warnings)
            if dose is not None:
                doses.append(dose)
    return finish_scan(patient, patients, doses)


def finish_scan(patient: Mapping[str, Any] | None, patients: int, doses: list[Dose]) -> RecordPlan:
    """The checks of :func:`scan_record` after its pass over the entries (``patient`` is the
    last Patient, ``patients`` how many there were, ``doses`` the readable doses in order)."""
    if patients != 1 or patient is None:
        raise SchemaError(
            f"the card has {patients} Patient resources; a vaccination record needs exactly one",
            code="schema.record.patient",
        )
    names = _list(patient.get("name"))
    if not any(type(e) is dict and _name_parts(e) != (None, None) for e in names):
        raise SchemaError("the Patient has no usable name", code="schema.record.name")
    _birth_date(patient)
    if not doses:
        raise SchemaError(
            "the card has no COVID-19 vaccination this verifier knows",
            code="schema.record.no_doses",
        )
    if len(doses) > 99:
        raise SchemaError(
            "the card lists more doses than a record can hold", code="schema.record.no_doses"
        )
    return RecordPlan(patient, doses)


def build_record(plan: RecordPlan, certificate_id: str) -> VaccinationRecord:
    """The record of a plan :func:`scan_record` returned (it cannot fail then)."""
    doses = sorted(plan.doses, key=lambda d: d[0])
    count = len(doses)
    events = tuple(
        VaccinationEvent(
            product=key, date=day, dose_number=n, series_doses=count, lot=lot, performer=performer
        )
        for n, (day, key, lot, performer) in enumerate(doses, start=1)
    )
    return VaccinationRecord(
        person=_person(plan.patient), events=events, certificate_id=certificate_id
    )


def _person(patient: Mapping[str, Any]) -> Person:
    names: list[list[Any]] = []  # [kind, family, given, family_romanised, given_romanised]
    for entry in _list(patient.get("name")):
        if type(entry) is dict:
            _add_name(names, entry)
    if not names:
        raise SchemaError("the Patient has no usable name", code="schema.record.name")
    built = [
        PersonName(family=f, given=g, family_romanised=fr, given_romanised=gr, kind=k)
        for k, f, g, fr, gr in names
    ]
    primary = next((n for n in built if n.kind == "primary"), built[0])
    alternates = tuple(n for n in built if n is not primary)
    return Person(name=primary, birth_date=_birth_date(patient), alternates=alternates)


def _birth_date(patient: Mapping[str, Any]) -> PartialDate | None:
    birth = patient.get("birthDate")
    if type(birth) is not str:
        return None
    match = _BIRTH.match(birth)
    try:
        if match is None:
            raise InputError("not a date", code="input.date")
        year, month, day = match.groups()
        return PartialDate(int(year), int(month) if month else None, int(day) if day else None)
    except InputError:
        raise SchemaError(
            f"birthDate {birth!r} is not a FHIR date", code="schema.record.birth_date"
        ) from None


def _name_parts(entry: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """A HumanName's family and given as a record holds them (None where absent or empty)."""
    family = entry.get("family")
    if type(family) is not str or not family:
        family = None
    given_parts = entry.get("given")
    given = None
    if type(given_parts) is list:
        given = " ".join(g for g in given_parts if type(g) is str) or None
    return family, given


def _add_name(names: list[list[Any]], entry: Mapping[str, Any]) -> None:
    representation = None
    for ext in _list(entry.get("extension")):
        if type(ext) is dict and ext.get("url") == EN_REPRESENTATION:
            representation = ext.get("valueCode")
    use = entry.get("use")
    kind = _KIND_OF_USE.get(use, "primary") if type(use) is str else "primary"
    if representation == "SYL":
        kind = "kana"
    family, given = _name_parts(entry)
    if family is None and given is None:
        return
    if representation == "ABC":
        last = names[-1] if names else None
        if last is not None and last[0] == kind and last[3] is None and last[4] is None:
            last[3], last[4] = family, given
        else:
            names.append([kind, None, None, family, given])
    else:
        names.append([kind, family, given, None, None])


def _dose(resource: Mapping[str, Any], index: int, warnings: list[ShomeishoError]) -> Dose | None:
    vaccine = None
    concept = resource.get("vaccineCode")
    for c in _list(concept.get("coding")) if type(concept) is dict else ():
        if type(c) is dict and c.get("system") == CVX_SYSTEM:
            code = c.get("code")
            vaccine = by_cvx(code) if type(code) is str else None
            if vaccine is not None:
                break
    if vaccine is None:
        warnings.append(unknown_vaccine(index))
        return None
    when = resource.get("occurrenceDateTime")
    day = None
    if type(when) is str and len(when) >= 10 and _DATE.match(when):
        try:
            day = date(int(when[0:4]), int(when[5:7]), int(when[8:10]))
        except ValueError:
            day = None
    if day is None:
        warnings.append(no_full_date(index))
        return None
    performer = None
    for p in _list(resource.get("performer")):
        actor = p.get("actor") if type(p) is dict else None
        display = actor.get("display") if type(actor) is dict else None
        if type(display) is str and display:
            performer = display
            break
    lot = resource.get("lotNumber")
    return day, vaccine.key, lot if type(lot) is str and lot else None, performer


def unknown_vaccine(index: int) -> SchemaError:
    """The warning for a dose (entry ``index``) whose vaccine has no CVX code we know."""
    return SchemaError(
        "a dose names a vaccine this verifier does not know; it is left out of the record",
        code="schema.record.product",
        where=f"entry[{index}]",
    )


def no_full_date(index: int) -> SchemaError:
    """The warning for a dose (entry ``index``) without a full date."""
    return SchemaError(
        "a dose has no full date; it is left out of the record",
        code="schema.record.date",
        where=f"entry[{index}]",
    )
