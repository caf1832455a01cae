"""lists and penetration

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 20:48:44.142802
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lookthrough.core.db

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "matter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("field", sa.String(length=30), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("risk_points", sa.JSON(), nullable=False),
        sa.Column("population", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", lookthrough.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", lookthrough.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_code"], ["region.code"], name=op.f("fk_matter_region_code_region")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_matter")),
        sa.UniqueConstraint("region_code", "code", name=op.f("uq_matter_region_code_code")),
    )
    with op.batch_alter_table("matter", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_matter_region_code"), ["region_code"], unique=False)

    op.create_table(
        "guideline",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("matter_id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("audience", sa.String(length=10), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("sections", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.String(length=80), nullable=False),
        sa.Column("updated_at", lookthrough.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("published_version", sa.Integer(), nullable=True),
        sa.Column("published_title", sa.String(length=200), nullable=True),
        sa.Column("published_sections", sa.JSON(), nullable=True),
        sa.Column("published_at", lookthrough.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["matter_id"], ["matter.id"], name=op.f("fk_guideline_matter_id_matter")
        ),
        sa.ForeignKeyConstraint(
            ["region_code"], ["region.code"], name=op.f("fk_guideline_region_code_region")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guideline")),
    )
    with op.batch_alter_table("guideline", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_guideline_matter_id"), ["matter_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_guideline_published_at"), ["published_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_guideline_region_code"), ["region_code"], unique=False)

    op.create_table(
        "matter_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("matter_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("changed", sa.JSON(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("changed_by", sa.String(length=80), nullable=False),
        sa.Column("changed_at", lookthrough.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["matter_id"], ["matter.id"], name=op.f("fk_matter_version_matter_id_matter")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_matter_version")),
        sa.UniqueConstraint(
            "matter_id", "version", name=op.f("uq_matter_version_matter_id_version")
        ),
    )
    with op.batch_alter_table("matter_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_matter_version_matter_id"), ["matter_id"], unique=False
        )

    op.create_table(
        "problem",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("matter_id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("signatures", sa.JSON(), nullable=False),
        sa.Column("manifestations", sa.JSON(), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("businesses", sa.Integer(), nullable=False),
        sa.Column("trend", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("created_at", lookthrough.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=80), nullable=True),
        sa.Column("decided_at", lookthrough.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["matter_id"], ["matter.id"], name=op.f("fk_problem_matter_id_matter")
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"], ["problem.id"], name=op.f("fk_problem_merged_into_id_problem")
        ),
        sa.ForeignKeyConstraint(
            ["region_code"], ["region.code"], name=op.f("fk_problem_region_code_region")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_problem")),
        sa.UniqueConstraint("matter_id", "key", name=op.f("uq_problem_matter_id_key")),
    )
    with op.batch_alter_table("problem", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_problem_matter_id"), ["matter_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_problem_region_code"), ["region_code"], unique=False)

    op.create_table(
        "dissection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("problem_id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("participants", sa.JSON(), nullable=False),
        sa.Column("subjects", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", lookthrough.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["problem_id"], ["problem.id"], name=op.f("fk_dissection_problem_id_problem")
        ),
        sa.ForeignKeyConstraint(
            ["region_code"], ["region.code"], name=op.f("fk_dissection_region_code_region")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dissection")),
    )
    with op.batch_alter_table("dissection", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dissection_problem_id"), ["problem_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_dissection_region_code"), ["region_code"], unique=False
        )

    op.create_table(
        "penetration_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("problem_id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("universe", sa.Integer(), nullable=False),
        sa.Column("affected", sa.Integer(), nullable=False),
        sa.Column("affected_outside", sa.Integer(), nullable=False),
        sa.Column("factors_considered", sa.Integer(), nullable=False),
        sa.Column("tests", sa.Integer(), nullable=False),
        sa.Column("alpha", sa.Float(), nullable=False),
        sa.Column("population", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", lookthrough.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["problem_id"], ["problem.id"], name=op.f("fk_penetration_run_problem_id_problem")
        ),
        sa.ForeignKeyConstraint(
            ["region_code"], ["region.code"], name=op.f("fk_penetration_run_region_code_region")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_penetration_run")),
    )
    with op.batch_alter_table("penetration_run", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_penetration_run_problem_id"), ["problem_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_penetration_run_region_code"), ["region_code"], unique=False
        )

    op.create_table(
        "problem_evidence",
        sa.Column("problem_id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.String(length=40), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("occurred_at", lookthrough.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["problem_id"], ["problem.id"], name=op.f("fk_problem_evidence_problem_id_problem")
        ),
        sa.ForeignKeyConstraint(
            ["record_id"], ["record.id"], name=op.f("fk_problem_evidence_record_id_record")
        ),
        sa.PrimaryKeyConstraint("problem_id", "record_id", name=op.f("pk_problem_evidence")),
    )
    with op.batch_alter_table("problem_evidence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_problem_evidence_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "penetration_factor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("factor_type", sa.String(length=20), nullable=False),
        sa.Column("ref", sa.String(length=200), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("affected", sa.Integer(), nullable=False),
        sa.Column("rate", sa.Float(), nullable=False),
        sa.Column("rest_rate", sa.Float(), nullable=False),
        sa.Column("relative_risk", sa.Float(), nullable=False),
        sa.Column("odds_ratio", sa.Float(), nullable=False),
        sa.Column("or_low", sa.Float(), nullable=False),
        sa.Column("or_high", sa.Float(), nullable=False),
        sa.Column("p_value", sa.Float(), nullable=False),
        sa.Column("p_conditional", sa.Float(), nullable=False),
        sa.Column("q_value", sa.Float(), nullable=False),
        sa.Column("significant", sa.Boolean(), nullable=False),
        sa.Column("explained_by", sa.Integer(), nullable=True),
        sa.Column("chains", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["penetration_run.id"],
            name=op.f("fk_penetration_factor_run_id_penetration_run"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_penetration_factor")),
    )
    with op.batch_alter_table("penetration_factor", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_penetration_factor_run_id"), ["run_id"], unique=False)

    op.create_table(
        "root_cause",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("problem_id", sa.Integer(), nullable=False),
        sa.Column("dissection_id", sa.Integer(), nullable=True),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("category", sa.String(length=10), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("evidence_records", sa.JSON(), nullable=False),
        sa.Column("factor", sa.String(length=200), nullable=True),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", lookthrough.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["dissection_id"],
            ["dissection.id"],
            name=op.f("fk_root_cause_dissection_id_dissection"),
        ),
        sa.ForeignKeyConstraint(
            ["problem_id"], ["problem.id"], name=op.f("fk_root_cause_problem_id_problem")
        ),
        sa.ForeignKeyConstraint(
            ["region_code"], ["region.code"], name=op.f("fk_root_cause_region_code_region")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_root_cause")),
    )
    with op.batch_alter_table("root_cause", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_root_cause_problem_id"), ["problem_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_root_cause_region_code"), ["region_code"], unique=False
        )

    op.create_table(
        "rectification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("problem_id", sa.Integer(), nullable=False),
        sa.Column("cause_id", sa.Integer(), nullable=True),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("measures", sa.Text(), nullable=False),
        sa.Column("policy", sa.Text(), nullable=False),
        sa.Column("responsible", sa.String(length=100), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", lookthrough.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", lookthrough.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cause_id"], ["root_cause.id"], name=op.f("fk_rectification_cause_id_root_cause")
        ),
        sa.ForeignKeyConstraint(
            ["problem_id"], ["problem.id"], name=op.f("fk_rectification_problem_id_problem")
        ),
        sa.ForeignKeyConstraint(
            ["region_code"], ["region.code"], name=op.f("fk_rectification_region_code_region")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rectification")),
    )
    with op.batch_alter_table("rectification", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rectification_problem_id"), ["problem_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_rectification_region_code"), ["region_code"], unique=False
        )
        batch_op.create_index(
            "ix_rectification_state_deadline", ["state", "deadline"], unique=False
        )

    op.create_table(
        "rectification_target",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rectification_id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("verification_record_id", sa.String(length=40), nullable=True),
        sa.Column("updated_at", lookthrough.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entity.id"], name=op.f("fk_rectification_target_entity_id_entity")
        ),
        sa.ForeignKeyConstraint(
            ["rectification_id"],
            ["rectification.id"],
            name=op.f("fk_rectification_target_rectification_id_rectification"),
        ),
        sa.ForeignKeyConstraint(
            ["verification_record_id"],
            ["record.id"],
            name=op.f("fk_rectification_target_verification_record_id_record"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rectification_target")),
        sa.UniqueConstraint(
            "rectification_id",
            "entity_id",
            name=op.f("uq_rectification_target_rectification_id_entity_id"),
        ),
    )
    with op.batch_alter_table("rectification_target", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rectification_target_entity_id"), ["entity_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_rectification_target_rectification_id"),
            ["rectification_id"],
            unique=False,
        )
        batch_op.create_index("ix_rectification_target_state", ["state"], unique=False)

    op.create_table(
        "rectification_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rectification_id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=12), nullable=False),
        sa.Column("from_state", sa.String(length=12), nullable=False),
        sa.Column("to_state", sa.String(length=12), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("record_id", sa.String(length=40), nullable=True),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("actor_role", sa.String(length=20), nullable=False),
        sa.Column("at", lookthrough.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"], ["record.id"], name=op.f("fk_rectification_event_record_id_record")
        ),
        sa.ForeignKeyConstraint(
            ["rectification_id"],
            ["rectification.id"],
            name=op.f("fk_rectification_event_rectification_id_rectification"),
        ),
        sa.ForeignKeyConstraint(
            ["target_id"],
            ["rectification_target.id"],
            name=op.f("fk_rectification_event_target_id_rectification_target"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rectification_event")),
    )
    with op.batch_alter_table("rectification_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rectification_event_rectification_id"),
            ["rectification_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_rectification_event_target_id"), ["target_id"], unique=False
        )

    op.create_table(
        "rectification_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=True),
        sa.Column("content_type", sa.String(length=100), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("submitted_by", sa.String(length=80), nullable=False),
        sa.Column("submitted_at", lookthrough.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["target_id"],
            ["rectification_target.id"],
            name=op.f("fk_rectification_evidence_target_id_rectification_target"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rectification_evidence")),
    )
    with op.batch_alter_table("rectification_evidence", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rectification_evidence_target_id"), ["target_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("rectification_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rectification_evidence_target_id"))

    op.drop_table("rectification_evidence")
    with op.batch_alter_table("rectification_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rectification_event_target_id"))
        batch_op.drop_index(batch_op.f("ix_rectification_event_rectification_id"))

    op.drop_table("rectification_event")
    with op.batch_alter_table("rectification_target", schema=None) as batch_op:
        batch_op.drop_index("ix_rectification_target_state")
        batch_op.drop_index(batch_op.f("ix_rectification_target_rectification_id"))
        batch_op.drop_index(batch_op.f("ix_rectification_target_entity_id"))

    op.drop_table("rectification_target")
    with op.batch_alter_table("rectification", schema=None) as batch_op:
        batch_op.drop_index("ix_rectification_state_deadline")
        batch_op.drop_index(batch_op.f("ix_rectification_region_code"))
        batch_op.drop_index(batch_op.f("ix_rectification_problem_id"))

    op.drop_table("rectification")
    with op.batch_alter_table("root_cause", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_root_cause_region_code"))
        batch_op.drop_index(batch_op.f("ix_root_cause_problem_id"))

    op.drop_table("root_cause")
    with op.batch_alter_table("penetration_factor", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_penetration_factor_run_id"))

    op.drop_table("penetration_factor")
    with op.batch_alter_table("problem_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_problem_evidence_unit_id"))

    op.drop_table("problem_evidence")
    with op.batch_alter_table("penetration_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_penetration_run_region_code"))
        batch_op.drop_index(batch_op.f("ix_penetration_run_problem_id"))

    op.drop_table("penetration_run")
    with op.batch_alter_table("dissection", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dissection_region_code"))
        batch_op.drop_index(batch_op.f("ix_dissection_problem_id"))

    op.drop_table("dissection")
    with op.batch_alter_table("problem", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_problem_region_code"))
        batch_op.drop_index(batch_op.f("ix_problem_matter_id"))

    op.drop_table("problem")
    with op.batch_alter_table("matter_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_matter_version_matter_id"))

    op.drop_table("matter_version")
    with op.batch_alter_table("guideline", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_guideline_region_code"))
        batch_op.drop_index(batch_op.f("ix_guideline_published_at"))
        batch_op.drop_index(batch_op.f("ix_guideline_matter_id"))

    op.drop_table("guideline")
    with op.batch_alter_table("matter", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_matter_region_code"))

    op.drop_table("matter")
