"""KPI facts per day, the public verifier's counts, and an index for reading a day's issuances

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def _day() -> sa.Column[object]:
    return sa.Column("day", sa.Date(), nullable=False)


def _key(name: str, length: int) -> sa.Column[object]:
    return sa.Column(name, sa.String(length=length), nullable=False)


def _count(name: str, kind: type[sa.Integer] = sa.Integer) -> sa.Column[object]:
    return sa.Column(name, kind(), nullable=False)


def upgrade() -> None:
    op.create_index(
        "ix_issued_certificates_issued_at", "issued_certificates", ["issued_at"], unique=False
    )
    op.create_table(
        "verification_counts",
        _key("channel", 10),
        _day(),
        _key("format", 10),
        _key("verdict", 20),
        _count("total", sa.BigInteger),
        sa.PrimaryKeyConstraint("channel", "day", "format", "verdict"),
    )
    op.create_table(
        "kpi_rollups",
        _day(),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("day"),
    )
    op.create_table(
        "kpi_journeys",
        _day(),
        _key("use", 10),
        _count("started"),
        _count("certificates"),
        _count("abandoned"),
        sa.PrimaryKeyConstraint("day", "use"),
    )
    op.create_table(
        "kpi_journey_steps",
        _day(),
        _key("use", 10),
        _key("step", 20),
        _count("reached"),
        _count("completed"),
        sa.PrimaryKeyConstraint("day", "use", "step"),
    )
    op.create_table(
        "kpi_journey_times",
        _day(),
        _key("use", 10),
        sa.Column("seconds", sa.Integer(), autoincrement=False, nullable=False),
        _count("journeys"),
        sa.PrimaryKeyConstraint("day", "use", "seconds"),
    )
    op.create_table(
        "kpi_journey_reasons",
        _day(),
        _key("use", 10),
        _key("step", 20),
        _key("kind", 10),
        _key("code", 40),
        _count("journeys"),
        _count("events"),
        sa.PrimaryKeyConstraint("day", "use", "step", "kind", "code"),
    )
    op.create_table(
        "kpi_issuances",
        _day(),
        _key("municipality_code", 6),
        _key("channel", 10),
        _key("use", 10),
        _key("formats", 40),
        _count("issuances"),
        sa.PrimaryKeyConstraint("day", "municipality_code", "channel", "use", "formats"),
    )
    op.create_index(
        "ix_kpi_issuances_municipality",
        "kpi_issuances",
        ["municipality_code", "day"],
        unique=False,
    )
    op.create_table(
        "kpi_verifications",
        _day(),
        _key("channel", 10),
        _key("format", 10),
        _key("verdict", 20),
        _count("total", sa.BigInteger),
        sa.PrimaryKeyConstraint("day", "channel", "format", "verdict"),
    )


def downgrade() -> None:
    op.drop_table("kpi_verifications")
    op.drop_index("ix_kpi_issuances_municipality", table_name="kpi_issuances")
    op.drop_table("kpi_issuances")
    op.drop_table("kpi_journey_reasons")
    op.drop_table("kpi_journey_times")
    op.drop_table("kpi_journey_steps")
    op.drop_table("kpi_journeys")
    op.drop_table("kpi_rollups")
    op.drop_table("verification_counts")
    op.drop_index("ix_issued_certificates_issued_at", table_name="issued_certificates")
