"""The file's list memberships (经营异常名录, 严重违法失信名单), read from the records.

Registered through the section seam like any other domain's part of the file.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from lookthrough.profile import sections, timeline
from lookthrough.profile.rules import list_status, parse_date

LISTS = {"abnormal_list": "经营异常名录", "dishonesty_list": "严重违法失信名单"}
COLUMNS = ("名录", "列入日期", "列入事由", "决定机关", "移出日期", "状态")
BADGES = ("列入严重违法失信名单", "列入经营异常名录", "均已移出")


# What the page passes through _() (web/messages.py gathers it for the English catalog).
PAGE_LABELS = (TITLE := "名录情况", *LISTS.values(), *COLUMNS, *BADGES, "在列")


@sections.provider("lists", order=10)
def list_memberships(session: Session, ctx: sections.Context) -> sections.Section | None:
    """名录情况：列入经营异常名录、严重违法失信名单的记录，注明列入日期、事由、决定机关和移出日期。"""
    entries: list[timeline.TimelineRow] = [r for r in ctx.standing if r.kind in LISTS]
    if not entries:
        return None
    rows = []
    standing: set[str] = set()
    for entry in entries:
        removed = parse_date(entry.payload.get("removed_on"))
        status = list_status(removed, ctx.today)
        if status.listed:
            standing.add(entry.kind)
        rows.append(
            (
                LISTS[entry.kind],
                entry.occurred_at.astimezone(timeline.CHINA).date().isoformat(),
                entry.payload.get("reason") or "",
                entry.payload.get("authority") or "",
                removed.isoformat() if removed else "",
                status.label,
            )
        )
    if "dishonesty_list" in standing:
        badge, kind = BADGES[0], "danger"
    elif standing:
        badge, kind = BADGES[1], "warning"
    else:
        badge, kind = BADGES[2], "success"
    return sections.Section(
        key="lists",
        title=TITLE,
        columns=COLUMNS,
        rows=rows,
        badge=badge,
        badge_kind=kind,
        links=[f"/records/{entry.id}" for entry in entries],
    )
