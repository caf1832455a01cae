"""Jinja2 set-up shared by every page: language, menu, top bar, formats."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context
from starlette.responses import Response

from lookthrough.core.actor import Actor
from lookthrough.core.roles import Capability, Role, can
from lookthrough.web.i18n import LOCALE_LABELS, N_, gettext

TEMPLATES = Path(__file__).parent / "templates"
CHINA = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True, slots=True)
class MenuItem:
    label: str
    href: str
    icon: str
    section: str


def menu_for(actor: Actor) -> list[MenuItem]:
    """The left menu: only what this role can open, grouped by domain."""
    items: list[MenuItem] = []
    if can(actor.role, Capability.READ_BUSINESS):
        items += [
            MenuItem(N_("首页"), "/", "ti-layout-dashboard", N_("总览")),
            MenuItem(N_("经营主体"), "/entities", "ti-building-store", N_("一户一档")),
            MenuItem(N_("监管信息"), "/records", "ti-files", N_("一户一档")),
            MenuItem(N_("行政区划与网格"), "/regions", "ti-map-2", N_("基础数据")),
        ]
    if can(actor.role, Capability.RESOLVE_MENTIONS):  # beside the records, in 一户一档
        at = next((i + 1 for i, m in enumerate(items) if m.href == "/records"), len(items))
        items.insert(
            at, MenuItem(N_("待复核关联"), "/resolution/review", "ti-link", N_("一户一档"))
        )
    if can(actor.role, Capability.READ_BUSINESS):
        items += [
            MenuItem(N_("风险监测"), "/risk", "ti-radar", N_("风险管控")),
            MenuItem(N_("风险预警"), "/risk/alerts", "ti-bell", N_("风险管控")),
        ]
    if can(actor.role, Capability.MANAGE_INDICATORS):
        items.append(MenuItem(N_("指标体系"), "/risk/indicators", "ti-list-check", N_("风险管控")))
    if can(actor.role, Capability.IMPORT_DATA):
        items.append(MenuItem(N_("数据导入"), "/ingest", "ti-database-import", N_("基础数据")))
    if can(actor.role, Capability.PLAN_INSPECTIONS):
        items.append(MenuItem(N_("抽查计划"), "/inspection", "ti-arrows-shuffle", N_("风险管控")))
    if can(actor.role, Capability.WORK_TASKS):
        items.append(MenuItem(N_("检查任务"), "/inspection/tasks", "ti-checklist", N_("风险管控")))
    if can(actor.role, Capability.DISPOSE):
        items += [
            MenuItem(N_("处置建议"), "/disposal/proposals", "ti-bulb", N_("风险管控")),
            MenuItem(N_("分级处置"), "/disposal", "ti-stairs-up", N_("风险管控")),
            MenuItem(N_("早报快报"), "/incidents", "ti-urgent", N_("风险管控")),
        ]
    if can(actor.role, Capability.READ_BUSINESS):
        items += [
            MenuItem(N_("事项清单"), "/lists/matters", "ti-list-details", N_("四个清单")),
            MenuItem(N_("问题清单"), "/lists/problems", "ti-alert-triangle", N_("四个清单")),
            MenuItem(N_("成因清单"), "/lists/causes", "ti-microscope", N_("四个清单")),
            MenuItem(N_("整改清单"), "/lists/rectifications", "ti-checklist", N_("四个清单")),
            MenuItem(N_("监管与合规指引"), "/lists/guidelines", "ti-book", N_("四个清单")),
        ]
    if actor.role is Role.ENTERPRISE and actor.entity_id is not None:
        items.append(
            MenuItem(
                N_("本单位档案"), f"/entities/{actor.entity_id}", "ti-building-store", N_("本单位")
            )
        )
        items.append(
            MenuItem(N_("本单位整改任务"), "/my/rectifications", "ti-checklist", N_("本单位"))
        )
    if can(actor.role, Capability.MANAGE_USERS):
        items.append(MenuItem(N_("用户管理"), "/admin/users", "ti-users", N_("系统管理")))
    if can(actor.role, Capability.MANAGE_SECURITY):
        items.append(MenuItem(N_("安全管理"), "/admin/security", "ti-shield-lock", N_("系统管理")))
    if can(actor.role, Capability.READ_AUDIT):
        items.append(MenuItem(N_("审计日志"), "/admin/audit", "ti-report-search", N_("系统管理")))
    items.append(MenuItem(N_("修改密码"), "/account/password", "ti-key", N_("个人")))
    # Each section once, in this order (items keep their order inside it): the menu groups
    # neighbouring items under one heading, so a section split in two showed twice.
    return sorted(items, key=lambda item: SECTION_ORDER.index(item.section))


SECTION_ORDER = (
    N_("总览"), N_("一户一档"), N_("风险管控"), N_("四个清单"), N_("基础数据"), N_("本单位"),
    N_("系统管理"), N_("个人"),
)  # fmt: skip


def home_for(actor: Actor) -> str:
    """Where a user lands after login."""
    if actor.role is Role.ENTERPRISE and actor.entity_id is not None:
        return f"/entities/{actor.entity_id}"
    return menu_for(actor)[0].href


@pass_context
def _translate(context: Context, message: str) -> str:
    return gettext(context.get("locale", "zh_CN"), message)


def _local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return "" if value is None else value.astimezone(CHINA).strftime(fmt)


def _number(value: int | float | None) -> str:
    return "" if value is None else f"{value:,}"


templates = Jinja2Templates(directory=str(TEMPLATES))
templates.env.globals["_"] = _translate
templates.env.globals["LOCALE_LABELS"] = LOCALE_LABELS
templates.env.globals["role_labels"] = {role.value: role.label for role in Role}
templates.env.filters["local_time"] = _local_time
templates.env.filters["number"] = _number


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> Response:
    """Render a page with what every page needs (actor, menu, CSRF token, language)."""
    actor: Actor | None = getattr(request.state, "actor", None)
    base: dict[str, Any] = {
        "actor": actor,
        "menu": menu_for(actor) if actor else [],
        "csrf_token": getattr(request.state, "csrf_token", ""),
        "locale": getattr(request.state, "locale", "zh_CN"),
        "path": request.url.path,
        "topbar": getattr(request.state, "topbar", None),
    }
    base.update(context or {})
    return templates.TemplateResponse(request, template, base, status_code=status_code)
