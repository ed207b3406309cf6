"""The vaccination import CSV: its columns, and reading one row into a resident and an event.

Documented for municipalities in ``docs/records-import.md``. Files come from vaccination sites
and VRS exports, often saved by Excel: UTF-8 with or without a BOM, or Shift_JIS (cp932), and
Japanese spellings of sex. Each row is one vaccination of one resident; the resident's details
repeat on every row of theirs. A row either becomes an :class:`ImportRow` or a list of
:class:`RowProblem` that names the row, the column and what is wrong; one bad row never stops
the file. Problems do not copy names or dates of birth (at most a product code or the one
character that is wrong), so the rejection report can be handled like any work file.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import BinaryIO

from shomeisho.errors import InputError
from shomeisho.model import PartialDate
from shomeisho.records import names, products
from shomeisho.records.entities import EventDetails, ResidentDetails, Sex

REQUIRED = (
    "resident_number",
    "family_name",
    "given_name",
    "birth_date",
    "administered_on",
    "product",
    "lot",
    "dose_number",
    "source_record_id",
)
OPTIONAL = (
    "municipality_code",
    "family_name_kana",
    "given_name_kana",
    "family_name_romaji",
    "given_name_romaji",
    "former_family_name",
    "passport_family_name",
    "passport_given_name",
    "sex",
    "site",
    "source_system",
)
COLUMNS = REQUIRED + OPTIONAL
MAX_FIELD = 200  # characters in any one cell
IDENTIFIER = re.compile(r"[0-9A-Za-z][0-9A-Za-z._:/-]{0,63}")
_SEX = {
    "male": Sex.MALE, "m": Sex.MALE, "1": Sex.MALE, "男": Sex.MALE, "男性": Sex.MALE,
    "female": Sex.FEMALE, "f": Sex.FEMALE, "2": Sex.FEMALE, "女": Sex.FEMALE, "女性": Sex.FEMALE,
    "other": Sex.OTHER, "9": Sex.OTHER, "その他": Sex.OTHER,
    "unknown": Sex.UNKNOWN, "0": Sex.UNKNOWN, "": Sex.UNKNOWN, "不明": Sex.UNKNOWN,
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class ImportRow:
    """A row that passed every check: the resident and the event it records."""

    row_number: int  # line in the file, the header being row 1
    resident: ResidentDetails
    event: EventDetails


@dataclass(frozen=True, slots=True)
class RowProblem:
    """Why a row was rejected: the row, the column ("" for the whole row) and the reason."""

    row_number: int
    column: str
    reason: str


class HeaderError(InputError):
    """The file's header is missing required columns or names unknown ones."""


def open_text(stream: BinaryIO) -> io.TextIOBase:
    """The stream decoded as UTF-8 (BOM allowed), or cp932 if its start is not UTF-8.

    Only the first 64 KiB are sniffed; a file that turns out not to be UTF-8 later is reported
    at that row as undecodable rather than guessed at."""
    head = stream.read(65536)
    encoding = "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
    except UnicodeDecodeError:
        encoding = "cp932"
    rest = _Prepended(head, stream)
    return io.TextIOWrapper(io.BufferedReader(rest), encoding=encoding, newline="")


class _Prepended(io.RawIOBase):
    """The sniffed head followed by the rest of the stream, as one readable stream."""

    def __init__(self, head: bytes, stream: BinaryIO) -> None:
        self._head, self._stream = head, stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._head:
            size = min(len(buffer), len(self._head))
            buffer[:size] = self._head[:size]
            self._head = self._head[size:]
            return size
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def read_rows(
    text: io.TextIOBase, municipality_code: str, *, source_system: str = "csv"
) -> Iterator[ImportRow | list[RowProblem]]:
    """Each data row, in order, as an ImportRow or its problems. Raises HeaderError first if
    the header cannot be used (nothing is imported then)."""
    reader = csv.reader(text)
    try:
        header = next(reader)
    except StopIteration:
        raise HeaderError("the file is empty: it has no header row", code="input.csv") from None
    except (csv.Error, UnicodeDecodeError) as exc:
        raise HeaderError(f"the header row cannot be read: {exc}", code="input.csv") from None
    columns = check_header(header)
    today = date.today()
    row_number = 1
    while True:
        row_number += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError:
            yield [RowProblem(row_number, "", "the row is not valid UTF-8 or Shift_JIS text")]
            return  # the decoder cannot resynchronise: stop here, every later row unread
        except csv.Error as exc:
            yield [RowProblem(row_number, "", f"the row is not valid CSV: {exc}")]
            continue
        if not any(cell.strip() for cell in cells):
            continue  # blank lines, as spreadsheets leave at the end
        if len(cells) != len(columns):
            yield [
                RowProblem(
                    row_number, "", f"the row has {len(cells)} cells; the header has {len(columns)}"
                )
            ]
            continue
        row = dict(zip(columns, cells, strict=True))
        yield parse_row(row_number, row, municipality_code, source_system, today)


def check_header(header: list[str]) -> list[str]:
    """The column names, checked: every required one present, none unknown or repeated."""
    columns = [name.strip().lstrip("\ufeff").lower() for name in header]
    unknown = [name for name in columns if name not in COLUMNS]
    missing = [name for name in REQUIRED if name not in columns]
    repeated = sorted({name for name in columns if columns.count(name) > 1})
    problems = []
    if missing:
        problems.append(f"missing required columns: {', '.join(missing)}")
    if unknown:
        problems.append(f"unknown columns: {', '.join(unknown)}")
    if repeated:
        problems.append(f"repeated columns: {', '.join(repeated)}")
    if problems:
        raise HeaderError(
            "the header row cannot be used: "
            + "; ".join(problems)
            + " (see docs/records-import.md)",
            code="input.csv",
            where="row 1",
        )
    return columns


def parse_row(
    row_number: int,
    row: dict[str, str],
    municipality_code: str,
    source_system: str,
    today: date | None = None,
) -> ImportRow | list[RowProblem]:
    """One row's resident and event, or every problem found in it (not just the first).

    ``today`` bounds the dates (nothing given or born in the future); the caller passes it once
    per file."""
    problems: list[RowProblem] = []
    today = today or date.today()
    values = {column: value.strip() for column, value in row.items()}
    for column, value in values.items():
        if len(value) > MAX_FIELD:
            problems.append(RowProblem(row_number, column, f"longer than {MAX_FIELD} characters"))
            values[column] = ""
    cell = values.get

    def required(column: str) -> str:
        value = cell(column, "")
        if not value:
            problems.append(RowProblem(row_number, column, "required, but empty"))
        return value

    def checked(column: str, value: str, convert: object) -> str:
        if not value:
            return ""
        try:
            return convert(value, field=column)  # type: ignore[operator, no-any-return]
        except InputError as exc:
            problems.append(RowProblem(row_number, column, exc.message))
            return ""

    given_code = cell("municipality_code", "")
    if given_code and given_code != municipality_code:
        problems.append(
            RowProblem(
                row_number,
                "municipality_code",
                f"the row is for another municipality; this import is for {municipality_code}",
            )
        )
    resident_number = _identifier(
        required("resident_number"), "resident_number", row_number, problems
    )
    family = checked("family_name", required("family_name"), names.stored_form)
    given = checked("given_name", required("given_name"), names.stored_form)
    kana = [
        checked(c, cell(c, ""), names.stored_form) for c in ("family_name_kana", "given_name_kana")
    ]
    romaji = [
        checked(c, cell(c, ""), _romaji)
        for c in (
            "family_name_romaji",
            "given_name_romaji",
            "passport_family_name",
            "passport_given_name",
        )
    ]
    former = checked("former_family_name", cell("former_family_name", ""), names.stored_form)
    birth = _birth_date(required("birth_date"), today, row_number, problems)
    birth_iso = None if birth is None else birth.iso()
    sex = _SEX.get(cell("sex", "").lower())
    if sex is None:
        problems.append(
            RowProblem(row_number, "sex", "use male/female/other/unknown (or 男/女, 1/2)")
        )
    product = _product(required("product"), row_number, problems)
    given_on = _administered_on(required("administered_on"), birth_iso, today, row_number, problems)
    dose = _dose(required("dose_number"), product, row_number, problems)
    lot = required("lot")
    source_id = _identifier(required("source_record_id"), "source_record_id", row_number, problems)
    system = cell("source_system", "") or source_system
    if problems:
        return problems
    assert birth_iso is not None and given_on is not None and product is not None
    resident = ResidentDetails(
        municipality_code=municipality_code,
        resident_number=resident_number,
        family_name=family,
        given_name=given,
        family_name_kana=kana[0],
        given_name_kana=kana[1],
        family_name_romaji=romaji[0],
        given_name_romaji=romaji[1],
        birth_date=birth_iso,
        sex=sex or Sex.UNKNOWN,
        former_family_name=former,
        passport_family_name=romaji[2],
        passport_given_name=romaji[3],
    )
    event = EventDetails(
        administered_on=given_on,
        product_code=product.code,
        lot=lot,
        dose_number=dose,
        site=cell("site", ""),
        source_system=system,
        source_record_id=source_id,
    )
    return ImportRow(row_number, resident, event)


def _romaji(value: str, *, field: str) -> str:
    return names.romaji_form(value, field=field)


def _identifier(value: str, column: str, row_number: int, problems: list[RowProblem]) -> str:
    if value and not IDENTIFIER.fullmatch(value):
        problems.append(
            RowProblem(
                row_number,
                column,
                "use 1-64 ASCII letters, digits and . _ : / - (starting with a letter or digit)",
            )
        )
        return ""
    return value


def _birth_date(
    value: str, today: date, row_number: int, problems: list[RowProblem]
) -> PartialDate | None:
    if not value:
        return None
    try:
        birth = PartialDate.parse(value.replace("/", "-"))
    except InputError as exc:
        problems.append(RowProblem(row_number, "birth_date", exc.message))
        return None
    if birth.iso() > today.isoformat():
        problems.append(RowProblem(row_number, "birth_date", "is in the future"))
        return None
    return birth


def _administered_on(
    value: str, birth_iso: str | None, today: date, row_number: int, problems: list[RowProblem]
) -> date | None:
    if not value:
        return None
    try:
        given_on = date.fromisoformat(value.replace("/", "-"))
    except ValueError:
        problems.append(RowProblem(row_number, "administered_on", "is not a date (YYYY-MM-DD)"))
        return None
    if given_on > today:
        problems.append(RowProblem(row_number, "administered_on", "is in the future"))
        return None
    if birth_iso is not None and given_on.isoformat() < birth_iso:
        problems.append(RowProblem(row_number, "administered_on", "is before the birth date"))
        return None
    return given_on


def _product(
    value: str, row_number: int, problems: list[RowProblem]
) -> products.RecordProduct | None:
    if not value:
        return None
    try:
        return products.product_from_any(value)
    except InputError as exc:
        problems.append(RowProblem(row_number, "product", exc.message))
        return None


def _dose(
    value: str, product: products.RecordProduct | None, row_number: int, problems: list[RowProblem]
) -> int:
    if not value:
        return 0
    try:
        dose = int(value.translate(_FULLWIDTH_DIGITS))
    except ValueError:
        problems.append(RowProblem(row_number, "dose_number", "is not a whole number"))
        return 0
    limit = product.max_dose if product is not None else 99
    if not 1 <= dose <= limit:
        problems.append(RowProblem(row_number, "dose_number", f"must be 1 to {limit}"))
        return 0
    return dose


_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
