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
from typing import Any, TypeGuard

from shomeisho import vaccines
from shomeisho.errors import InputError, SchemaError, ShomeishoError
from shomeisho.formats.dcc import schema, valuesets
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


def _standardised(romanised: str | None, written: str | None) -> str | None:
    """``fnt``/``gnt`` from the romanised name, else from a written name in Latin script."""
    if romanised:
        return standardise(romanised) or None
    if written:
        try:
            return standardise(written) or None
        except InputError:
            return None  # kanji, kana, Cyrillic...: no romanised form known, so none is written
    return None


def latest_event(events: tuple[VaccinationEvent, ...]) -> VaccinationEvent:
    return max(events, key=lambda e: (e.date, e.dose_number))


def to_payload(record: VaccinationRecord) -> dict[str, Any]:
    """The DCC payload for ``record`` (its latest dose). Raises InputError if it cannot be made."""
    name = record.person.name
    fnt = _standardised(name.family_romanised, name.family)
    gnt = _standardised(name.given_romanised, name.given)
    if not fnt and not gnt:
        raise InputError(
            "a DCC needs the holder's name in ICAO 9303 letters (fnt or gnt); the record has "
            "no romanised name",
            code="input.name",
            where="person.name",
        )
    nam: dict[str, str] = {}
    if name.family:
        nam["fn"] = name.family
    if fnt:
        nam["fnt"] = fnt
    if name.given:
        nam["gn"] = name.given
    if gnt:
        nam["gnt"] = gnt
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
    fnt = _standardised(name.family_romanised, name.family)
    gnt = _standardised(name.given_romanised, name.given)
    event = latest_event(record.events)
    return VaccinationRecord(
        person=Person(
            name=PersonName(
                family=name.family or None,
                given=name.given or None,
                family_romanised=_unstandardise(fnt),
                given_romanised=_unstandardise(gnt),
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


_ASCII_DOB = re.compile(r"\d{4}(?:-(?:0[1-9]|1[0-2])(?:-\d{2})?)?", re.ASCII)
_ASCII_DT = re.compile(r"\d{4}-\d{2}-\d{2}(?:[Tt ].*)?", re.ASCII | re.DOTALL)
_NAME_KEYS = ("fnt", "gnt", "fn", "gn")


def surely_a_record(payload: Mapping[str, Any]) -> bool:
    """True only when :func:`to_record` certainly returns a record for ``payload`` (it cannot
    raise); False when that is not certain. Verification uses it to build the record only when
    it is asked for (:meth:`~shomeisho.model.Verification.defer_record`) without ever losing
    a ``schema.record`` warning. It checks, without building anything, every condition under
    which reading the record or the model's own checks could fail (on the verify hot path)."""
    if type(payload) is not dict:
        return False
    entries, nam, dob = payload.get("v"), payload.get("nam"), payload.get("dob")
    if type(entries) is not list or len(entries) != 1 or type(entries[0]) is not dict:
        return False
    if payload.get("t") is not None or payload.get("r") is not None:
        return False  # not a vaccination certificate (certificate_type)
    if type(nam) is not dict or type(dob) is not str:
        return False
    for key in _NAME_KEYS:  # PersonName needs one part
        part = nam.get(key)
        if type(part) is str and part:
            break
    else:
        return False
    if dob and not _birth_date_is_sure(dob):
        return False
    entry = entries[0]
    mp, dn, sd, dt, ci = (
        entry.get("mp"),
        entry.get("dn"),
        entry.get("sd"),
        entry.get("dt"),
        entry.get("ci"),
    )
    if type(mp) is not str or not mp or type(ci) is not str or not ci:
        return False
    if type(dn) is not int or type(sd) is not int or not (1 <= dn <= 99 and 1 <= sd <= 99):
        return False
    if type(entry.get("co")) is not str or type(entry.get("is")) is not str:
        return False
    return type(dt) is str and _ASCII_DT.fullmatch(dt) is not None and _is_day(dt[:10])


def _birth_date_is_sure(dob: str) -> bool:
    """PartialDate accepts it: a year 1800-2999, a month 1-12, a day of that month."""
    if _ASCII_DOB.fullmatch(dob) is None or not "1800" <= dob[:4] <= "2999":
        return False
    return len(dob) != 10 or _is_day(dob)


_TOP_KEYS = frozenset({"ver", "nam", "dob", "v"})
_ENTRY_KEYS = frozenset({"tg", "vp", "mp", "ma", "dn", "sd", "dt", "co", "is", "ci"})
_NAME_KEY_SET = frozenset(_NAME_KEYS)
_CODED = ("tg", "vp", "mp", "ma", "co")  # the v fields with a value set, in valuesets.FIELDS


_CODE_SETS: list[tuple[frozenset[str], ...] | None] = []  # _code_sets(), once computed


def _code_sets() -> tuple[frozenset[str], ...] | None:
    """The value sets of :data:`_CODED`; None (no shortcut) if :func:`valuesets.check` reads
    other ``v`` fields, a set holds a non-text or empty code, or the schema gives a ``v`` field
    a format other than ``dt``'s date (:func:`typical_vaccination` checks only those)."""
    fields = {field: name for (group, field), name in valuesets.FIELDS.items() if group == "v"}
    formats = tuple(schema.format_fields().get("v", ()))
    sets: tuple[frozenset[str], ...] | None = None
    if set(fields) == set(_CODED) and formats in ((), (("dt", "date"),)):
        sets = tuple(valuesets.codes(fields[field]) for field in _CODED)
        if any(not code or type(code) is not str for codes in sets for code in codes):
            sets = None
    _CODE_SETS[:] = [sets]
    return sets


def typical_vaccination(payload: object) -> TypeGuard[dict[str, Any]]:
    """True for the payload nearly every vaccination DCC carries, checked in one pass: exactly
    ``ver``/``nam``/``dob``/``v``, names as text, one entry with exactly its ten fields, every
    coded field in its value set, ``dt`` a date, ``dn``/``sd`` in 1..99, ``ci`` not empty.

    Such a payload is plain JSON (:func:`.cwt.json_payload` returns it as is), a vaccination
    certificate (:func:`certificate_type`), gets no ``schema.format`` or ``schema.valueset``
    warning, and :func:`surely_a_record` holds (all tested). False says nothing: the general
    path decides. Schema validity is *not* implied. It runs on every verification, so it is
    written as straight-line code (a Python call costs more than most checks here)."""
    if type(payload) is not dict or len(payload) != len(_TOP_KEYS):
        return False
    try:  # four keys, and these four are there: exactly ver, nam, dob and v
        ver, nam, dob, entries = payload["ver"], payload["nam"], payload["dob"], payload["v"]
    except KeyError:
        return False
    if type(nam) is not dict or type(dob) is not str or type(entries) is not list:
        return False
    if type(ver) is not str or len(entries) != 1:
        return False
    entry = entries[0]
    if type(entry) is not dict or len(entry) != len(_ENTRY_KEYS):
        return False  # (all ten keys are read below: exactly those, or a KeyError)
    named = False
    for key, part in nam.items():
        if type(part) is not str or key not in _NAME_KEY_SET:
            return False
        if part:
            named = True
    if not named:  # PersonName needs one part
        return False
    if dob:
        if len(dob) == 10 and dob[4] == "-" and dob[7] == "-" and dob.isascii():
            if not "1800" <= dob[:4] <= "2999":
                return False
            try:
                date.fromisoformat(dob)  # 10 ASCII characters, dashes placed: only YYYY-MM-DD
            except ValueError:
                return False
        elif not _birth_date_is_sure(dob):
            return False
    sets = _CODE_SETS[0] if _CODE_SETS else _code_sets()
    if sets is None:
        return False
    try:  # ten keys (checked above), and these ten are there: exactly _ENTRY_KEYS
        tg, vp, mp, ma, dt, co, issuer, ci, dn, sd = (
            entry["tg"], entry["vp"], entry["mp"], entry["ma"], entry["dt"],
            entry["co"], entry["is"], entry["ci"], entry["dn"], entry["sd"],
        )  # fmt: skip
    except KeyError:
        return False
    if not (
        type(tg) is str
        and type(vp) is str
        and type(mp) is str
        and type(ma) is str
        and type(dt) is str
        and type(co) is str
        and type(issuer) is str
        and type(ci) is str
        and ci
    ):
        return False
    tg_codes, vp_codes, mp_codes, ma_codes, co_codes = sets
    if not (tg in tg_codes and vp in vp_codes and mp in mp_codes and ma in ma_codes):
        return False  # (codes are non-empty text, see _code_sets: mp is not empty)
    if co not in co_codes:
        return False
    if type(dn) is not int or type(sd) is not int or not (1 <= dn <= 99 and 1 <= sd <= 99):
        return False
    if len(dt) != 10 or dt[4] != "-" or dt[7] != "-" or not dt.isascii():
        return False
    try:
        date.fromisoformat(dt)  # so schema.is_date(dt) holds: no schema.format warning
    except ValueError:
        return False
    return True


def _is_day(text: str) -> bool:
    """``YYYY-MM-DD`` (already matched as digits) names a real day."""
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


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
