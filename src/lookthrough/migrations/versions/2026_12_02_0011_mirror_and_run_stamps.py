"""engine: the records' analytics copy (Parquet parts); risk: rows stamped by their run

Full re-scores rewrite only the assessments and credit classes that changed, so those rows keep
the id of the run that last wrote them (and a digest of their content) instead of a day and time
of their own; the history tables lose their row-by-row foreign key to ``entity``; the links
changed since the last run are found by an index.

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
        sa.Column("mentions_path", sa.String(length=500), nullable=False),
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
    with op.batch_alter_table("mention_link", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mention_link_updated_at"), ["updated_at"], unique=False
        )
    for table in ("risk_level_change", "risk_credit_class_change"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"fk_{table}_entity_id_entity"), type_="foreignkey")
    for table in ("risk_assessment", "risk_credit_class"):
        # Rows written before this revision get the last run's id and a digest no row has:
        # the next full run rewrites them once.
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("run_id", sa.Integer(), nullable=True))
            batch_op.add_column(sa.Column("digest", sa.BigInteger(), nullable=True))
        op.execute(
            f"UPDATE {table} SET digest = 0, "  # noqa: S608 - fixed table names
            "run_id = coalesce((SELECT max(id) FROM risk_run), 0)"
        )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("run_id", existing_type=sa.Integer(), nullable=False)
            batch_op.alter_column("digest", existing_type=sa.BigInteger(), nullable=False)
            batch_op.drop_column("as_of")
            batch_op.drop_column("assessed_at")


def downgrade() -> None:
    for table in ("risk_assessment", "risk_credit_class"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("as_of", sa.Date(), nullable=True))
            batch_op.add_column(
                sa.Column("assessed_at", lookthrough.core.db.UTCDateTime(timezone=True))
            )
        op.execute(
            f"UPDATE {table} SET as_of = (SELECT r.as_of FROM risk_run r "  # noqa: S608
            f"WHERE r.id = {table}.run_id), assessed_at = (SELECT r.finished_at FROM risk_run r "
            f"WHERE r.id = {table}.run_id)"
        )
        op.execute(f"DELETE FROM {table} WHERE as_of IS NULL")  # noqa: S608
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("as_of", existing_type=sa.Date(), nullable=False)
            batch_op.alter_column(
                "assessed_at",
                existing_type=lookthrough.core.db.UTCDateTime(timezone=True),
                nullable=False,
            )
            batch_op.drop_column("digest")
            batch_op.drop_column("run_id")
    for table in ("risk_level_change", "risk_credit_class_change"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_foreign_key(
                op.f(f"fk_{table}_entity_id_entity"), "entity", ["entity_id"], ["id"]
            )
    with op.batch_alter_table("mention_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mention_link_updated_at"))
    with op.batch_alter_table("engine_mirror_part", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_engine_mirror_part_generation"))
    op.drop_table("engine_mirror_part")
