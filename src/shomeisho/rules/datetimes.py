"""CertLogic date-times: the :class:`DateTime` value and the operations that make or read one.

It exists to keep calendar arithmetic apart from the evaluator: parsing the specification's date
and date-time formats, ``plusTime`` with JavaScript's ``Date`` roll-over rules, ``dccDateOfBirth``
and ``extractFromUVCI`` (a string operation on certificate identifiers), all pure functions that
raise :class:`~shomeisho.errors.RuleError` (``rules.date``) on input they cannot read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from shomeisho.errors import RuleError

_MS_PER_HOUR: Final = 3_600_000
_MS_PER_DAY: Final = 86_400_000
_MAX_EPOCH_MS: Final = 8_640_000_000_000_000  # the range of a JavaScript Date


@dataclass(frozen=True, slots=True, order=True)
class DateTime:
    """A CertLogic date-time: milliseconds since 1970-01-01T00:00:00Z (UTC, no leap seconds).

    Only ``plusTime`` and ``dccDateOfBirth`` make one; comparisons are by instant."""

    epoch_ms: int

    def isoformat(self) -> str:
        """The instant as JavaScript's ``toISOString`` writes it (``2021-06-01T00:00:00.000Z``)."""
        days, ms = divmod(self.epoch_ms, _MS_PER_DAY)
        year, month, day = _civil_from_days(days)
        hours, ms = divmod(ms, _MS_PER_HOUR)
        minutes, ms = divmod(ms, 60_000)
        seconds, ms = divmod(ms, 1000)
        year_text = f"{year:04d}" if 0 <= year <= 9999 else f"{year:+07d}"
        return (
            f"{year_text}-{month:02d}-{day:02d}T{hours:02d}:{minutes:02d}:{seconds:02d}.{ms:03d}Z"
        )

    def __str__(self) -> str:
        return self.isoformat()


_YEAR = re.compile(r"([0-9]{4})")
_YEAR_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_DATE_TIME = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?"
    r"(Z|([+-])([0-9]{1,2}):?([0-9]{2})?)?"
)


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm)."""
    year -= month <= 2
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * ((month + 9) % 12) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146_097 + day_of_era - 719_468


def _civil_from_days(days: int) -> tuple[int, int, int]:
    days += 719_468
    era = days // 146_097
    day_of_era = days - era * 146_097
    year_of_era = (
        day_of_era - day_of_era // 1460 + day_of_era // 36_524 - day_of_era // 146_096
    ) // 365
    day_of_year = day_of_era - (365 * year_of_era + year_of_era // 4 - year_of_era // 100)
    shifted_month = (5 * day_of_year + 2) // 153
    day = day_of_year - (153 * shifted_month + 2) // 5 + 1
    month = shifted_month + 3 if shifted_month < 10 else shifted_month - 9
    return year_of_era + era * 400 + (month <= 2), month, day


def _make_day(year: int, month_index: int, day: int) -> int:
    """JavaScript's MakeDay: a month index outside 0..11 and a day past the month's end roll
    over into the following months, as ``setUTCMonth`` and ``setUTCFullYear`` do."""
    year += month_index // 12
    return _days_from_civil(year, month_index % 12 + 1, 1) + day - 1


def _date_days(text: str, year: str, month: str, day: str) -> int:
    y, m, d = int(year), int(month), int(day)
    if not (1 <= m <= 12 and 1 <= d <= 31) or _civil_from_days(_days_from_civil(y, m, d)) != (
        y,
        m,
        d,
    ):
        raise RuleError(f"{text!r} is not a calendar date", code="rules.date")
    return _days_from_civil(y, m, d)


def _instant(epoch_ms: int) -> DateTime:
    if abs(epoch_ms) > _MAX_EPOCH_MS:
        raise RuleError("the date-time is outside the representable range", code="rules.date")
    return DateTime(epoch_ms)


def dcc_date_of_birth(text: str) -> DateTime:
    """A DCC date of birth (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``) as the last instant's day
    consistent with it, at midnight UTC: ``2004`` is 2004-12-31, ``2004-02`` is 2004-02-29."""
    if match := _YEAR.fullmatch(text):
        return _instant(_days_from_civil(int(match[1]), 12, 31) * _MS_PER_DAY)
    if match := _YEAR_MONTH.fullmatch(text):
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise RuleError(f"{text!r} is not a calendar month", code="rules.date")
        return _instant((_make_day(year, month, 1) - 1) * _MS_PER_DAY)
    if match := _DATE.fullmatch(text):
        return _instant(_date_days(text, match[1], match[2], match[3]) * _MS_PER_DAY)
    raise RuleError(f"can't parse {text!r} as an EU DCC date of birth", code="rules.date")


def parse_date_time(text: str) -> DateTime:
    """A date or date-time string in one of the specification's formats as an instant: dates at
    midnight, a missing offset read as ``Z``, decimals beyond milliseconds dropped."""
    if _YEAR.fullmatch(text) or _YEAR_MONTH.fullmatch(text) or _DATE.fullmatch(text):
        return dcc_date_of_birth(text)
    match = _DATE_TIME.fullmatch(text)
    if match is None:
        raise RuleError(f"{text!r} is not an allowed date or date-time format", code="rules.date")
    days = _date_days(text, match[1], match[2], match[3])
    hours, minutes, seconds = int(match[4]), int(match[5]), int(match[6])
    if hours > 23 or minutes > 59 or seconds > 59:
        raise RuleError(f"{text!r} is not a time of day", code="rules.date")
    millis = int((match[7] or ".")[1:4].ljust(3, "0"))
    offset_ms = 0
    if match[8] and match[8] != "Z":
        offset_hours, offset_minutes = int(match[10]), int(match[11] or "0")
        if offset_hours > 23 or offset_minutes > 59:
            raise RuleError(f"{text!r} has an impossible time-zone offset", code="rules.date")
        offset_ms = (offset_hours * 60 + offset_minutes) * 60_000
        if match[9] == "-":
            offset_ms = -offset_ms
    local = days * _MS_PER_DAY + ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis
    return _instant(local - offset_ms)


def plus_time(text: str, amount: int, unit: str) -> DateTime:
    """``plusTime``: the date(-time) ``text`` moved by ``amount`` units, the way JavaScript's
    ``setUTCFullYear`` / ``setUTCMonth`` / ``setUTCDate`` / ``setUTCHours`` move a ``Date``
    (2020-02-29 plus one year is 2021-03-01; 2021-01-31 plus one month is 2021-03-03)."""
    start = parse_date_time(text)
    if amount == 0:
        return start
    if unit == "hour":
        return _instant(start.epoch_ms + amount * _MS_PER_HOUR)
    if unit == "day":
        return _instant(start.epoch_ms + amount * _MS_PER_DAY)
    if unit not in ("month", "year"):
        raise RuleError(f"unknown time unit {unit!r}", code="rules.expression")
    if abs(amount) > 400_000 * (12 if unit == "month" else 1):
        raise RuleError("the date-time is outside the representable range", code="rules.date")
    days, time_of_day = divmod(start.epoch_ms, _MS_PER_DAY)
    year, month, day = _civil_from_days(days)
    if unit == "month":
        moved = _make_day(year, month - 1 + amount, day)
    else:
        moved = _make_day(year + amount, month - 1, day)
    return _instant(moved * _MS_PER_DAY + time_of_day)


_UVCI_PREFIX: Final = "URN:UVCI:"
_UVCI_SEPARATORS = re.compile(r"[/#:]")


def extract_from_uvci(uvci: str | None, index: int) -> str | None:
    """``extractFromUVCI``: fragment ``index`` of a UVCI split on ``/``, ``#`` and ``:`` after an
    optional ``URN:UVCI:`` prefix, or None when there is no such fragment (or no UVCI)."""
    if uvci is None or index < 0:
        return None
    fragments = _UVCI_SEPARATORS.split(uvci.removeprefix(_UVCI_PREFIX))
    return fragments[index] if index < len(fragments) else None


__all__ = ["DateTime", "dcc_date_of_birth", "extract_from_uvci", "parse_date_time", "plus_time"]
