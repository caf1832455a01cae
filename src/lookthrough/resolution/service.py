"""Use cases of entity resolution that other domains rely on."""

from __future__ import annotations

from sqlalchemy import Select, select

from lookthrough.resolution.models import LINKED_STATUSES, MentionLink


def linked_record_ids(entity_id: int) -> Select[str]:
    """The records whose mention is linked to ``entity_id`` (automatically or by a person).

    A sub-select, so that callers can fold it into their own scoped query
    (``Record.id.in_(linked_record_ids(e))``) instead of loading ids into memory.
    """
    return select(MentionLink.record_id).where(
        MentionLink.entity_id == entity_id, MentionLink.status.in_(LINKED_STATUSES)
    )
