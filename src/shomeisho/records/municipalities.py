"""Japan's local government codes (全国地方公共団体コード): checking them and looking them up.

A vaccination record belongs to the municipality that keeps it, named by its six-digit code:
the JIS X 0401 prefecture code (2 digits), the JIS X 0402 municipality code (3 digits) and a
check digit. A mistyped code would file a record under the wrong town, so every code is checked
against its check digit before it is looked up, and a refusal says what the code should be.

The check digit (検査数字) weights the first five digits 6, 5, 4, 3, 2, takes the sum modulo 11
and subtracts that remainder from 11; the last digit of the result is the check digit (so a
remainder of 0 gives 1 and a remainder of 1 gives 0). Every row of the shipped list obeys it,
and :func:`load_municipalities` refuses a list with a row that does not.

The list ships as package data (``data/jp/local-government-codes.csv``, see the README there);
codes change when municipalities merge, so an operator may load an updated CSV instead.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from shomeisho.errors import InputError

CODE_LENGTH = 6
_WEIGHTS = (6, 5, 4, 3, 2)
_DIGITS = frozenset("0123456789")
HEADER = ("code", "prefecture", "city", "prefecture_kana", "city_kana")
SHIPPED_FILE = "local-government-codes.csv"


@dataclass(frozen=True, slots=True)
class Municipality:
    """One local government: a prefecture (``name`` empty) or a municipality within one.

    Kana readings are kept in full-width katakana: the published list has half-width kana, which
    neither sorts nor compares with what a person types today.
    """

    code: str
    prefecture: str
    name: str
    prefecture_kana: str
    name_kana: str

    @property
    def is_prefecture(self) -> bool:
        return not self.name

    @property
    def display_name(self) -> str:
        """How a letter or a screen names it: 北海道札幌市, or 北海道 for the prefecture itself."""
        return self.prefecture + self.name


def check_digit(first_five: str) -> str:
    """The JIS X 0402 check digit for a prefecture + municipality code of five ASCII digits."""
    if len(first_five) != len(_WEIGHTS) or not set(first_five) <= _DIGITS:
        raise InputError(
            f"a check digit is computed from exactly 5 digits, not {first_five!r}",
            code="input.municipality_code",
        )
    remainder = sum(int(d) * w for d, w in zip(first_five, _WEIGHTS, strict=True)) % 11
    return str((11 - remainder) % 10)


def validate_code(code: str) -> str:
    """The code as six ASCII digits, or an InputError saying exactly what is wrong with it.

    Full-width digits and surrounding spaces (ASCII or ideographic) are accepted because that is
    what a form filled in with a Japanese input method produces.
    """
    text = unicodedata.normalize("NFKC", code).strip()
    if not text:
        raise InputError(
            "the municipality code is empty: a code has 6 digits (5 digits and a check digit)",
            code="input.municipality_code",
        )
    for position, char in enumerate(text, start=1):
        if char not in _DIGITS:
            raise InputError(
                f"municipality code {code!r} has {char!r} at position {position}: "
                "a code is made of digits only",
                code="input.municipality_code",
            )
    if len(text) == CODE_LENGTH - 1:
        raise InputError(
            f"municipality code {text} has 5 digits and lacks its check digit: "
            f"the full code is {text}{check_digit(text)}",
            code="input.municipality_code",
        )
    if len(text) != CODE_LENGTH:
        raise InputError(
            f"municipality code {text} has {len(text)} digits: a code has 6 "
            "(5 digits and a check digit)",
            code="input.municipality_code",
        )
    expected = check_digit(text[:5])
    if text[5] != expected:
        raise InputError(
            f"municipality code {text} ends in check digit {text[5]}, but the check digit of "
            f"{text[:5]} is {expected} (the code would be {text[:5]}{expected}); "
            "look for a mistyped digit",
            code="input.municipality_code",
        )
    return text


def _bad_row(source: str, line: int, problem: str) -> InputError:
    return InputError(
        f"{source} row {line}: {problem}", code="input.municipality_list", where=f"{source}:{line}"
    )


def _parse(text: str, source: str) -> tuple[Municipality, ...]:
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    header = next(reader, None)
    if header is None or tuple(h.strip() for h in header) != HEADER:
        raise _bad_row(source, 1, f"the header must be {','.join(HEADER)}, not {header!r}")
    municipalities: list[Municipality] = []
    seen: set[str] = set()
    for row in reader:
        line = reader.line_num
        if not row:
            continue
        if len(row) != len(HEADER):
            raise _bad_row(source, line, f"expected {len(HEADER)} fields, found {len(row)}")
        raw_code, prefecture, name, prefecture_kana, name_kana = (f.strip() for f in row)
        try:
            code = validate_code(raw_code)
        except InputError as error:
            raise _bad_row(source, line, error.message) from None
        if code in seen:
            raise _bad_row(source, line, f"code {code} appears twice")
        if not prefecture:
            raise _bad_row(source, line, f"code {code} has no prefecture name")
        if (code[2:5] == "000") == bool(name):
            # A prefecture's own code ends in 000 and it alone has no municipality name.
            raise _bad_row(source, line, f"code {code} and municipality name {name!r} do not agree")
        seen.add(code)
        municipalities.append(
            Municipality(
                code=code,
                prefecture=prefecture,
                name=name,
                prefecture_kana=unicodedata.normalize("NFKC", prefecture_kana),
                name_kana=unicodedata.normalize("NFKC", name_kana),
            )
        )
    return tuple(municipalities)


@cache
def _shipped() -> tuple[Municipality, ...]:
    text = resources.files("shomeisho").joinpath("data", "jp", SHIPPED_FILE).read_text("utf-8")
    return _parse(text, SHIPPED_FILE)


@cache
def _shipped_by_code() -> dict[str, Municipality]:
    return {m.code: m for m in _shipped()}


def load_municipalities(path: Path | None = None) -> list[Municipality]:
    """Every local government in a code list: the shipped one by default, else the CSV at path.

    Each row's code, check digit and header are verified, so a damaged or hand-edited list is
    refused with the row to fix rather than mis-filing records later.
    """
    if path is None:
        return list(_shipped())
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(
            f"cannot read the municipality list {path}: {error}",
            code="input.unreadable_file",
            where=str(path),
        ) from None
    return list(_parse(text, path.name))


def municipality_by_code(
    code: str, municipalities: Sequence[Municipality] | None = None
) -> Municipality:
    """The local government with this code, from the shipped list unless one is given."""
    valid = validate_code(code)
    if municipalities is None:
        found = _shipped_by_code().get(valid)
        count = len(_shipped())
    else:
        found = next((m for m in municipalities if m.code == valid), None)
        count = len(municipalities)
    if found is None:
        raise InputError(
            f"municipality code {valid} has a correct check digit but is not among the {count:,} "
            "local governments in the code list; it may belong to a municipality that has "
            "since merged, or the list needs updating",
            code="input.municipality_unknown",
        )
    return found
