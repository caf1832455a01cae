"""Which business a mention means: compare, weigh, decide. Pure functions, no I/O.

The name normaliser these rules read is in ``names.py`` (places in ``places.py``, word lists in
``lexicon.py``); this module scores candidates and decides. The model, in the words users see:

* 每个候选先逐项比对：名称（去掉地名和组织形式后的核心）、所在区划、地址、电话、
  法定代表人（经营者）、分支机构，以及诉求内容涉及的行业与主体行业是否相符。名称吻合得越好，越像是人们称呼该主体的写法：全称或核心一致最有力，差一字、只写字号次之。
* 各候选的证据相互比较（十户同名则各分一成），再留出“所指对象不在候选之中（未登记或在别处）”的可能
  （默认 5%），得到每个候选是所指对象的概率，即“匹配分”。
* 匹配分达到自动关联阈值的自动关联；落在复核区间的进入人工复核队列；更低的不关联。
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import IntEnum

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from lookthrough.resolution.names import (
    NameParts,
    normalise_address,
    normalise_person,
    normalise_phone,
)
from lookthrough.resolution.places import Places, shipped
from lookthrough.resolution.sounds import sounds_alike
from lookthrough.resolution.topics import fits


class NameLevel(IntEnum):
    """How well two names agree, best first in value."""

    NONE = 0
    FUZZY = 1
    CONTAINS = 2
    TRADE = 3
    EDIT1 = 4
    CORE = 5
    FULL = 6


# How likely a person who means a business writes a name that agrees with it at each level
# (the likelihood of the mention under "this is the one"). An exact name is what most people
# write; one particular slip of one character (德城 for 德成) is far rarer — a county of tens of
# thousands of businesses holds dozens of one-character neighbours of any name, and together
# they must not outweigh the exact one. CORE_OTHER_FORM: the mention spells out a legal form
# the candidate does not have (…富祥粮油有限责任公司 against 包河区富祥粮油店).
LIKELIHOOD = {
    NameLevel.FULL: 0.5,
    NameLevel.CORE: 0.5,
    NameLevel.EDIT1: 0.00001,
    NameLevel.TRADE: 0.1,
    NameLevel.CONTAINS: 0.0003,
    NameLevel.FUZZY: 0.00003,
    NameLevel.NONE: 0.0,
}
CORE_OTHER_FORM = 0.05
# A one-character slip between homophones (德城 for 德成: the input method's wrong pick) is how
# most misspelt names are written; any other one-character difference (EDIT1) is rare, as rare
# as a name that is merely similar. A dense county holds dozens of one-character neighbours of
# a name and only a few homophones among them: at 0.001 for every neighbour the right one drowned
# (宣城, 50k mentions: typo recall 0.61; bench/RESULTS.md).
SOUND_ALIKE = 0.005
# A business that is not among the candidates (unregistered, or registered elsewhere) is taken
# to be named as loosely as a one-character match: this likelihood, times the outside share.
OUTSIDE_LIKELIHOOD = 0.001
NAME_REASON = {
    NameLevel.FULL: "名称全称一致",
    NameLevel.CORE: "名称一致（去掉地名、组织形式后）",
    NameLevel.EDIT1: "名称仅差一字，读音不同",
    NameLevel.TRADE: "只写了字号，字号一致",
    NameLevel.CONTAINS: "名称互相包含",
    NameLevel.FUZZY: "名称相近",
    NameLevel.NONE: "名称不符",
}
SHOP_FORMS = frozenset({"店", "门店"})  # people call any business 店, so it contradicts nothing
FUZZY_MIN = 75  # rapidfuzz ratio (0–100) at which two cores count as "相近"


class Region(IntEnum):
    CONFLICT = 0  # the mention names a place the business is not in
    PROVINCE = 1
    CITY = 2
    COUNTY = 3
    TOWN = 4
    UNKNOWN = 5  # the mention gives no place at all


# Weights are log2 Bayes factors (+1 doubles the odds), as in Fellegi–Sunter / Splink.
REGION_WEIGHT = {
    Region.TOWN: (1.0, "同一乡镇街道"),
    Region.COUNTY: (0.0, "同一县区"),
    Region.CITY: (-2.0, "同市不同县区"),
    Region.PROVINCE: (-4.0, "不在同一市"),
    Region.CONFLICT: (-6.0, "名称中的地名与该主体所在地不符"),
    Region.UNKNOWN: (0.0, ""),
}


class Agreement(IntEnum):
    MISSING = 0
    DIFFERENT = 1
    SIMILAR = 2
    SAME_ROAD = 3
    SAME = 4


# Road and house number both agreeing is strong: a county of tens of thousands of businesses
# has fewer than one in several thousand at any one numbered address (log2 4096 = 12).
ADDRESS_WEIGHT = {
    Agreement.SAME: (12.0, "地址道路门牌一致"),
    Agreement.SAME_ROAD: (3.0, "地址同一道路"),
    Agreement.SIMILAR: (1.0, "地址相近"),
    Agreement.DIFFERENT: (-2.0, "地址不同"),
}
PHONE_WEIGHT = {Agreement.SAME: (10.0, "电话一致"), Agreement.DIFFERENT: (-1.0, "电话不同")}
PERSON_WEIGHT = {
    Agreement.SAME: (6.0, "法定代表人（经营者）一致"),
    Agreement.DIFFERENT: (-1.0, "法定代表人（经营者）不同"),
}
BRANCH_WEIGHT = {
    Agreement.SAME: (2.0, "分支机构一致"),
    Agreement.DIFFERENT: (-4.0, "分支机构不同"),
    Agreement.SIMILAR: (-1.0, "写明了分支机构，候选不是分支机构"),
}
# What the complaint is about against the business's line of trade (``topics.py``: m = 0.95,
# u ≈ 0.2).
TOPIC_WEIGHT = {
    Agreement.SAME: (2.0, "诉求内容与该主体的行业相符"),
    Agreement.DIFFERENT: (-4.0, "诉求内容与该主体的行业不符"),
}


@dataclass(frozen=True, slots=True)
class Mention:
    """What a record or a spreadsheet row says about the business it means."""

    name: NameParts
    region: str | None = None  # the record's region (complaints: the county handling it)
    address: str | None = None
    phone: str | None = None
    legal_rep: str | None = None
    topics: str = ""  # the fields its text's topics point to (topics.topic_fields)


@dataclass(frozen=True, slots=True)
class Candidate:
    entity_id: int
    name: NameParts
    region_code: str
    address: str | None = None
    phone: str | None = None
    legal_rep: str | None = None
    field: str = ""  # its supervised field (topics.business_field), "" when not known


@dataclass(frozen=True, slots=True)
class Comparison:
    name: NameLevel
    region: Region
    address: Agreement = Agreement.MISSING
    phone: Agreement = Agreement.MISSING
    person: Agreement = Agreement.MISSING
    branch: Agreement = Agreement.MISSING
    read_as_place: bool = False  # the mention's leading county stem was read as a place
    other_form: bool = False  # the mention names a legal form the candidate does not have
    homophone: bool = False  # one character differs and the two sound alike (同音字)
    topic: Agreement = Agreement.MISSING  # the text's topic against the business's field


@dataclass(frozen=True, slots=True)
class Thresholds:
    """自动关联阈值、复核下限，以及所指对象不在库中的先验比例。"""

    auto_link: float = 0.90
    review: float = 0.30
    outside_share: float = 0.05


@dataclass(frozen=True, slots=True)
class Scored:
    entity_id: int
    score: float  # probability this candidate is the business meant
    comparison: Comparison
    reasons: list[str] = field(default_factory=list)


def name_level(mention: NameParts, candidate: NameParts) -> NameLevel:
    """名称比对等级：全称一致 > 核心一致 > 差一字 > 字号一致 > 互相包含 > 相近 > 不符。"""
    if mention.clean and mention.clean == candidate.clean:
        return NameLevel.FULL
    a, b = mention.core, candidate.core
    if a == b:
        return NameLevel.CORE
    if min(len(a), len(b)) >= 3 and Levenshtein.distance(a, b, score_cutoff=1) <= 1:
        return NameLevel.EDIT1
    if not mention.industry and len(a) >= 2 and (a == candidate.trade or b.startswith(a)):
        return NameLevel.TRADE
    shorter, longer = sorted((a, b), key=len)
    if len(shorter) >= 3 and shorter in longer:
        return NameLevel.CONTAINS
    if fuzz.ratio(a, b, score_cutoff=FUZZY_MIN):
        return NameLevel.FUZZY
    return NameLevel.NONE


def region_level(mention: Mention, candidate: Candidate) -> Region:
    """所在区划：名称里写的地名须与主体所在地相符；再看与记录所属区划的远近。"""
    named = [r for r in mention.name.regions if len(r) > 2]
    if named and not any(candidate.region_code.startswith(r) for r in named):
        return Region.CONFLICT
    if not mention.region:
        return Region.UNKNOWN
    shared = _common_prefix(mention.region, candidate.region_code)
    if shared >= 9 and len(mention.region) >= 9:
        return Region.TOWN
    if shared >= 6:
        return Region.COUNTY
    if shared >= 4:
        return Region.CITY
    return Region.PROVINCE


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def address_agreement(mention: str | None, candidate: str | None, places: Places) -> Agreement:
    """地址：道路和门牌号都一致最有力；同一道路次之；其余按文字相似度。"""
    if not mention or not candidate:
        return Agreement.MISSING
    a, b = normalise_address(mention, places), normalise_address(candidate, places)
    if a.road and a.road == b.road:
        return Agreement.SAME if a.number and a.number == b.number else Agreement.SAME_ROAD
    if fuzz.ratio(a.clean, b.clean) >= 80:
        return Agreement.SIMILAR
    return Agreement.DIFFERENT


def phone_agreement(mention: str | None, candidate: str | None) -> Agreement:
    """电话：号码一致（座机可不带区号，比对后八位）。"""
    if not mention or not candidate:
        return Agreement.MISSING
    a, b = normalise_phone(mention), normalise_phone(candidate)
    if len(a) < 7 or len(b) < 7:
        return Agreement.MISSING
    if a == b or (len(a) >= 8 and len(b) >= 8 and a[-8:] == b[-8:]):
        return Agreement.SAME
    return Agreement.DIFFERENT


def person_agreement(mention: str | None, candidate: str | None) -> Agreement:
    if not mention or not candidate:
        return Agreement.MISSING
    a, b = normalise_person(mention), normalise_person(candidate)
    if not a or not b:
        return Agreement.MISSING
    return Agreement.SAME if a == b else Agreement.DIFFERENT


def branch_agreement(mention: NameParts, candidate: NameParts) -> Agreement:
    if not mention.branch:
        return Agreement.MISSING
    if not candidate.branch:
        return Agreement.SIMILAR
    return Agreement.SAME if mention.branch == candidate.branch else Agreement.DIFFERENT


def topic_agreement(topics: str, field: str) -> Agreement:
    """诉求内容涉及的行业与主体行业是否相符（无从比较为 MISSING）。"""
    fit = fits(topics, field)
    if fit is None:
        return Agreement.MISSING
    return Agreement.SAME if fit else Agreement.DIFFERENT


def compare(mention: Mention, candidate: Candidate, places: Places | None = None) -> Comparison:
    """逐项比对一个候选（名称按原样和“开头是县名”两种读法取较好者）。"""
    places = places or shipped()
    name = mention.name
    level = name_level(name, candidate.name)
    as_place = False
    if name.alternative is not None:
        alt = name_level(name.alternative, candidate.name)
        if alt > level:
            level, name, as_place = alt, name.alternative, True
    reading = Mention(name, mention.region, mention.address, mention.phone, mention.legal_rep)
    person = person_agreement(mention.legal_rep or name.person or None, candidate.legal_rep)
    return Comparison(
        name=level,
        region=region_level(reading, candidate),
        address=address_agreement(mention.address, candidate.address, places),
        phone=phone_agreement(mention.phone, candidate.phone),
        person=person,
        branch=branch_agreement(name, candidate.name),
        read_as_place=as_place,
        other_form=any(f not in SHOP_FORMS and f not in candidate.name.forms for f in name.forms),
        homophone=level is NameLevel.EDIT1 and sounds_alike(name.core, candidate.name.core),
        topic=topic_agreement(mention.topics, candidate.field),
    )


def evidence(comparison: Comparison) -> tuple[float, list[str]]:
    """Everything but the name, as a log2 weight, and the reasons in Chinese."""
    weight = 0.0
    reasons: list[str] = []
    parts = (
        REGION_WEIGHT.get(comparison.region),
        ADDRESS_WEIGHT.get(comparison.address),
        PHONE_WEIGHT.get(comparison.phone),
        PERSON_WEIGHT.get(comparison.person),
        BRANCH_WEIGHT.get(comparison.branch),
        TOPIC_WEIGHT.get(comparison.topic),
    )
    for part in parts:
        if part is None or not part[1]:
            continue
        weight += part[0]
        reasons.append(f"{part[1]}（{part[0]:+g}）")
    return weight, reasons


def support(comparison: Comparison, weight: float | None = None) -> float:
    """How likely the mention is if this candidate is the one: the name's likelihood at its
    level, times 2 to the power of the other evidence's weight."""
    likelihood = LIKELIHOOD[comparison.name]
    if comparison.name is NameLevel.CORE and comparison.other_form:
        likelihood = CORE_OTHER_FORM
    if comparison.homophone:
        likelihood = SOUND_ALIKE
    if likelihood == 0.0:
        return 0.0
    if weight is None:
        weight, _ = evidence(comparison)
    return float(likelihood * 2.0**weight)


HOMOPHONE_REASON = "名称仅差一字，读音相同（可能是同音字）"


def reasons(comparison: Comparison, *, peers: int, other: list[str] | None = None) -> list[str]:
    """匹配理由（中文），每条附其权重。"""
    said = [HOMOPHONE_REASON if comparison.homophone else NAME_REASON[comparison.name]]
    if comparison.read_as_place:
        said[0] += "（把开头的县市名当作地名）"
    if comparison.name is not NameLevel.NONE and peers > 1:
        said.append(f"辖区内有 {peers} 户名称同样吻合")
    return said + (evidence(comparison)[1] if other is None else other)


def peers_by_level(comparisons: Sequence[Comparison]) -> list[int]:
    """For each candidate, how many candidates agree on the name just as well."""
    levels = [(c.name, c.homophone) for c in comparisons]
    return [levels.count(level) for level in levels]


def posterior(supports: Sequence[float], *, outside_share: float) -> list[float]:
    """每个候选是所指对象的概率：各候选证据之比，并留出所指对象不在候选之中（未登记或在别处）的可能。"""
    inside = 1.0 - outside_share
    total = inside * sum(supports) + outside_share * OUTSIDE_LIKELIHOOD
    return [inside * s / total if total > 0 else 0.0 for s in supports]


def status_for(score: float, thresholds: Thresholds) -> str:
    """auto（自动关联）、review（人工复核）或 unlinked（不关联）。"""
    if score >= thresholds.auto_link:
        return "auto"
    if score >= thresholds.review:
        return "review"
    return "unlinked"


def score_candidates(
    mention: Mention,
    candidates: Sequence[Candidate],
    thresholds: Thresholds,
    places: Places | None = None,
) -> list[Scored]:
    """给一条提及的全部候选打分，按匹配分从高到低；名称不符的候选不列出。"""
    comparisons = [compare(mention, c, places) for c in candidates]
    return score_comparisons(
        [c.entity_id for c in candidates], comparisons, outside_share=thresholds.outside_share
    )


def score_comparisons(
    entity_ids: Sequence[int], comparisons: Sequence[Comparison], *, outside_share: float
) -> list[Scored]:
    kept = [(e, c) for e, c in zip(entity_ids, comparisons, strict=True) if c.name > 0]
    peers = peers_by_level([c for _, c in kept])
    weighed = [evidence(c) for _, c in kept]
    supports = [support(c, w) for (_, c), (w, _) in zip(kept, weighed, strict=True)]
    scores = posterior(supports, outside_share=outside_share)
    scored = [
        Scored(entity_id=e, score=round(s, 4), comparison=c,
               reasons=reasons(c, peers=n, other=said))
        for (e, c), n, s, (_, said) in zip(kept, peers, scores, weighed, strict=True)
    ]  # fmt: skip
    return sorted(scored, key=lambda s: (-s.score, s.entity_id))
