"""From a resident's record to what a certificate says (the format-neutral record).

The certificate formats know only the vaccines they have codes for (:mod:`shomeisho.vaccines`);
a register also holds routine vaccinations and voided events. This picks what a COVID-19
vaccination certificate may show: events that count (not voided), of products a format can name,
in date order, and the names the person chose for the use (the passport's spelling abroad, the
old surname as an alternate so a verifier can match a card that shows it).
"""

from __future__ import annotations

from dataclasses import dataclass

from shomeisho.errors import InputError
from shomeisho.model import PartialDate, Person, PersonName, VaccinationEvent, VaccinationRecord
from shomeisho.records.entities import EventStatus, Sex, VaccinationEventRecord
from shomeisho.records.products import RECORD_PRODUCTS
from shomeisho.records.service import ResidentFile

PRIMARY_SERIES = 2  # every product Japan used had a two-dose primary series (Jcovden aside)
_SEX = {Sex.MALE: "M", Sex.FEMALE: "F", Sex.OTHER: "X", Sex.UNKNOWN: None}


@dataclass(frozen=True, slots=True)
class TravelDetails:
    """What the overseas certificate adds (ICAO 9303 forms)."""

    passport_number: str
    nationality: str  # ISO 3166-1 alpha-3
    family_name_romanised: str
    given_name_romanised: str


def certifiable_events(events: list[VaccinationEventRecord]) -> list[VaccinationEventRecord]:
    """The events a COVID-19 certificate can show, oldest first."""
    chosen = []
    for event in events:
        product = RECORD_PRODUCTS.get(event.details.product_code)
        if event.status is EventStatus.VOIDED or product is None or product.format_key is None:
            continue
        chosen.append(event)
    return sorted(chosen, key=lambda e: (e.details.administered_on, e.details.dose_number))


def certificate_record(
    file: ResidentFile, *, travel: TravelDetails | None = None, certificate_id: str | None = None
) -> VaccinationRecord:
    """The record to issue for ``file``; InputError ``input.events`` if nothing can be shown."""
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
    if details.former_family_name:
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
            family=details.family_name,
            given=details.given_name,
            family_romanised=family_romaji or None,
            given_romanised=given_romaji or None,
        ),
        birth_date=PartialDate.parse(details.birth_date),
        alternates=tuple(alternates),
        sex=_SEX[details.sex],
        passport_number=travel.passport_number if travel else None,
        nationality=travel.nationality if travel else None,
    )
    shown = tuple(
        VaccinationEvent(
            product=RECORD_PRODUCTS[e.details.product_code].format_key or "",
            date=e.details.administered_on,
            dose_number=e.details.dose_number,
            series_doses=max(PRIMARY_SERIES, e.details.dose_number),
            lot=e.details.lot or None,
            performer=e.details.site or None,
        )
        for e in events
    )
    record = VaccinationRecord(person=person, events=shown)
    if certificate_id is not None:
        return VaccinationRecord(person=person, events=shown, certificate_id=certificate_id)
    return record
