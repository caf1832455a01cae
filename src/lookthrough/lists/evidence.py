"""整改材料: what a targeted business sends from its own portal (or an official on its behalf)
to show its fix — a description and optionally one file, kept in the database."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, undefer

from lookthrough.audit import service as audit
from lookthrough.audit.events import RectificationEvidenceAdded
from lookthrough.core import clock
from lookthrough.core.actor import Actor
from lookthrough.core.errors import Conflict, FileRejected, NotFound, ValidationFailed
from lookthrough.core.roles import Capability, Role
from lookthrough.core.scope import require
from lookthrough.lists import rules, tasks
from lookthrough.lists.models import RectificationEvidence

OPEN_STATES = frozenset({"open", "in_progress", "reopened"})  # where evidence may be added


def add(
    session: Session,
    *,
    actor: Actor,
    target_id: int,
    description: str,
    file_name: str | None = None,
    content: bytes | None = None,
) -> RectificationEvidence:
    """Add evidence to a target that is still being rectified."""
    target = tasks.get_target(session, actor=actor, target_id=target_id)
    if actor.role is not Role.ENTERPRISE:
        require(actor, Capability.MANAGE_LISTS)
    if target.state not in OPEN_STATES:
        raise Conflict(f"任务当前为“{rules.STATE_LABELS[target.state]}”，不能再补充整改材料")
    description = description.strip()
    if not description:
        raise ValidationFailed("请说明整改情况", field="description")
    media = None
    digest = None
    if content:
        if len(content) > rules.MAX_EVIDENCE_BYTES:
            raise FileRejected("文件超过 10 MB，请压缩后上传")
        media = rules.evidence_type(content[:16])
        if media is None:
            raise FileRejected("整改材料只接受 JPEG、PNG 图片和 PDF 文件")
        digest = hashlib.sha256(content).hexdigest()
    made = RectificationEvidence(
        target_id=target.id, description=description[:5000],
        file_name=((file_name or "").strip() or "整改材料")[:200] if content else None,
        content_type=media, size=len(content or b""), sha256=digest, content=content or None,
        submitted_by=actor.username, submitted_at=clock.utcnow(),
    )  # fmt: skip
    session.add(made)
    session.flush()
    audit.record(
        session,
        actor=actor,
        event=RectificationEvidenceAdded(object_id=str(target.rectification_id),
                                         target_id=target.id, evidence_id=made.id,
                                         size=made.size, sha256=digest),
    )  # fmt: skip
    return made


def of_target(session: Session, *, actor: Actor, target_id: int) -> Sequence[RectificationEvidence]:
    target = tasks.get_target(session, actor=actor, target_id=target_id)
    return session.scalars(
        select(RectificationEvidence)
        .where(RectificationEvidence.target_id == target.id)
        .order_by(RectificationEvidence.id)
    ).all()


def of_targets(
    session: Session, *, actor: Actor, target_ids: Sequence[int]
) -> dict[int, list[RectificationEvidence]]:
    """Evidence of several targets the caller has already scoped."""
    found: dict[int, list[RectificationEvidence]] = {t: [] for t in target_ids}
    if target_ids:
        for row in session.scalars(
            select(RectificationEvidence)
            .where(RectificationEvidence.target_id.in_(target_ids))
            .order_by(RectificationEvidence.id)
        ):
            found[row.target_id].append(row)
    return found


def file(session: Session, *, actor: Actor, evidence_id: int) -> RectificationEvidence:
    """One evidence item with its file, for a viewer who may see its target."""
    row = session.scalar(
        select(RectificationEvidence)
        .options(undefer(RectificationEvidence.content))
        .where(RectificationEvidence.id == evidence_id)
    )
    if row is None:
        raise NotFound("整改材料不存在或不在您的管辖范围内")
    try:
        tasks.get_target(session, actor=actor, target_id=row.target_id)
    except NotFound:
        raise NotFound("整改材料不存在或不在您的管辖范围内") from None
    if row.content is None:
        raise NotFound("该条整改材料没有附件")
    return row
