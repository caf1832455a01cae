"""Writing candidates in chunks, one writer per target (see write_records, write_registry)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from lookthrough.ingest.mapping import Mapping
from lookthrough.ingest.shapes import Candidate
from lookthrough.ingest.sql import ChunkResult, Context
from lookthrough.ingest.write_records import write_records
from lookthrough.ingest.write_registry import write_entities, write_relations, write_subjects

Writer = Callable[[Session, list[Candidate], Context], ChunkResult]
WRITERS: dict[str, Writer] = {
    "entity": write_entities,
    "subject": write_subjects,
    "relation": write_relations,
}

__all__ = ["ChunkResult", "Context", "Writer", "writer_for"]


def writer_for(mapping: Mapping) -> Writer:
    return write_records if mapping.is_record else WRITERS[mapping.target]
