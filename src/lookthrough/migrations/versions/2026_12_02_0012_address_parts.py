"""resolution: businesses' addresses taken apart once, beside their names (entity_name_key)

Rows made before this have no address: the next ``resolve run`` refreshes them (a row is stale
when the name or the address it was made from differs from the business's).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 21:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

COLUMNS = (("address", 300), ("address_clean", 300), ("address_road", 100), ("address_number", 40))


def upgrade() -> None:
    with op.batch_alter_table("entity_name_key", schema=None) as batch_op:
        for name, length in COLUMNS:
            batch_op.add_column(sa.Column(name, sa.String(length=length), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("entity_name_key", schema=None) as batch_op:
        for name, _ in reversed(COLUMNS):
            batch_op.drop_column(name)
