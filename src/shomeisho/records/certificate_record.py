"""From a resident's record to what a certificate says (the format-neutral record).

The certificate formats know only the vaccines they have codes for (:mod:`shomeisho.vaccines`);
a register also holds routine vaccinations and voided events. This picks what a COVID-19
vaccination certificate may show: events that count (not voided), of products a format can name,
in date order, and the names the person chose for the use (the passport's spelling abroad, the
old surname as an alternate so a verifier can match a card that shows it).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass

from shomeisho import vaccines
from shomeisho.errors import InputError
from shomeisho.model import PartialDate, Person, PersonName, VaccinationEvent, VaccinationRecord
from shomeisho.records.entities import EventStatus, Sex, VaccinationEventRecord
from shomeisho.records.name_choice import NameOption
from shomeisho.records.products import RECORD_PRODUCTS
from shomeisho.records.service import ResidentFile

_SEX = {Sex.MALE: "M", Sex.FEMALE: "F", Sex.OTHER: "X", Sex.UNKNOWN: None}


@dataclass(frozen=True, slots=True)
class TravelDetails:
    """What the overseas certificate adds (ICAO 9303 forms)."""

    passport_number: str
    nationality: str  # ISO 3166-1 alpha-3
    family_name_romanised: str
    given_name_romanised: str


_TRAVEL_FIELDS = (
    ("passport_number", re.compile(r"[A-Z0-9]{6,9}"), "6 to 9 letters and digits"),
    ("family_name", re.compile(r"[A-Z][A-Z '-]{0,38}"), "Latin letters as in the passport"),
    ("given_name", re.compile(r"[A-Z][A-Z '-]{0,38}"), "Latin letters as in the passport"),
    ("nationality", re.compile(r"[A-Z]{3}"), "a 3-letter country code such as JPN"),
)


def travel_details(values: Mapping[str, str]) -> TravelDetails:
    """The passport details as typed (upper-cased, trimmed); InputError ``input.travel`` naming
    the first field that a passport could not hold. Used by the journey and the counter alike."""
    clean = {name: str(values.get(name, "")).strip().upper() for name, _, _ in _TRAVEL_FIELDS}
    for name, pattern, expected in _TRAVEL_FIELDS:
        if not pattern.fullmatch(clean[name]):
            raise InputError(f"{name.replace('_', ' ')} must be {expected}", code="input.travel",
                             where=name)  # fmt: skip
    return TravelDetails(
        clean["passport_number"], clean["nationality"], clean["family_name"], clean["given_name"]
    )


def certifiable_events(events: list[VaccinationEventRecord]) -> list[VaccinationEventRecord]:
    """The events a COVID-19 certificate can show, oldest first."""
    chosen = []
    for event in events:
        product = RECORD_PRODUCTS.get(event.details.product_code)
        if event.status is EventStatus.VOIDED or product is None or product.format_key is None:
            continue
        chosen.append(event)
    return sorted(chosen, key=lambda e: (e.details.administered_on, e.details.dose_number))


def register_digest(file: ResidentFile) -> str:
    """A fingerprint of what the register holds for the person's certificate: any dose added,
    corrected or voided, or a name changed, gives a different digest (times are not compared:
    an issuance and a new dose may fall in the same second)."""
    details = file.resident.details
    parts = [details.family_name, details.given_name, details.birth_date]
    parts += sorted(f"{e.event_id}:{e.version}:{e.status.value}" for e in file.events)
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def certificate_record(
    file: ResidentFile,
    *,
    travel: TravelDetails | None = None,
    certificate_id: str | None = None,
    shown: NameOption | None = None,
) -> VaccinationRecord:
    """The record to issue for ``file``; InputError ``input.events`` if nothing can be shown.

    ``shown`` is the name the person chose (:mod:`.name_choice`); the record's own name then
    travels as an alternate."""
    details = file.resident.details
    events = certifiable_events(file.events)
    if not events:
        raise InputError(
            "there is no COVID-19 vaccination on record that a certificate can show",
            code="input.events",
        )
    family_romaji = travel.family_name_romanised if travel else details.family_name_romaji
    given_romaji = travel.given_name_romanised if travel else details.given_name_romaji
    alternates = []
    family, given = details.family_name, details.given_name
    if shown is not None and (shown.family, shown.given) != (family, given):
        alternates.append(PersonName(family=family, given=given, kind="primary"))
        family, given = shown.family, shown.given
    if details.former_family_name and details.former_family_name != family:
        alternates.append(PersonName(family=details.former_family_name, kind="former_surname"))
    if details.family_name_kana or details.given_name_kana:
        alternates.append(
            PersonName(
                family=details.family_name_kana or None,
                given=details.given_name_kana or None,
                kind="kana",
            )
        )
    person = Person(
        name=PersonName(
            family=family,
            given=given,
            family_romanised=family_romaji or None,
            given_romanised=given_romaji or None,
        ),
        birth_date=PartialDate.parse(details.birth_date),
        alternates=tuple(alternates),
        sex=_SEX[details.sex],
        passport_number=travel.passport_number if travel else None,
        nationality=travel.nationality if travel else None,
    )
    first = min(events, key=lambda e: (e.details.administered_on, e.details.dose_number))
    first_product = RECORD_PRODUCTS[first.details.product_code].format_key or ""
    vaccinations = tuple(
        VaccinationEvent(
            product=RECORD_PRODUCTS[e.details.product_code].format_key or "",
            date=e.details.administered_on,
            dose_number=e.details.dose_number,
            series_doses=vaccines.series_doses(first_product, e.details.dose_number),
            lot=e.details.lot or None,
            performer=e.details.site or None,
        )
        for e in events
    )
    if certificate_id is not None:
        return VaccinationRecord(person=person, events=vaccinations, certificate_id=certificate_id)
    return VaccinationRecord(person=person, events=vaccinations)
