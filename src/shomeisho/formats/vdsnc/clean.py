"""The quick check that a proof-of-vaccination seal is clean, so verification can skip work.

Split from :mod:`.fields`: :func:`is_clean_vaccination` answers True only when
:func:`.fields.check_data` would report nothing, using frozen sets and length tests instead of
the full walk that builds messages. Anything it is unsure of answers False and the full walk
decides; property tests hold the two together.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any

from shomeisho.formats.vdsnc.countries import tables as country_tables
from shomeisho.formats.vdsnc.fields import FIELD_LIMITS, VACCINATION

_PID_MEMBERS = frozenset(("n", "dob", "sex", "i", "ai"))
_EVENT_MEMBERS = frozenset(("des", "nam", "vd", "dis"))
_DOSE_MEMBERS = frozenset(("dvc", "seq", "ctr", "lot", "adm", "dvn"))
_SEXES = frozenset(("M", "F", "X"))
_UVCI, _N, _I, _AI = (FIELD_LIMITS[k] for k in ("uvci", "pid.n", "pid.i", "pid.ai"))
_DES, _NAM, _DIS = (FIELD_LIMITS["ve." + k] for k in ("des", "nam", "dis"))
_ADM, _LOT = FIELD_LIMITS["vd.adm"], FIELD_LIMITS["vd.lot"]
# pid.dob, vd.dvc and vd.dvn: their patterns allow at most 10 characters, which is their limit
assert FIELD_LIMITS["pid.dob"] == FIELD_LIMITS["vd.dvc"] == FIELD_LIMITS["vd.dvn"] == 10


@cache
def _clean_country_codes() -> tuple[frozenset[str], frozenset[str]]:
    """The codes that pass :meth:`_Check.country` for ``hdr.is`` and for ``vd.ctr``."""
    tables = country_tables()

    def fits(code: str, limit: int) -> bool:
        return 0 < len(code) <= limit and not code.isspace()

    states = frozenset(c for c in tables.alpha2_by_code if fits(c, FIELD_LIMITS["hdr.is"]))
    limit = FIELD_LIMITS["vd.ctr"]
    with_alpha2 = frozenset(c for c, a2 in tables.alpha2_by_code.items() if a2 and fits(c, limit))
    return states, with_alpha2


def _is_date(value: Any) -> bool:
    """True only for a full date :meth:`_Check.calendar_date` accepts (partial or not):
    ``YYYY-MM-DD`` in ASCII digits and a real date. ``date.fromisoformat`` checks the digits, and
    with ``-`` at 4 and 7 it cannot read a week date (``YYYY-Www-D``)."""
    if type(value) is not str or len(value) != 10 or not value.isascii():
        return False
    if value[4] != "-" or value[7] != "-":
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _fits(value: Any, limit: int) -> bool:
    return type(value) is str and 0 < len(value) <= limit and not value.isspace()


def is_clean_vaccination(data: Any) -> bool:
    """True only when ``data`` is a proof of vaccination of which :func:`check_data` would report
    nothing: no problem and no note. False says only "ask :func:`check_data`".

    The same rules in one pass of lookups (a member's absence is the ``KeyError`` of reading it; a
    partial date of birth is left to :func:`check_data`). ``tests/formats/test_vdsnc.py`` checks
    the agreement on generated messages.
    """
    try:
        return _is_clean_vaccination(data)
    except KeyError:  # a required member is missing
        return False


def _is_clean_vaccination(data: Any) -> bool:
    if type(data) is not dict or len(data) != 2:
        return False
    hdr, msg = data["hdr"], data["msg"]
    if type(hdr) is not dict or len(hdr) != 3 or hdr["t"] != VACCINATION:
        return False
    version, state = hdr["v"], hdr["is"]
    states, countries = _clean_country_codes()
    if type(version) is not int or version != 1 or type(state) is not str or state not in states:
        return False
    if type(msg) is not dict or len(msg) != 3:
        return False
    uvci, pid, events = msg["uvci"], msg["pid"], msg["ve"]
    if not _fits(uvci, _UVCI) or type(pid) is not dict or not pid.keys() <= _PID_MEMBERS:
        return False
    if not _fits(pid["n"], _N):
        return False
    if "dob" in pid:
        if not _is_date(pid["dob"]):
            return False
    elif "i" not in pid:
        return False
    if "sex" in pid and not (type(pid["sex"]) is str and pid["sex"] in _SEXES):
        return False
    if ("i" in pid and not _fits(pid["i"], _I)) or ("ai" in pid and not _fits(pid["ai"], _AI)):
        return False
    if type(events) is not list or not events:
        return False
    for event in events:
        if type(event) is not dict or not event.keys() <= _EVENT_MEMBERS:
            return False
        doses = event["vd"]
        if not (_fits(event["des"], _DES) and _fits(event["nam"], _NAM)):
            return False
        if ("dis" in event and not _fits(event["dis"], _DIS)) or type(doses) is not list:
            return False
        if not doses:
            return False
        for dose in doses:  # the hottest loop: its text checks are written out
            if type(dose) is not dict or not dose.keys() <= _DOSE_MEMBERS:
                return False
            seq, country, lot = dose["seq"], dose["ctr"], dose["lot"]
            if type(seq) is not int or not 1 <= seq <= 99:
                return False
            if type(lot) is not str or not 0 < len(lot) <= _LOT or lot.isspace():
                return False
            if type(country) is not str or country not in countries:
                return False
            if not _is_date(dose["dvc"]) or ("dvn" in dose and not _is_date(dose["dvn"])):
                return False
            if "adm" in dose:
                adm = dose["adm"]
                if type(adm) is not str or not 0 < len(adm) <= _ADM or adm.isspace():
                    return False
    return True
