"""engine: the records' analytics copy (Parquet parts)

Revision ID: 0011
Revises: 0008
Create Date: 2026-12-02 05:30:00

0009 and 0010 are left to the branches that reserved them; this one follows 0008 until those
land (the integrator re-chains ``down_revision``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lookthrough.core.db

revision = "0011"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "engine_mirror_part",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("signature", sa.JSON(), nullable=False),
        sa.Column("events_path", sa.String(length=500), nullable=False),
        sa.Column("removed_path", sa.String(length=500), nullable=True),
        sa.Column("watermark", lookthrough.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("removed", sa.Integer(), nullable=False),
        sa.Column("created_at", lookthrough.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engine_mirror_part")),
    )
    with op.batch_alter_table("engine_mirror_part", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_engine_mirror_part_generation"), ["generation"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("engine_mirror_part", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_engine_mirror_part_generation"))
    op.drop_table("engine_mirror_part")
