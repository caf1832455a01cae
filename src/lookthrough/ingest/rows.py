"""From a spreadsheet row to a candidate fact, or to the reasons it cannot be one (pure).

Nothing here touches the database: references to businesses, subjects and parents are carried as
keys and resolved in chunks by the writers. Every problem names the column, the rule, the value
and a reason in Chinese, so a person can fix the row.

``row_checks`` holds what every reader shares (mapped fields, region, credit code and date
checks); ``record_rows`` reads records, ``registry_rows`` businesses, subjects and relations.
"""

from __future__ import annotations

from lookthrough.ingest.record_rows import RecordRows
from lookthrough.ingest.registry_rows import EntityRows, RelationRows, SubjectRows
from lookthrough.ingest.row_checks import RowReader
from lookthrough.ingest.shapes import Prepared


def row_reader(prepared: Prepared, *, regions: set[str], source: str) -> RowReader:
    """The reader for the mapping's target: a record kind, businesses, subjects or relations."""
    target = prepared.mapping.target
    if prepared.mapping.is_record:
        kind: type[RowReader] = RecordRows
    elif target == "entity":
        kind = EntityRows
    elif target == "subject":
        kind = SubjectRows
    else:
        kind = RelationRows
    return kind(prepared, regions=regions, source=source)
