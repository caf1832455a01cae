"""The four lists' part of the canary world (tests/walk_world.py): matters, problems and their
penetration runs, dissections, causes, rectification tasks with their targets and evidence, and
guidelines — in 蜀山区 (m) and in 庐阳区 (c).

The scope rules are stated here without the product code, with the actor's side passed in
(``county``: the 蜀山区 official rather than the enterprise user bound to entity E).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from lookthrough.core import clock
from lookthrough.lists.models import (
    Dissection,
    Guideline,
    Matter,
    Problem,
    Rectification,
    RectificationEvidence,
    RectificationTarget,
    RootCause,
)
from lookthrough.penetration.models import PenetrationFactor, PenetrationRun
from lookthrough.registry.models import Entity

HERE = "340104"  # the county official's region (walk_world.HERE)
KINDS = ("matter", "problem", "proposal", "rectification", "rtarget", "evidence", "guideline",
         "published", "public")  # fmt: skip

# The four lists: a matter of 蜀山区 (m) and one of 庐阳区 (c), each with a confirmed problem
# (with a kept penetration run) and a proposal. Everything of c's is a canary.
LIST_MATTERS = {"m": ("340104", "蜀山餐饮事项"), "c": ("340103", "金丝雀庐阳事项")}
LIST_PROBLEMS = {
    "m": ("蜀山后厨卫生问题", "蜀山待确认问题", "蜀山因素甲"),
    "c": ("金丝雀庐阳问题", "金丝雀庐阳建议", "金丝雀因素乙"),
}
# Their chains: a dissection (its place) and a cause, rectification tasks with the businesses
# they target (m1 targets A and E, the enterprise user's own; m2 targets A alone), evidence sent
# by a target, and guidelines (a draft, and one published then edited again). Published
# guidelines are public: their titles are no canaries, and the public pages show them to all.
LIST_CHAINS = {"m": ("蜀山会商地点", "蜀山成因描述"), "c": ("金丝雀会商地点", "金丝雀成因描述")}
LIST_TASKS = {
    "m1": ("m", "蜀山后厨整改任务", ("A", "E")),
    "m2": ("m", "蜀山单户整改任务", ("A",)),
    "c": ("c", "金丝雀庐阳整改任务", ("C",)),
}
LIST_EVIDENCE = {
    ("m1", "A"): "蜀山甲整改说明",
    ("m1", "E"): "本单位整改说明",
    ("c", "C"): "金丝雀整改说明",
}
LIST_GUIDELINES = {
    "md": ("m", "蜀山指引草稿", False),
    "mp": ("m", "蜀山公开指引", True),
    "cd": ("c", "金丝雀庐阳指引草稿", False),
    "cp": ("c", "庐阳区公开合规指引", True),
}


def sees_matter(county: bool, key: str) -> bool:
    return county and LIST_MATTERS[key][0].startswith(HERE)


def sees_task(county: bool, task: str) -> bool:
    """Officials see the tasks of their region; an enterprise user those that target it."""
    matter, _, entities = LIST_TASKS[task]
    return sees_matter(county, matter) if county else "E" in entities


def sees_target(county: bool, task: str, entity: str, region: str) -> bool:
    """A targeted business within a task: an official's in region, an enterprise user's own."""
    if county:
        return sees_task(county, task) and region.startswith(HERE)
    return entity == "E"


def targets(county: bool, ids: dict[str, dict[str, int]], kind: str,
            regions: dict[str, str]) -> list[tuple[str, str, bool, tuple[str, ...]]]:  # fmt: skip
    """(label, value, visible, shown) of every object of a kind, in and out of scope."""
    if kind in ("matter", "problem", "proposal"):
        return [(f"{kind} {key} @{LIST_MATTERS[key][0]}", str(ids[kind][key]),
                 sees_matter(county, key), (_list_label(kind, key),))
                for key in LIST_MATTERS]  # fmt: skip
    if kind == "rectification":
        return [(f"rectification {key}", str(ids["task"][key]), sees_task(county, key), (title,))
                for key, (_, title, _) in LIST_TASKS.items()]  # fmt: skip
    if kind in ("rtarget", "evidence"):
        pairs = list(LIST_EVIDENCE) if kind == "evidence" else [
            (t, e) for t, (_, _, entities) in LIST_TASKS.items() for e in entities
        ]  # fmt: skip
        return [(f"{kind} {t}/{e}", str(ids[kind][f"{t}/{e}"]),
                 sees_target(county, t, e, regions[e]), ())
                for t, e in pairs]  # fmt: skip
    found: list[tuple[str, str, bool, tuple[str, ...]]] = []
    for key, (m, title, published) in LIST_GUIDELINES.items():
        if kind == "published" and not published:
            continue
        visible = published if kind == "public" else sees_matter(county, m)
        found.append((f"{kind} guideline {key}", str(ids["guideline"][key]), visible, (title,)))
    return found


def canaries(county: bool, regions: dict[str, str]) -> dict[str, str]:
    """The lists' strings this side must never receive, each with what it would give away."""
    found: dict[str, str] = {}
    for key, (region, name) in LIST_MATTERS.items():
        if not sees_matter(county, key):
            found[name] = f"matter {key} @{region}"
            for text in LIST_PROBLEMS[key] + LIST_CHAINS[key]:
                found[text] = f"problem, penetration, dissection or cause of matter {key}"
    if not county:  # E is targeted by a task of problem m: the task names the problem it fixes
        del found[LIST_PROBLEMS["m"][0]]
    for key, (_, title, _) in LIST_TASKS.items():
        if not sees_task(county, key):
            found[title] = f"rectification task {key}"
    for (task, entity), text in LIST_EVIDENCE.items():
        if not sees_target(county, task, entity, regions[entity]):
            found[text] = f"evidence of {entity} for task {task}"
    for key, (m, title, published) in LIST_GUIDELINES.items():
        if not published and not sees_matter(county, m):
            found[title] = f"draft guideline {key}"
    return found


def add(db: Session, entities: dict[str, Entity]) -> dict[str, dict[str, int]]:
    """The lists' rows; returns kind → key → id."""
    return _add_chains(db, _add_lists(db), entities)


def _list_label(kind: str, key: str) -> str:
    if kind == "matter":
        return LIST_MATTERS[key][1]
    return LIST_PROBLEMS[key][0 if kind == "problem" else 1]


def _add_lists(db: Session) -> dict[str, dict[str, int]]:
    """Matters, a confirmed problem with a penetration run, and a proposal, per region."""
    now = clock.utcnow()
    made: dict[str, dict[str, int]] = {"matter": {}, "problem": {}, "proposal": {}}
    for key, (region, name) in LIST_MATTERS.items():
        matter = Matter(code=f"walk-{key}", region_code=region, field="food", name=name,
                        description="", risk_points=[], population={"unit": "entity",
                        "industry_prefixes": ["H62"], "subject_kinds": []}, version=1,
                        created_by="walk", created_at=now, updated_at=now)  # fmt: skip
        db.add(matter)
        db.flush()
        title, proposal, factor = LIST_PROBLEMS[key]
        sig = {"kind": "finding", "values": [title], "record_kinds": [], "unit": "entity",
               "min_terms": 1}  # fmt: skip
        rows = {}
        for status, text in (("confirmed", title), ("proposed", proposal)):
            rows[status] = Problem(matter_id=matter.id, region_code=region, key=f"{key}-{status}",
                                   title=text, source="finding",
                                   signatures=[{**sig, "values": [text]}], manifestations=[text],
                                   status=status, created_at=now)  # fmt: skip
            db.add(rows[status])
        db.flush()
        run = PenetrationRun(problem_id=rows["confirmed"].id, region_code=region, unit="entity",
                             universe=2, affected=1, affected_outside=0, factors_considered=1,
                             tests=1, alpha=0.05, population={}, created_by="walk",
                             created_at=now)  # fmt: skip
        db.add(run)
        db.flush()
        db.add(PenetrationFactor(run_id=run.id, rank=1, factor_type="address",
                                 ref=f"address:{factor}",
                                 label=factor, members=2, affected=1, rate=0.5, rest_rate=0.0,
                                 relative_risk=1.0, odds_ratio=1.0, or_low=0.1, or_high=10.0,
                                 p_value=0.5, p_conditional=0.5, q_value=0.5, significant=False,
                                 explained_by=None, chains=[]))  # fmt: skip
        made["matter"][key] = matter.id
        made["problem"][key] = rows["confirmed"].id
        made["proposal"][key] = rows["proposed"].id
    db.flush()
    return made


# A PDF's first bytes: rectification evidence must be a PDF or an image (the walk uploads it).
EVIDENCE_PDF = "%PDF-1.4\n巡检整改材料\n"


def _add_chains(
    db: Session, made: dict[str, dict[str, int]], entities: dict[str, Entity]
) -> dict[str, dict[str, int]]:
    """Dissections, causes, tasks with their targets and evidence, and guidelines."""
    now = clock.utcnow()
    made |= {"task": {}, "rtarget": {}, "evidence": {}, "guideline": {}}
    for key, (place, cause) in LIST_CHAINS.items():
        problem, region = made["problem"][key], LIST_MATTERS[key][0]
        db.add(Dissection(problem_id=problem, region_code=region, held_on=now.date(), place=place,
                          summary="", participants=[{"name": "巡检专家", "organisation": "检验所",
                          "kind": "technical"}], subjects=[], created_by="walk",
                          created_at=now))  # fmt: skip
        db.add(RootCause(problem_id=problem, region_code=region, category="管理制度",
                         description=cause, evidence_records=[], created_by="walk",
                         created_at=now))  # fmt: skip
    for key, (matter, title, targets) in LIST_TASKS.items():
        region = LIST_MATTERS[matter][0]
        task = Rectification(problem_id=made["problem"][matter], region_code=region,
                             scope="class" if len(targets) > 1 else "one", title=title,
                             measures="整改", policy="", responsible="巡检责任人",
                             deadline=now.date() + timedelta(days=30), state="open",
                             created_by="walk", created_at=now, updated_at=now)  # fmt: skip
        db.add(task)
        db.flush()
        made["task"][key] = task.id
        for e in targets:
            target = RectificationTarget(rectification_id=task.id, entity_id=entities[e].id,
                                         region_code=entities[e].region_code, state="open",
                                         updated_at=now)  # fmt: skip
            db.add(target)
            db.flush()
            made["rtarget"][f"{key}/{e}"] = target.id
            if text := LIST_EVIDENCE.get((key, e)):
                item = RectificationEvidence(target_id=target.id, description=text,
                                             file_name=f"{text}.pdf",
                                             content_type="application/pdf",
                                             size=len(EVIDENCE_PDF), content=EVIDENCE_PDF.encode(),
                                             submitted_by="walk", submitted_at=now)  # fmt: skip
                db.add(item)
                db.flush()
                made["evidence"][f"{key}/{e}"] = item.id
    for key, (matter, title, published) in LIST_GUIDELINES.items():
        sections = [{"heading": "合规要求", "body": "按本指引自查。"}]
        g = Guideline(matter_id=made["matter"][matter], region_code=LIST_MATTERS[matter][0],
                      audience="business", title=title, sections=sections,
                      version=2 if published else 1, updated_by="walk", updated_at=now)  # fmt: skip
        if published:  # published at version 1, edited since: it may be published again
            g.published_version, g.published_title = 1, title
            g.published_sections, g.published_at = sections, now
        db.add(g)
        db.flush()
        made["guideline"][key] = g.id
    return made
