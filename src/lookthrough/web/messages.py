"""Every text the pages show, gathered for the English catalog.

A text reaches a page in one of three ways: ``_("…")`` in a template, ``N_("…")`` in Python, or
a label from a table that a template passes through ``_()`` (role names, audit event names,
record kinds, metric names). The first two are found by Babel's extractors; the tables are read
directly, so a label needs no marker to be caught. ``scripts/extract_messages.py`` writes the
result into the catalog and ``tests/test_i18n.py`` fails when a text has no translation.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from lookthrough import __version__
from lookthrough.core import clock

if TYPE_CHECKING:
    from lookthrough.audit.events import AuditEventType

WEB = Path(__file__).resolve().parent
PACKAGE = WEB.parent  # src/lookthrough; locations in the catalog are relative to it
TEMPLATES = WEB / "templates"
CATALOG_PATH = WEB / "locale" / "en" / "LC_MESSAGES" / "messages.po"

# Jinja's own extractor, named by import path so no entry point needs to be installed.
JINJA_EXTRACTOR = "jinja2.ext:babel_extract"
KEYWORDS: Mapping[str, None] = {"_": None, "N_": None}
HEADER = (
    "# English texts of Lookthrough (穿透式监管平台).\n"
    "# The msgids are the Chinese texts shown by default. Regenerate with\n"
    "# `.venv/bin/python scripts/extract_messages.py`, then translate the empty msgstrs."
)

Messages = dict[str, set[str]]  # msgid → files (relative to the package) that use it


@dataclass(frozen=True, slots=True)
class Update:
    """What rewriting the catalog changed."""

    added: list[str]
    removed: list[str]
    untranslated: list[str]
    changed: bool


def _add(messages: Messages, msgid: str, location: str) -> None:
    if msgid.strip():
        messages.setdefault(msgid, set()).add(location)


def _from_dir(
    messages: Messages, folder: Path, method_map: list[tuple[str, str]], prefix: str
) -> None:
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        folder, method_map=method_map, keywords=KEYWORDS
    ):
        # Neither `_` nor `N_` takes plural forms here; a tuple would be a misuse.
        if isinstance(message, str):
            _add(messages, message, f"{prefix}{filename}")


def _event_labels(events: Iterable[type[AuditEventType]]) -> list[tuple[str, list[str]]]:
    """Audit event labels, each located in the module of ``audit/events/`` that defines it."""
    by_module: dict[str, list[str]] = {}
    for event in events:
        path = event.__module__.removeprefix("lookthrough.").replace(".", "/") + ".py"
        by_module.setdefault(path, []).append(event.label)
    return list(by_module.items())


def label_tables() -> list[tuple[str, Iterable[str]]]:
    """Tables of labels that templates translate with ``_(value)``: (location, labels)."""
    from lookthrough.audit.events import all_event_types
    from lookthrough.core.errors import all_errors
    from lookthrough.core.roles import ROLE_LABELS
    from lookthrough.dashboard.service import METRIC_LABELS
    from lookthrough.engine import definitions as engine_definitions
    from lookthrough.ingest.shapes import SUBJECT_KINDS
    from lookthrough.ingest.templates import TARGET_LABELS
    from lookthrough.lists import guidelines as lists_guidelines
    from lookthrough.lists import problems as lists_problems
    from lookthrough.lists import rules as lists_rules
    from lookthrough.lists.profile_section import PAGE_LABELS as LISTS_FILE_LABELS
    from lookthrough.lists.tasks import SCOPE_LABELS
    from lookthrough.lists.templates import FIELD_LABELS
    from lookthrough.penetration.graph import FACTOR_TYPES
    from lookthrough.profile.memberships import PAGE_LABELS as PROFILE_LABELS
    from lookthrough.profile.operations import PAGE_LABELS as OPERATIONS_LABELS
    from lookthrough.profile.search import SHORT_HINT
    from lookthrough.profile.service import LICENCE_STATUSES
    from lookthrough.profile.timeline import LINKED_LABEL
    from lookthrough.records.service import KIND_LABELS as RECORD_KINDS
    from lookthrough.resolution.models import JUDGEMENT_LABELS
    from lookthrough.resolution.review import STATUS_LABELS as LINK_STATUSES
    from lookthrough.risk import dashboard as risk_dashboard
    from lookthrough.risk import fields as risk_fields
    from lookthrough.risk import indicators as risk_indicators
    from lookthrough.risk import rules as risk_rules
    from lookthrough.risk.profile_section import PAGE_LABELS as RISK_FILE_LABELS

    return [
        ("core/errors.py", (error.default_message for error in all_errors())),
        ("core/roles.py", ROLE_LABELS.values()),
        *_event_labels(all_event_types()),
        ("records/service.py", RECORD_KINDS.values()),
        ("dashboard/service.py", METRIC_LABELS.values()),
        ("ingest/templates.py", TARGET_LABELS.values()),
        ("resolution/review.py", [*LINK_STATUSES.values(), "未处理"]),
        ("resolution/models.py", JUDGEMENT_LABELS.values()),
        ("profile/memberships.py", PROFILE_LABELS),
        ("profile/operations.py", OPERATIONS_LABELS),
        ("lists/profile_section.py", LISTS_FILE_LABELS),
        ("risk/profile_section.py", RISK_FILE_LABELS),
        ("profile/service.py", (*LICENCE_STATUSES, *SUBJECT_KINDS.values())),
        ("profile/timeline.py", (LINKED_LABEL,)),
        ("profile/search.py", (SHORT_HINT,)),
        ("risk/rules.py", [*risk_rules.LEVELS.values(), *risk_rules.ALERT_KINDS.values(),
                           *risk_rules.ALERT_STATES.values(), *risk_rules.ALERT_ACTIONS.values()]),
        ("risk/fields.py", risk_fields.FIELD_LABELS.values()),
        ("risk/indicators.py", risk_indicators.STATUS_LABELS.values()),
        ("risk/dashboard.py", risk_dashboard.RISK_METRIC_LABELS.values()),
        ("engine/definitions.py", [*engine_definitions.AGGREGATION_LABELS.values(),
                                   *engine_definitions.TRANSFORM_LABELS.values(),
                                   *engine_definitions.OPERATOR_LABELS.values()]),
        ("lists/rules.py", (*lists_rules.STATE_LABELS.values(), *lists_rules.ACTION_LABELS.values(),
                            *lists_rules.CAUSE_CATEGORIES, *lists_rules.PARTICIPANT_KINDS.values(),
                            *lists_rules.SEVERITIES, *lists_rules.DIRECTIONS,
                            *lists_rules.SIZE_BANDS, *lists_rules.RISK_BANDS)),
        ("lists/problems.py", (*lists_problems.STATUS_LABELS.values(),
                               *lists_problems.SOURCE_LABELS.values())),
        ("lists/templates.py", FIELD_LABELS.values()),
        ("lists/tasks.py", SCOPE_LABELS.values()),
        ("lists/guidelines.py", (*lists_guidelines.AUDIENCES.values(),
                                 *lists_guidelines.STATUS_LABELS.values())),
        ("penetration/graph.py", FACTOR_TYPES.values()),
    ]  # fmt: skip


def extract_messages() -> Messages:
    """Every msgid the English catalog must translate, with where each is used."""
    messages: Messages = {}
    _from_dir(messages, TEMPLATES, [("**.html", JINJA_EXTRACTOR)], "web/templates/")
    _from_dir(messages, PACKAGE, [("**.py", "python")], "")
    for location, labels in label_tables():
        for label in labels:
            _add(messages, label, location)
    return messages


def read_catalog(path: Path = CATALOG_PATH) -> Catalog:
    """The catalog on disk, or an empty English one when there is none yet."""
    if not path.exists():
        catalog = Catalog(
            locale="en",
            project="Lookthrough",
            version=__version__,
            last_translator="Lookthrough",
            language_team="English",
            fuzzy=False,
        )
        catalog.header_comment = HEADER
        return catalog
    with path.open("rb") as handle:
        return read_po(handle, locale="en")


def translations(catalog: Catalog) -> dict[str, str]:
    """msgid → English for the entries that have a usable translation (not fuzzy, not empty)."""
    return {
        str(m.id): m.string
        for m in catalog
        if m.id and isinstance(m.string, str) and m.string and not m.fuzzy
    }


def untranslated(messages: Messages, catalog: Catalog) -> list[str]:
    """Extracted msgids with no English translation in the catalog."""
    done = translations(catalog)
    return sorted(msgid for msgid in messages if msgid not in done)


def obsolete(messages: Messages, catalog: Catalog) -> list[str]:
    """Catalog entries whose msgid no page uses any more."""
    return sorted(str(m.id) for m in catalog if m.id and str(m.id) not in messages)


def render_catalog(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    # No line numbers and sorted entries: editing a template does not reshuffle the file.
    write_po(out, catalog, width=100, sort_output=True, ignore_obsolete=True, include_lineno=False)
    return out.getvalue()


def updated_catalog(messages: Messages, current: Catalog) -> tuple[Catalog, Update]:
    """The catalog with today's msgids: translations kept, new ones empty, unused ones dropped."""
    template = Catalog(project="Lookthrough", fuzzy=False)
    for msgid in sorted(messages):
        # Line 0 is "no line": the catalog lists files only (see render_catalog).
        template.add(msgid, locations=[(path, 0) for path in sorted(messages[msgid])])
    before = {str(m.id) for m in current if m.id}
    # No fuzzy matching: i18n.py would show a guessed translation of a similar text as real.
    current.update(template, no_fuzzy_matching=True, update_creation_date=False)
    removed = sorted(str(msgid) for msgid in current.obsolete)
    current.obsolete.clear()
    after = {str(m.id) for m in current if m.id}
    update = Update(
        added=sorted(after - before),
        removed=removed,
        untranslated=untranslated(messages, current),
        changed=False,
    )
    return current, update


def write_catalog(path: Path = CATALOG_PATH) -> Update:
    """Bring the catalog file up to date with the code; writes only when something changed."""
    catalog, update = updated_catalog(extract_messages(), read_catalog(path))
    old = path.read_bytes() if path.exists() else None
    changed = render_catalog(catalog) != old
    if changed:
        catalog.revision_date = clock.utcnow()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(render_catalog(catalog))
    return Update(update.added, update.removed, update.untranslated, changed)
