"""self-check runs, and the synthetic marks that keep the self-check out of the KPIs

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "selfcheck_runs",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("failed_step", sa.String(length=40), nullable=True),
        sa.Column("steps", sa.Text(), nullable=False),
        sa.Column("trigger", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_selfcheck_runs_started_at"), "selfcheck_runs", ["started_at"], unique=False
    )
    with op.batch_alter_table("residents", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("synthetic", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("journey_events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("synthetic", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("journey_events", schema=None) as batch_op:
        batch_op.drop_column("synthetic")
    with op.batch_alter_table("residents", schema=None) as batch_op:
        batch_op.drop_column("synthetic")
    op.drop_index(op.f("ix_selfcheck_runs_started_at"), table_name="selfcheck_runs")
    op.drop_table("selfcheck_runs")
