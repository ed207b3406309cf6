"""Between the neutral :class:`VaccinationRecord` and a VDS-NC proof-of-vaccination ``msg``.

VDS-NC carries less than a record, so a round trip keeps only what the seal can say.
:func:`carried_record` gives exactly that (it is what a verifier will decode), and these are the
choices behind it:

* **Certificate id.** ``uvci`` has at most 12 characters, a record id is ``URN:UVCI:01:JP:`` and 26
  base32 characters. :func:`uvci_for` keeps an id that already fits (so a decoded record re-issues
  unchanged) and otherwise derives 12 Crockford base32 characters from SHA-256 of the id: 60 bits,
  deterministic, so revocation services can compute it; collisions become likely only around
  2**30 certificates. The decoded record's ``certificate_id`` is that uvci.
* **Name** is the passport name (see :mod:`.names`); kanji, kana, the old surname and nationality
  are not carried. **Date of birth** is written only when complete (the guideline wants YYYY-MM-DD);
  a partial one is left out when a passport number identifies the holder, else refused.
* **Doses.** Consecutive doses of the same product share one ``ve`` entry, so order is kept.
  ``des`` is the product's ICD-11 code, ``nam`` its brand name, ``dis`` the disease's ICD-11 code.
  Reading, the product comes from ``nam``: an exact brand name (:func:`vaccines.by_name`), else a
  known brand appearing as a word ("Pfizer Comirnaty" -> ``comirnaty``), else the name itself is
  kept as the product key (it is then not a key of :mod:`shomeisho.vaccines`).
* **Series.** VDS-NC has no "doses in series"; a decoded event's ``series_doses`` is the highest
  ``seq`` in the seal.
* **Lot** is required by VDS-NC: a record without one is written ``Not recorded``, as DFAT's seals
  do, and that text reads back as no lot.
* **Country** alpha-2 <-> Doc 9303 alpha-3 through :mod:`.countries`.
* **adm** (administering centre or health authority, 20 characters): the performer when it fits,
  else the issuing authority's short code (``MHLW_Gov_of_JAPAN``, as the Digital Agency writes it),
  else the issuer name if it fits, else the issue is refused. Reading, a known authority code gives
  the event's ``issuer``; any other text is the ``performer``, and the issuer is the issuing state's
  health authority when we know it, else the issuing state's code.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date
from typing import Any

from shomeisho import vaccines
from shomeisho.errors import InputError, SchemaError
from shomeisho.formats.vdsnc.countries import alpha2_for, alpha3_for
from shomeisho.formats.vdsnc.fields import FIELD_LIMITS
from shomeisho.formats.vdsnc.names import seal_name, split_name
from shomeisho.model import PartialDate, Person, VaccinationEvent, VaccinationRecord

NOT_RECORDED = "Not recorded"
MHLW = "Ministry of Health, Labour and Welfare"
# Short codes written in ``adm`` for a health authority, and the authority of an issuing state.
AUTHORITY_BY_ADM: dict[str, str] = {"MHLW_Gov_of_JAPAN": MHLW}
ADM_BY_AUTHORITY: dict[str, str] = {name: code for code, name in AUTHORITY_BY_ADM.items()}
AUTHORITY_BY_STATE: dict[str, str] = {"JPN": MHLW}

_UVCI = re.compile(r"^[0-9A-Z]{1,12}$")
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def uvci_for(certificate_id: str) -> str:
    """The 12-character ``uvci`` written for a record id (see the module docstring)."""
    if _UVCI.match(certificate_id):
        return certificate_id
    number = int.from_bytes(hashlib.sha256(certificate_id.encode("utf-8")).digest()[:8], "big")
    number >>= 4  # 60 bits = 12 base32 characters
    chars = []
    for _ in range(12):
        number, rem = divmod(number, 32)
        chars.append(_CROCKFORD[rem])
    return "".join(reversed(chars))


def message_from_record(record: VaccinationRecord) -> dict[str, Any]:
    """The ``msg`` of a proof-of-vaccination seal; lengths are checked by the caller."""
    person = record.person
    pid: dict[str, Any] = {"n": seal_name(person)}
    birth = person.birth_date
    if birth is not None and birth.is_complete:
        pid["dob"] = birth.iso()
    if person.sex is not None:
        if person.sex not in ("M", "F", "X"):
            raise InputError(
                f"sex {person.sex!r} is not M, F or X", code="input.vdsnc.value", where="pid.sex"
            )
        pid["sex"] = person.sex
    if person.passport_number:
        pid["i"] = person.passport_number
    if "dob" not in pid and "i" not in pid:
        raise InputError(
            "VDS-NC needs a full date of birth or a passport number to identify the holder",
            code="input.vdsnc.missing",
            where="pid.dob",
        )
    entries: list[dict[str, Any]] = []
    last_key: str | None = None
    for index, event in enumerate(record.events):
        product = vaccines.product(event.product)
        dose = {
            "dvc": event.date.isoformat(),
            "seq": event.dose_number,
            "ctr": _alpha3(event.country, index),
            "adm": _adm(event, index),
            "lot": event.lot or NOT_RECORDED,
        }
        if product.key == last_key:
            entries[-1]["vd"].append(dose)
            continue
        entries.append(
            {"des": product.icd11, "nam": product.name, "dis": product.disease_icd11, "vd": [dose]}
        )
        last_key = product.key
    return {"uvci": uvci_for(record.certificate_id), "pid": pid, "ve": entries}


def _alpha3(country: str, index: int) -> str:
    code = alpha3_for(country)
    if code is None:
        raise InputError(
            f"dose {index + 1}: {country!r} is not an ISO 3166-1 alpha-2 country",
            code="input.vdsnc.value",
            where="vd.ctr",
        )
    return code


def _adm(event: VaccinationEvent, index: int) -> str:
    limit = FIELD_LIMITS["vd.adm"]
    if event.performer and len(event.performer) <= limit:
        return event.performer
    code = ADM_BY_AUTHORITY.get(event.issuer)
    if code is not None:
        return code
    if len(event.issuer) <= limit:
        return event.issuer
    raise InputError(
        f"dose {index + 1}: neither the performer {event.performer!r} nor the issuer "
        f"{event.issuer!r} fits VDS-NC's {limit}-character administering centre; "
        "give a shorter performer name",
        code="input.vdsnc.field_length",
        where="vd.adm",
    )


def product_key(brand: str) -> str:
    """Our product key for a ``nam``; an unknown brand is kept as written."""
    found = vaccines.by_name(brand)
    if found is None:
        words = brand.casefold().split()
        found = next((p for p in vaccines.PRODUCTS.values() if p.name.casefold() in words), None)
    return found.key if found is not None else brand


def record_from_message(msg: dict[str, Any], issuing_state: str) -> VaccinationRecord:
    """Decode a ``msg`` that passed :func:`fields.check_data`; model errors become schema errors."""
    try:
        return _record(msg, issuing_state)
    except InputError as exc:
        raise SchemaError(
            f"the seal's contents are not a usable record: {exc.message}",
            code="schema.vdsnc.value",
            where=exc.where,
        ) from None


def _record(msg: dict[str, Any], issuing_state: str) -> VaccinationRecord:
    pid = msg["pid"]
    person = Person(
        name=split_name(pid["n"]),
        birth_date=PartialDate.parse(pid["dob"]) if "dob" in pid else None,
        sex=pid.get("sex"),
        passport_number=pid.get("i"),
    )
    series = max(int(dose["seq"]) for entry in msg["ve"] for dose in entry["vd"])
    state_authority = AUTHORITY_BY_STATE.get(issuing_state, issuing_state)
    events = []
    for entry in msg["ve"]:
        key = product_key(entry["nam"])
        for dose in entry["vd"]:
            adm = dose.get("adm")
            if adm in AUTHORITY_BY_ADM:
                issuer, performer = AUTHORITY_BY_ADM[adm], None
            else:
                issuer, performer = state_authority, adm
            lot = dose["lot"]
            events.append(
                VaccinationEvent(
                    product=key,
                    date=date.fromisoformat(dose["dvc"]),
                    dose_number=int(dose["seq"]),
                    series_doses=series,
                    lot=None if lot.casefold() == NOT_RECORDED.casefold() else lot,
                    country=alpha2_for(dose["ctr"]) or dose["ctr"],
                    issuer=issuer,
                    performer=performer,
                )
            )
    return VaccinationRecord(person=person, events=tuple(events), certificate_id=msg["uvci"])


def carried_record(record: VaccinationRecord, issuing_state: str) -> VaccinationRecord:
    """What a verifier decodes from a seal issued for ``record``: the round trip's fixed point."""
    return _record(message_from_record(record), issuing_state)
