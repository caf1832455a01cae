"""Record kinds: what each kind of regulatory fact carries, as a validated payload.

Each kind has a pydantic model for its payload, a Chinese label, and a title template used in
timelines. Payload models refuse unknown fields, so a mapping mistake surfaces as a quarantined
row instead of silently stored data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

# Amounts and scores are exact when validated and plain JSON numbers when stored, so the
# analytics engine reads them as numbers.
Number = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]


class Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Finding(Payload):
    """One problem found by an inspection; a record of its own whose parent is the inspection."""

    code: str | None = Field(None, max_length=40, description="问题代码")
    description: str = Field(min_length=1, max_length=1000, description="问题描述")
    severity: Literal["一般", "较重", "严重"] = Field("一般", description="严重程度")


class Inspection(Payload):
    inspection_type: str = Field("日常检查", max_length=40, description="检查类型")
    result: Literal["未发现问题", "发现问题", "责令整改", "立案查处", "未检查"] | None = Field(
        None, description="检查结果"
    )
    score: Number | None = Field(None, ge=0, le=100, description="评分")
    inspectors: list[str] = Field(default_factory=list, description="执法人员编号")
    matter: str | None = Field(None, max_length=60, description="监管事项")


class SamplingItem(Payload):
    item: str = Field(min_length=1, max_length=100, description="检验项目")
    value: str | None = Field(None, max_length=60, description="检验结果")
    limit: str | None = Field(None, max_length=60, description="标准值")
    unit: str | None = Field(None, max_length=20, description="单位")
    passed: bool = Field(description="单项判定是否合格")


class Sampling(Payload):
    product: str = Field(min_length=1, max_length=200, description="样品名称")
    batch: str | None = Field(None, max_length=60, description="生产批次")
    gtin: str | None = Field(None, pattern=r"^\d{8,14}$", description="商品条码")
    producer: str | None = Field(None, max_length=200, description="标称生产者")
    conclusion: Literal["合格", "不合格"] = Field(description="检验结论")
    items: list[SamplingItem] = Field(default_factory=list, description="检验项目")
    lab: str | None = Field(None, max_length=200, description="检验机构")


class Penalty(Payload):
    case_no: str = Field(min_length=1, max_length=80, description="处罚决定书文号")
    violation: str = Field(min_length=1, max_length=1000, description="违法行为")
    basis: str | None = Field(None, max_length=500, description="处罚依据")
    fine_yuan: Number = Field(Decimal(0), ge=0, description="罚款金额（元）")
    confiscated_yuan: Number = Field(Decimal(0), ge=0, description="没收金额（元）")


class Complaint(Payload):
    channel: Literal["12315", "12345", "来信", "来访", "网络", "其他"] = Field(
        "12315", description="来源渠道"
    )
    category: Literal["投诉", "举报", "咨询"] = Field("投诉", description="类别")
    text: str = Field(min_length=1, max_length=5000, description="诉求内容")
    mention: str | None = Field(None, max_length=200, description="被投诉对象（原文）")
    mention_address: str | None = Field(None, max_length=300, description="被投诉对象地址（原文）")
    complainant_name: str | None = Field(None, max_length=60, description="投诉人姓名（个人信息）")
    complainant_phone: str | None = Field(None, max_length=40, description="投诉人电话（个人信息）")


class Licence(Payload):
    licence_no: str = Field(min_length=1, max_length=80, description="许可证编号")
    licence_type: str = Field(min_length=1, max_length=60, description="许可类别")
    valid_from: date | None = Field(None, description="有效期起")
    valid_to: date | None = Field(None, description="有效期至")
    scope: str | None = Field(None, max_length=500, description="许可范围")


class ListEntry(Payload):
    reason: str = Field(min_length=1, max_length=500, description="列入事由")
    authority: str | None = Field(None, max_length=200, description="作出决定机关")
    removed_on: date | None = Field(None, description="移出日期")


class IotAlarm(Payload):
    device_id: str = Field(min_length=1, max_length=80, description="设备编号")
    alarm_type: str = Field(min_length=1, max_length=60, description="报警类型")
    value: str | None = Field(None, max_length=60, description="报警数值")
    cleared: bool = Field(False, description="是否已消除")


class Incident(Payload):
    incident_type: str = Field(min_length=1, max_length=60, description="事故类型")
    description: str = Field(min_length=1, max_length=5000, description="事故经过")
    deaths: int = Field(0, ge=0, description="死亡人数")
    injuries: int = Field(0, ge=0, description="受伤人数")
    level: Literal["一般", "较大", "重大", "特别重大"] = Field("一般", description="事故等级")


class PublicOpinion(Payload):
    platform: str = Field(min_length=1, max_length=60, description="发布平台")
    text: str = Field(min_length=1, max_length=5000, description="内容")
    mention: str | None = Field(None, max_length=200, description="涉及对象（原文）")
    sentiment: Literal["负面", "中性", "正面"] = Field("负面", description="倾向")


class Commitment(Payload):
    content: str = Field(min_length=1, max_length=2000, description="承诺内容")
    due_on: date | None = Field(None, description="履约期限")


class Shipment(Payload):
    product: str = Field(min_length=1, max_length=200, description="产品")
    batch: str | None = Field(None, max_length=60, description="批次")
    quantity: Number | None = Field(None, ge=0, description="数量")
    unit: str | None = Field(None, max_length=20, description="单位")
    receiver: str | None = Field(None, max_length=200, description="收货方（原文）")


@dataclass(frozen=True, slots=True)
class Kind:
    code: str
    label: str
    payload: type[Payload]


KINDS: dict[str, Kind] = {
    k.code: k
    for k in (
        Kind("inspection", "检查", Inspection),
        Kind("finding", "检查发现问题", Finding),
        Kind("sampling", "抽检", Sampling),
        Kind("penalty", "行政处罚", Penalty),
        Kind("complaint", "投诉举报", Complaint),
        Kind("licence", "许可", Licence),
        Kind("abnormal_list", "经营异常名录", ListEntry),
        Kind("dishonesty_list", "严重违法失信名单", ListEntry),
        Kind("iot_alarm", "物联网报警", IotAlarm),
        Kind("incident", "事故", Incident),
        Kind("public_opinion", "舆情", PublicOpinion),
        Kind("commitment", "承诺", Commitment),
        Kind("shipment", "供货记录", Shipment),
    )
}

# Payload fields that hold personal data and are masked for viewers without need.
PERSONAL_FIELDS = {"complaint": ("complainant_name", "complainant_phone")}
