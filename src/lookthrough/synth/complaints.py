"""Complaints (投诉举报) and public-opinion posts (舆情): records that name a business in words
(a name as a complainant writes it, seldom its code), with who each mention really meant
appended to ``truth`` for scoring entity resolution.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import polars as pl

from lookthrough.synth import people, text
from lookthrough.synth.events import Events, days, iso, mention_truth, numbered, slices
from lookthrough.synth.series import cat
from lookthrough.synth.vocab import BANNED_CLAIMS, COMPLAINT_PROBLEMS, COMPLAINT_TEMPLATES

ADDRESS_GIVEN = 0.7  # share of complaints that say where the business is


def _mentions(ev: Events, who: np.ndarray) -> tuple[list[str], list[str]]:
    # A complainant names the place in words (徽州区的衡齐五金店), never by its code.
    places = [ev.place_names[c] for c in ev.gather("county", who).to_list()]
    return text.mentions(
        ev.gather("name", who).to_list(),
        ev.gather("short_name", who).to_list(),
        places,
        ev.rng,
    )


def complaints(ev: Events, truth: list[pl.DataFrame]) -> Iterator[pl.DataFrame]:
    rng = ev.rng
    busy = ev.is_field(
        np.arange(len(ev.propensity)), "catering", "live_commerce", "food_retail", "property"
    )
    lam = (
        ev.scale.complaint_rate
        * ev.years
        * np.where(busy, 2.0, 0.6)
        * (0.4 + 4 * ev.propensity)
        * ev.boost
    )
    every = np.repeat(np.arange(len(lam)), rng.poisson(lam))
    every_day = days(rng, ev.registered[every], ev.scale)
    for part in slices(len(every)):
        yield _complaints(ev, every[part], every_day[part], part.start, truth)


def _complaints(
    ev: Events, who: np.ndarray, day: np.ndarray, first: int, truth: list[pl.DataFrame]
) -> pl.DataFrame:
    rng = ev.rng
    written, how = _mentions(ev, who)
    draws = rng.random((len(who), 3))
    problems = ev.options(COMPLAINT_PROBLEMS, who, draws[:, 0])
    addresses = ev.gather("address", who).str.slice(3).to_list()
    texts = []
    for i in range(len(who)):
        problem = problems[i]
        if ev.banned[who[i]] and draws[i, 1] < 0.6:
            claim = BANNED_CLAIMS[int(draws[i, 2] * len(BANNED_CLAIMS))]
            problem = f"直播间宣称“{claim}”，实际质量很差"
        template = COMPLAINT_TEMPLATES[int(draws[i, 2] * len(COMPLAINT_TEMPLATES))]
        texts.append(template.format(name=written[i], addr=addresses[i], problem=problem))
    numbers = cat(
        pl.lit("TS"),
        iso(day).str.replace_all("-", ""),
        pl.Series(np.arange(first, first + len(who))).cast(pl.String).str.zfill(9),
    )
    uscc = ev.gather("uscc", who)
    truth.append(mention_truth("投诉举报", "complaint", numbers, written, how, uscc))
    known = pl.Series(draws[:, 1] > 0.85)  # most complaints name a business only in words
    return pl.DataFrame(
        {
            "工单编号": numbers,
            "被投诉对象统一社会信用代码": pl.select(
                pl.when(known).then(uscc).otherwise(pl.lit(""))
            ).to_series(),
            "所属区划代码": ev.gather("county", who),
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


def public_opinion(ev: Events, truth: list[pl.DataFrame]) -> Iterator[pl.DataFrame]:
    rng = ev.rng
    lam = 0.02 * ev.years * (0.5 + 3 * ev.propensity) * ev.boost
    every = np.repeat(np.arange(len(lam)), rng.poisson(lam))
    every_day = days(rng, ev.registered[every], ev.scale)
    for part in slices(len(every)):
        yield _opinion(ev, every[part], every_day[part], part.start, truth)


def _opinion(
    ev: Events, who: np.ndarray, day: np.ndarray, first: int, truth: list[pl.DataFrame]
) -> pl.DataFrame:
    rng = ev.rng
    written, how = _mentions(ev, who)
    posts = []
    for i, (m, w) in enumerate(zip(written, who, strict=True)):
        claim = BANNED_CLAIMS[i % len(BANNED_CLAIMS)]
        said = f"直播间吹嘘“{claim}”" if ev.banned[w] else "服务差、质量问题多"
        posts.append(f"网友爆料：{m}{said}，大家注意避雷。")
    numbers = numbered("YQ", len(who), 9, start=first)
    truth.append(
        mention_truth("舆情监测", "public_opinion", numbers, written, how, ev.gather("uscc", who))
    )
    return pl.DataFrame(
        {
            "舆情编号": numbers,
            "所属区划代码": ev.gather("county", who),
            "发布时间": iso(day),
            "发布平台": rng.choice(np.array(["微博", "抖音", "小红书", "本地论坛"]), len(who)),
            "内容": posts,
            "涉及主体": written,
            "倾向": ["负面"] * len(who),
        }
    )
