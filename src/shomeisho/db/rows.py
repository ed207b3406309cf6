"""Translating between record entities and table rows (values in, entities out).

Shared by the store and the bulk importer, so that both derive search keys and snapshots the
same way.
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Row

from shomeisho.records import names
from shomeisho.records.entities import EventDetails, ResidentDetails, Sex


def as_utc(value: datetime) -> datetime:
    """A stored time as aware UTC: SQLite gives back the naive UTC value that was written."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


EVENT_FIELDS = ("administered_on", "product_code", "lot", "dose_number", "site", "source_system")


def new_public_id() -> str:
    """A random id for URLs (80 bits), so row numbers never leak counts or order."""
    return secrets.token_hex(10)


def resident_values(details: ResidentDetails) -> dict[str, Any]:
    """The row values of a resident's details, with the search keys derived from them."""
    return {
        "municipality_code": details.municipality_code,
        "resident_number": details.resident_number,
        "family_name": details.family_name,
        "given_name": details.given_name,
        "family_name_kana": details.family_name_kana,
        "given_name_kana": details.given_name_kana,
        "family_name_romaji": details.family_name_romaji,
        "given_name_romaji": details.given_name_romaji,
        "former_family_name": details.former_family_name,
        "passport_family_name": details.passport_family_name,
        "passport_given_name": details.passport_given_name,
        "birth_date": details.birth_date,
        "sex": details.sex.value,
        "name_key": _key(
            details.family_name + details.given_name,
            details.former_family_name + details.given_name if details.former_family_name else "",
            details.family_name_romaji + details.given_name_romaji,
            details.passport_family_name + details.passport_given_name,
        ),
        "kana_key": _key(details.family_name_kana + details.given_name_kana),
    }


def _key(*parts: str) -> str:
    """Folded name forms joined by "|", so a search never matches across two of them."""
    return "|" + "|".join(names.matching_key(p) for p in parts if p) + "|"


def event_values(details: EventDetails) -> dict[str, Any]:
    return {
        "administered_on": details.administered_on,
        "product_code": details.product_code,
        "lot": details.lot,
        "dose_number": details.dose_number,
        "site": details.site,
        "source_system": details.source_system,
        "source_record_id": details.source_record_id,
    }


def row_to_details(row: Row[Any] | Any) -> ResidentDetails:
    return ResidentDetails(
        municipality_code=row.municipality_code,
        resident_number=row.resident_number,
        family_name=row.family_name,
        given_name=row.given_name,
        family_name_kana=row.family_name_kana,
        given_name_kana=row.given_name_kana,
        family_name_romaji=row.family_name_romaji,
        given_name_romaji=row.given_name_romaji,
        birth_date=row.birth_date,
        sex=Sex(row.sex),
        former_family_name=row.former_family_name,
        passport_family_name=row.passport_family_name,
        passport_given_name=row.passport_given_name,
    )


def row_to_event_details(row: Row[Any] | Any) -> EventDetails:
    return EventDetails(
        administered_on=row.administered_on,
        product_code=row.product_code,
        lot=row.lot,
        dose_number=row.dose_number,
        site=row.site,
        source_system=row.source_system,
        source_record_id=row.source_record_id,
    )


def snapshot(row: Row[Any] | Any) -> dict[str, Any]:
    """An event row's content as JSON data, for the history table."""
    out = {name: getattr(row, name) for name in (*EVENT_FIELDS, "source_record_id")}
    out["administered_on"] = row.administered_on.isoformat()
    return out


def snapshot_details(data: dict[str, Any]) -> EventDetails:
    return EventDetails(
        administered_on=date.fromisoformat(data["administered_on"]),
        product_code=data["product_code"],
        lot=data["lot"],
        dose_number=int(data["dose_number"]),
        site=data["site"],
        source_system=data["source_system"],
        source_record_id=data["source_record_id"],
    )
