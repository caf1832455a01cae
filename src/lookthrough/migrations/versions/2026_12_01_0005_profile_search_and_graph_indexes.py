"""profile search and graph indexes

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 19:53:01.317907

B-tree indexes for the same-address and same-legal-representative edges and the legal
representative search, on both databases; on PostgreSQL also the pg_trgm extension and trigram
GIN indexes on name and address, which serve ``LIKE '%…%'`` and similarity search.
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    op.create_index("ix_entity_address", "entity", ["address"], unique=False)
    op.create_index(
        "ix_entity_legal_rep_region", "entity", ["legal_rep", "region_code"], unique=False
    )
    if _postgresql():
        # pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for column in ("name", "address"):
            op.create_index(
                f"ix_entity_{column}_trgm",
                "entity",
                [column],
                postgresql_using="gin",
                postgresql_ops={column: "gin_trgm_ops"},
            )


def downgrade() -> None:
    if _postgresql():
        op.drop_index("ix_entity_address_trgm", table_name="entity")
        op.drop_index("ix_entity_name_trgm", table_name="entity")
    op.drop_index("ix_entity_legal_rep_region", table_name="entity")
    op.drop_index("ix_entity_address", table_name="entity")
