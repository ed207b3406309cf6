"""The things the record system holds: staff, residents and their vaccination events.

Plain frozen dataclasses, so the service, the storage and the pages pass the same values around
and none of them can change a record behind the audit log's back. Storage rows
(:mod:`shomeisho.db.tables`) and API schemas are separate types on purpose: a column added for
storage must not leak into an API, and an API field must not silently become a column.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class Role(StrEnum):
    """What a staff account may do. Clerks and municipal admins belong to one municipality."""

    CLERK = "clerk"
    MUNICIPAL_ADMIN = "municipal_admin"
    NATIONAL_OPERATOR = "national_operator"


class Sex(StrEnum):
    """As the resident register records it; ``unknown`` where a source does not say."""

    MALE = "male"
    FEMALE = "female"
    OTHER = "other"
    UNKNOWN = "unknown"


class EventStatus(StrEnum):
    """``active`` as recorded; ``corrected`` changed by staff (history kept); ``voided``
    withdrawn (kept, never counted as a dose)."""

    ACTIVE = "active"
    CORRECTED = "corrected"
    VOIDED = "voided"


@dataclass(frozen=True, slots=True)
class Staff:
    """A signed-in staff member: the actor every service call is made as."""

    staff_id: int
    login: str
    display_name: str
    role: Role
    municipality_code: str | None  # None only for the national operator

    def __post_init__(self) -> None:
        if (self.role is Role.NATIONAL_OPERATOR) != (self.municipality_code is None):
            raise ValueError("municipal roles need a municipality; the national operator has none")


@dataclass(frozen=True, slots=True)
class ResidentDetails:
    """A resident as a municipality registers them (names already in stored form).

    ``resident_number`` is the municipality's own number for the person (宛名番号), unique within
    the municipality; it is how imports find the same person again. A raw My Number is never
    held: at most its keyed hash (:mod:`.mynumber`)."""

    municipality_code: str
    resident_number: str
    family_name: str
    given_name: str
    family_name_kana: str
    given_name_kana: str
    family_name_romaji: str
    given_name_romaji: str
    birth_date: str  # YYYY, YYYY-MM or YYYY-MM-DD (partial dates exist in old registers)
    sex: Sex
    former_family_name: str = ""  # 旧姓, shown beside the current name on the card
    passport_family_name: str = ""  # where the passport spells it differently
    passport_given_name: str = ""


@dataclass(frozen=True, slots=True)
class Resident:
    """A stored resident: the details plus the identifiers the system gave them."""

    resident_id: str  # random, public: used in URLs instead of the row number
    details: ResidentDetails
    idp_subject: str | None
    has_my_number: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class EventDetails:
    """One vaccination as a site or the VRS reports it.

    ``(municipality, source_record_id)`` identifies it: however often or concurrently it is
    submitted, it is one event."""

    administered_on: date
    product_code: str
    lot: str
    dose_number: int
    site: str
    source_system: str
    source_record_id: str


@dataclass(frozen=True, slots=True)
class VaccinationEventRecord:
    """A stored vaccination event with its status, version and who changed it last."""

    event_id: str
    resident_id: str
    municipality_code: str
    details: EventDetails
    status: EventStatus
    version: int
    status_reason: str
    changed_by: str  # a staff login, or "import:<source system>"
    changed_at: datetime

    @property
    def counts(self) -> bool:
        """Whether this event counts as a dose given (a voided one does not)."""
        return self.status is not EventStatus.VOIDED


@dataclass(frozen=True, slots=True)
class EventChange:
    """One earlier version of an event, kept when it was corrected or voided."""

    event_id: str
    version: int
    details: EventDetails
    status: EventStatus
    reason: str
    changed_by: str
    changed_at: datetime
