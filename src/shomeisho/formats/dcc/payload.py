"""The neutral :class:`VaccinationRecord` to and from the DCC payload (schema 1.3.x).

What a DCC can carry, and so what a round trip keeps (:func:`project` computes exactly that):

* Names: ``fn``/``gn`` are the names as written (kanji, Cyrillic...); ``fnt``/``gnt`` the
  ICAO 9303 standardised forms (A-Z and ``<``). ``fnt``/``gnt`` are made from the record's
  romanised names (or from a Latin written name when no romanised one is given): diacritics
  transliterated per ICAO 9303 part 3 (``Ü`` -> ``UE``, ``ß`` -> ``SS``...), upper case, spaces
  and hyphens become ``<``, apostrophes are dropped. Decoding turns ``<`` back into spaces.
* Date of birth: ``YYYY-MM-DD``, ``YYYY-MM``, ``YYYY`` or ``""`` (unknown); the older
  ``YYYY-XX-XX`` forms are read too.
* One vaccination (``v[0]``). The DCC regulation allows one event per certificate, so issuing
  a record with several doses issues **the latest dose** (by date, then dose number); the record's
  ``certificate_id`` becomes the UVCI ``ci``. Lot numbers, performers, sex, passport number,
  nationality and alternate names have no place in a DCC and are dropped.
* Product: ``mp`` is mapped back to our product key with :func:`shomeisho.vaccines.by_dcc_product`;
  an ``mp`` we do not know (a vaccine outside our table, e.g. ``Sputnik-V``) is kept **verbatim
  as the product key**, so nothing is lost and it can never collide with our lower-case keys.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date
from typing import Any

from shomeisho import vaccines
from shomeisho.errors import InputError, SchemaError, ShomeishoError
from shomeisho.model import (
    PartialDate,
    Person,
    PersonName,
    VaccinationEvent,
    VaccinationRecord,
)

VERSION = "1.3.0"  # payload version we write; 1.3.2 when only a forename is standardised
VERSION_GIVEN_ONLY = "1.3.2"  # fnt optional since schema 1.3.2 (Implementing Decision 2022/483)
MAX_NAME = 80

# ICAO Doc 9303 part 3, section 6, transliteration of Latin characters with diacritics that do not
# simply lose their mark. Everything else decomposes (NFKD) to a base letter plus marks.
_ICAO_LATIN = {
    "Ä": "AE", "Å": "AA", "Æ": "AE", "Ö": "OE", "Ø": "OE", "Ü": "UE", "ß": "SS", "Þ": "TH",
    "Ð": "D", "Đ": "D", "Ħ": "H", "Ĳ": "IJ", "Ŀ": "L", "Ł": "L", "Œ": "OE", "Ŧ": "T",
    "ı": "I", "ẞ": "SS",
}  # fmt: skip
_SEPARATORS = re.compile(r"[\s\-‐‑–—,]+")
_DROPPED = "'’`´.\""
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:$|[Tt ])")
_DOB = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def standardise(name: str) -> str:
    """ICAO 9303 standardised form of a Latin-script name: ``d'Arsøns-van Halen`` ->
    ``DARSOENS<VAN<HALEN``. Raises InputError for characters it cannot transliterate."""
    out: list[str] = []
    for char in _SEPARATORS.sub("<", name.strip().upper()):
        if "A" <= char <= "Z" or char == "<":
            out.append(char)
            continue
        if char in _DROPPED:
            continue
        mapped = _ICAO_LATIN.get(char)
        if mapped is None:
            base = "".join(c for c in unicodedata.normalize("NFKD", char) if c.isascii())
            mapped = base.upper() if base.isalpha() else None
        if mapped is None:
            raise InputError(
                f"cannot write {char!r} in ICAO 9303 letters; give the romanised (passport) "
                f"spelling of {name!r}",
                code="input.name",
                where="name",
            )
        out.append(mapped)
    text = re.sub(r"<+", "<", "".join(out)).strip("<")
    if len(text) > MAX_NAME:
        raise InputError(
            f"the standardised name {text!r} is {len(text)} characters; a DCC allows {MAX_NAME}",
            code="input.name",
            where="name",
        )
    return text


def _standardised(romanised: str | None, written: str | None, *, lenient: bool) -> str | None:
    """``fnt``/``gnt`` from the romanised name, else from a written name in Latin script.

    ``lenient`` passes over a romanised name that has no ICAO form (instead of refusing it),
    for readers that must never fail, such as the mapping rules are judged on."""
    if romanised:
        try:
            return standardise(romanised) or None
        except InputError:
            if not lenient:
                raise
    if written:
        try:
            return standardise(written) or None
        except InputError:
            return None  # kanji, kana, Cyrillic...: no romanised form known, so none is written
    return None


def holder_names(name: PersonName, *, lenient: bool = False) -> dict[str, str]:
    """The ``nam`` object: ``fn``/``gn`` as written, ``fnt``/``gnt`` in ICAO 9303 letters where
    the name has such a form."""
    fnt = _standardised(name.family_romanised, name.family, lenient=lenient)
    gnt = _standardised(name.given_romanised, name.given, lenient=lenient)
    nam: dict[str, str] = {}
    if name.family:
        nam["fn"] = name.family
    if fnt:
        nam["fnt"] = fnt
    if name.given:
        nam["gn"] = name.given
    if gnt:
        nam["gnt"] = gnt
    return nam


def latest_event(events: tuple[VaccinationEvent, ...]) -> VaccinationEvent:
    return max(events, key=lambda e: (e.date, e.dose_number))


def to_payload(record: VaccinationRecord) -> dict[str, Any]:
    """The DCC payload for ``record`` (its latest dose). Raises InputError if it cannot be made."""
    nam = holder_names(record.person.name)
    fnt = nam.get("fnt")
    if not fnt and "gnt" not in nam:
        raise InputError(
            "a DCC needs the holder's name in ICAO 9303 letters (fnt or gnt); the record has "
            "no romanised name",
            code="input.name",
            where="person.name",
        )
    event = latest_event(record.events)
    product = vaccines.product(event.product)
    birth = record.person.birth_date
    return {
        "ver": VERSION if fnt else VERSION_GIVEN_ONLY,
        "nam": nam,
        "dob": birth.iso() if birth else "",
        "v": [
            {
                "tg": product.disease_snomed,
                "vp": product.dcc_prophylaxis,
                "mp": product.dcc_product,
                "ma": product.dcc_manufacturer,
                "dn": event.dose_number,
                "sd": event.series_doses,
                "dt": event.date.isoformat(),
                "co": event.country,
                "is": event.issuer,
                "ci": record.certificate_id,
            }
        ],
    }


def project(record: VaccinationRecord) -> VaccinationRecord:
    """What of ``record`` survives a DCC: decoding an issued DCC gives exactly this record."""
    name = record.person.name
    nam = holder_names(name)
    event = latest_event(record.events)
    return VaccinationRecord(
        person=Person(
            name=PersonName(
                family=name.family or None,
                given=name.given or None,
                family_romanised=_unstandardise(nam.get("fnt")),
                given_romanised=_unstandardise(nam.get("gnt")),
            ),
            birth_date=record.person.birth_date,
        ),
        events=(
            VaccinationEvent(
                product=event.product,
                date=event.date,
                dose_number=event.dose_number,
                series_doses=event.series_doses,
                country=event.country,
                issuer=event.issuer,
            ),
        ),
        certificate_id=record.certificate_id,
    )


def _unstandardise(text: object) -> str | None:
    if not isinstance(text, str) or not text:
        return None
    return text.replace("<", " ")


def certificate_type(payload: Mapping[str, Any]) -> str | None:
    """``v``, ``t`` or ``r`` when exactly one group is present (else None)."""
    present = [group for group in ("v", "t", "r") if payload.get(group) is not None]
    return present[0] if len(present) == 1 else None


def to_record(payload: Mapping[str, Any]) -> VaccinationRecord:
    """The record a vaccination DCC states. Raises SchemaError (``schema.record``) if the payload
    is not a vaccination certificate or its contents cannot form a record."""
    try:
        return _to_record(payload)
    except SchemaError:
        raise
    except (ShomeishoError, KeyError, TypeError, ValueError, AttributeError) as exc:
        detail = exc.message if isinstance(exc, ShomeishoError) else f"{type(exc).__name__}"
        raise SchemaError(
            f"the DCC payload cannot be read as a vaccination record: {detail}",
            code="schema.record",
            where="payload",
        ) from None


def _to_record(payload: Mapping[str, Any]) -> VaccinationRecord:
    kind = certificate_type(payload)
    if kind != "v":
        what = {"t": "a test", "r": "a recovery"}.get(kind or "", "not a single-type")
        raise SchemaError(
            f"this DCC is {what} certificate; only vaccination certificates map to a record",
            code="schema.record",
            where="payload",
        )
    nam = payload["nam"]
    name = PersonName(
        family=_text(nam.get("fn")),
        given=_text(nam.get("gn")),
        family_romanised=_unstandardise(nam.get("fnt")),
        given_romanised=_unstandardise(nam.get("gnt")),
    )
    dob = payload["dob"]
    if not isinstance(dob, str):
        raise TypeError("dob")
    birth = _birth_date(dob) if dob else None
    entries = payload["v"]
    events = tuple(_event(entry) for entry in entries)
    latest = max(range(len(events)), key=lambda i: (events[i].date, events[i].dose_number))
    ci = entries[latest]["ci"]
    if not isinstance(ci, str) or not ci:
        raise TypeError("ci")
    return VaccinationRecord(
        person=Person(name=name, birth_date=birth), events=events, certificate_id=ci
    )


def _birth_date(text: str) -> PartialDate:
    match = _DOB.match(text)
    if match is None:  # the older YYYY-XX-XX forms, and the error message, come from the model
        return PartialDate.parse(text)
    year, month, day = match.groups()
    return PartialDate(int(year), int(month) if month else None, int(day) if day else None)


def _event(entry: Mapping[str, Any]) -> VaccinationEvent:
    mp = entry["mp"]
    if not isinstance(mp, str) or not mp:
        raise TypeError("mp")
    known = vaccines.by_dcc_product(mp)
    dn, sd = entry["dn"], entry["sd"]
    if type(dn) is not int or type(sd) is not int:
        raise TypeError("dn/sd")
    return VaccinationEvent(
        product=known.key if known else mp,
        date=_date(entry["dt"]),
        dose_number=dn,
        series_doses=sd,
        country=_required_text(entry, "co"),
        issuer=_required_text(entry, "is"),
    )


def _date(text: object) -> date:
    """``dt``: a date, or (as some issuers wrote) a date-time whose date part is taken as is."""
    match = _DATE.match(text) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"dt {text!r}")
    return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))


def _required_text(entry: Mapping[str, Any], key: str) -> str:
    value = entry[key]
    if not isinstance(value, str):
        raise TypeError(key)
    return value


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
