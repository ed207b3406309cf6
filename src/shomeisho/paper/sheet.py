"""What the paper certificate says, in both languages, taken from the register and the issuance.

The sheet is built from the same register entries and the same issued certificates as the
certificate page, so the paper and the screen cannot disagree; the PDF renderer only lays it out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from shomeisho.formats import TITLES
from shomeisho.model import JST
from shomeisho.records.certificate_record import certifiable_events
from shomeisho.records.products import RECORD_PRODUCTS
from shomeisho.records.service import ResidentFile

USE_NAMES = {
    "domestic": ("国内用", "for use in Japan"),
    "overseas": ("海外用", "for travel abroad"),
}


@dataclass(frozen=True, slots=True)
class PrintedDose:
    number: int
    day: date
    product_ja: str
    product_en: str
    lot: str


@dataclass(frozen=True, slots=True)
class PrintedCode:
    """One QR code: the format's name and the exact text the issuer signed."""

    format: str
    text: str

    @property
    def title(self) -> str:
        return TITLES.get(self.format, self.format)


@dataclass(frozen=True, slots=True)
class CertificateSheet:
    name: str
    name_kana: str
    name_romanised: str
    birth_date: str
    use: str
    certificate_id: str
    issued_at: datetime
    doses: tuple[PrintedDose, ...]
    codes: tuple[PrintedCode, ...]
    issued_by: str = ""

    @property
    def issued_words(self) -> str:
        """When it was issued, in Japan's time, as a person at the counter would write it."""
        return self.issued_at.astimezone(JST).strftime("%Y-%m-%d %H:%M JST")

    @property
    def use_words(self) -> tuple[str, str]:
        return USE_NAMES.get(self.use, (self.use, self.use))


def sheet_for(
    file: ResidentFile,
    *,
    use: str,
    certificate_id: str,
    issued_at: datetime,
    codes: Sequence[tuple[str, str]],
    issued_by: str = "",
    shown_name: str = "",
) -> CertificateSheet:
    """The sheet for one issuance of ``file`` (``codes`` are (format, text) pairs;
    ``shown_name`` is the name the person chose to print, when not the record's)."""
    details = file.resident.details
    doses = tuple(
        PrintedDose(
            number=event.details.dose_number,
            day=event.details.administered_on,
            product_ja=RECORD_PRODUCTS[event.details.product_code].name_ja,
            product_en=RECORD_PRODUCTS[event.details.product_code].name_en,
            lot=event.details.lot,
        )
        for event in certifiable_events(file.events)
    )
    family_romaji = details.passport_family_name or details.family_name_romaji
    given_romaji = details.passport_given_name or details.given_name_romaji
    return CertificateSheet(
        name=shown_name or f"{details.family_name} {details.given_name}".strip(),
        name_kana=f"{details.family_name_kana} {details.given_name_kana}".strip(),
        name_romanised=f"{family_romaji} {given_romaji}".strip().upper(),
        birth_date=details.birth_date,
        use=use,
        certificate_id=certificate_id,
        issued_at=issued_at,
        doses=doses,
        codes=tuple(PrintedCode(fmt, text) for fmt, text in codes),
        issued_by=issued_by,
    )
