"""Roles and what each may do. Permissions are data: a table from capability to roles.

The three administrator roles are separated (三权分立, 等保 2.0 访问控制 d): the system
administrator manages accounts, the security administrator manages locks and sessions, the
audit administrator reads the audit trail — and none of them sees business data.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    PROVINCE_ANALYST = "province_analyst"
    CITY_OFFICIAL = "city_official"
    COUNTY_OFFICIAL = "county_official"
    INSPECTOR = "inspector"
    ENTERPRISE = "enterprise"
    SYSTEM_ADMIN = "system_admin"
    SECURITY_ADMIN = "security_admin"
    AUDIT_ADMIN = "audit_admin"
    PUBLIC = "public"  # not an account: anyone reading public pages, or a failed login

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.PROVINCE_ANALYST: "省局分析人员",
    Role.CITY_OFFICIAL: "市局工作人员",
    Role.COUNTY_OFFICIAL: "县局工作人员",
    Role.INSPECTOR: "执法人员",
    Role.ENTERPRISE: "经营主体用户",
    Role.SYSTEM_ADMIN: "系统管理员",
    Role.SECURITY_ADMIN: "安全管理员",
    Role.AUDIT_ADMIN: "审计管理员",
    Role.PUBLIC: "公众",
}
ACCOUNT_ROLES = tuple(role for role in Role if role is not Role.PUBLIC)

OFFICIALS = frozenset(
    {Role.PROVINCE_ANALYST, Role.CITY_OFFICIAL, Role.COUNTY_OFFICIAL, Role.INSPECTOR}
)
ADMINS = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})

# The level of region an account of each role is bound to (None: any level).
ROLE_REGION_LEVEL: dict[Role, str | None] = {
    Role.PROVINCE_ANALYST: "province",
    Role.CITY_OFFICIAL: "city",
    Role.COUNTY_OFFICIAL: "county",
    Role.INSPECTOR: None,
    Role.ENTERPRISE: None,
    Role.SYSTEM_ADMIN: None,
    Role.SECURITY_ADMIN: None,
    Role.AUDIT_ADMIN: None,
    Role.PUBLIC: None,
}


class Capability(StrEnum):
    READ_BUSINESS = "business.read"  # entities, records, dashboards within scope
    READ_OWN_ENTITY = "entity.own"  # an enterprise user's own file
    MANAGE_GRIDS = "grids.manage"
    IMPORT_DATA = "data.import"  # upload files, read and fix their quarantined rows
    MANAGE_USERS = "users.manage"
    MANAGE_SECURITY = "security.manage"
    READ_AUDIT = "audit.read"
    SEE_PERSONAL_DATA = "pii.reveal"  # may ask to see an unmasked value (audited)
    MANAGE_LISTS = "lists.manage"  # matters, problems, causes, rectifications, guidelines
    PLAN_INSPECTIONS = "inspection.plan"  # items, inspector pool, plans and draws, manuals
    WORK_TASKS = "inspection.work"  # fill a visit's checklist on site
    DISPOSE = "disposal.manage"  # open and move measures, report and acknowledge incidents
    RESOLVE_MENTIONS = "mentions.resolve"  # review which business a complaint or post means
    MANAGE_INDICATORS = "risk.indicators"  # create, edit, test and publish risk indicators
    HANDLE_ALERTS = "risk.alerts"  # acknowledge, assign and close early warnings in scope


PERMISSIONS: dict[Capability, frozenset[Role]] = {
    Capability.READ_BUSINESS: OFFICIALS,
    Capability.READ_OWN_ENTITY: frozenset({Role.ENTERPRISE}),
    Capability.MANAGE_GRIDS: frozenset(
        {Role.PROVINCE_ANALYST, Role.CITY_OFFICIAL, Role.COUNTY_OFFICIAL}
    ),
    Capability.IMPORT_DATA: frozenset(
        {Role.PROVINCE_ANALYST, Role.CITY_OFFICIAL, Role.COUNTY_OFFICIAL}
    ),
    Capability.MANAGE_USERS: frozenset({Role.SYSTEM_ADMIN}),
    Capability.MANAGE_SECURITY: frozenset({Role.SECURITY_ADMIN}),
    Capability.READ_AUDIT: frozenset({Role.AUDIT_ADMIN}),
    Capability.SEE_PERSONAL_DATA: frozenset(
        {Role.PROVINCE_ANALYST, Role.CITY_OFFICIAL, Role.COUNTY_OFFICIAL}
    ),
    Capability.MANAGE_LISTS: frozenset(
        {Role.PROVINCE_ANALYST, Role.CITY_OFFICIAL, Role.COUNTY_OFFICIAL}
    ),
    Capability.PLAN_INSPECTIONS: frozenset(
        {Role.PROVINCE_ANALYST, Role.CITY_OFFICIAL, Role.COUNTY_OFFICIAL}
    ),
    Capability.WORK_TASKS: OFFICIALS,
    Capability.DISPOSE: frozenset(
        {Role.PROVINCE_ANALYST, Role.CITY_OFFICIAL, Role.COUNTY_OFFICIAL}
    ),
    Capability.RESOLVE_MENTIONS: frozenset(
        {Role.PROVINCE_ANALYST, Role.CITY_OFFICIAL, Role.COUNTY_OFFICIAL}
    ),
    Capability.MANAGE_INDICATORS: frozenset({Role.PROVINCE_ANALYST}),
    # Inspectors too: an alert is assigned to the one who goes, and they close it.
    Capability.HANDLE_ALERTS: OFFICIALS,
}


def can(role: Role, capability: Capability) -> bool:
    """Whether a role holds a capability."""
    return role in PERMISSIONS[capability]
