"""Records drawn from the world over several years: what bureaus' systems would hold.

Each generator yields polars frames whose columns are the Chinese headers of the shipped
mappings, so the files import through the same path as any bureau's file. Per-business state
is numeric (numpy); text is gathered from polars columns only for the rows an event needs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import numpy as np
import polars as pl

from lookthrough.regions.divisions import load_divisions
from lookthrough.synth import people, text
from lookthrough.synth.entities import EPOCH
from lookthrough.synth.scales import Scale
from lookthrough.synth.series import cat
from lookthrough.synth.vocab import (
    BANNED_CLAIMS,
    COMPLAINT_PROBLEMS,
    COMPLAINT_TEMPLATES,
    FINDINGS,
    SAMPLING,
)
from lookthrough.synth.world import World

ADDRESS_GIVEN = 0.7  # share of complaints that say where the business is

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


def days(rng: np.random.Generator, low: np.ndarray, scale: Scale) -> np.ndarray:
    """A day (ordinal) for each event, after the business registered, within the window."""
    end = scale.end.toordinal()
    start = np.minimum(np.maximum(low, scale.start.toordinal()), end - 1)
    result: np.ndarray = start + (rng.random(len(low)) * (end - start)).astype(np.int64)
    return result


def iso(ordinals: np.ndarray) -> pl.Series:
    return pl.Series((ordinals - EPOCH).astype(np.int32)).cast(pl.Date).dt.to_string("%Y-%m-%d")


def numbered(prefix: str, n: int, width: int, start: int = 0) -> pl.Series:
    return cat(
        pl.lit(prefix), pl.Series(np.arange(start, start + n)).cast(pl.String).str.zfill(width)
    )


SLICE = 400_000  # events turned into text at a time (bounds memory at province scale)


def slices(n: int) -> Iterator[slice]:
    for start in range(0, n, SLICE):
        yield slice(start, min(start + SLICE, n))


def mention_truth(
    source: str, kind: str, keys: pl.Series, written: list[str], how: list[str], uscc: pl.Series
) -> pl.DataFrame:
    """Who each mention really meant, for scoring resolution."""
    return pl.DataFrame(
        {
            "source": [source] * len(keys),
            "kind": [kind] * len(keys),
            "key": keys,
            "mention": written,
            "how": how,
            "uscc": uscc,
        }
    )


class Events:
    def __init__(self, rng: np.random.Generator, scale: Scale, world: World) -> None:
        self.rng, self.scale, self.world = rng, scale, world
        e = world.entities
        self.col = {
            name: e[name] for name in ("uscc", "name", "short_name", "county", "region", "address")
        }
        self.fields = world.field_names
        self.field_idx = e["field_idx"].to_numpy().astype(np.int64)
        self.propensity = e["propensity"].to_numpy().copy()
        self.registered = (e["registered_on"].cast(pl.Int32).to_numpy() + EPOCH).astype(np.int64)
        self.years = len(scale.years)
        self.boost = np.ones(len(e))  # planted causes multiply their victims' troubles
        self.shells = np.zeros(len(e), dtype=bool)
        self.bad_oil = np.zeros(len(e), dtype=bool)
        self.banned = np.zeros(len(e), dtype=bool)
        self.trap_contractors: list[int] = []
        for cause in world.causes:
            victims = self.rows_of(cause.affected)
            if cause.kind == "actual_controller":
                self.shells[victims] = True
            if cause.kind == "oil_supplier":
                self.bad_oil[victims] = True
            if cause.kind == "platform":
                self.banned[victims] = True
            if cause.kind in {"actual_controller", "platform"}:
                self.boost[victims] *= cause.multiplier / 2
            if cause.kind == "maintenance_contractor":
                self.trap_contractors.extend(self.rows_of([cause.factor_key]).tolist())
        self.inspected: pl.DataFrame | None = None
        self.place_names = {d.code: d.name for d in load_divisions()}

    def rows_of(self, usccs: list[str]) -> np.ndarray:
        """Positions of the businesses with these codes."""
        rows: np.ndarray = np.flatnonzero(self.col["uscc"].is_in(usccs).to_numpy())
        return rows

    def gather(self, column: str, rows: np.ndarray) -> pl.Series:
        return self.col[column].gather(rows)

    def is_field(self, rows: np.ndarray, *names: str) -> np.ndarray:
        codes = [self.fields.index(n) for n in names if n in self.fields]
        result: np.ndarray = np.isin(self.field_idx[rows], codes)
        return result

    def options(
        self, table: dict[str, list[str]], rows: np.ndarray, draws: np.ndarray
    ) -> list[str]:
        """For each row, one entry of its field's list in ``table`` (general when absent)."""
        out: list[str] = []
        fallback = table.get("general", next(iter(table.values())))
        for f, u in zip(self.field_idx[rows], draws, strict=True):
            choices = table.get(self.fields[f], fallback)
            out.append(choices[int(u * len(choices))])
        return out

    # -- inspections, findings, penalties ----------------------------------------------------

    def inspections(self) -> Iterator[pl.DataFrame]:
        """Draws are made for all inspections at once (numbers), text a slice at a time: ten
        million rows of numpy text (检查结果, 评分 …) once took 5 GB of a province's peak."""
        rng, n = self.rng, len(self.propensity)
        lam = self.scale.inspection_rate * self.years * (0.7 + 2.0 * self.propensity)
        who = np.repeat(np.arange(n), rng.poisson(lam))
        day = days(rng, self.registered[who], self.scale)
        p_violation = np.clip(self.propensity[who] * 2.2 * np.sqrt(self.boost[who]), 0, 0.95)
        violated = rng.random(len(who)) < p_violation
        severe = violated & (rng.random(len(who)) < 0.25)
        result = np.where(severe, 2, violated.astype(np.int8)).astype(np.int8)
        kind = rng.choice(4, len(who), p=[0.6, 0.2, 0.15, 0.05]).astype(np.int8)
        score = np.where(violated, rng.integers(55, 85, len(who)), rng.integers(85, 101, len(who)))
        first, second = rng.integers(1, 60, len(who)), rng.integers(60, 120, len(who))
        county = self.gather("county", who)
        numbers = cat(
            pl.lit("JC"), county, pl.Series(np.arange(len(who))).cast(pl.String).str.zfill(8)
        )
        self.inspected = pl.DataFrame(
            {"检查编号": numbers, "who": who, "day": day, "violated": violated, "severe": severe}
        )
        results = pl.Series(["未发现问题", "发现问题", "责令整改"])
        kinds = pl.Series(["日常检查", "双随机抽查", "专项检查", "投诉核查"])
        for part in slices(len(who)):
            here, w = county[part], who[part]
            yield pl.DataFrame(
                {
                    "检查编号": numbers[part],
                    "统一社会信用代码": self.gather("uscc", w),
                    "所属区划代码": self.gather("region", w),
                    "检查日期": iso(day[part]),
                    "检查类型": kinds.gather(kind[part]),
                    "检查结果": results.gather(result[part]),
                    "评分": pl.Series(score[part]).cast(pl.String),
                    "执法人员": cat(
                        pl.lit("ZF"),
                        here,
                        pl.Series(first[part]).cast(pl.String).str.zfill(3),
                        pl.lit("、ZF"),
                        here,
                        pl.Series(second[part]).cast(pl.String).str.zfill(3),
                    ),
                }
            )

    def findings(self) -> Iterator[pl.DataFrame]:
        assert self.inspected is not None
        bad = self.inspected.filter(pl.col("violated"))
        who = bad["who"].to_numpy()
        per = 1 + self.rng.poisson(0.7, len(who))
        rows = np.repeat(np.arange(len(who)), per)
        first = np.repeat(np.cumsum(per) - per, per)
        serial = np.arange(len(rows)) - first + 1
        draws = self.rng.random(len(rows))
        severity = np.where(
            bad["severe"].to_numpy()[rows] & (draws < 0.5),
            "严重",
            np.where(draws < 0.3, "较重", "一般"),
        )
        day = bad["day"].to_numpy()
        for part in slices(len(rows)):
            r = rows[part]
            yield pl.DataFrame(
                {
                    "检查编号": bad["检查编号"].gather(r),
                    "问题序号": serial[part].astype(str),
                    "统一社会信用代码": self.gather("uscc", who[r]),
                    "检查日期": iso(day[r]),
                    "问题描述": self.options(FINDINGS, who[r], draws[part]),
                    "严重程度": severity[part],
                }
            )

    def penalties(self) -> Iterator[pl.DataFrame]:
        assert self.inspected is not None
        severe = self.inspected.filter(pl.col("severe"))
        chosen = severe.filter(pl.Series(self.rng.random(len(severe)) < 0.35))
        who = chosen["who"].to_numpy()
        day = np.minimum(
            chosen["day"].to_numpy() + self.rng.integers(10, 60, len(who)),
            self.scale.end.toordinal(),
        )
        year = pl.Series((day - EPOCH).astype(np.int32)).cast(pl.Date).dt.year().cast(pl.String)
        food = self.is_field(who, *FOOD_FIELDS)
        yield pl.DataFrame(
            {
                "行政处罚决定书文号": cat(
                    self.gather("county", who),
                    pl.lit("市监罚〔"),
                    year,
                    pl.lit("〕"),
                    pl.Series(np.arange(1, len(who) + 1)).cast(pl.String),
                    pl.lit("号"),
                ),
                "统一社会信用代码": self.gather("uscc", who),
                "所属区划代码": self.gather("region", who),
                "处罚决定日期": iso(day),
                "违法行为类型": self.options(
                    {k: v[:1] for k, v in FINDINGS.items()}, who, np.zeros(len(who))
                ),
                "处罚依据": np.where(
                    food, "《中华人民共和国食品安全法》", "《中华人民共和国产品质量法》"
                ),
                "罚款金额（元）": (self.rng.integers(1, 100, len(who)) * 1000).astype(str),
                "没收违法所得（元）": (self.rng.integers(0, 20, len(who)) * 500).astype(str),
            }
        )
        self.inspected = None  # findings and penalties are written: let it go

    # -- sampling -------------------------------------------------------------------------

    def sampling(self) -> Iterator[pl.DataFrame]:
        rng = self.rng
        eligible = np.flatnonzero(self.is_field(np.arange(len(self.propensity)), *SAMPLING))
        who = np.repeat(eligible, rng.poisson(0.2 * self.years, len(eligible)))
        day = days(rng, self.registered[who], self.scale)
        draws = rng.random((len(who), 4))
        oil = self.bad_oil[who] & (draws[:, 3] < 0.6)
        p_fail = np.where(oil, 0.55, np.minimum(0.9, self.propensity[who] * 0.8))
        failed = draws[:, 0] < p_fail
        for part in slices(len(who)):
            yield self._sampling_frame(
                who[part], day[part], draws[part], oil[part], failed[part], part.start
            )

    def _sampling_frame(
        self,
        who: np.ndarray,
        day: np.ndarray,
        draws: np.ndarray,
        oil: np.ndarray,
        failed: np.ndarray,
        first: int,
    ) -> pl.DataFrame:
        products, failures = [], []
        for i, w in enumerate(who):
            product, items = SAMPLING["edible_oil" if oil[i] else self.fields[self.field_idx[w]]]
            bad = items[0] if oil[i] else items[int(draws[i, 1] * len(items))]
            products.append(product)
            failures.append(
                json.dumps(
                    [
                        {
                            "item": bad[0],
                            "value": str(bad[4]),
                            "limit": bad[2],
                            "unit": bad[1],
                            "passed": False,
                        }
                    ],
                    ensure_ascii=False,
                )
                if failed[i]
                else ""
            )
        return pl.DataFrame(
            {
                "抽样编号": cat(
                    pl.lit("CJ"),
                    self.gather("county", who),
                    pl.Series(np.arange(first, first + len(who))).cast(pl.String).str.zfill(8),
                ),
                "被抽样单位统一社会信用代码": self.gather("uscc", who),
                "所属区划代码": self.gather("region", who),
                "抽样日期": iso(day),
                "样品名称": products,
                "生产日期/批号": [
                    f"{2022 + int(a * 4)}{int(b * 12) + 1:02d}" for a, b in draws[:, 2:4]
                ],
                "检验结论": np.where(failed, "不合格", "合格"),
                "不合格项目（JSON）": failures,
                "检验机构": ["安徽省食品药品检验研究院"] * len(who),
            }
        )

    # -- complaints and opinion -----------------------------------------------------------

    def _mentions(self, who: np.ndarray) -> tuple[list[str], list[str]]:
        # A complainant names the place in words (徽州区的衡齐五金店), never by its code.
        places = [self.place_names[c] for c in self.gather("county", who).to_list()]
        return text.mentions(
            self.gather("name", who).to_list(),
            self.gather("short_name", who).to_list(),
            places,
            self.rng,
        )

    def complaints(self, truth: list[pl.DataFrame]) -> Iterator[pl.DataFrame]:
        rng = self.rng
        busy = self.is_field(
            np.arange(len(self.propensity)), "catering", "live_commerce", "food_retail", "property"
        )
        lam = (
            self.scale.complaint_rate
            * self.years
            * np.where(busy, 2.0, 0.6)
            * (0.4 + 4 * self.propensity)
            * self.boost
        )
        every = np.repeat(np.arange(len(lam)), rng.poisson(lam))
        every_day = days(rng, self.registered[every], self.scale)
        for part in slices(len(every)):
            yield self._complaints(every[part], every_day[part], part.start, truth)

    def _complaints(
        self, who: np.ndarray, day: np.ndarray, first: int, truth: list[pl.DataFrame]
    ) -> pl.DataFrame:
        rng = self.rng
        written, how = self._mentions(who)
        draws = rng.random((len(who), 3))
        problems = self.options(COMPLAINT_PROBLEMS, who, draws[:, 0])
        addresses = self.gather("address", who).str.slice(3).to_list()
        texts = []
        for i in range(len(who)):
            problem = problems[i]
            if self.banned[who[i]] and draws[i, 1] < 0.6:
                claim = BANNED_CLAIMS[int(draws[i, 2] * len(BANNED_CLAIMS))]
                problem = f"直播间宣称“{claim}”，实际质量很差"
            template = COMPLAINT_TEMPLATES[int(draws[i, 2] * len(COMPLAINT_TEMPLATES))]
            texts.append(template.format(name=written[i], addr=addresses[i], problem=problem))
        numbers = cat(
            pl.lit("TS"),
            iso(day).str.replace_all("-", ""),
            pl.Series(np.arange(first, first + len(who))).cast(pl.String).str.zfill(9),
        )
        uscc = self.gather("uscc", who)
        truth.append(mention_truth("投诉举报", "complaint", numbers, written, how, uscc))
        known = pl.Series(draws[:, 1] > 0.85)  # most complaints name a business only in words
        return pl.DataFrame(
            {
                "工单编号": numbers,
                "被投诉对象统一社会信用代码": pl.select(
                    pl.when(known).then(uscc).otherwise(pl.lit(""))
                ).to_series(),
                "所属区划代码": self.gather("county", who),
                "登记日期": iso(day),
                "来源渠道": rng.choice(
                    np.array(["12315", "12345", "网络"]), len(who), p=[0.6, 0.3, 0.1]
                ),
                "类别": rng.choice(np.array(["投诉", "举报"]), len(who), p=[0.8, 0.2]),
                "诉求内容": texts,
                "被投诉对象名称": written,
                # Most complainants also say where the business is (the form asks for it). The
                # share comes from what is left of the template's draw, so no draw is added.
                "被投诉对象地址": pl.Series(addresses).zip_with(
                    pl.Series((draws[:, 2] * len(COMPLAINT_TEMPLATES)) % 1.0 < ADDRESS_GIVEN),
                    pl.Series([None] * len(who), dtype=pl.String),
                ),
                "投诉人姓名": people.person_names(rng, len(who)),
                "投诉人电话": people.phones(rng, len(who)),
            }
        )

    def public_opinion(self, truth: list[pl.DataFrame]) -> Iterator[pl.DataFrame]:
        rng = self.rng
        lam = 0.02 * self.years * (0.5 + 3 * self.propensity) * self.boost
        every = np.repeat(np.arange(len(lam)), rng.poisson(lam))
        every_day = days(rng, self.registered[every], self.scale)
        for part in slices(len(every)):
            yield self._opinion(every[part], every_day[part], part.start, truth)

    def _opinion(
        self, who: np.ndarray, day: np.ndarray, first: int, truth: list[pl.DataFrame]
    ) -> pl.DataFrame:
        rng = self.rng
        written, how = self._mentions(who)
        posts = []
        for i, (m, w) in enumerate(zip(written, who, strict=True)):
            claim = BANNED_CLAIMS[i % len(BANNED_CLAIMS)]
            said = f"直播间吹嘘“{claim}”" if self.banned[w] else "服务差、质量问题多"
            posts.append(f"网友爆料：{m}{said}，大家注意避雷。")
        numbers = numbered("YQ", len(who), 9, start=first)
        truth.append(
            mention_truth(
                "舆情监测", "public_opinion", numbers, written, how, self.gather("uscc", who)
            )
        )
        return pl.DataFrame(
            {
                "舆情编号": numbers,
                "所属区划代码": self.gather("county", who),
                "发布时间": iso(day),
                "发布平台": rng.choice(np.array(["微博", "抖音", "小红书", "本地论坛"]), len(who)),
                "内容": posts,
                "涉及主体": written,
                "倾向": ["负面"] * len(who),
            }
        )
