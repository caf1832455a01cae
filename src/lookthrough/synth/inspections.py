"""Inspections (检查), the problems they found (检查发现问题) and the penalties that followed
(行政处罚): one chain, drawn in that order. An inspection finds a violation more often the higher
the business's hidden propensity and its planted causes' multiplier; findings are drawn for the
inspections that found one, penalties for some of the severe ones. ``inspections`` leaves what
it drew on ``Events.inspected`` for the other two.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import polars as pl

from lookthrough.synth.entities import EPOCH
from lookthrough.synth.events import FOOD_FIELDS, Events, days, iso, slices
from lookthrough.synth.series import cat
from lookthrough.synth.vocab import FINDINGS


def inspections(ev: Events) -> Iterator[pl.DataFrame]:
    """Draws are made for all inspections at once (numbers), text a slice at a time: ten
    million rows of numpy text (检查结果, 评分 …) once took 5 GB of a province's peak."""
    rng, n = ev.rng, len(ev.propensity)
    lam = ev.scale.inspection_rate * ev.years * (0.7 + 2.0 * ev.propensity)
    who = np.repeat(np.arange(n), rng.poisson(lam))
    day = days(rng, ev.registered[who], ev.scale)
    p_violation = np.clip(ev.propensity[who] * 2.2 * np.sqrt(ev.boost[who]), 0, 0.95)
    violated = rng.random(len(who)) < p_violation
    severe = violated & (rng.random(len(who)) < 0.25)
    result = np.where(severe, 2, violated.astype(np.int8)).astype(np.int8)
    kind = rng.choice(4, len(who), p=[0.6, 0.2, 0.15, 0.05]).astype(np.int8)
    score = np.where(violated, rng.integers(55, 85, len(who)), rng.integers(85, 101, len(who)))
    first, second = rng.integers(1, 60, len(who)), rng.integers(60, 120, len(who))
    county = ev.gather("county", who)
    numbers = cat(pl.lit("JC"), county, pl.Series(np.arange(len(who))).cast(pl.String).str.zfill(8))
    ev.inspected = pl.DataFrame(
        {"检查编号": numbers, "who": who, "day": day, "violated": violated, "severe": severe}
    )
    results = pl.Series(["未发现问题", "发现问题", "责令整改"])
    kinds = pl.Series(["日常检查", "双随机抽查", "专项检查", "投诉核查"])
    for part in slices(len(who)):
        here, w = county[part], who[part]
        yield pl.DataFrame(
            {
                "检查编号": numbers[part],
                "统一社会信用代码": ev.gather("uscc", w),
                "所属区划代码": ev.gather("region", w),
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


def findings(ev: Events) -> Iterator[pl.DataFrame]:
    assert ev.inspected is not None
    bad = ev.inspected.filter(pl.col("violated"))
    who = bad["who"].to_numpy()
    per = 1 + ev.rng.poisson(0.7, len(who))
    rows = np.repeat(np.arange(len(who)), per)
    first = np.repeat(np.cumsum(per) - per, per)
    serial = np.arange(len(rows)) - first + 1
    draws = ev.rng.random(len(rows))
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
                "统一社会信用代码": ev.gather("uscc", who[r]),
                "检查日期": iso(day[r]),
                "问题描述": ev.options(FINDINGS, who[r], draws[part]),
                "严重程度": severity[part],
            }
        )


def penalties(ev: Events) -> Iterator[pl.DataFrame]:
    assert ev.inspected is not None
    severe = ev.inspected.filter(pl.col("severe"))
    chosen = severe.filter(pl.Series(ev.rng.random(len(severe)) < 0.35))
    who = chosen["who"].to_numpy()
    day = np.minimum(
        chosen["day"].to_numpy() + ev.rng.integers(10, 60, len(who)),
        ev.scale.end.toordinal(),
    )
    year = pl.Series((day - EPOCH).astype(np.int32)).cast(pl.Date).dt.year().cast(pl.String)
    food = ev.is_field(who, *FOOD_FIELDS)
    yield pl.DataFrame(
        {
            "行政处罚决定书文号": cat(
                ev.gather("county", who),
                pl.lit("市监罚〔"),
                year,
                pl.lit("〕"),
                pl.Series(np.arange(1, len(who) + 1)).cast(pl.String),
                pl.lit("号"),
            ),
            "统一社会信用代码": ev.gather("uscc", who),
            "所属区划代码": ev.gather("region", who),
            "处罚决定日期": iso(day),
            "违法行为类型": ev.options(
                {k: v[:1] for k, v in FINDINGS.items()}, who, np.zeros(len(who))
            ),
            "处罚依据": np.where(
                food, "《中华人民共和国食品安全法》", "《中华人民共和国产品质量法》"
            ),
            "罚款金额（元）": (ev.rng.integers(1, 100, len(who)) * 1000).astype(str),
            "没收违法所得（元）": (ev.rng.integers(0, 20, len(who)) * 500).astype(str),
        }
    )
    ev.inspected = None  # findings and penalties are written: let it go
