"""The KPI fact tables (issue 6, docs/kpi.md): per-day facts rolled up from the raw tables.

Live KPI queries read only these; the roll-up (``db/kpi_facts.py``) fills them.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, DateTime, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from shomeisho.db.tables import Base, IssuedCertificateRow

# the roll-up reads a day's issuances by time; without this index it would scan them all
Index("ix_issued_certificates_issued_at", IssuedCertificateRow.issued_at)


class VerificationCountRow(Base):
    """Verifications on the public /verify page per (Japanese) day, format and verdict, added to
    by upserts like ``api_usage`` (channel ``page``); nothing of a certificate is kept."""

    __tablename__ = "verification_counts"

    channel: Mapped[str] = mapped_column(String(10), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    format: Mapped[str] = mapped_column(String(10), primary_key=True)
    verdict: Mapped[str] = mapped_column(String(20), primary_key=True)
    total: Mapped[int] = mapped_column(BigInteger)


class KpiRollupRow(Base):
    """When a day's facts were computed (a roll-up replaces all of that day's fact rows)."""

    __tablename__ = "kpi_rollups"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class KpiJourneyRow(Base):
    """Journeys started on a day, per use chosen (``none``: never chose one)."""

    __tablename__ = "kpi_journeys"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    use: Mapped[str] = mapped_column(String(10), primary_key=True)
    started: Mapped[int] = mapped_column(Integer)
    certificates: Mapped[int] = mapped_column(Integer)
    abandoned: Mapped[int] = mapped_column(Integer)


class KpiJourneyStepRow(Base):
    """Journeys started on a day, per use, that reached and that completed each step."""

    __tablename__ = "kpi_journey_steps"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    use: Mapped[str] = mapped_column(String(10), primary_key=True)
    step: Mapped[str] = mapped_column(String(20), primary_key=True)
    reached: Mapped[int] = mapped_column(Integer)
    completed: Mapped[int] = mapped_column(Integer)


class KpiJourneyTimeRow(Base):
    """Journeys started on a day, per use, by their time to certificate in whole seconds
    (rounded up): a histogram, so a period's percentiles are exact to the second."""

    __tablename__ = "kpi_journey_times"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    use: Mapped[str] = mapped_column(String(10), primary_key=True)
    seconds: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    journeys: Mapped[int] = mapped_column(Integer)


class KpiJourneyReasonRow(Base):
    """Why journeys started on a day did not go on: ``ended`` (an outcome) or ``refused`` (an
    answer refused at a step for a field), per use."""

    __tablename__ = "kpi_journey_reasons"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    use: Mapped[str] = mapped_column(String(10), primary_key=True)
    step: Mapped[str] = mapped_column(String(20), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    journeys: Mapped[int] = mapped_column(Integer)
    events: Mapped[int] = mapped_column(Integer)


class KpiIssuanceRow(Base):
    """Issuances on a day per resident's municipality, channel (app, counter), use and the set
    of formats issued together (``shc+vdsnc``)."""

    __tablename__ = "kpi_issuances"
    __table_args__ = (Index("ix_kpi_issuances_municipality", "municipality_code", "day"),)

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    municipality_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    channel: Mapped[str] = mapped_column(String(10), primary_key=True)
    use: Mapped[str] = mapped_column(String(10), primary_key=True)
    formats: Mapped[str] = mapped_column(String(40), primary_key=True)
    issuances: Mapped[int] = mapped_column(Integer)


class KpiVerificationRow(Base):
    """Verifications on a day per channel (page, api), format and verdict."""

    __tablename__ = "kpi_verifications"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    channel: Mapped[str] = mapped_column(String(10), primary_key=True)
    format: Mapped[str] = mapped_column(String(10), primary_key=True)
    verdict: Mapped[str] = mapped_column(String(20), primary_key=True)
    total: Mapped[int] = mapped_column(BigInteger)
