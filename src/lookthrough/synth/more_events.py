"""Records about equipment, lists, licences, commitments and supply movements."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import polars as pl

from lookthrough.synth.events import FOOD_FIELDS, Events, days, iso, numbered
from lookthrough.synth.series import cat

ALARMS = ("困人", "故障停梯", "门区异常", "超速")
PRODUCERS = (
    "edible_oil",
    "meat",
    "dairy",
    "infant_formula",
    "food_production",
    "cable",
    "gas_appliance",
    "ebike",
)


def iot_alarms(ev: Events) -> Iterator[pl.DataFrame]:
    """Elevator alarms; the planted contractors' elevators trap people far more often."""
    elevators = ev.world.elevators
    if elevators.is_empty():
        return
    rng = ev.rng
    planted = np.isin(elevators["maintainer_idx"].to_numpy(), ev.trap_contractors)
    lam = (0.8 + 4 * elevators["age_risk"].to_numpy()) * ev.years * np.where(planted, 3.0, 1.0)
    row = np.repeat(np.arange(len(elevators)), rng.poisson(lam))
    user = elevators["user_idx"].to_numpy()[row]
    day = days(rng, np.full(len(row), ev.scale.start.toordinal()), ev.scale)
    trapped = rng.random(len(row)) < np.where(planted[row], 0.6, 0.2)
    kind = np.where(trapped, ALARMS[0], rng.choice(np.array(ALARMS[1:]), len(row)))
    minutes = rng.integers(0, 24 * 60, len(row))
    stamp = cat(
        iso(day),
        pl.lit(" "),
        pl.Series(minutes // 60).cast(pl.String).str.zfill(2),
        pl.lit(":"),
        pl.Series(minutes % 60).cast(pl.String).str.zfill(2),
        pl.lit(":00"),
    )
    yield pl.DataFrame(
        {
            "报警编号": numbered("BJ", len(row), 10),
            "设备注册代码": elevators["identifier"].gather(row),
            "使用单位统一社会信用代码": ev.gather("uscc", user),
            "报警时间": stamp,
            "终端编号": cat(pl.lit("T"), pl.Series(row).cast(pl.String).str.zfill(8)),
            "报警类型": kind,
            "是否已消除": np.where(rng.random(len(row)) < 0.97, "是", "否"),
        }
    )


def incidents(ev: Events) -> Iterator[pl.DataFrame]:
    """Entrapment incidents (mostly the planted contractors') and a few gas incidents."""
    elevators = ev.world.elevators
    rng = ev.rng
    parts = []
    if not elevators.is_empty():
        planted = np.isin(elevators["maintainer_idx"].to_numpy(), ev.trap_contractors)
        row = np.repeat(
            np.arange(len(elevators)), rng.poisson(np.where(planted, 0.45, 0.03) * ev.years)
        )
        user = elevators["user_idx"].to_numpy()[row]
        day = days(rng, np.full(len(row), ev.scale.start.toordinal()), ev.scale)
        parts.append(
            pl.DataFrame(
                {
                    "涉事单位统一社会信用代码": ev.gather("uscc", user),
                    "设备注册代码": elevators["identifier"].gather(row),
                    "发生时间": iso(day),
                    "事故类型": ["电梯困人"] * len(row),
                    "事故经过": ["电梯运行中突然停梯，乘客被困轿厢，经救援后脱困。"] * len(row),
                    "受伤人数": np.where(rng.random(len(row)) < 0.05, "1", "0"),
                }
            )
        )
    stations = ev.world.idx_of("gas_filling")
    hit = stations[rng.random(len(stations)) < 0.05 * ev.years]
    if len(hit):
        parts.append(
            pl.DataFrame(
                {
                    "涉事单位统一社会信用代码": ev.gather("uscc", hit),
                    "设备注册代码": [""] * len(hit),
                    "发生时间": iso(days(rng, ev.registered[hit], ev.scale)),
                    "事故类型": ["气瓶泄漏"] * len(hit),
                    "事故经过": ["用户使用的液化气钢瓶阀门泄漏，引发轻微燃爆。"] * len(hit),
                    "受伤人数": np.where(rng.random(len(hit)) < 0.4, "1", "0"),
                }
            )
        )
    if parts:
        frame = pl.concat(parts)
        yield frame.with_columns(numbered("SG", len(frame), 8).alias("事故编号"))


def licences(ev: Events) -> Iterator[pl.DataFrame]:
    every = np.arange(len(ev.propensity))
    licensed = np.flatnonzero(
        ev.is_field(every, *FOOD_FIELDS, "gas_filling", "cable", "gas_appliance", "ebike")
    )
    producer = ev.is_field(licensed, *PRODUCERS)
    industrial = ev.is_field(licensed, "cable", "gas_appliance", "ebike")
    kind = np.where(
        industrial,
        "工业产品生产许可证",
        np.where(
            producer,
            "食品生产许可证",
            np.where(ev.is_field(licensed, "gas_filling"), "气瓶充装许可证", "食品经营许可证"),
        ),
    )
    issued = np.maximum(ev.registered[licensed], ev.scale.start.toordinal() - 900)
    yield pl.DataFrame(
        {
            "许可证编号": cat(
                pl.Series(np.where(producer, "SC", "JY")),
                pl.lit("1"),
                ev.gather("county", licensed),
                pl.Series(np.arange(len(licensed))).cast(pl.String).str.zfill(8),
            ),
            "统一社会信用代码": ev.gather("uscc", licensed),
            "发证日期": iso(issued),
            "许可类别": kind,
            "有效期自": iso(issued),
            "有效期至": iso(issued + 5 * 365),
        }
    )


def list_entries(ev: Events, *, dishonesty: bool) -> Iterator[pl.DataFrame]:
    rng = ev.rng
    base = 0.002 if dishonesty else 0.03
    p = np.where(ev.shells, 0.35 if dishonesty else 0.8, base + 8 * base * ev.propensity)
    chosen = np.flatnonzero(rng.random(len(p)) < p)
    reasons = (
        ["提供虚假材料取得登记", "拒不履行行政处罚决定"]
        if dishonesty
        else ["通过登记的住所或者经营场所无法联系", "未按规定期限公示年度报告"]
    )
    yield pl.DataFrame(
        {
            "统一社会信用代码": ev.gather("uscc", chosen),
            "列入日期": iso(days(rng, ev.registered[chosen] + 180, ev.scale)),
            "列入事由": rng.choice(np.array(reasons), len(chosen)),
            "作出决定机关": cat(ev.gather("county", chosen), pl.lit("市场监督管理局")),
        }
    )


def commitments(ev: Events) -> Iterator[pl.DataFrame]:
    chosen = np.flatnonzero(ev.rng.random(len(ev.propensity)) < 0.05)
    day = days(ev.rng, ev.registered[chosen], ev.scale)
    yield pl.DataFrame(
        {
            "承诺编号": numbered("CN", len(chosen), 9),
            "统一社会信用代码": ev.gather("uscc", chosen),
            "承诺日期": iso(day),
            "承诺内容": np.where(
                ev.is_field(chosen, *FOOD_FIELDS),
                "严格落实食品安全主体责任，依法诚信经营。",
                "依法诚信经营，接受社会监督。",
            ),
            "履约期限": iso(np.minimum(day + 365, ev.scale.end.toordinal())),
        }
    )


def shipments(ev: Events, *, rows_per_frame: int = 1_000_000) -> Iterator[pl.DataFrame]:
    """Supply movements, a million rows at a time so that memory stays flat."""
    supplies = ev.world.supplies
    rng = ev.rng
    counts = rng.poisson(ev.scale.shipments_per_supply * ev.years, len(supplies))
    supplier_all = supplies["supplier_idx"].to_numpy()
    customer_all = supplies["customer_idx"].to_numpy()
    products = np.array(["预包装食品", "食用植物油", "冷鲜猪肉", "纯牛奶"])
    field_product = {
        ev.fields.index(f): i
        for f, i in (("edible_oil", 1), ("meat", 2), ("dairy", 3))
        if f in ev.fields
    }
    ends = np.searchsorted(
        np.cumsum(counts), np.arange(rows_per_frame, counts.sum() + rows_per_frame, rows_per_frame)
    )
    done, start = 0, 0
    for end in [*ends.tolist(), len(supplies)]:
        end = min(int(end) + 1, len(supplies))
        if end <= start:
            continue
        row = np.repeat(np.arange(start, end), counts[start:end])
        start = end
        if not len(row):
            continue
        supplier, customer = supplier_all[row], customer_all[row]
        day = days(rng, np.maximum(ev.registered[supplier], ev.registered[customer]), ev.scale)
        product = np.zeros(len(row), dtype=np.int64)
        for code, index in field_product.items():
            product[ev.field_idx[supplier] == code] = index
        yield pl.DataFrame(
            {
                "单据编号": numbered("CK", len(row), 10, start=done),
                "供货方统一社会信用代码": ev.gather("uscc", supplier),
                "供货日期": iso(day),
                "产品名称": products[product],
                "批次": cat("B", pl.Series(day % 10000).cast(pl.String).str.zfill(4)),
                "数量": rng.integers(1, 200, len(row)).astype(str),
                "单位": ["箱"] * len(row),
                "收货方名称": ev.gather("name", customer),
            }
        )
        done += len(row)
