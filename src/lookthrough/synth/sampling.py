"""Sampling inspections (抽检) in the fields that are sampled: a sample fails more often the
higher the business's propensity; most samples at the planted bad oil supplier's customers are
its edible oil, which fails far more often, always on the same item.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import numpy as np
import polars as pl

from lookthrough.synth.events import Events, days, iso, slices
from lookthrough.synth.series import cat
from lookthrough.synth.vocab import SAMPLING


def sampling(ev: Events) -> Iterator[pl.DataFrame]:
    rng = ev.rng
    eligible = np.flatnonzero(ev.is_field(np.arange(len(ev.propensity)), *SAMPLING))
    who = np.repeat(eligible, rng.poisson(0.2 * ev.years, len(eligible)))
    day = days(rng, ev.registered[who], ev.scale)
    draws = rng.random((len(who), 4))
    oil = ev.bad_oil[who] & (draws[:, 3] < 0.6)
    p_fail = np.where(oil, 0.55, np.minimum(0.9, ev.propensity[who] * 0.8))
    failed = draws[:, 0] < p_fail
    for part in slices(len(who)):
        yield _sampling_frame(
            ev, who[part], day[part], draws[part], oil[part], failed[part], part.start
        )


def _sampling_frame(
    ev: Events,
    who: np.ndarray,
    day: np.ndarray,
    draws: np.ndarray,
    oil: np.ndarray,
    failed: np.ndarray,
    first: int,
) -> pl.DataFrame:
    products, failures = [], []
    for i, w in enumerate(who):
        product, items = SAMPLING["edible_oil" if oil[i] else ev.fields[ev.field_idx[w]]]
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
                ev.gather("county", who),
                pl.Series(np.arange(first, first + len(who))).cast(pl.String).str.zfill(8),
            ),
            "被抽样单位统一社会信用代码": ev.gather("uscc", who),
            "所属区划代码": ev.gather("region", who),
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
