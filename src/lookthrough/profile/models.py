"""The indexes the file needs on the registry's tables (it has no tables of its own).

Search and the graph read the entity table by address, by legal representative within a county,
and — on PostgreSQL — by any run of characters in a name or an address (``pg_trgm`` GIN). The
trigram indexes exist only on PostgreSQL: ``info["dialects"]`` tells the migration environment
to leave them out of the comparison on SQLite, where the embedded demo scans instead.
"""

from __future__ import annotations

from sqlalchemy import Index

from lookthrough.registry.models import Entity

POSTGRESQL_ONLY = {"dialects": ("postgresql",)}

INDEXES = (
    Index("ix_entity_address", Entity.address),
    Index("ix_entity_legal_rep_region", Entity.legal_rep, Entity.region_code),
    Index(
        "ix_entity_name_trgm",
        Entity.name,
        postgresql_using="gin",
        postgresql_ops={"name": "gin_trgm_ops"},
        info=POSTGRESQL_ONLY,
    ),
    Index(
        "ix_entity_address_trgm",
        Entity.address,
        postgresql_using="gin",
        postgresql_ops={"address": "gin_trgm_ops"},
        info=POSTGRESQL_ONLY,
    ),
)
