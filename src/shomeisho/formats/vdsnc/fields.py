"""The members a VDS-NC seal's ``data`` may hold, their length limits, and the check of both.

Source of the limits: ICAO, *Visible Digital Seals ("VDS-NC") for Travel-Related Public Health
Proofs* (technical report/guideline, 2021; https://www.icao.int/vdsnc-spec), proof-of-vaccination
data defined with WHO and proof-of-test data defined by CAPSCA. The printed guideline could not be
consulted from here; the table follows its field-by-field transcription in Path-Check/paper-cred
(``payloads/icao.vacc.1.md``, ``payloads/icao.test.1.md``), DFAT's reader models (which fields are
required) and the published seals in the conformance corpus. Where those disagree:

* ``pid.i``: the transcription says 11, other notes say 24 (as ``ai`` and the test's ``dn``); the
  corpus holds only 9-character passport numbers. We allow 24, so no real number is refused.
* ``ve.nam``: the transcription gives no limit, and DFAT's production seals carry the 21-character
  "AstraZeneca Vaxzevria", so 20 would reject genuine seals. We apply a local cap of 50 (marked
  ``local`` below) only to bound what a verifier displays.
* ``ve.dis`` and ``vd.adm`` are optional in the transcription and required in DFAT's model: we
  always write them and accept seals without them.
* ``vd.seq`` is a number in every national seal and a string in the transcription and in one
  Path-Check sample (``"seq":"1"``): both are read, a string draws a warning, we write numbers.

======== ===== ======== ======================================================================
field    max   required meaning
======== ===== ======== ======================================================================
hdr.t    -     yes      ``icao.vacc`` (proof of vaccination) or ``icao.test`` (proof of test)
hdr.v    -     yes      version, the integer 1
hdr.is   3     yes      issuing state, a Doc 9303 Part 3 code
uvci     12    yes      unique vaccination certificate identifier
pid.n    39    yes      name as in Doc 9303 Part 3 (the MRZ name field is 39 characters)
pid.dob  10    no       date of birth YYYY-MM-DD; required when ``i`` is absent
pid.sex  1     no       ``M``, ``F`` or ``X`` (Doc 9303 Part 4 visual zone)
pid.i    24    no       travel document number
pid.ai   24    no       additional identifier at the issuer's discretion
ve.des   6     yes      vaccine or prophylaxis, ICD-11 extension code
ve.nam   50    yes      vaccine brand (local cap, see above)
ve.dis   6     no       disease or agent targeted, ICD-11 code
vd.dvc   10    yes      date of vaccination YYYY-MM-DD
vd.seq   2     yes      dose number 1..99
vd.ctr   3     yes      country of vaccination, a Doc 9303 code
vd.adm   20    no       administering centre or responsible health authority
vd.lot   20    yes      vaccine lot (batch) number
vd.dvn   10    no       date of next vaccination YYYY-MM-DD
utci     12    yes      (proof of test) unique test certificate identifier
======== ===== ======== ======================================================================

Proof-of-test messages are checked only as far as a signature check needs (header, ``utci``,
``pid.n``); they are not mapped to a record.

:func:`check_data` walks a message and says everything wrong with it. Verifying asks first the
cheaper question of :func:`is_clean_vaccination` (is this a proof of vaccination with nothing to
say about it?), a few lookups per member in one function (about 3 µs instead of 10), and walks
only when the answer is no.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Any

from shomeisho.errors import InputError, SchemaError
from shomeisho.formats.vdsnc.countries import alpha2_for, is_doc9303_code

VACCINATION = "icao.vacc"
TEST = "icao.test"
SEAL_TYPES = (VACCINATION, TEST)

FIELD_LIMITS: Mapping[str, int] = MappingProxyType(
    {
        "hdr.is": 3,
        "uvci": 12,
        "pid.n": 39,
        "pid.dob": 10,
        "pid.sex": 1,
        "pid.i": 24,
        "pid.ai": 24,
        "ve.des": 6,
        "ve.nam": 50,
        "ve.dis": 6,
        "vd.dvc": 10,
        "vd.seq": 2,
        "vd.ctr": 3,
        "vd.adm": 20,
        "vd.lot": 20,
        "vd.dvn": 10,
        "utci": 12,
    }
)

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PARTIAL_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
_SEQ_TEXT = re.compile(r"^[0-9]{1,2}$")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a message, said once and turned into the error the caller needs."""

    kind: str  # field_length | missing | type | value | unknown_member | header | seq_string
    path: str
    message: str

    def as_schema_error(self) -> SchemaError:
        return SchemaError(self.message, code=f"schema.vdsnc.{self.kind}", where=self.path)

    def as_input_error(self) -> InputError:
        return InputError(self.message, code=f"input.vdsnc.{self.kind}", where=self.path)


class _Check:
    """Collects problems while walking one ``data`` object."""

    __slots__ = ("notes", "problems")

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.notes: list[Problem] = []

    def add(self, kind: str, path: str, message: str) -> None:
        self.problems.append(Problem(kind, path, message))

    def members(
        self, value: Any, path: str, required: tuple[str, ...], optional: tuple[str, ...]
    ) -> dict[str, Any] | None:
        if type(value) is not dict:
            self.add("type", path, f"{path} must be a JSON object")
            return None
        for key in required:
            if key not in value:
                self.add("missing", f"{path}.{key}", f"{path}.{key} is required")
        for key in value:
            if key not in required and key not in optional:
                self.add("unknown_member", f"{path}.{key}", f"{path} has no member {key!r}")
        return value

    def text(self, obj: dict[str, Any], key: str, path: str, limit_key: str) -> str | None:
        if key not in obj:
            return None
        value = obj[key]
        limit = FIELD_LIMITS[limit_key]
        if type(value) is str and 0 < len(value) <= limit and not value.isspace():
            return value
        where = f"{path}.{key}"
        if type(value) is not str:
            self.add("type", where, f"{where} must be a string")
        elif len(value) > limit:
            message = f"{where} is {len(value)} characters; the VDS-NC limit is {limit}"
            self.add("field_length", where, message)
        else:
            self.add("value", where, f"{where} is empty")
        return None

    def calendar_date(
        self, obj: dict[str, Any], key: str, path: str, limit_key: str, *, partial: bool = False
    ) -> None:
        value = self.text(obj, key, path, limit_key)
        if value is None:
            return
        pattern = _PARTIAL_DATE if partial else _DATE
        padded = value + "-01-01"[len(value) - 4 :] if partial else value
        try:
            ok = bool(pattern.match(value)) and date.fromisoformat(padded) is not None
        except ValueError:
            ok = False
        if not ok:
            self.add("value", f"{path}.{key}", f"{path}.{key} {value!r} is not a date YYYY-MM-DD")

    def country(
        self, obj: dict[str, Any], key: str, path: str, limit_key: str, *, needs_alpha2: bool
    ) -> None:
        value = self.text(obj, key, path, limit_key)
        if value is None:
            return
        known = alpha2_for(value) is not None if needs_alpha2 else is_doc9303_code(value)
        if not known:
            self.add(
                "value", f"{path}.{key}", f"{path}.{key} {value!r} is not a Doc 9303 country code"
            )


def check_data(data: Any) -> tuple[list[Problem], list[Problem]]:
    """Check a seal's ``data`` against the table above: ``(problems, notes)``.

    Problems make a seal invalid (or refuse an issue); notes are warnings that change nothing.
    """
    check = _Check()
    root = check.members(data, "data", ("hdr", "msg"), ())
    if root is None:
        return check.problems, check.notes
    seal_type = _check_header(check, root.get("hdr"))
    msg = root.get("msg")
    if seal_type == VACCINATION:
        _check_vaccination(check, msg)
    elif seal_type == TEST:
        _check_test(check, msg)
    return check.problems, check.notes


def _check_header(check: _Check, hdr: Any) -> str | None:
    obj = check.members(hdr, "data.hdr", ("t", "v", "is"), ())
    if obj is None:
        return None
    seal_type = obj.get("t")
    if "t" in obj and seal_type not in SEAL_TYPES:
        check.add(
            "header",
            "data.hdr.t",
            f"data.hdr.t {seal_type!r} is not a seal type we read ({', '.join(SEAL_TYPES)})",
        )
        seal_type = None
    version = obj.get("v")
    if "v" in obj and (type(version) is not int or version != 1):
        check.add("header", "data.hdr.v", f"data.hdr.v must be the integer 1, not {version!r}")
    check.country(obj, "is", "data.hdr", "hdr.is", needs_alpha2=False)
    return seal_type if isinstance(seal_type, str) else None


def _check_vaccination(check: _Check, msg: Any) -> None:
    obj = check.members(msg, "data.msg", ("uvci", "pid", "ve"), ())
    if obj is None:
        return
    check.text(obj, "uvci", "data.msg", "uvci")
    pid = None
    if "pid" in obj:
        pid = check.members(obj["pid"], "data.msg.pid", ("n",), ("dob", "sex", "i", "ai"))
    if pid is not None:
        path = "data.msg.pid"
        check.text(pid, "n", path, "pid.n")
        check.calendar_date(pid, "dob", path, "pid.dob", partial=True)
        sex = check.text(pid, "sex", path, "pid.sex")
        if sex is not None and sex not in ("M", "F", "X"):
            check.add("value", f"{path}.sex", f"{path}.sex must be M, F or X, not {sex!r}")
        check.text(pid, "i", path, "pid.i")
        check.text(pid, "ai", path, "pid.ai")
        if "dob" not in pid and "i" not in pid:
            check.add("missing", f"{path}.dob", f"{path}.dob is required when {path}.i is absent")
    events = obj.get("ve")
    if "ve" in obj:
        _check_list(check, events, "data.msg.ve", _check_event)


def _check_list(
    check: _Check, value: Any, path: str, each: Callable[[_Check, Any, str], None]
) -> None:
    if type(value) is not list:
        check.add("type", path, f"{path} must be a JSON array")
        return
    if not value:
        check.add("value", path, f"{path} must not be empty")
    for index, item in enumerate(value):
        each(check, item, f"{path}[{index}]")


def _check_event(check: _Check, value: Any, path: str) -> None:
    obj = check.members(value, path, ("des", "nam", "vd"), ("dis",))
    if obj is None:
        return
    check.text(obj, "des", path, "ve.des")
    check.text(obj, "nam", path, "ve.nam")
    check.text(obj, "dis", path, "ve.dis")
    if "vd" in obj:
        _check_list(check, obj["vd"], f"{path}.vd", _check_dose)


def _check_dose(check: _Check, value: Any, path: str) -> None:
    obj = check.members(value, path, ("dvc", "seq", "ctr", "lot"), ("adm", "dvn"))
    if obj is None:
        return
    check.calendar_date(obj, "dvc", path, "vd.dvc")
    check.country(obj, "ctr", path, "vd.ctr", needs_alpha2=True)
    check.text(obj, "adm", path, "vd.adm")
    check.text(obj, "lot", path, "vd.lot")
    check.calendar_date(obj, "dvn", path, "vd.dvn")
    if "seq" in obj:
        seq = obj["seq"]
        where = f"{path}.seq"
        if type(seq) is str and _SEQ_TEXT.match(seq):
            message = f"{where} is the string {seq!r}; VDS-NC seals write a number"
            check.notes.append(Problem("seq_string", where, message))
            seq = int(seq)
        if type(seq) is not int:
            check.add("type", where, f"{where} must be a dose number from 1 to 99")
        elif not 1 <= seq <= 99:
            check.add("value", where, f"{where} {seq} is not a dose number from 1 to 99")


def _check_test(check: _Check, msg: Any) -> None:
    if type(msg) is not dict:
        check.add("type", "data.msg", "data.msg must be a JSON object")
        return
    for key in ("utci", "pid"):
        if key not in msg:
            check.add("missing", f"data.msg.{key}", f"data.msg.{key} is required")
    check.text(msg, "utci", "data.msg", "utci")
    pid = msg.get("pid")
    if "pid" in msg and type(pid) is not dict:
        check.add("type", "data.msg.pid", "data.msg.pid must be a JSON object")
    elif isinstance(pid, dict):
        if "n" not in pid:
            check.add("missing", "data.msg.pid.n", "data.msg.pid.n is required")
        check.text(pid, "n", "data.msg.pid", "pid.n")


def seal_type_of(data: Any) -> str | None:
    """``hdr.t`` if it is a type we read, without judging the rest (for key-usage checks)."""
    if type(data) is dict:
        hdr = data.get("hdr")
        if type(hdr) is dict and hdr.get("t") in SEAL_TYPES:
            return str(hdr["t"])
    return None
