"""Pure decisions about accounts: which region and entity a role may be bound to."""

from __future__ import annotations

import re

from lookthrough.core.roles import ADMINS, ROLE_REGION_LEVEL, Role

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.\-]{3,64}$")
LEVEL_NAMES = {
    "province": "省",
    "city": "市",
    "county": "县（区）",
    "town": "乡镇（街道）",
    "grid": "网格",
}


def assignment_problems(
    *, role: Role, region_level: str | None, has_entity: bool, username: str
) -> list[str]:
    """账号设置检查：角色、管辖区划和绑定主体是否相配（为空即通过）。"""
    problems: list[str] = []
    if not USERNAME_RE.match(username):
        problems.append("用户名须为 3–64 位字母、数字、下划线、点或连字符")
    if region_level is None:
        problems.append("管辖区划代码不存在")
        return problems
    wanted = ROLE_REGION_LEVEL[role]
    if wanted is not None and region_level != wanted:
        problems.append(f"{role.label}的管辖区划须为{LEVEL_NAMES[wanted]}级")
    if role is Role.INSPECTOR and region_level not in {"province", "city", "county"}:
        problems.append("执法人员的管辖区划须为省、市或县（区）级")
    if role in ADMINS and region_level not in {"province", "city", "county"}:
        problems.append("管理员的管辖区划须为省、市或县（区）级")
    if role is Role.ENTERPRISE and not has_entity:
        problems.append("经营主体用户须绑定一个经营主体（统一社会信用代码）")
    if role is not Role.ENTERPRISE and has_entity:
        problems.append("只有经营主体用户可以绑定经营主体")
    return problems
