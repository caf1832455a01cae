"""The plan file (``examples/plan.yaml``) and the other shapes the inspection API accepts."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from lookthrough.core.errors import ValidationFailed
from lookthrough.inspection import draw, rules


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ItemIn(Strict):
    code: str = Field(min_length=1, max_length=40, description="事项编号")
    name: str = Field(min_length=1, max_length=200, description="事项名称")
    department: str = Field(min_length=1, max_length=60, description="实施部门")
    qualification: str | None = Field(None, max_length=60, description="所需执法资格")
    matter: str | None = Field(None, max_length=60, description="排查指导手册对应的监管事项")
    industry_prefixes: list[str] = Field(default_factory=list, description="适用行业代码前缀")
    basis: str | None = Field(None, max_length=500, description="检查依据")


class InspectorIn(Strict):
    code: str = Field(min_length=1, max_length=40, description="执法证号")
    name: str = Field(min_length=1, max_length=60, description="姓名")
    department: str = Field(min_length=1, max_length=60, description="所属部门")
    region_code: str = Field(pattern=r"^\d{2,12}$", description="所在区划")
    qualifications: list[str] = Field(default_factory=list, description="执法资格")
    conflicts: list[str] = Field(default_factory=list, description="需回避的经营主体（信用代码）")
    username: str | None = Field(None, max_length=60, description="登录账号（执法人员角色）")


class SubjectFilter(Strict):
    region: str = Field(pattern=r"^\d{2,12}$", description="抽查范围（区划代码）")
    industry_prefixes: list[str] = Field(default_factory=list, description="行业代码前缀")
    risk_levels: list[Literal["I", "II", "III", "IV"]] = Field(
        default_factory=list, description="只抽这些风险等级（空：不按风险筛选）"
    )


class PlanFile(Strict):
    """A plan as written in YAML or JSON: items, the subject filter, ratios and the cap."""

    code: str = Field(min_length=1, max_length=60, description="计划编号")
    name: str = Field(min_length=1, max_length=200, description="计划名称")
    year: int = Field(ge=2000, le=2100, description="年度")
    items: list[ItemIn] = Field(min_length=1, description="抽查事项（一单）")
    subjects: SubjectFilter = Field(description="检查对象范围（主体库筛选）")
    ratios: dict[str, Decimal] = Field(
        default_factory=lambda: {
            "A": Decimal(rules.DEFAULT_RATIOS["A"]),
            "B": Decimal(rules.DEFAULT_RATIOS["B"]),
            "C": Decimal(rules.DEFAULT_RATIOS["C"]),
            "D": Decimal(rules.DEFAULT_RATIOS["D"]),
        },
        description="各信用风险类别的抽查比例",
    )
    unclassified_as: Literal["B", "C", "D"] | None = Field(
        None, description="无信用分类的主体按哪一类的比例抽取（默认取配置）"
    )
    cap: int | None = Field(None, ge=1, le=52, description="每户每年各部门合计检查次数上限")
    team_size: int | None = Field(None, ge=2, le=10, description="每组执法人员人数")
    inspectors: list[InspectorIn] = Field(default_factory=list, description="执法人员（两库之一）")
    credit_classes: str | None = Field(
        None, description="信用风险分类表（CSV：统一社会信用代码,信用分类[,风险等级]）的路径"
    )

    def to_spec(self, *, unclassified_as: str, cap: int, team_size: int) -> rules.PlanSpec:
        unknown = sorted(set(self.ratios) - set(rules.CLASSES))
        if unknown:
            raise draw.DrawInputError(f"抽查比例只能按 A、B、C、D 类设置：{'、'.join(unknown)}")
        ratios = {k: draw.parse_ratio(v) for k, v in self.ratios.items()}
        for cls in rules.CLASSES:
            ratios.setdefault(cls, Fraction(0))
        return rules.PlanSpec(
            code=self.code,
            name=self.name,
            region=self.subjects.region,
            year=self.year,
            items=tuple(
                rules.ItemSpec(
                    i.code,
                    i.name,
                    i.department,
                    i.qualification,
                    i.matter,
                    tuple(i.industry_prefixes),
                )
                for i in self.items
            ),
            ratios=ratios,
            unclassified_as=self.unclassified_as or unclassified_as,
            cap=self.cap or cap,
            team_size=self.team_size or team_size,
            industry_prefixes=tuple(self.subjects.industry_prefixes),
            risk_levels=tuple(self.subjects.risk_levels),
        )


def spec_from_rules(data: dict[str, Any]) -> rules.PlanSpec:
    """The spec back from what a plan row stores (``publication.plan_rules``)."""
    items: list[dict[str, Any]] = data["items"]
    ratios: dict[str, Any] = data["ratios"]
    return rules.PlanSpec(
        code=str(data["code"]),
        name=str(data["name"]),
        region=str(data["region"]),
        year=int(data["year"]),
        items=tuple(
            rules.ItemSpec(
                i["code"],
                i["name"],
                i["department"],
                i.get("qualification"),
                i.get("matter"),
                tuple(i.get("industry_prefixes") or ()),
            )
            for i in items
        ),
        ratios={k: Fraction(Decimal(str(v))) for k, v in ratios.items()},
        unclassified_as=str(data["unclassified_as"]),
        cap=int(data["cap"]),
        team_size=int(data["team_size"]),
        industry_prefixes=tuple(data.get("industry_prefixes") or ()),
        risk_levels=tuple(data.get("risk_levels") or ()),
    )


class AnswerIn(Strict):
    item_id: int
    result: Literal["符合", "不符合", "不适用"]
    severity: Literal["一般", "较重", "严重"] | None = None
    note: str | None = Field(None, max_length=1000)


class ChecklistIn(Strict):
    answers: list[AnswerIn] = Field(min_length=1)


class ManualItemIn(Strict):
    content: str = Field(min_length=1, max_length=500, description="排查内容")
    key_points: str = Field("", max_length=4000, description="排查要点")
    method: str = Field("", max_length=4000, description="排查方法")
    cautions: str = Field("", max_length=4000, description="注意事项")
    typical_cases: str = Field("", max_length=4000, description="典型案例")


class ManualIn(Strict):
    matter: str = Field(min_length=1, max_length=60, description="监管事项")
    title: str = Field(min_length=1, max_length=200, description="手册名称")
    items: list[ManualItemIn] = Field(min_length=1)


def parse_plan(text: str, *, name: str = "计划") -> PlanFile:
    """A plan from YAML (or JSON) text; every problem is named with where it is."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ValidationFailed(f"{name}不是有效的 YAML：{error}") from error
    try:
        return PlanFile.model_validate(data)
    except PydanticValidationError as error:
        problems = "；".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()[:8]
        )
        raise ValidationFailed(f"{name}有误：{problems}") from error
