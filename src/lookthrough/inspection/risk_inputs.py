"""Where a draw gets each candidate's credit-risk class and risk level: the one seam to the
risk engine (信用风险分类 "1+N" and 风险评估).

The classes are the risk domain's current general ("1") class of each business and its current
risk level, read through ``risk.service`` as sub-selects outer-joined into the plan's one query
over businesses (``with_risk``): the province's 7.5M candidates cost two more columns on rows
read anyway, never a query per business. A table the plan brings (a CSV named in the plan file,
or uploaded with the plan: ``统一社会信用代码,信用分类[,风险等级]``) overrides them where it
names a business. With neither, every business is drawn as unclassified (stratum U, at the ratio
of the class ``unclassified_as`` names), and the plan page, the JSON and the published file say
so (``MISSING``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Select

from lookthrough.core.actor import Actor
from lookthrough.core.errors import ValidationFailed
from lookthrough.inspection.models import CLASSES_MISSING
from lookthrough.inspection.rules import CLASSES, RISK_LEVELS
from lookthrough.risk import service as risk_service

MISSING = CLASSES_MISSING
# What a draft plan without a table says until its candidate list is frozen.
FROM_RISK_LATER = "公布候选名单时取自风险评估系统（综合信用风险分类、风险等级）"


@dataclass(frozen=True)
class RiskInputs:
    classes: npt.NDArray[np.uint8]  # ord("A") … ord("D"), 0 = unclassified
    risk: npt.NDArray[np.uint8]  # 1 … 4 for I … IV, 0 = not assessed
    source: str  # where they came from, shown with the plan
    missing: bool  # no class for anyone: the plan says so in the UI and the JSON


def with_risk(
    stmt: Select[*tuple[Any, ...]], *, actor: Actor, region: str, entity_id: Any
) -> Select[*tuple[Any, ...]]:
    """``stmt`` (a query over businesses) with two more columns: the business's current general
    credit class (``grade``, None when not classified) and risk level (``level``, None when not
    assessed), both scoped to the actor and the plan's region."""
    grades = risk_service.credit_class_select(actor, region=region).subquery("risk_class")
    levels = risk_service.level_select(actor, region=region).subquery("risk_level")
    return (
        stmt.add_columns(grades.c.grade, levels.c.level)
        .outerjoin(grades, grades.c.entity_id == entity_id)
        .outerjoin(levels, levels.c.entity_id == entity_id)
    )


def lookup(
    *,
    keys: Sequence[str],
    grades: Sequence[str | None],
    levels: Sequence[int | None],
    given: Mapping[str, Sequence[str | None]] | None,
) -> RiskInputs:
    """Class and level of each key (USCC or registry key), in the order given: the plan's table
    where it names the key, else what the risk domain holds (``grades`` / ``levels``, one per
    key, as ``with_risk`` read them)."""
    classes = np.array([ord(g) if g in CLASSES else 0 for g in grades], dtype=np.uint8)
    risk = np.array([lv if lv in (1, 2, 3, 4) else 0 for lv in levels], dtype=np.uint8)
    stored_classes = int(np.count_nonzero(classes))
    stored_levels = int(np.count_nonzero(risk))
    overridden = 0
    for i, key in enumerate(keys if given else ()):
        found = given.get(key) if given else None
        if not found:
            continue
        overridden += 1
        if found[0]:
            classes[i] = ord(found[0])
        if len(found) > 1 and found[1]:
            risk[i] = RISK_LEVELS.index(found[1]) + 1
    return RiskInputs(
        classes, risk, describe(len(given or {}), stored_classes, stored_levels, overridden),
        not given and stored_classes == 0,
    )  # fmt: skip


def describe(table: int, classes: int, levels: int, overridden: int) -> str:
    """What the plan page, the JSON and the published file say about where classes came from."""
    stored = f"风险评估系统的综合信用风险分类（{classes} 户）、风险等级（{levels} 户）"
    if table and (classes or levels):
        return (
            f"计划提供的信用分类表（{table} 户，其中 {overridden} 户为候选）优先，其余取自{stored}"
        )
    if table:
        return f"计划提供的信用分类表（{table} 户）"
    if classes:
        return f"取自{stored}"
    return MISSING + (f"；风险等级取自风险评估系统（{levels} 户）" if levels else "")


def parse_table(text: str, *, name: str) -> dict[str, list[str | None]]:
    """Read a class table (CSV, header optional); every bad line is named, nothing is guessed."""
    table: dict[str, list[str | None]] = {}
    problems: list[str] = []
    for line_no, row in enumerate(csv.reader(io.StringIO(text.lstrip("\ufeff"))), start=1):
        if not row or not "".join(row).strip():
            continue
        cells = [c.strip() for c in row]
        if line_no == 1 and cells[0] in ("统一社会信用代码", "uscc", "key"):
            continue
        cls = cells[1].upper() if len(cells) > 1 else ""
        level = cells[2].upper() if len(cells) > 2 and cells[2] else None
        if cls not in CLASSES:
            problems.append(f"第 {line_no} 行：信用分类“{cls}”应为 A、B、C、D")
        elif level is not None and level not in RISK_LEVELS:
            problems.append(f"第 {line_no} 行：风险等级“{level}”应为 I、II、III、IV")
        elif cells[0] in table:
            problems.append(f"第 {line_no} 行：{cells[0]} 重复")
        else:
            table[cells[0].upper()] = [cls, level]
    if problems:
        raise ValidationFailed(f"信用分类表 {name} 有误：" + "；".join(problems[:10]))
    return table


def read_table(path: Path) -> dict[str, list[str | None]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ValidationFailed(f"无法读取信用分类表 {path}：{error}") from error
    return parse_table(text, name=path.name)
