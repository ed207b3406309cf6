"""The database tables (SQLAlchemy 2 declarative), the only place the schema is described.

Alembic migrations (``db/migrations``) create exactly this schema; a test compares the two.
The same tables serve SQLite (the embedded default) and PostgreSQL (production), so only
portable types are used. Rows are storage: the domain works with :mod:`shomeisho.records`
entities, and the store translates.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy import false as sa_false
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# SQLite only gives an INTEGER PRIMARY KEY its rowid (autoincrement) behaviour for "INTEGER".
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    pass


class MunicipalityRow(Base):
    __tablename__ = "municipalities"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    prefecture: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(40))
    prefecture_kana: Mapped[str] = mapped_column(String(40))
    name_kana: Mapped[str] = mapped_column(String(80))


class StaffRow(Base):
    __tablename__ = "staff"
    __table_args__ = (
        CheckConstraint(
            "(role = 'national_operator') = (municipality_code IS NULL)",
            name="ck_staff_scope",
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    municipality_code: Mapped[str | None] = mapped_column(
        ForeignKey("municipalities.code"), index=True
    )
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ResidentRow(Base):
    __tablename__ = "residents"
    __table_args__ = (
        UniqueConstraint("municipality_code", "resident_number", name="uq_resident_number"),
        Index("ix_residents_name_key", "municipality_code", "name_key"),
        Index("ix_residents_kana_key", "municipality_code", "kana_key"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    resident_id: Mapped[str] = mapped_column(String(32), unique=True)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipalities.code"))
    resident_number: Mapped[str] = mapped_column(String(64))
    family_name: Mapped[str] = mapped_column(String(100))
    given_name: Mapped[str] = mapped_column(String(100))
    family_name_kana: Mapped[str] = mapped_column(String(100), default="")
    given_name_kana: Mapped[str] = mapped_column(String(100), default="")
    family_name_romaji: Mapped[str] = mapped_column(String(100), default="")
    given_name_romaji: Mapped[str] = mapped_column(String(100), default="")
    former_family_name: Mapped[str] = mapped_column(String(100), default="")
    passport_family_name: Mapped[str] = mapped_column(String(100), default="")
    passport_given_name: Mapped[str] = mapped_column(String(100), default="")
    # NFKC-folded forms for search (names.matching_key): kanji and romaji, and kana
    name_key: Mapped[str] = mapped_column(String(400))
    kana_key: Mapped[str] = mapped_column(String(200))
    birth_date: Mapped[str] = mapped_column(String(10))
    sex: Mapped[str] = mapped_column(String(10))
    idp_subject: Mapped[str | None] = mapped_column(String(200), unique=True)
    my_number_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # the self-check's synthetic resident: its traffic is kept out of every KPI
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())


class EventRow(Base):
    __tablename__ = "vaccination_events"
    __table_args__ = (
        UniqueConstraint("municipality_code", "source_record_id", name="uq_event_source"),
        CheckConstraint("dose_number BETWEEN 1 AND 99", name="ck_event_dose"),
        CheckConstraint("status IN ('active', 'corrected', 'voided')", name="ck_event_status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(32), unique=True)
    resident_pk: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipalities.code"))
    administered_on: Mapped[date] = mapped_column(Date)
    product_code: Mapped[str] = mapped_column(String(40))
    lot: Mapped[str] = mapped_column(String(200))
    dose_number: Mapped[int] = mapped_column(Integer)
    site: Mapped[str] = mapped_column(String(200), default="")
    source_system: Mapped[str] = mapped_column(String(64))
    source_record_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10))
    version: Mapped[int] = mapped_column(Integer, default=1)
    status_reason: Mapped[str] = mapped_column(Text, default="")
    changed_by: Mapped[str] = mapped_column(String(100))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class EventHistoryRow(Base):
    """Every superseded version of an event, written before the event row changes."""

    __tablename__ = "vaccination_event_history"
    __table_args__ = (UniqueConstraint("event_pk", "version", name="uq_event_history_version"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    event_pk: Mapped[int] = mapped_column(ForeignKey("vaccination_events.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[dict[str, object]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text, default="")
    changed_by: Mapped[str] = mapped_column(String(100))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AuditRow(Base):
    """Append-only; ``seq`` is the chain position (assigned under the head row's lock)."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40))
    municipality_code: Mapped[str | None] = mapped_column(String(6), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    details: Mapped[dict[str, object]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHeadRow(Base):
    """One row: the newest entry's seq and hash. Updating it serialises writers (row lock on
    PostgreSQL, the database lock on SQLite) and lets ``audit verify`` notice a cut tail."""

    __tablename__ = "audit_head"
    __table_args__ = (CheckConstraint("id = 1", name="ck_audit_head_single"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))


class CardRow(Base):
    """An emulated My Number card of the demo identity provider."""

    __tablename__ = "idp_cards"
    __table_args__ = (CheckConstraint("failed_attempts BETWEEN 0 AND 3", name="ck_card_attempts"),)

    subject: Mapped[str] = mapped_column(String(64), primary_key=True)
    pin_digest: Mapped[str] = mapped_column(String(64))
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    locked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    family_name: Mapped[str] = mapped_column(String(100))
    given_name: Mapped[str] = mapped_column(String(100))
    family_name_kana: Mapped[str] = mapped_column(String(100))
    given_name_kana: Mapped[str] = mapped_column(String(100))
    former_family_name: Mapped[str] = mapped_column(String(100))
    birth_date: Mapped[str] = mapped_column(String(10))
    sex: Mapped[str] = mapped_column(String(10))
    municipality_code: Mapped[str] = mapped_column(String(6))
    address: Mapped[str] = mapped_column(String(200))
    certificate_pem: Mapped[str] = mapped_column(Text)
    key_pem: Mapped[str] = mapped_column(Text)  # PKCS#8, encrypted under the record secret
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class IssuedCertificateRow(Base):
    """Every certificate issued, kept so the resident can see it again and know the newest.

    The text is the certificate itself (what the QR holds); one issuance shares one
    certificate id across its formats."""

    __tablename__ = "issued_certificates"
    __table_args__ = (
        UniqueConstraint("certificate_id", "format", name="uq_issued_format"),
        Index("ix_issued_resident", "resident_pk", "issued_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    certificate_id: Mapped[str] = mapped_column(String(64))
    resident_pk: Mapped[int] = mapped_column(ForeignKey("residents.id"))
    use: Mapped[str] = mapped_column(String(10))
    format: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    issued_by: Mapped[str] = mapped_column(String(100))  # "resident" or a staff login
    channel: Mapped[str] = mapped_column(String(10), server_default="app")  # app | counter
    consent: Mapped[str] = mapped_column(String(40), server_default="")  # how it was given
    # what the register held when issued: a different digest now means "issue again"
    register_digest: Mapped[str] = mapped_column(String(64), server_default="")
    shown_name: Mapped[str] = mapped_column(String(200), server_default="")  # "" = record's name


class JourneyEventRow(Base):
    """One step of a resident's procedure, with no personal data: a random journey id, the
    step, what happened (started, submitted, validation_error, outcome) and a short code."""

    __tablename__ = "journey_events"
    __table_args__ = (Index("ix_journey_events_journey", "journey_id", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    journey_id: Mapped[str] = mapped_column(String(32))
    step: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str] = mapped_column(String(40), default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    # set on the events of the self-check's synthetic journeys, once its resident signed in;
    # a journey with any synthetic event is left out of the KPIs
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())


class ApiOrganisationRow(Base):
    """An organisation whose apps call the verification API (docs/api.md)."""

    __tablename__ = "api_organisations"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ApiKeyRow(Base):
    """An API key: its public id and the keyed hash of the whole key, never the key itself.
    Keys are revoked, never deleted, so usage totals keep their key."""

    __tablename__ = "api_keys"
    __table_args__ = (
        CheckConstraint("rate_per_minute >= 1 AND burst >= 1", name="ck_api_key_limits"),
    )

    key_id: Mapped[str] = mapped_column(String(12), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("api_organisations.id"), index=True)
    digest: Mapped[str] = mapped_column(String(64))
    rate_per_minute: Mapped[int] = mapped_column(Integer)
    burst: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(100))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_by: Mapped[str | None] = mapped_column(String(100))


class ApiUsageRow(Base):
    """How often a key was used on a (Japanese) day, per format and verdict; totals are added
    to by upserts. ``format`` is "" for requests refused before reading (rate limited)."""

    __tablename__ = "api_usage"
    __table_args__ = (Index("ix_api_usage_day", "day"),)

    key_id: Mapped[str] = mapped_column(ForeignKey("api_keys.key_id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    format: Mapped[str] = mapped_column(String(10), primary_key=True)
    verdict: Mapped[str] = mapped_column(String(20), primary_key=True)
    total: Mapped[int] = mapped_column(BigInteger)


def table_of(model: type[Base]) -> Table:
    """The Core table of a model, typed as one (``__table__`` is typed as any FROM clause)."""
    found = model.__table__
    if not isinstance(found, Table):  # pragma: no cover - every model here maps one table
        raise TypeError(f"{model.__name__} does not map a single table")
    return found


class RevocationRow(Base):
    """A certificate id our issuer revoked, with why and by whom. Never deleted: a revocation is
    never withdrawn (the published lists only grow)."""

    __tablename__ = "revocations"

    certificate_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    reason: Mapped[str] = mapped_column(String(200))
    revoked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    revoked_by: Mapped[str] = mapped_column(String(100))


class SelfCheckRunRow(Base):
    """One run of the end-to-end self-check: when, whether it passed, the step that failed, and
    each step's outcome and time (JSON list of {step, ok, ms, detail})."""

    __tablename__ = "selfcheck_runs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    finished_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ok: Mapped[bool] = mapped_column(Boolean)
    failed_step: Mapped[str | None] = mapped_column(String(40))
    steps: Mapped[str] = mapped_column(Text)
    trigger: Mapped[str] = mapped_column(String(20))  # schedule | command


# The KPI fact tables live in their own module; importing it here registers them on Base's
# metadata wherever the tables are used (migrations, the schema test, bootstrap).
from shomeisho.db import kpi_tables as _kpi_tables  # noqa: E402, F401
