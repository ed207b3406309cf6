"""certificate ids our issuer revoked

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "revocations",
        sa.Column("certificate_id", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("certificate_id"),
    )
    op.create_index(op.f("ix_revocations_revoked_at"), "revocations", ["revoked_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_revocations_revoked_at"), table_name="revocations")
    op.drop_table("revocations")
