"""issuance channel, consent, the register it was issued from and the name shown

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("issued_certificates", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("channel", sa.String(length=10), server_default="app", nullable=False)
        )
        batch_op.add_column(
            sa.Column("consent", sa.String(length=40), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("register_digest", sa.String(length=64), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("shown_name", sa.String(length=200), server_default="", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("issued_certificates", schema=None) as batch_op:
        batch_op.drop_column("shown_name")
        batch_op.drop_column("register_digest")
        batch_op.drop_column("consent")
        batch_op.drop_column("channel")
