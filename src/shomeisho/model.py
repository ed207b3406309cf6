"""Format-neutral records: one vaccination record that every certificate format is built from.

The formats disagree on almost everything (FHIR for SHC, DCC's short keys, ICAO's ``pid``/``ve``),
so the record here is shaped by the domain, not by any one format: a person with a primary name and
alternates (old surname 旧姓, passport name), a possibly partial date of birth, and vaccination
events that carry product, manufacturer, lot, dose number of series, country and issuer.
Decoders return this same record so a round trip can be compared field by field.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from shomeisho.errors import InputError, Verdict, worst_verdict
from shomeisho.errors import ShomeishoError as _ShomeishoError

#: Japan's time, in which residents read every date and time (Japan keeps no daylight saving).
JST = timezone(timedelta(hours=9), "JST")
_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date of birth that may lack its day or month, as DCC and real registers allow."""

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if not 1800 <= self.year <= 2999:
            raise InputError(f"year {self.year} is out of range", code="input.date")
        if self.month is None and self.day is not None:
            raise InputError("a day without a month is not a date", code="input.date")
        if self.month is not None and not 1 <= self.month <= 12:
            raise InputError(f"month {self.month} is out of range", code="input.date")
        if self.month is not None and self.day is not None:
            try:
                date(self.year, self.month, self.day)
            except ValueError as exc:
                raise InputError(f"{self.iso()} is not a calendar date", code="input.date") from exc

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """Read ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; DCC writes unknown parts as ``XX``."""
        cleaned = text.strip()
        cleaned = re.sub(r"-XX$", "", cleaned)
        cleaned = re.sub(r"-XX$", "", cleaned)
        match = _PARTIAL_DATE.match(cleaned)
        if not match:
            raise InputError(
                f"{text!r} is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD", code="input.date"
            )
        year, month, day = match.groups()
        return cls(int(year), int(month) if month else None, int(day) if day else None)

    def iso(self) -> str:
        out = f"{self.year:04d}"
        if self.month is not None:
            out += f"-{self.month:02d}"
            if self.day is not None:
                out += f"-{self.day:02d}"
        return out

    @property
    def is_complete(self) -> bool:
        return self.day is not None


@dataclass(frozen=True)
class PersonName:
    """One name of a person: as written (kanji, Cyrillic...) and romanised (ICAO 9303 letters).

    ``family_romanised``/``given_romanised`` are what goes on a passport; certificates for use
    abroad need them, domestic ones may not.
    """

    family: str | None = None
    given: str | None = None
    family_romanised: str | None = None
    given_romanised: str | None = None
    kind: str = "primary"  # primary | former_surname | passport | kana

    def __post_init__(self) -> None:
        if not any((self.family, self.given, self.family_romanised, self.given_romanised)):
            raise InputError("a name needs at least one part", code="input.name")

    def display(self) -> str:
        parts = [p for p in (self.family, self.given) if p]
        if parts:
            return " ".join(parts)
        return self.romanised_display()

    def romanised_display(self) -> str:
        return " ".join(p for p in (self.family_romanised, self.given_romanised) if p)


@dataclass(frozen=True)
class Person:
    """The holder. Alternates let a verifier match an old surname or a passport spelling."""

    name: PersonName
    birth_date: PartialDate | None
    alternates: tuple[PersonName, ...] = ()
    sex: str | None = None  # "M", "F", "X" or None (ICAO 9303 letters)
    passport_number: str | None = None
    nationality: str | None = None  # ISO 3166-1 alpha-3


@dataclass(frozen=True)
class VaccinationEvent:
    """One administered dose. ``product`` is a key of :mod:`shomeisho.vaccines`."""

    product: str
    date: date
    dose_number: int
    series_doses: int
    lot: str | None = None
    country: str = "JP"  # ISO 3166-1 alpha-2, the form DCC uses; formats convert as needed
    issuer: str = "Ministry of Health, Labour and Welfare"
    performer: str | None = None  # administering site / organisation

    def __post_init__(self) -> None:
        if self.dose_number < 1 or self.series_doses < 1:
            raise InputError("dose numbers start at 1", code="input.dose")
        if self.dose_number > 99 or self.series_doses > 99:
            raise InputError("dose numbers above 99 are not credible", code="input.dose")


def new_certificate_id(prefix: str = "URN:UVCI:01:JP:") -> str:
    """A certificate identifier from the OS CSPRNG: 128 bits, base32 so it survives QR and speech.

    Identifiers must not be guessable or derived from the person (revocation lists are public).
    """
    raw = secrets.token_bytes(16)
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
    number = int.from_bytes(raw, "big")
    chars = []
    for _ in range(26):
        number, rem = divmod(number, 32)
        chars.append(alphabet[rem])
    return prefix + "".join(reversed(chars))


@dataclass(frozen=True)
class VaccinationRecord:
    """What a certificate says: who, which doses, under which identifier."""

    person: Person
    events: tuple[VaccinationEvent, ...]
    certificate_id: str = field(default_factory=new_certificate_id)

    def __post_init__(self) -> None:
        if not self.events:
            raise InputError("a vaccination record needs at least one dose", code="input.events")


@dataclass(frozen=True)
class IssuedCertificate:
    """The output of issuing: the text that goes in the QR and what the verifier will see."""

    format: str
    text: str
    record: VaccinationRecord
    issued_at: datetime
    expires_at: datetime | None
    key_id: str


class Verification:
    """The outcome of verifying one input. ``verdict`` follows from ``errors``; never a bare bool.

    ``record`` is set only when the signature verified, so nobody shows an unsigned name.
    ``warnings`` are facts a verifier may want to show (deprecated chunking...) that do not
    change the verdict. A format may *defer* building the record (:meth:`defer_record`) when
    building it cannot change the verdict: a gate that only needs "valid or not" then never pays
    for it, and a screen that shows the holder builds it on first access.
    """

    def __init__(
        self,
        format: str,
        *,
        errors: list[_ShomeishoError] | None = None,
        warnings: list[_ShomeishoError] | None = None,
        record: VaccinationRecord | None = None,
        issuer: str | None = None,
        key_id: str | None = None,
        issued_at: datetime | None = None,
        expires_at: datetime | None = None,
        signature_verified: bool = False,
    ) -> None:
        self.format = format
        self.errors: list[_ShomeishoError] = errors if errors is not None else []
        self.warnings: list[_ShomeishoError] = warnings if warnings is not None else []
        self._record = record
        self._record_loader: Callable[[], VaccinationRecord | None] | None = None
        self.issuer = issuer
        self.key_id = key_id
        self.issued_at = issued_at
        self.expires_at = expires_at
        self.signature_verified = signature_verified
        #: The EU DCC (HCERT) payload when the format is DCC and its signature verified: business
        #: rules are written against it. Other formats are mapped onto it by the rules package.
        self.payload: Mapping[str, Any] | None = None

    @property
    def record(self) -> VaccinationRecord | None:
        if self._record_loader is not None:
            loader, self._record_loader = self._record_loader, None
            self._record = loader()
        return self._record

    @record.setter
    def record(self, value: VaccinationRecord | None) -> None:
        self._record_loader = None
        self._record = value

    def defer_record(self, loader: Callable[[], VaccinationRecord | None]) -> None:
        """Build the record on first access; ``loader`` must not raise for verified input."""
        self._record_loader = loader
        self._record = None

    def __repr__(self) -> str:
        return (
            f"Verification(format={self.format!r}, verdict={self.verdict.value!r}, "
            f"errors={[e.code for e in self.errors]!r})"
        )

    @property
    def verdict(self) -> Verdict:
        if not self.errors and not self.signature_verified:
            return Verdict.INVALID
        return worst_verdict(self.errors)

    def as_dict(self) -> dict[str, object]:
        """The ``--json`` shape: personal data only once the signature verified."""
        out: dict[str, object] = {
            "format": self.format,
            "verdict": self.verdict.value,
            "errors": [e.as_dict() for e in self.errors],
            "warnings": [w.as_dict() for w in self.warnings],
        }
        if self.signature_verified and self.record is not None:
            person = self.record.person
            out["name"] = person.name.display()
            out["name_romanised"] = person.name.romanised_display() or None
            out["date_of_birth"] = person.birth_date.iso() if person.birth_date else None
            out["certificate_id"] = self.record.certificate_id
        if self.issuer:
            out["issuer"] = self.issuer
        if self.key_id:
            out["key_id"] = self.key_id
        if self.issued_at:
            out["issued_at"] = self.issued_at.isoformat()
        if self.expires_at:
            out["expires_at"] = self.expires_at.isoformat()
        return out
