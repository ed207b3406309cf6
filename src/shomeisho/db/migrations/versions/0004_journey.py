"""journey events

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "journey_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("journey_id", sa.String(length=32), nullable=False),
        sa.Column("step", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("detail", sa.String(length=40), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("journey_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_journey_events_at"), ["at"], unique=False)
        batch_op.create_index("ix_journey_events_journey", ["journey_id", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("journey_events", schema=None) as batch_op:
        batch_op.drop_index("ix_journey_events_journey")
        batch_op.drop_index(batch_op.f("ix_journey_events_at"))

    op.drop_table("journey_events")
