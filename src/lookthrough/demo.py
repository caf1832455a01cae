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


# --- inspections (双随机): a drawn plan for 蜀山区 whose visits the demo inspector works ---

DEMO_PLAN_CODE = "DEMO-340104-SJ"


def seed_inspections(session: Session, *, settings: Settings) -> str:
    """Load the example screening manuals and draw a demo plan for 蜀山区 (once); the demo
    inspector account is in its inspector pool, so its task list has visits."""
    from pathlib import Path

    import yaml

    from lookthrough.inspection import commit_reveal as inspection_draw
    from lookthrough.inspection import service as inspection_service
    from lookthrough.inspection import tasks as inspection_tasks
    from lookthrough.inspection.models import InspectionPlan
    from lookthrough.inspection.schemas import ManualIn, PlanFile

    if session.scalar(select(InspectionPlan.id).where(InspectionPlan.code == DEMO_PLAN_CODE)):
        return "演示抽查计划已存在"
    actor = Actor(
        user_id=None, username="system:demo", role=Role.COUNTY_OFFICIAL,
        jurisdiction="340104", region="340104",
    )  # fmt: skip
    now = clock.utcnow()
    examples = Path(__file__).resolve().parents[2] / "examples"
    for name in ("manual-elevator.yaml", "manual-food.yaml"):
        path = examples / name
        if path.is_file():
            manual = ManualIn.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
            inspection_tasks.save_manual(session, actor=actor, manual=manual, now=now)
    people = [
        {"code": f"ZF340104{dept_no}{n}", "name": f"{dept}执法{n}", "department": dept,
         "region_code": "340104", "qualifications": quals,
         **({"username": "shushan_zhifa"} if (dept_no, n) == (0, 1) else {})}
        for dept_no, (dept, quals) in enumerate(
            (("市场监管", []), ("食品安全", ["食品"]), ("特种设备", ["特种设备"]))
        )
        for n in range(1, 4)
    ]  # fmt: skip
    plan = PlanFile.model_validate(
        {
            "code": DEMO_PLAN_CODE, "name": "蜀山区部门联合双随机抽查（演示）",
            "year": now.year, "subjects": {"region": "340104"},
            "ratios": {"A": "0", "B": "0.1", "C": "0.2", "D": "0.5"}, "unclassified_as": "C",
            "items": [
                {"code": "DEMO-SC", "name": "登记事项与公示信息", "department": "市场监管"},
                {"code": "DEMO-SP", "name": "食品经营许可与过程", "department": "食品安全",
                 "qualification": "食品", "matter": "食品经营",
                 "industry_prefixes": ["F52", "H62"]},
                {"code": "DEMO-TS", "name": "电梯使用管理", "department": "特种设备",
                 "qualification": "特种设备", "matter": "电梯安全",
                 "industry_prefixes": ["K70", "L72"]},
            ],
            "inspectors": people,
        }
    )  # fmt: skip
    made = inspection_service.create_plan(
        session, actor=actor, settings=settings, plan=plan, classes=None, classes_source="",
        now=now,
    )  # fmt: skip
    inspection_draw.commit(session, actor=actor, plan_id=made.id, now=now)
    drawn = inspection_draw.reveal_and_draw(
        session, actor=actor, settings=settings, plan_id=made.id, now=clock.utcnow()
    )
    return f"演示抽查计划 {DEMO_PLAN_CODE}：{drawn.summary.get('visits', 0)} 户"
