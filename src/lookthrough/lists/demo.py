"""The four lists in `lookthrough demo`: two matters of the province with their proposals, and
the problem each one is best known for confirmed and penetrated — so the chain page has
something to show; everything else is left for the demo user to decide."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lookthrough.core.actor import Actor
from lookthrough.core.roles import Role
from lookthrough.lists import matters, problems
from lookthrough.lists.models import Matter
from lookthrough.penetration import service as penetration

# template → the proposal confirmed and penetrated in the demo
DEMO_CHAINS = {"shell_companies": "列入经营异常名录", "elevator_safety": "事故：电梯困人"}


def seed_chain(session: Session) -> str:
    """Once per database: what it made, in a sentence."""
    if session.scalar(select(func.count()).select_from(Matter)):
        return "四个清单已有数据"
    actor = Actor(user_id=None, username="system:demo", role=Role.PROVINCE_ANALYST,
                  jurisdiction="34", region="34")  # fmt: skip
    made = confirmed = 0
    for template, title in DEMO_CHAINS.items():
        matter = matters.create_from_template(session, actor=actor, template=template)
        proposed = problems.propose(session, actor=actor, matter_id=matter.id)
        made += len(proposed)
        chosen = next((p for p in proposed if p.title == title), None)
        if chosen is not None:
            problems.confirm(session, actor=actor, problem_id=chosen.id)
            penetration.run(session, actor=actor, problem_id=chosen.id)
            confirmed += 1
    return f"事项 {len(DEMO_CHAINS)} 项、问题建议 {made} 条（已确认并穿透分析 {confirmed} 条）"
