"""The indicator library (指标体系): versions, drafts, publishing, and testing on live data.

Every definition is stored as a version; the published version of each code is what models and
scoring read. Editing a published indicator opens a new draft; publishing a draft retires the
version before it. Province analysts manage the library; every change is audited.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lookthrough.audit import service as audit
from lookthrough.audit.events import IndicatorPublished, IndicatorSaved
from lookthrough.core import clock
from lookthrough.core.actor import Actor
from lookthrough.core.errors import Conflict, NotFound
from lookthrough.core.roles import Capability
from lookthrough.core.scope import region_prefix_clause, require
from lookthrough.engine.definitions import IndicatorSpec, parse
from lookthrough.engine.seam import DuckDBEngine
from lookthrough.registry.models import Entity
from lookthrough.risk import frame
from lookthrough.risk.dataset import data_end, frame_at
from lookthrough.risk.fields import FIELDS
from lookthrough.risk.models import Indicator

STATUS_LABELS = {"draft": "草稿", "published": "已发布", "retired": "已停用"}


def default_library() -> list[dict[str, Any]]:
    """The shipped definitions (``risk/data/indicators.yaml``)."""
    text = (resources.files("lookthrough.risk") / "data" / "indicators.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    assert isinstance(data, list)
    return data


def check(data: dict[str, Any]) -> IndicatorSpec:
    return parse(data, known_fields=set(FIELDS))


def seed_defaults(session: Session, *, actor: Actor) -> int:
    """Publish version 1 of every shipped indicator the library does not have yet."""
    have = set(session.scalars(select(Indicator.code)))
    now = clock.utcnow()
    added = 0
    for data in default_library():
        spec = check(data)
        if spec.code in have:
            continue
        row = Indicator(
            code=spec.code,
            version=1,
            status="published",
            definition=spec.model_dump(mode="json"),
            created_by=actor.username,
            created_at=now,
            published_at=now,
        )
        session.add(row)
        added += 1
    session.flush()
    return added


def published(session: Session) -> list[Indicator]:
    return list(
        session.scalars(
            select(Indicator).where(Indicator.status == "published").order_by(Indicator.code)
        )
    )


def published_specs(session: Session) -> list[IndicatorSpec]:
    return [IndicatorSpec.model_validate(row.definition) for row in published(session)]


def specs_for(session: Session, pins: list[dict[str, Any]]) -> list[IndicatorSpec]:
    """The exact versions a model was trained on."""
    specs = []
    for pin in pins:
        row = session.scalar(
            select(Indicator).where(
                Indicator.code == pin["code"], Indicator.version == pin["version"]
            )
        )
        if row is None:
            raise NotFound(f"模型所用指标 {pin['code']} 第 {pin['version']} 版不存在")
        specs.append(IndicatorSpec.model_validate(row.definition))
    return specs


def library(session: Session, *, actor: Actor) -> list[Indicator]:
    """Every indicator's newest version (drafts included), for the library page."""
    require(actor, Capability.READ_BUSINESS)
    newest = (
        select(Indicator.code, func.max(Indicator.version).label("v"))
        .where(Indicator.status != "retired")
        .group_by(Indicator.code)
        .subquery()
    )
    return list(
        session.scalars(
            select(Indicator)
            .join(newest, (Indicator.code == newest.c.code) & (Indicator.version == newest.c.v))
            .order_by(Indicator.code)
        )
    )


def get(session: Session, *, actor: Actor, indicator_id: int) -> Indicator:
    require(actor, Capability.READ_BUSINESS)
    row = session.get(Indicator, indicator_id)
    if row is None:
        raise NotFound("指标不存在")
    return row


def versions(session: Session, code: str) -> list[Indicator]:
    return list(
        session.scalars(
            select(Indicator).where(Indicator.code == code).order_by(Indicator.version.desc())
        )
    )


def save_draft(session: Session, *, actor: Actor, data: dict[str, Any]) -> Indicator:
    """Create an indicator, or a new draft of an existing one (its code names it)."""
    require(actor, Capability.MANAGE_INDICATORS)
    spec = check(data)
    rows = versions(session, spec.code)
    now = clock.utcnow()
    draft = next((r for r in rows if r.status == "draft"), None)
    if draft is None:
        draft = Indicator(
            code=spec.code,
            version=(rows[0].version + 1) if rows else 1,
            status="draft",
            created_by=actor.username,
            created_at=now,
        )
        session.add(draft)
    before = draft.definition if draft.definition else None
    draft.definition = spec.model_dump(mode="json")
    session.flush()
    audit.record(
        session,
        actor=actor,
        event=IndicatorSaved(
            object_id=f"{spec.code}@{draft.version}", before=before, after=draft.definition
        ),
    )
    return draft


def publish(session: Session, *, actor: Actor, indicator_id: int) -> Indicator:
    """Publish a draft; the version published before it is retired."""
    require(actor, Capability.MANAGE_INDICATORS)
    row = session.get(Indicator, indicator_id)
    if row is None:
        raise NotFound("指标不存在")
    if row.status != "draft":
        raise Conflict(f"只有草稿可以发布，该版本{STATUS_LABELS[row.status]}")
    check(row.definition)
    for older in versions(session, row.code):
        if older.status == "published":
            older.status = "retired"
    row.status = "published"
    row.published_at = clock.utcnow()
    session.flush()
    audit.record(
        session,
        actor=actor,
        event=IndicatorPublished(object_id=f"{row.code}@{row.version}", version=row.version),
    )
    return row


@dataclass(frozen=True, slots=True)
class Bucket:
    label: str
    count: int


@dataclass(frozen=True, slots=True)
class TopSubject:
    entity_id: int
    name: str
    value: float


@dataclass(frozen=True, slots=True)
class TestResult:
    """What a definition gives on live data: how values spread, who is highest."""

    as_of: dt.date
    entities: int
    nonzero: int
    over_threshold: int
    mean: float
    p90: float
    maximum: float
    buckets: list[Bucket]
    top: list[TopSubject]


def _buckets(values: np.ndarray, threshold: float) -> list[Bucket]:
    if len(values) == 0:
        return []
    top = float(values.max())
    edges = sorted({0.0, threshold / 2, threshold, threshold * 2, max(top, threshold * 2)})
    found = [Bucket("= 0", int((values == 0).sum()))]
    for low, high in itertools.pairwise(edges):
        if high <= low:
            continue
        n = int(((values > low) & (values <= high)).sum())
        found.append(Bucket(f"({low:g}, {high:g}]", n))
    return found


def test_on_live_data(
    session: Session, *, actor: Actor, data: dict[str, Any], as_of: dt.date | None = None
) -> TestResult:
    """Run a definition (saved or not) over the businesses in the actor's region."""
    require(actor, Capability.MANAGE_INDICATORS)
    from lookthrough.risk import scoring

    spec = check(data)
    ids = scoring.entity_ids_in(session, region=actor.region)
    with DuckDBEngine() as engine:
        until = as_of or clock.today()
        frame.load(
            session,
            engine,
            [spec],
            since=until - dt.timedelta(days=2 * spec.window_days + 1),
            until=until + dt.timedelta(days=1),
            entity_ids=ids,
        )
        day = as_of or min(until, data_end(engine) or until)
        rows = frame_at(engine, [spec], day)
    values = rows.values[:, 0] if len(rows.ids) else np.zeros(0)
    order = [int(i) for i in np.argsort(-values, kind="stable")[:10] if values[i] != 0]
    names = dict(
        session.execute(
            select(Entity.id, Entity.name).where(
                Entity.id.in_([int(rows.ids[i]) for i in order]),
                region_prefix_clause(Entity.region_code, actor.region),
            )
        ).all()
    )
    return TestResult(
        as_of=day,
        entities=len(values),
        nonzero=int((values != 0).sum()),
        over_threshold=int(
            (values >= spec.threshold).sum()
            if spec.higher_is_riskier
            else (values <= spec.threshold).sum()
        ),
        mean=float(values.mean()) if len(values) else 0.0,
        p90=float(np.quantile(values, 0.9)) if len(values) else 0.0,
        maximum=float(values.max()) if len(values) else 0.0,
        buckets=_buckets(values, spec.threshold),
        top=[
            TopSubject(int(rows.ids[i]), names.get(int(rows.ids[i]), ""), float(values[i]))
            for i in order
        ],
    )
