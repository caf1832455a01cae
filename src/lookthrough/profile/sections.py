"""The seam through which other domains add a part to the file (risk, credit class, tasks …).

A domain writes a provider — ``(session, context) -> Section | None`` — and registers it once::

    # lookthrough/risk/profile_section.py
    from lookthrough.profile import sections

    @sections.provider("risk", order=20, audience=sections.OFFICIALS_ONLY)
    def current_risk(session: Session, ctx: sections.Context) -> sections.Section | None:
        ...

and adds its module to ``MODULES`` below, which is imported the first time a file is opened (so
no import order between domains matters). A provider returns ``None`` when it has nothing to say
about this business: the file shows no empty placeholders. ``OFFICIALS_ONLY`` providers are never
called for an enterprise user (internal risk scores stay internal). The page, the Excel sheet and
the PDF page of every section come from the same ``Section``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from lookthrough.core.actor import Actor
from lookthrough.profile.rules import Audience

EVERYONE = frozenset(Audience)
OFFICIALS_ONLY = frozenset({Audience.OFFICIAL})

# Modules that register providers; each domain adds its own line.
MODULES: list[str] = [
    "lookthrough.profile.memberships",
    "lookthrough.risk.profile_section",
    "lookthrough.lists.profile_section",
    "lookthrough.profile.operations",
]


@dataclass(frozen=True, slots=True)
class Context:
    """What a provider is told: who looks, at which business (already checked to be in scope)."""

    actor: Actor
    audience: Audience
    entity_id: int
    region_code: str
    today: date
    # The business's current licence and list records (timeline rows), read once for every
    # section that needs them; a provider wanting other records reads them itself.
    standing: Sequence[Any] = ()


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    title: str
    columns: Sequence[str] = ()
    rows: Sequence[Sequence[Any]] = ()
    facts: Sequence[tuple[str, str]] = ()  # label, value pairs shown above the table
    note: str | None = None
    badge: str | None = None  # a short status beside the title (在列, 红 …)
    badge_kind: str = "secondary"  # a Tabler colour: danger, warning, success, secondary
    links: Sequence[str | None] = field(default_factory=tuple)  # per row: where it came from


Provider = Callable[[Session, Context], Section | None]


@dataclass(frozen=True, slots=True)
class Registered:
    key: str
    order: int
    audience: frozenset[Audience]
    build: Provider


_REGISTRY: dict[str, Registered] = {}
_loaded = False


def provider(
    key: str, *, order: int = 50, audience: frozenset[Audience] = EVERYONE
) -> Callable[[Provider], Provider]:
    """Register ``build`` as the provider of section ``key`` (a second registration replaces it)."""

    def register(build: Provider) -> Provider:
        _REGISTRY[key] = Registered(key, order, audience, build)
        return build

    return register


def registered() -> list[Registered]:
    global _loaded
    if not _loaded:
        for module in MODULES:
            importlib.import_module(module)
        _loaded = True
    return sorted(_REGISTRY.values(), key=lambda r: (r.order, r.key))


def build_sections(session: Session, ctx: Context) -> list[Section]:
    """Every section this viewer may see that has something to say, in page order."""
    found = []
    for entry in registered():
        if ctx.audience not in entry.audience:
            continue
        section = entry.build(session, ctx)
        if section is not None:
            found.append(section)
    return found
