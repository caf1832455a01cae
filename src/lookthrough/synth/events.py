"""Records drawn from the world over several years: what bureaus' systems would hold.

Each generator returns polars frames whose columns are the Chinese headers of the shipped
mappings, so the files import through the same path as any bureau's file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import numpy as np
import polars as pl

from lookthrough.synth import people, text
from lookthrough.synth.entities import EPOCH
from lookthrough.synth.scales import Scale
from lookthrough.synth.vocab import (
    BANNED_CLAIMS,
    COMPLAINT_PROBLEMS,
    COMPLAINT_TEMPLATES,
    FINDINGS,
    SAMPLING,
)
from lookthrough.synth.world import World

FOOD_FIELDS = (
    "catering",
    "food_retail",
    "food_wholesale",
    "edible_oil",
    "meat",
    "dairy",
    "infant_formula",
    "food_production",
)


def _days(rng: np.random.Generator, low: np.ndarray, scale: Scale) -> np.ndarray:
    """A day (ordinal) for each event, after the business registered, within the window."""
    start = np.maximum(low, scale.start.toordinal())
    end = scale.end.toordinal()
    start = np.minimum(start, end - 1)
    days: np.ndarray = start + (rng.random(len(low)) * (end - start)).astype(np.int64)
    return days


def _iso(ordinals: np.ndarray) -> pl.Series:
    return pl.Series((ordinals - EPOCH).astype(np.int32)).cast(pl.Date).dt.to_string("%Y-%m-%d")


class Events:
    def __init__(self, rng: np.random.Generator, scale: Scale, world: World) -> None:
        self.rng, self.scale, self.world = rng, scale, world
        e = world.entities
        self.uscc = e["uscc"].to_numpy()
        self.name = e["name"].to_numpy()
        self.short = e["short_name"].to_numpy()
        self.field = e["field"].to_numpy()
        self.county = e["county"].to_numpy()
        self.region = e["region"].to_numpy()
        self.address = e["address"].to_numpy()
        self.propensity = e["propensity"].to_numpy().copy()
        self.registered = (e["registered_on"].cast(pl.Int32).to_numpy() + EPOCH).astype(np.int64)
        self.years = len(scale.years)
        self.boost = np.ones(len(e))  # planted causes multiply their victims' troubles
        self.index = {u: i for i, u in enumerate(self.uscc)}
        self.shells: set[int] = set()
        for cause in world.causes:
            victims = [self.index[u] for u in cause.affected if u in self.index]
            if cause.kind == "actual_controller":
                self.shells.update(victims)
            if cause.kind in {"actual_controller", "platform"}:
                self.boost[victims] *= cause.multiplier / 2
        self.trap_contractors = {
            self.index[c.factor_key] for c in world.causes if c.kind == "maintenance_contractor"
        }
        self.bad_oil_buyers = {
            self.index[u] for c in world.causes if c.kind == "oil_supplier" for u in c.affected
        }
        self.banned_sellers = {
            self.index[u] for c in world.causes if c.kind == "platform" for u in c.affected
        }
        self.inspected: pl.DataFrame | None = None

    # -- inspections and findings ---------------------------------------------------------

    def inspections(self) -> Iterator[pl.DataFrame]:
        rng, n = self.rng, len(self.uscc)
        lam = self.scale.inspection_rate * self.years * (0.7 + 2.0 * self.propensity)
        per = rng.poisson(lam)
        who = np.repeat(np.arange(n), per)
        day = _days(rng, self.registered[who], self.scale)
        p_violation = np.clip(self.propensity[who] * 2.2 * np.sqrt(self.boost[who]), 0, 0.95)
        violated = rng.random(len(who)) < p_violation
        severe = violated & (rng.random(len(who)) < 0.25)
        result = np.where(severe, "责令整改", np.where(violated, "发现问题", "未发现问题"))
        kind = rng.choice(
            np.array(["日常检查", "双随机抽查", "专项检查", "投诉核查"]),
            len(who),
            p=[0.6, 0.2, 0.15, 0.05],
        )
        score = np.where(violated, rng.integers(55, 85, len(who)), rng.integers(85, 101, len(who)))
        numbers = np.char.add(
            np.char.add("JC", self.county[who]), np.char.zfill(np.arange(len(who)).astype(str), 8)
        )
        inspectors = [
            f"ZF{c}{a:03d}、ZF{c}{b:03d}"
            for c, a, b in zip(
                self.county[who],
                rng.integers(1, 60, len(who)),
                rng.integers(60, 120, len(who)),
                strict=True,
            )
        ]
        frame = pl.DataFrame(
            {
                "检查编号": numbers,
                "统一社会信用代码": self.uscc[who],
                "所属区划代码": self.region[who],
                "检查日期": _iso(day),
                "检查类型": kind,
                "检查结果": result,
                "评分": score.astype(str),
                "执法人员": inspectors,
            }
        )
        self.inspected = pl.DataFrame(
            {"检查编号": numbers, "who": who, "day": day, "violated": violated, "severe": severe}
        )
        yield frame

    def findings(self) -> Iterator[pl.DataFrame]:
        assert self.inspected is not None
        bad = self.inspected.filter(pl.col("violated"))
        who = bad["who"].to_numpy()
        per = 1 + self.rng.poisson(0.7, len(who))
        rows = np.repeat(np.arange(len(who)), per)
        serial = np.concatenate([np.arange(1, k + 1) for k in per]) if len(per) else np.array([])
        descriptions = []
        draws = self.rng.random(len(rows))
        for r, u in zip(rows, draws, strict=True):
            options = FINDINGS.get(self.field[who[r]], FINDINGS["general"])
            descriptions.append(options[int(u * len(options))])
        severity = np.where(
            bad["severe"].to_numpy()[rows] & (draws < 0.5),
            "严重",
            np.where(draws < 0.3, "较重", "一般"),
        )
        yield pl.DataFrame(
            {
                "检查编号": bad["检查编号"].to_numpy()[rows],
                "问题序号": serial.astype(str),
                "统一社会信用代码": self.uscc[who[rows]],
                "检查日期": _iso(bad["day"].to_numpy()[rows]),
                "问题描述": descriptions,
                "严重程度": severity,
            }
        )

    def penalties(self) -> Iterator[pl.DataFrame]:
        assert self.inspected is not None
        severe = self.inspected.filter(pl.col("severe"))
        chosen = severe.filter(pl.Series(self.rng.random(len(severe)) < 0.35))
        who = chosen["who"].to_numpy()
        day = chosen["day"].to_numpy() + self.rng.integers(10, 60, len(who))
        day = np.minimum(day, self.scale.end.toordinal())
        violations = [FINDINGS.get(self.field[w], FINDINGS["general"])[0] for w in who]
        year = pl.Series((day - EPOCH).astype(np.int32)).cast(pl.Date).dt.year().to_numpy()
        yield pl.DataFrame(
            {
                "行政处罚决定书文号": [
                    f"{c}市监罚〔{y}〕{i + 1}号"
                    for i, (c, y) in enumerate(zip(self.county[who], year, strict=True))
                ],
                "统一社会信用代码": self.uscc[who],
                "所属区划代码": self.region[who],
                "处罚决定日期": _iso(day),
                "违法行为类型": violations,
                "处罚依据": [
                    "《中华人民共和国食品安全法》"
                    if self.field[w] in FOOD_FIELDS
                    else "《中华人民共和国产品质量法》"
                    for w in who
                ],
                "罚款金额（元）": (self.rng.integers(1, 100, len(who)) * 1000).astype(str),
                "没收违法所得（元）": (self.rng.integers(0, 20, len(who)) * 500).astype(str),
            }
        )

    # -- sampling -------------------------------------------------------------------------

    def sampling(self) -> Iterator[pl.DataFrame]:
        rng = self.rng
        sampled_fields = np.array(list(SAMPLING))
        eligible = np.flatnonzero(np.isin(self.field, sampled_fields))
        per = rng.poisson(0.2 * self.years, len(eligible))
        who = np.repeat(eligible, per)
        day = _days(rng, self.registered[who], self.scale)
        products, batches, conclusions, failures, producers = [], [], [], [], []
        draws = rng.random((len(who), 4))
        for i, w in enumerate(who):
            field = str(self.field[w])
            oil = w in self.bad_oil_buyers and draws[i, 3] < 0.6
            product, items = SAMPLING["edible_oil"] if oil else SAMPLING[field]
            p_fail = 0.55 if oil else min(0.9, float(self.propensity[w]) * 0.8)
            failed = draws[i, 0] < p_fail
            bad_item = items[0] if oil else items[int(draws[i, 1] * len(items))]
            products.append(product)
            batches.append(f"{2022 + int(draws[i, 2] * 4)}{int(draws[i, 1] * 12) + 1:02d}")
            conclusions.append("不合格" if failed else "合格")
            failures.append(
                json.dumps(
                    [
                        {
                            "item": bad_item[0],
                            "value": str(bad_item[4]),
                            "limit": bad_item[2],
                            "unit": bad_item[1],
                            "passed": False,
                        }
                    ],
                    ensure_ascii=False,
                )
                if failed
                else ""
            )
            producers.append("")
        yield pl.DataFrame(
            {
                "抽样编号": [f"CJ{self.county[w]}{i:08d}" for i, w in enumerate(who)],
                "被抽样单位统一社会信用代码": self.uscc[who],
                "所属区划代码": self.region[who],
                "抽样日期": _iso(day),
                "样品名称": products,
                "生产日期/批号": batches,
                "检验结论": conclusions,
                "不合格项目（JSON）": failures,
                "检验机构": ["安徽省食品药品检验研究院"] * len(who),
            }
        )

    # -- complaints and opinion -----------------------------------------------------------

    def complaints(self, truth: list[dict[str, str]]) -> Iterator[pl.DataFrame]:
        rng = self.rng
        factor = np.where(
            np.isin(self.field, ["catering", "live_commerce", "food_retail", "property"]), 2.0, 0.6
        )
        lam = self.scale.complaint_rate * self.years * factor * (0.4 + 4 * self.propensity)
        lam = lam * self.boost
        who = np.repeat(np.arange(len(self.uscc)), rng.poisson(lam))
        day = _days(rng, self.registered[who], self.scale)
        written, how = text.mentions(self.name[who], self.short[who], self.county[who], rng)
        texts = []
        draws = rng.random((len(who), 3))
        for i, w in enumerate(who):
            field = str(self.field[w])
            problems = COMPLAINT_PROBLEMS.get(field, COMPLAINT_PROBLEMS["general"])
            problem = problems[int(draws[i, 0] * len(problems))]
            if w in self.banned_sellers and draws[i, 1] < 0.6:
                claim = BANNED_CLAIMS[int(draws[i, 2] * len(BANNED_CLAIMS))]
                problem = f"直播间宣称“{claim}”，实际质量很差"
            template = COMPLAINT_TEMPLATES[int(draws[i, 2] * len(COMPLAINT_TEMPLATES))]
            texts.append(
                template.format(name=written[i], addr=str(self.address[w])[3:], problem=problem)
            )
        numbers = [
            f"TS{d}{i:09d}" for i, d in enumerate(_iso(day).str.replace_all("-", "").to_list())
        ]
        known = draws[:, 1] > 0.85  # most complaints name a business only in words
        for i, w in enumerate(who):
            truth.append(
                {
                    "source": "投诉举报",
                    "kind": "complaint",
                    "key": numbers[i],
                    "mention": written[i],
                    "how": how[i],
                    "uscc": str(self.uscc[w]),
                }
            )
        yield pl.DataFrame(
            {
                "工单编号": numbers,
                "被投诉对象统一社会信用代码": np.where(known, self.uscc[who], ""),
                "所属区划代码": self.county[who],
                "登记日期": _iso(day),
                "来源渠道": rng.choice(
                    np.array(["12315", "12345", "网络"]), len(who), p=[0.6, 0.3, 0.1]
                ),
                "类别": rng.choice(np.array(["投诉", "举报"]), len(who), p=[0.8, 0.2]),
                "诉求内容": texts,
                "被投诉对象名称": written,
                "投诉人姓名": people.person_names(rng, len(who)),
                "投诉人电话": people.phones(rng, len(who)),
            }
        )

    def public_opinion(self, truth: list[dict[str, str]]) -> Iterator[pl.DataFrame]:
        rng = self.rng
        lam = 0.02 * self.years * (0.5 + 3 * self.propensity) * self.boost
        who = np.repeat(np.arange(len(self.uscc)), rng.poisson(lam))
        day = _days(rng, self.registered[who], self.scale)
        written, how = text.mentions(self.name[who], self.short[who], self.county[who], rng)
        posts = []
        for i, (m, w) in enumerate(zip(written, who, strict=True)):
            claim = BANNED_CLAIMS[i % len(BANNED_CLAIMS)]
            said = f"直播间吹嘘“{claim}”" if w in self.banned_sellers else "服务差、质量问题多"
            posts.append(f"网友爆料：{m}{said}，大家注意避雷。")
        numbers = [f"YQ{i:09d}" for i in range(len(who))]
        truth.extend(
            {
                "source": "舆情监测",
                "kind": "public_opinion",
                "key": k,
                "mention": m,
                "how": h,
                "uscc": str(self.uscc[w]),
            }
            for k, m, h, w in zip(numbers, written, how, who, strict=True)
        )
        yield pl.DataFrame(
            {
                "舆情编号": numbers,
                "所属区划代码": self.county[who],
                "发布时间": _iso(day),
                "发布平台": rng.choice(np.array(["微博", "抖音", "小红书", "本地论坛"]), len(who)),
                "内容": posts,
                "涉及主体": written,
                "倾向": ["负面"] * len(who),
            }
        )
