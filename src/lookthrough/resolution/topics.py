"""What a complaint is about, and whether that fits a business's line of trade. Pure, no I/O.

A complainant who writes only 德成店 still says what went wrong: 吃完后腹泻 is about a place
that serves meals, 电梯困人 about whoever runs the building's elevators, 直播间宣称… about a
seller online. Two businesses of one 字号 in a county (德成饭店 and 德成五金店) are then not
equally likely to be the one meant. The words below name a *topic*; each topic lists the
supervised fields (``risk.fields``, from the business's industry code) whose businesses such
complaints are about. Words are looked for in the text with the business's name taken out, so
a name like 鑫源肉食店 (肉 is a food word) says nothing about the topic by itself.

The weights, log2 Bayes factors as in ``rules.py`` (Fellegi–Sunter m and u): a text whose topic
we read is about a business of those fields 19 times in 20 (m = 0.95: the words are specific —
腹泻, 电梯, 直播 — but a business may trade outside its registered industry); about a fifth of a
county's businesses are in the fields of the commonest topics (catering, food: u ≈ 0.2). In
fields: log2(0.95 / 0.2) ≈ +2; not: log2(0.05 / 0.8) = −4. The rarer topics (elevators, online
sellers) would earn more in fields; they are given the same, to err on the side of review.
"""

from __future__ import annotations

from dataclasses import dataclass

from lookthrough.risk.fields import field_of

FOOD_FIELDS = ("food_retail", "food_wholesale", "food_production", "edible_oil", "meat", "dairy",
               "infant_formula")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Topic:
    label: str
    words: tuple[str, ...]
    fields: tuple[str, ...]


def _words(spaced: str) -> tuple[str, ...]:
    return tuple(spaced.split())


TOPICS = (
    Topic(
        "餐饮",
        _words(
            "吃完 吃了 用餐 就餐 堂食 外卖 饭菜 菜品 上菜 点菜 菜单 后厨 餐具 腹泻 呕吐 拉肚子"
            " 食物中毒 地沟油"
        ),
        ("catering",),
    ),
    Topic(
        "食品",
        _words("过期 保质期 生产日期 变质 发霉 霉变 异味 散装食品 奶粉 冷柜 冷冻 肉"),
        FOOD_FIELDS,
    ),
    Topic("电梯", ("电梯", "困人", "扶梯"), ("elevator_user", "elevator_maintenance")),
    Topic(
        "网购、直播",
        _words("直播 主播 网购 网店 下单 发货 收到货 快递 七天无理由"),
        ("live_commerce", "platform"),
    ),
)


def topic_fields(text: str | None, name: str | None = None) -> str:
    """The fields the text's topics point to, ``|``-joined with one on each end (``|catering|``),
    or "" when the text names no topic. ``name`` (the business as written) is taken out first."""
    if not text:
        return ""
    if name:
        text = text.replace(name, "")
    found = sorted({f for topic in TOPICS if any(w in text for w in topic.words)
                    for f in topic.fields})  # fmt: skip
    return f"|{'|'.join(found)}|" if found else ""


def business_field(industry_code: str | None) -> str:
    """The business's supervised field, or "" when its industry code is not known."""
    return field_of(industry_code) if industry_code and industry_code.strip() else ""


def fits(topics: str, field: str) -> bool | None:
    """Whether a business of ``field`` fits the topics (None: nothing to compare)."""
    if not topics or not field:
        return None
    return f"|{field}|" in topics
