"""`lookthrough demo`: an embedded database with Anhui, grids and demo accounts, ready to use."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lookthrough.accounts import service as accounts_service
from lookthrough.accounts.models import User
from lookthrough.audit import service as audit
from lookthrough.audit.events import DemoLoaded
from lookthrough.core import clock
from lookthrough.core.actor import Actor
from lookthrough.core.config import Settings
from lookthrough.core.roles import Role
from lookthrough.regions.models import Region
from lookthrough.registry.models import Entity

GRIDS_PER_TOWN = 3
GRID_NAMES = ("第一网格", "第二网格", "第三网格")


@dataclass(frozen=True, slots=True)
class DemoAccount:
    username: str
    role: Role
    region: str
    display_name: str


DEMO_ACCOUNTS = (
    DemoAccount("sheng_fenxi", Role.PROVINCE_ANALYST, "34", "省局分析员（演示）"),
    DemoAccount("hefei_shiju", Role.CITY_OFFICIAL, "3401", "合肥市局（演示）"),
    DemoAccount("shushan_xianju", Role.COUNTY_OFFICIAL, "340104", "蜀山区局（演示）"),
    DemoAccount("shushan_zhifa", Role.INSPECTOR, "340104", "蜀山区执法人员（演示）"),
    DemoAccount("xitong_guanli", Role.SYSTEM_ADMIN, "34", "系统管理员（演示）"),
    DemoAccount("anquan_guanli", Role.SECURITY_ADMIN, "34", "安全管理员（演示）"),
    DemoAccount("shenji_guanli", Role.AUDIT_ADMIN, "34", "审计管理员（演示）"),
    DemoAccount("qiye_yanshi", Role.ENTERPRISE, "340104", "经营主体用户（演示）"),
)


def demo_password() -> str:
    """A fresh password that meets both password profiles (12+ chars, four classes)."""
    return f"Lt-{secrets.token_hex(4)}-{secrets.randbelow(90) + 10}A"


DEMO_SEED = 1


def load_province(settings: Settings, *, scale: str, console: Any) -> str:
    """Generate the synthetic province once and import it through the normal import path."""
    from lookthrough.core.db import engine_for, session_factory
    from lookthrough.ingest import manifest, service
    from lookthrough.synth.generate import generate

    factory = session_factory(engine_for(settings.database_url))
    with factory() as session:
        if session.scalar(select(func.count()).select_from(Entity)):
            return "经营主体数据已载入"
    folder = settings.var_dir / f"demo-{scale}-{DEMO_SEED}"
    if not (folder / "manifest.json").is_file():
        console.print(f"生成合成省份（{scale}）…")
        generate(scale, DEMO_SEED, folder)
    actor = Actor(
        user_id=None,
        username="system:demo",
        role=Role.PROVINCE_ANALYST,
        jurisdiction="34",
        region="34",
    )
    total = held = 0
    for job in manifest.plan(folder):
        summary = service.run_import(
            factory,
            actor=actor,
            path=job.path,
            mapping=service.mapping_for(job.target, job.mapping),
        )
        total += summary.accepted
        held += summary.quarantined
        console.print(
            f"  导入 {job.path.name}: {summary.accepted:,}"
            + (f"（隔离 {summary.quarantined:,} 行）" if summary.quarantined else "")
        )
    return f"合成省份已导入 {total:,} 条" + (
        f"；{held:,} 行有错被隔离，可在“数据导入”页面修正或不予处理" if held else ""
    )


# --- entity resolution: link the imported complaints and opinion items to businesses ---------


def resolve_mentions(settings: Settings, *, console: Any) -> str:
    """Run ``lookthrough resolve run`` over what is not resolved yet (all of it, the first time)."""
    from lookthrough.core.db import engine_for, session_factory
    from lookthrough.resolution import run, service
    from lookthrough.resolution.engine import engine_named

    console.print("关联投诉、舆情所指的经营主体…")
    summary = run.resolve_all(
        session_factory(engine_for(settings.database_url)),
        actor=Actor.system("demo"),
        thresholds=service.thresholds_for(settings),
        engine=engine_named(settings.resolution_engine),
        only_new=True,
    )
    s = summary.statuses
    return (
        f"投诉舆情 {summary.mentions:,} 条已关联：自动 {s.get('auto', 0):,}，"
        f"待复核 {s.get('review', 0):,}，未关联 {s.get('unlinked', 0):,}"
    )


def seed_grids(session: Session) -> int:
    """Three demonstration grids under every town that has none yet."""
    with_grids = set(session.scalars(select(Region.parent_code).where(Region.level == "grid")))
    towns = session.scalars(
        select(Region).where(Region.level == "town").order_by(Region.code)
    ).all()
    now = clock.utcnow()
    added = 0
    for town in towns:
        if town.code in with_grids:
            continue
        for number, name in enumerate(GRID_NAMES, start=1):
            session.add(
                Region(
                    code=f"{town.code}{number:03d}",
                    name=f"{town.name}{name}",
                    level="grid",
                    kind="grid",
                    parent_code=town.code,
                    gbt2260=False,
                    has_boundary=False,
                    source="demo",
                    sort_order=number,
                    created_at=now,
                    updated_at=now,
                )
            )
            added += 1
    session.flush()
    return added


def seed_accounts(
    session: Session, *, settings: Settings, password: str | None
) -> list[tuple[DemoAccount, str]]:
    """Create the demo accounts, or give existing ones a fresh password; returns the logins."""
    actor = Actor.system("demo")
    logins: list[tuple[DemoAccount, str]] = []
    for account in DEMO_ACCOUNTS:
        entity_uscc = None
        if account.role is Role.ENTERPRISE:
            entity_uscc = session.scalar(
                select(Entity.uscc)
                .where(Entity.region_code.startswith(account.region))
                .order_by(Entity.id)
                .limit(1)
            )
            if entity_uscc is None:
                continue  # no business loaded yet to bind the enterprise account to
        secret = password or demo_password()
        user = session.scalar(select(User).where(User.username == account.username))
        if user is None:
            accounts_service.create_user(
                session,
                actor=actor,
                settings=settings,
                new=accounts_service.NewUser(
                    username=account.username,
                    display_name=account.display_name,
                    role=account.role,
                    region_code=account.region,
                    password=secret,
                    entity_uscc=entity_uscc,
                    must_change_password=False,
                ),
            )
        else:
            accounts_service.reset_password(
                session, actor=actor, settings=settings, user_id=user.id, new_password=secret
            )
            user.must_change_password = False
            user.is_active = True
        logins.append((account, secret))
    grids = int(
        session.scalar(select(func.count()).select_from(Region).where(Region.level == "grid")) or 0
    )
    audit.record(
        session, actor=actor, event=DemoLoaded(object_id="demo", grids=grids, accounts=len(logins))
    )
    return logins
