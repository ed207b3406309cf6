"""Checking a resident or an event typed in by staff (API or page), field by field.

The same rules as the import CSV (:mod:`.csvformat`), raising one InputError that names the
field, so a page can put the message next to the right box.
"""

from __future__ import annotations

from datetime import date

from shomeisho.errors import InputError
from shomeisho.model import PartialDate
from shomeisho.records import names, products
from shomeisho.records.csvformat import IDENTIFIER
from shomeisho.records.entities import EventDetails, ResidentDetails, Sex

_NAMES = ("family_name", "given_name", "family_name_kana", "given_name_kana")
_ROMAJI = (
    "family_name_romaji",
    "given_name_romaji",
    "passport_family_name",
    "passport_given_name",
)


def resident_details(
    fields: dict[str, str], municipality_code: str, today: date
) -> ResidentDetails:
    """A resident from form fields (names stored NFC, romaji upper-case ASCII)."""
    clean = {key: (value or "").strip() for key, value in fields.items()}
    number = clean.get("resident_number", "")
    if not IDENTIFIER.fullmatch(number):
        raise InputError(
            "the resident number (宛名番号) must be 1-64 ASCII letters, digits or . _ : / -",
            code="input.resident",
            where="resident_number",
        )
    for required in ("family_name", "given_name", "birth_date"):
        if not clean.get(required):
            raise InputError(f"{required} is required", code="input.resident", where=required)
    stored = {f: names.stored_form(clean[f], field=f) if clean.get(f) else "" for f in _NAMES}
    former = clean.get("former_family_name", "")
    romaji = {f: names.romaji_form(clean[f], field=f) if clean.get(f) else "" for f in _ROMAJI}
    try:
        birth = PartialDate.parse(clean["birth_date"])
    except InputError as exc:
        raise InputError(exc.message, code="input.date", where="birth_date") from None
    if birth.iso() > today.isoformat():
        raise InputError("the birth date is in the future", code="input.date", where="birth_date")
    try:
        sex = Sex(clean.get("sex") or "unknown")
    except ValueError:
        raise InputError(
            "sex must be male, female, other or unknown", code="input.resident", where="sex"
        ) from None
    return ResidentDetails(
        municipality_code=municipality_code,
        resident_number=number,
        family_name=stored["family_name"],
        given_name=stored["given_name"],
        family_name_kana=stored["family_name_kana"],
        given_name_kana=stored["given_name_kana"],
        family_name_romaji=romaji["family_name_romaji"],
        given_name_romaji=romaji["given_name_romaji"],
        birth_date=birth.iso(),
        sex=sex,
        former_family_name=names.stored_form(former, field="former_family_name") if former else "",
        passport_family_name=romaji["passport_family_name"],
        passport_given_name=romaji["passport_given_name"],
    )


def event_details(
    *,
    administered_on: date,
    product: str,
    lot: str,
    dose_number: int,
    site: str,
    source_system: str,
    source_record_id: str,
    birth_date: str,
    today: date,
) -> EventDetails:
    """An event from form fields, checked against the product and the resident's birth date."""
    found = products.product_from_any(product)
    if administered_on > today:
        raise InputError("the date is in the future", code="input.event", where="administered_on")
    if administered_on.isoformat() < birth_date:
        raise InputError(
            "the date is before the resident's birth date",
            code="input.event",
            where="administered_on",
        )
    if not 1 <= dose_number <= found.max_dose:
        raise InputError(
            f"the dose number must be 1 to {found.max_dose} for {found.name_en}",
            code="input.dose",
            where="dose_number",
        )
    if not lot.strip():
        raise InputError("the lot number is required", code="input.event", where="lot")
    if not IDENTIFIER.fullmatch(source_record_id):
        raise InputError(
            "the source record id must be 1-64 ASCII letters, digits or . _ : / -",
            code="input.event",
            where="source_record_id",
        )
    return EventDetails(
        administered_on=administered_on,
        product_code=found.code,
        lot=lot.strip(),
        dose_number=dose_number,
        site=" ".join(site.split()),
        source_system=source_system.strip() or "staff",
        source_record_id=source_record_id,
    )
