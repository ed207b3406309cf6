"""The JSON shapes of the staff API: separate from the entities, so storage and API can differ.

Field names are the CSV's and the entities' (one vocabulary); validation that belongs to the
domain (names, products, dates) happens in the domain, and its errors come back as problems.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field

from shomeisho.procedure.journey_metrics import PERCENTILE_METHOD, Durations, JourneyMetrics
from shomeisho.records.entities import (
    EventChange,
    EventDetails,
    Resident,
    Sex,
    Staff,
    VaccinationEventRecord,
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SignIn(_Model):
    login: str = Field(max_length=64, examples=["clerk-131016"])
    password: str = Field(max_length=200)


class StaffOut(_Model):
    login: str
    display_name: str
    role: str
    municipality_code: str | None

    @classmethod
    def of(cls, staff: Staff) -> StaffOut:
        return cls(
            login=staff.login,
            display_name=staff.display_name,
            role=staff.role.value,
            municipality_code=staff.municipality_code,
        )


class ResidentIn(_Model):
    resident_number: str = Field(max_length=64, examples=["A0001"])
    family_name: str = Field(max_length=100, examples=["髙橋"])
    given_name: str = Field(max_length=100, examples=["𠮷子"])
    family_name_kana: str = Field("", max_length=100, examples=["タカハシ"])
    given_name_kana: str = Field("", max_length=100, examples=["ヨシコ"])
    family_name_romaji: str = Field("", max_length=100, examples=["TAKAHASHI"])
    given_name_romaji: str = Field("", max_length=100, examples=["YOSHIKO"])
    former_family_name: str = Field("", max_length=100, examples=["山﨑"])
    passport_family_name: str = Field("", max_length=100)
    passport_given_name: str = Field("", max_length=100)
    birth_date: str = Field(max_length=10, examples=["1961-04-09"])
    sex: Sex = Sex.UNKNOWN


class MyNumberIn(_Model):
    my_number: str = Field(max_length=20, examples=["123456789018"])


class ResidentOut(ResidentIn):
    resident_id: str
    municipality_code: str
    linked_to_identity: bool
    has_my_number: bool
    updated_at: datetime

    @classmethod
    def of(cls, resident: Resident) -> ResidentOut:
        details = resident.details
        return cls(
            resident_id=resident.resident_id,
            municipality_code=details.municipality_code,
            resident_number=details.resident_number,
            family_name=details.family_name,
            given_name=details.given_name,
            family_name_kana=details.family_name_kana,
            given_name_kana=details.given_name_kana,
            family_name_romaji=details.family_name_romaji,
            given_name_romaji=details.given_name_romaji,
            former_family_name=details.former_family_name,
            passport_family_name=details.passport_family_name,
            passport_given_name=details.passport_given_name,
            birth_date=details.birth_date,
            sex=details.sex,
            linked_to_identity=resident.idp_subject is not None,
            has_my_number=resident.has_my_number,
            updated_at=resident.updated_at,
        )


class ResidentPage(_Model):
    total: int
    residents: list[ResidentOut]


class EventIn(_Model):
    administered_on: date = Field(examples=["2021-06-01"])
    product: str = Field(max_length=100, examples=["comirnaty"])
    lot: str = Field(min_length=1, max_length=200, examples=["FA4597"])
    dose_number: int = Field(ge=1, le=99, examples=[1])
    site: str = Field("", max_length=200, examples=["千代田区役所 集団接種会場"])
    source_system: str = Field("staff", max_length=64)
    source_record_id: str = Field(min_length=1, max_length=64, examples=["VRS-0001"])


class CorrectionIn(_Model):
    expected_version: int = Field(ge=1)
    reason: str = Field(min_length=3, max_length=500)
    event: EventIn


class VoidIn(_Model):
    expected_version: int = Field(ge=1)
    reason: str = Field(min_length=3, max_length=500)


class EventOut(_Model):
    event_id: str
    resident_id: str
    municipality_code: str
    administered_on: date
    product: str
    lot: str
    dose_number: int
    site: str
    source_system: str
    source_record_id: str
    status: str
    version: int
    status_reason: str
    changed_by: str
    changed_at: datetime

    @classmethod
    def of(cls, event: VaccinationEventRecord) -> EventOut:
        return cls.model_validate(
            {
                "event_id": event.event_id,
                "resident_id": event.resident_id,
                "municipality_code": event.municipality_code,
                "status": event.status.value,
                "version": event.version,
                "status_reason": event.status_reason,
                "changed_by": event.changed_by,
                "changed_at": event.changed_at,
                **_details(event.details),
            }
        )


class EventRecorded(_Model):
    created: bool
    event: EventOut


class HistoryOut(_Model):
    version: int
    status: str
    reason: str
    changed_by: str
    changed_at: datetime
    administered_on: date
    product: str
    lot: str
    dose_number: int
    site: str

    @classmethod
    def of(cls, change: EventChange) -> HistoryOut:
        details = _details(change.details)
        kept = ("administered_on", "product", "lot", "dose_number", "site")
        return cls.model_validate(
            {
                "version": change.version,
                "status": change.status.value,
                "reason": change.reason,
                "changed_by": change.changed_by,
                "changed_at": change.changed_at,
                **{k: details[k] for k in kept},
            }
        )


class ResidentFileOut(_Model):
    resident: ResidentOut
    events: list[EventOut]


class RowProblemOut(_Model):
    row: int
    column: str
    reason: str


class ImportOut(_Model):
    municipality_code: str
    rows_read: int
    accepted: int
    rejected_rows: int
    inserted: int
    updated: int
    unchanged: int
    kept_staff_corrections: int
    residents_created: int
    residents_updated: int
    problems: list[RowProblemOut]


class AuditCheckOut(_Model):
    intact: bool
    entries: int
    head: str | None
    problems: list[dict[str, str | int]]


def _details(details: EventDetails) -> dict[str, object]:
    return {
        "administered_on": details.administered_on,
        "product": details.product_code,
        "lot": details.lot,
        "dose_number": details.dose_number,
        "site": details.site,
        "source_system": details.source_system,
        "source_record_id": details.source_record_id,
    }


class DurationsOut(_Model):
    """Start (``start/started``) to certificate (``certificate/outcome issued``), in seconds."""

    count: int = Field(description="journeys that got a certificate")
    median_seconds: float | None = Field(description="nearest-rank median; null without any")
    p95_seconds: float | None = Field(description="nearest-rank 95th percentile")
    within_60s: int = Field(description="journeys done in 60 s or less (60 s included)")
    share_within_60s: float | None = Field(description="within_60s / count")


class StepOut(_Model):
    step: str = Field(examples=["use"])
    base: int = Field(description="journeys started (travel: journeys that chose overseas)")
    reached: int = Field(description="journeys sent to the step, or with events at it or beyond")
    completed: int = Field(description="journeys that submitted the step")
    reached_rate: float | None = Field(description="reached / base")
    completed_rate: float | None = Field(description="completed / base")


class ValidationErrorsOut(_Model):
    step: str = Field(examples=["travel"])
    field: str = Field(examples=["passport_number"])
    events: int = Field(description="refused answers")
    journeys: int = Field(description="journeys that met this error at least once")


class EndedWithoutOut(_Model):
    step: str = Field(examples=["use"])
    outcome: str = Field(examples=["no_records"])
    journeys: int


class UseOut(_Model):
    use: str = Field(examples=["overseas"])
    journeys: int = Field(description="journeys whose chosen use this is")
    certificates: int
    certificate_rate: float | None = Field(description="certificates / journeys")
    time_to_certificate: DurationsOut


class JourneyMetricsOut(_Model):
    """Figures of the journeys started in ``[window_start, window_end)``, followed to their end;
    no journey id and no personal data."""

    window_start: datetime
    window_end: datetime
    percentile_method: str = Field(examples=["nearest-rank"])
    journeys_started: int
    certificates: int = Field(description="journeys that got a certificate")
    certificate_rate: float | None = Field(description="certificates / journeys_started")
    time_to_certificate: DurationsOut
    steps: list[StepOut] = Field(description="every step, in the order of the procedure")
    validation_errors: list[ValidationErrorsOut]
    ended_without_certificate: list[EndedWithoutOut] = Field(
        description="journeys without a certificate, each under its last outcome"
    )
    abandoned: int = Field(description="no certificate and no outcome: the resident left")
    use_not_chosen: int = Field(description="journeys that never submitted the use page")
    by_use: list[UseOut]

    @classmethod
    def of(cls, metrics: JourneyMetrics) -> JourneyMetricsOut:
        return cls(
            window_start=metrics.start,
            window_end=metrics.end,
            percentile_method=PERCENTILE_METHOD,
            journeys_started=metrics.journeys_started,
            certificates=metrics.certificates,
            certificate_rate=metrics.certificate_rate,
            time_to_certificate=_durations(metrics.time_to_certificate),
            steps=[
                StepOut(
                    step=s.step,
                    base=s.base,
                    reached=s.reached,
                    completed=s.completed,
                    reached_rate=s.reached_rate,
                    completed_rate=s.completed_rate,
                )
                for s in metrics.steps
            ],
            validation_errors=[
                ValidationErrorsOut(
                    step=v.step, field=v.field, events=v.events, journeys=v.journeys
                )
                for v in metrics.validation_errors
            ],
            ended_without_certificate=[
                EndedWithoutOut(step=e.step, outcome=e.outcome, journeys=e.journeys)
                for e in metrics.ended_without_certificate
            ],
            abandoned=metrics.abandoned,
            use_not_chosen=metrics.use_not_chosen,
            by_use=[
                UseOut(
                    use=u.use,
                    journeys=u.journeys,
                    certificates=u.certificates,
                    certificate_rate=u.certificate_rate,
                    time_to_certificate=_durations(u.time_to_certificate),
                )
                for u in metrics.by_use
            ],
        )


def _seconds(value: timedelta | None) -> float | None:
    return None if value is None else value.total_seconds()


def _durations(durations: Durations) -> DurationsOut:
    return DurationsOut(
        count=durations.count,
        median_seconds=_seconds(durations.median),
        p95_seconds=_seconds(durations.p95),
        within_60s=durations.within_goal,
        share_within_60s=durations.share_within_goal,
    )
