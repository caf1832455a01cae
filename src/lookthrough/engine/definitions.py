"""Indicator definitions (指标) as data: which records, which conditions, which window, how
aggregated, transformed and judged, and which key risk point of which matter they serve.

A definition is plain JSON (or YAML) that a province analyst edits in the UI. It is checked here
against the record kinds' own payload models, so a misspelt field or a ``sum`` over a text field
is refused with a message that names the mistake, in Chinese, before anything runs.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from lookthrough.core.errors import ValidationFailed
from lookthrough.records.kinds import KINDS

Aggregation = Literal["count", "sum", "max", "rate", "days_since", "trend"]
Transform = Literal["none", "log1p", "binary", "cap"]
Operator = Literal["=", "!=", "in", "not in", ">", ">=", "<", "<=", "contains", "empty", "present"]
FieldType = Literal["text", "number", "bool", "date"]
AS_OF = "@as_of"  # a condition value meaning "the day the indicators are computed for"

AGGREGATION_LABELS: dict[str, str] = {
    "count": "计数",
    "sum": "求和",
    "max": "最大值",
    "rate": "比率",
    "days_since": "距最近一次天数",
    "trend": "较上一周期变化",
}
TRANSFORM_LABELS: dict[str, str] = {
    "none": "不变换",
    "log1p": "对数 ln(1+x)",
    "binary": "有无（0/1）",
    "cap": "封顶",
}
OPERATOR_LABELS: dict[str, str] = {
    "=": "等于",
    "!=": "不等于",
    "in": "属于",
    "not in": "不属于",
    ">": "大于",
    ">=": "不小于",
    "<": "小于",
    "<=": "不大于",
    "contains": "包含文字",
    "empty": "为空",
    "present": "不为空",
}
NUMERIC_OPS = frozenset({">", ">=", "<", "<="})
LIST_OPS = frozenset({"in", "not in"})
NO_VALUE_OPS = frozenset({"empty", "present"})


def _field_type(annotation: Any) -> FieldType | None:
    """The payload field's type as the engine sees it (None: lists, not usable in conditions)."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType) and len(args) == 1:
        return _field_type(args[0])
    if origin is typing.Annotated:
        return _field_type(args[0])
    if origin is Literal:
        return "text"
    if annotation is bool:
        return "bool"
    if annotation in (int, float, Decimal):
        return "number"
    if annotation is dt.date:
        return "date"
    if annotation is str:
        return "text"
    return None


def payload_fields(kind: str) -> dict[str, FieldType]:
    """The scalar payload fields of a record kind that conditions and sums may use."""
    model = KINDS[kind].payload
    found: dict[str, FieldType] = {}
    for name, info in model.model_fields.items():
        field_type = _field_type(info.annotation)
        if field_type is not None:
            found[name] = field_type
    return found


class Condition(BaseModel):
    """One test on a record's payload, e.g. ``result in [发现问题, 责令整改]``."""

    model_config = ConfigDict(extra="forbid")

    field: str = Field(min_length=1, max_length=60, description="内容字段")
    op: Operator = Field(description="比较方式")
    value: str | float | bool | list[str | float] | None = Field(None, description="比较值")


class Measure(BaseModel):
    """Which records count: kinds plus conditions (the denominator of a rate)."""

    model_config = ConfigDict(extra="forbid")

    kinds: list[str] = Field(min_length=1, description="监管信息类别")
    where: list[Condition] = Field(default_factory=list, description="筛选条件")


class IndicatorSpec(BaseModel):
    """An indicator definition. ``explanation`` is what officials read beside its value."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: str = Field(pattern=r"^[a-z][a-z0-9_]{2,39}$", description="指标代码")
    name: str = Field(min_length=2, max_length=60, description="指标名称")
    kinds: list[str] = Field(min_length=1, description="监管信息类别")
    where: list[Condition] = Field(default_factory=list, description="筛选条件")
    window_days: int = Field(365, ge=1, le=3660, description="统计窗口（天）")
    aggregation: Aggregation = Field("count", description="聚合方式")
    value_field: str | None = Field(None, description="求和/最大值所用字段")
    denominator: Measure | None = Field(None, description="比率的分母（默认：同类别全部记录）")
    min_denominator: int = Field(1, ge=0, description="分母少于此数时比率记为 0")
    prior_rate: float | None = Field(
        None, ge=0, le=1, description="平滑：先验比率（样本少时向它收缩）"
    )
    prior_weight: float = Field(0, ge=0, le=100, description="平滑：先验相当于多少次观察")
    transform: Transform = Field("none", description="变换")
    cap: float | None = Field(None, gt=0, description="封顶值")
    threshold: float = Field(description="预警阈值（变换前的原始值）")
    higher_is_riskier: bool = Field(True, description="数值越大风险越高")
    weight: float = Field(10, ge=0, le=100, description="评分卡默认权重")
    alert: bool = Field(False, description="新越过阈值时预警")
    unit: str = Field("次", max_length=10, description="单位")
    fields: list[str] = Field(default_factory=lambda: ["all"], description="适用领域")
    matter: str = Field(min_length=2, max_length=60, description="监管事项")
    risk_point: str = Field(min_length=2, max_length=100, description="关键风险点")
    explanation: str = Field(min_length=4, max_length=500, description="指标说明")

    @property
    def record_kinds(self) -> set[str]:
        kinds = set(self.kinds)
        if self.denominator is not None:
            kinds |= set(self.denominator.kinds)
        return kinds

    def conditions(self) -> list[tuple[list[str], Condition]]:
        pairs = [(self.kinds, c) for c in self.where]
        if self.denominator is not None:
            pairs += [(self.denominator.kinds, c) for c in self.denominator.where]
        return pairs

    def payload_refs(self) -> set[tuple[str, str]]:
        """(kind, field) pairs the indicator reads from payloads."""
        refs = {(kind, c.field) for kinds, c in self.conditions() for kind in kinds}
        if self.value_field:
            refs |= {(kind, self.value_field) for kind in self.kinds}
        return refs


@dataclass(frozen=True, slots=True)
class Problem:
    where: str  # which part of the definition, in Chinese
    message: str


def _location(loc: tuple[int | str, ...]) -> str:
    names = {
        "code": "指标代码",
        "name": "指标名称",
        "kinds": "监管信息类别",
        "where": "筛选条件",
        "window_days": "统计窗口",
        "aggregation": "聚合方式",
        "value_field": "求和字段",
        "denominator": "分母",
        "transform": "变换",
        "cap": "封顶值",
        "threshold": "阈值",
        "weight": "权重",
        "prior_rate": "先验比率",
        "prior_weight": "先验权重",
        "alert": "越限预警",
        "fields": "适用领域",
        "matter": "监管事项",
        "risk_point": "关键风险点",
        "explanation": "指标说明",
        "field": "字段",
        "op": "比较方式",
        "value": "比较值",
    }
    parts = []
    for part in loc:
        if isinstance(part, int):
            parts.append(f"第{part + 1}项")
        else:
            parts.append(names.get(part, part))
    return "·".join(parts) or "定义"


_PYDANTIC_MESSAGES = {
    "missing": "必须填写",
    "string_too_short": "太短",
    "string_too_long": "太长",
    "string_pattern_mismatch": "只能用小写英文字母、数字和下划线，以字母开头，3–40 个字符",
    "literal_error": "不是可选的取值之一",
    "greater_than_equal": "太小",
    "less_than_equal": "太大",
    "greater_than": "必须大于 0",
    "extra_forbidden": "不是可识别的项目",
    "too_short": "至少要有一项",
    "float_parsing": "必须是数字",
    "int_parsing": "必须是整数",
    "float_type": "必须是数字",
    "int_type": "必须是整数",
    "bool_parsing": "必须是“是”或“否”",
}


def _shape_problems(error: ValidationError) -> list[Problem]:
    found = []
    for item in error.errors():
        text = _PYDANTIC_MESSAGES.get(item["type"], "格式不正确")
        if item["type"] == "literal_error":
            expected = item.get("ctx", {}).get("expected", "")
            text = f"{text}（可选：{expected}）"
        found.append(Problem(_location(tuple(item["loc"])), text))
    return found


def _check_condition(kinds: list[str], cond: Condition, where: str) -> list[Problem]:
    problems = []
    for kind in kinds:
        if kind not in KINDS:
            continue  # reported once, for the kinds list
        known = payload_fields(kind)
        field_type = known.get(cond.field)
        label = KINDS[kind].label
        if field_type is None:
            choices = "、".join(known) or "（无）"
            problems.append(
                Problem(where, f"“{label}”没有字段“{cond.field}”（可用字段：{choices}）")
            )
            continue
        if cond.op in NO_VALUE_OPS:
            continue
        if cond.value is None:
            problems.append(Problem(where, f"比较方式“{OPERATOR_LABELS[cond.op]}”需要填写比较值"))
        elif cond.op in LIST_OPS and not isinstance(cond.value, list):
            problems.append(Problem(where, "“属于/不属于”的比较值必须是一个列表"))
        elif cond.op not in LIST_OPS and isinstance(cond.value, list):
            problems.append(Problem(where, f"“{OPERATOR_LABELS[cond.op]}”的比较值不能是列表"))
        elif cond.op in NUMERIC_OPS and field_type == "text":
            problems.append(
                Problem(where, f"字段“{cond.field}”是文字，不能用“{OPERATOR_LABELS[cond.op]}”比较")
            )
        elif cond.op in NUMERIC_OPS and field_type == "number" and isinstance(cond.value, str):
            problems.append(Problem(where, f"字段“{cond.field}”是数字，比较值也必须是数字"))
        elif cond.op == "contains" and field_type != "text":
            problems.append(Problem(where, f"只有文字字段可以用“包含文字”，“{cond.field}”不是"))
        elif field_type == "date" and cond.value != AS_OF and not _is_date(cond.value):
            problems.append(
                Problem(where, f"日期字段“{cond.field}”的比较值须为 YYYY-MM-DD 或 {AS_OF}")
            )
    return problems


def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def check(spec: IndicatorSpec, *, known_fields: set[str] | None = None) -> list[Problem]:
    """What is wrong with a well-formed definition (empty when it can run)."""
    problems = []
    for label, kinds in (
        ("监管信息类别", spec.kinds),
        ("分母·监管信息类别", spec.denominator.kinds if spec.denominator else []),
    ):
        unknown = [k for k in kinds if k not in KINDS]
        if unknown:
            problems.append(
                Problem(label, f"未知的类别：{'、'.join(unknown)}（可选：{'、'.join(KINDS)}）")
            )
    for i, cond in enumerate(spec.where):
        problems += _check_condition(spec.kinds, cond, f"筛选条件·第{i + 1}项")
    if spec.denominator is not None:
        for i, cond in enumerate(spec.denominator.where):
            problems += _check_condition(spec.denominator.kinds, cond, f"分母·筛选条件·第{i + 1}项")
    if spec.aggregation in ("sum", "max"):
        if not spec.value_field:
            problems.append(
                Problem("求和字段", f"“{AGGREGATION_LABELS[spec.aggregation]}”需要指定数值字段")
            )
        else:
            for kind in spec.kinds:
                if kind in KINDS and payload_fields(kind).get(spec.value_field) != "number":
                    problems.append(
                        Problem(
                            "求和字段", f"“{KINDS[kind].label}”的“{spec.value_field}”不是数值字段"
                        )
                    )
    elif spec.value_field:
        problems.append(Problem("求和字段", "只有“求和”和“最大值”使用数值字段，请留空"))
    if spec.denominator is not None and spec.aggregation != "rate":
        problems.append(Problem("分母", "只有“比率”需要分母，请删除"))
    if spec.prior_rate is not None and spec.aggregation != "rate":
        problems.append(Problem("先验比率", "只有“比率”可以平滑，请留空"))
    if (spec.prior_rate is None) != (spec.prior_weight == 0):
        problems.append(Problem("先验比率", "先验比率和先验权重须同时填写"))
    if spec.aggregation == "rate" and not spec.where:
        problems.append(Problem("筛选条件", "比率的分子须有筛选条件，否则恒为 100%"))
    if spec.aggregation == "trend" and spec.window_days * 2 > 3660:
        problems.append(Problem("统计窗口", "变化趋势比较两个相邻窗口，窗口不能超过 1830 天"))
    if spec.transform == "cap" and spec.cap is None:
        problems.append(Problem("封顶值", "“封顶”变换需要填写封顶值"))
    if spec.transform != "cap" and spec.cap is not None:
        problems.append(Problem("封顶值", "只有“封顶”变换使用封顶值，请留空"))
    if spec.aggregation == "rate" and not 0 <= spec.threshold <= 1:
        problems.append(Problem("阈值", "比率的阈值应在 0 到 1 之间（例如 0.3 表示 30%）"))
    if known_fields is not None:
        unknown = [f for f in spec.fields if f != "all" and f not in known_fields]
        if unknown:
            problems.append(Problem("适用领域", f"未知的领域：{'、'.join(unknown)}"))
    return problems


def parse(data: dict[str, Any], *, known_fields: set[str] | None = None) -> IndicatorSpec:
    """A checked definition, or ``ValidationFailed`` listing every problem in Chinese."""
    try:
        spec = IndicatorSpec.model_validate(data)
    except ValidationError as error:
        raise_problems(_shape_problems(error))
    problems = check(spec, known_fields=known_fields)
    if problems:
        raise_problems(problems)
    return spec


def raise_problems(problems: list[Problem]) -> typing.NoReturn:
    lines = [f"{p.where}：{p.message}" for p in problems]
    raise ValidationFailed("指标定义有误：" + "；".join(lines), problems=lines)
