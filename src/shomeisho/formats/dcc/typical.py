"""Recognising the typical DCC payload cheaply, so verification can skip work safely.

Split from :mod:`.payload`: these are the hot-path shape checks. :func:`typical_vaccination`
recognises the usual vaccination payload (plain JSON values, type "v", no format or value-set
warnings possible); :func:`surely_a_record` says when building the neutral record cannot fail,
so the record can be deferred without losing a warning. Both answer False whenever unsure; the
general path then decides. :func:`read_claims` reads the CWT claims and asks
:func:`typical_vaccination` in one step, in C when the optional accelerator is built.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any, TypeGuard

from shomeisho.formats.dcc import cwt, schema, valuesets
from shomeisho.wire import strict_cbor

try:
    from shomeisho.wire._accel import dcc_claims as _claims_c
except ImportError:  # built without a C compiler (or an older build): the Python path
    _claims_c: Callable[..., Any] | None = None  # type: ignore[no-redef]

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


def read_claims(data: bytes) -> tuple[cwt.RawClaims, bool]:
    """``(cwt.read(data), typical_vaccination(claims.payload))``, the same answer and errors.

    Why: on the verify hot path these two are the largest Python work around the ECDSA check
    (about a sixth of it in instructions: the claims walk, then some forty type and value
    checks on the payload). The C accelerator (``_accel.dcc_claims``) decodes the claims as
    :func:`strict_cbor.loads` does and answers ``(iss, iat, exp, payload)`` only when
    :func:`cwt._read_typical` would read them and :func:`typical_vaccination` would hold, with
    the same value sets (passed in); ``(claims,)`` when it decoded them but the shape is for
    Python to judge; None when it declined to decode. It may be stricter than Python, never
    looser (``tests/formats/test_dcc_claims_accel.py`` checks this on random and odd payloads).
    """
    sets = _CODE_SETS[0] if _CODE_SETS else _code_sets()
    if (
        _claims_c is not None
        and sets is not None
        and type(data) is bytes
        and len(data) <= strict_cbor.MAX_CBOR
    ):
        found = _claims_c(data, sets, strict_cbor.MAX_DEPTH)
        if found is not None:
            if len(found) == 4:
                issuer, iat, exp, payload = found
                fields = (
                    issuer,
                    datetime.fromtimestamp(iat, UTC),
                    datetime.fromtimestamp(exp, UTC),
                    payload,
                )
                return tuple.__new__(cwt.RawClaims, fields), True  # see cwt._read_typical
            claims = cwt.read_decoded(found[0])
            return claims, typical_vaccination(claims.payload)
    claims = cwt.read(data)
    return claims, typical_vaccination(claims.payload)


def _is_day(text: str) -> bool:
    """``YYYY-MM-DD`` (already matched as digits) names a real day."""
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True
