"""Where a draw gets each candidate's credit-risk class and risk level: the one seam to the
risk engine (信用风险分类 "1+N" and 风险评估).

Today the classes come from the table a plan brings (a CSV named in the plan file, or uploaded
with the plan): ``统一社会信用代码,信用分类[,风险等级]``. A plan without one draws every business
as unclassified (stratum U, at the ratio of the class ``unclassified_as`` names), and the plan
page, the JSON and the published file say so. To read the risk domain instead, replace the body
of ``lookup`` with a call to its service (current general class, latest assessment level) and
keep the signature.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from sqlalchemy.orm import Session

from lookthrough.core.errors import ValidationFailed
from lookthrough.inspection.rules import CLASSES, RISK_LEVELS

MISSING = "未提供信用风险分类：全部主体按未分类处理"


@dataclass(frozen=True)
class RiskInputs:
    classes: npt.NDArray[np.uint8]  # ord("A") … ord("D"), 0 = unclassified
    risk: npt.NDArray[np.uint8]  # 1 … 4 for I … IV, 0 = not assessed
    source: str  # where they came from, shown with the plan
    missing: bool  # no class for anyone: the plan says so in the UI and the JSON


def lookup(
    session: Session, *, keys: Sequence[str], given: Mapping[str, Sequence[str | None]] | None
) -> RiskInputs:
    """Class and level of each key (USCC or registry key), in the order given."""
    del session  # the risk domain's service will need it
    n = len(keys)
    classes = np.zeros(n, dtype=np.uint8)
    risk = np.zeros(n, dtype=np.uint8)
    if not given:
        return RiskInputs(classes, risk, MISSING, True)
    for i, key in enumerate(keys):
        found = given.get(key)
        if not found:
            continue
        if found[0]:
            classes[i] = ord(found[0])
        if len(found) > 1 and found[1]:
            risk[i] = RISK_LEVELS.index(found[1]) + 1
    return RiskInputs(classes, risk, f"计划提供的信用分类表（{len(given)} 户）", False)


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
