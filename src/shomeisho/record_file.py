"""Reading and writing a :class:`VaccinationRecord` as JSON, the input of ``shomeisho issue``.

A record file is typed by people and exported by other systems, so every problem is reported with
the JSON path of the field at fault (``events[1].date``) and names are stored NFC-normalised so
that 髙 typed on one system and received from another compare equal.
"""

from __future__ import annotations

import json
import unicodedata
from datetime import date
from typing import Any

from shomeisho.errors import InputError, ShomeishoError
from shomeisho.model import PartialDate, Person, PersonName, VaccinationEvent, VaccinationRecord
from shomeisho.vaccines import product as lookup_product

_NAME_FIELDS = ("family", "given", "family_romanised", "given_romanised")
MAX_RECORD_BYTES = 256 * 1024


def _text(value: Any, where: str, *, required: bool = False, max_length: int = 200) -> str | None:
    if value is None:
        if required:
            raise InputError(f"{where} is required", code="input.record", where=where)
        return None
    if not isinstance(value, str):
        raise InputError(f"{where} must be a string", code="input.record", where=where)
    text = unicodedata.normalize("NFC", value.strip())
    if not text:
        if required:
            raise InputError(f"{where} must not be empty", code="input.record", where=where)
        return None
    if len(text) > max_length:
        raise InputError(
            f"{where} is longer than {max_length} characters", code="input.record", where=where
        )
    return text


def _name(doc: Any, where: str, default_kind: str) -> PersonName:
    if not isinstance(doc, dict):
        raise InputError(f"{where} must be an object", code="input.record", where=where)
    parts = {f: _text(doc.get(f), f"{where}.{f}") for f in _NAME_FIELDS}
    kind = _text(doc.get("kind"), f"{where}.kind") or default_kind
    try:
        return PersonName(**parts, kind=kind)
    except InputError as exc:
        raise InputError(f"{where}: {exc.message}", code="input.record", where=where) from None


def _int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"{where} must be a whole number", code="input.record", where=where)
    return value


def _date(value: Any, where: str) -> date:
    text = _text(value, where, required=True)
    assert text is not None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"{where} must be a date YYYY-MM-DD, not {text!r}", code="input.record", where=where
        ) from None


def record_from_dict(doc: Any) -> VaccinationRecord:
    """Build a record, wrapping every domain check so the message names the field."""
    if not isinstance(doc, dict):
        raise InputError("a record file must hold a JSON object", code="input.record")
    person_doc = doc.get("person")
    if not isinstance(person_doc, dict):
        raise InputError(
            "person is required and must be an object", code="input.record", where="person"
        )
    name = _name(person_doc.get("name"), "person.name", "primary")
    alternates_doc = person_doc.get("alternates") or []
    if not isinstance(alternates_doc, list):
        raise InputError(
            "person.alternates must be a list", code="input.record", where="person.alternates"
        )
    alternates = tuple(
        _name(a, f"person.alternates[{i}]", "alternate") for i, a in enumerate(alternates_doc)
    )
    birth_text = _text(person_doc.get("birth_date"), "person.birth_date")
    try:
        birth = PartialDate.parse(birth_text) if birth_text else None
    except InputError as exc:
        raise InputError(
            f"person.birth_date: {exc.message}", code="input.record", where="person.birth_date"
        ) from None
    sex = _text(person_doc.get("sex"), "person.sex")
    if sex is not None and sex not in {"M", "F", "X"}:
        raise InputError("person.sex must be M, F or X", code="input.record", where="person.sex")
    person = Person(
        name=name,
        alternates=alternates,
        birth_date=birth,
        sex=sex,
        passport_number=_text(
            person_doc.get("passport_number"), "person.passport_number", max_length=24
        ),
        nationality=_text(person_doc.get("nationality"), "person.nationality", max_length=3),
    )
    events_doc = doc.get("events")
    if not isinstance(events_doc, list) or not events_doc:
        raise InputError("events must be a non-empty list", code="input.record", where="events")
    events = []
    for i, item in enumerate(events_doc):
        where = f"events[{i}]"
        if not isinstance(item, dict):
            raise InputError(f"{where} must be an object", code="input.record", where=where)
        product = _text(item.get("product"), f"{where}.product", required=True)
        assert product is not None
        lookup_product(product)
        try:
            events.append(
                VaccinationEvent(
                    product=product,
                    date=_date(item.get("date"), f"{where}.date"),
                    dose_number=_int(item.get("dose_number"), f"{where}.dose_number"),
                    series_doses=_int(item.get("series_doses"), f"{where}.series_doses"),
                    lot=_text(item.get("lot"), f"{where}.lot", max_length=20),
                    country=_text(item.get("country"), f"{where}.country", max_length=2) or "JP",
                    issuer=_text(item.get("issuer"), f"{where}.issuer", max_length=80)
                    or "Ministry of Health, Labour and Welfare",
                    performer=_text(item.get("performer"), f"{where}.performer", max_length=80),
                )
            )
        except InputError as exc:
            if exc.where:
                raise
            raise InputError(f"{where}: {exc.message}", code="input.record", where=where) from None
    certificate_id = _text(doc.get("certificate_id"), "certificate_id", max_length=80)
    if certificate_id:
        return VaccinationRecord(person=person, events=tuple(events), certificate_id=certificate_id)
    return VaccinationRecord(person=person, events=tuple(events))


def record_from_json(data: bytes) -> VaccinationRecord:
    if len(data) > MAX_RECORD_BYTES:
        raise InputError(f"the record file is over {MAX_RECORD_BYTES} bytes", code="input.record")
    try:
        doc = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError("the record file is not UTF-8 text", code="input.record") from None
    except json.JSONDecodeError as exc:
        raise InputError(
            f"the record file is not valid JSON: {exc.msg} at line {exc.lineno}",
            code="input.record",
        ) from None
    try:
        return record_from_dict(doc)
    except ShomeishoError:
        raise
    except (ValueError, TypeError) as exc:  # pragma: no cover - defensive
        raise InputError(f"the record is not usable: {exc}", code="input.record") from None


def _name_dict(name: PersonName) -> dict[str, str]:
    out = {f: getattr(name, f) for f in _NAME_FIELDS if getattr(name, f)}
    out["kind"] = name.kind
    return out


def record_to_dict(record: VaccinationRecord) -> dict[str, Any]:
    person = record.person
    return {
        "certificate_id": record.certificate_id,
        "person": {
            "name": _name_dict(person.name),
            "alternates": [_name_dict(a) for a in person.alternates],
            "birth_date": person.birth_date.iso() if person.birth_date else None,
            "sex": person.sex,
            "passport_number": person.passport_number,
            "nationality": person.nationality,
        },
        "events": [
            {
                "product": e.product,
                "date": e.date.isoformat(),
                "dose_number": e.dose_number,
                "series_doses": e.series_doses,
                "lot": e.lot,
                "country": e.country,
                "issuer": e.issuer,
                "performer": e.performer,
            }
            for e in record.events
        ],
    }
