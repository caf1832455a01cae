"""Records about equipment, lists, licences, commitments and supply movements."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import polars as pl

from lookthrough.synth.events import FOOD_FIELDS, Events, _days, _iso

ALARMS = ("困人", "故障停梯", "门区异常", "超速")


def iot_alarms(ev: Events) -> Iterator[pl.DataFrame]:
    """Elevator alarms; the planted contractors' elevators trap people far more often."""
    elevators = ev.world.elevators
    if elevators.is_empty():
        return
    rng = ev.rng
    maintainer = elevators["maintainer_idx"].to_numpy()
    planted = np.isin(maintainer, list(ev.trap_contractors))
    lam = (
        (0.8 + 4 * elevators["age_risk"].to_numpy())
        * len(ev.scale.years)
        * np.where(planted, 3.0, 1.0)
    )
    row = np.repeat(np.arange(len(elevators)), rng.poisson(lam))
    user = elevators["user_idx"].to_numpy()[row]
    day = _days(rng, np.full(len(row), ev.scale.start.toordinal()), ev.scale)
    p_trap = np.where(planted[row], 0.6, 0.2)
    kind = np.where(
        rng.random(len(row)) < p_trap, "困人", rng.choice(np.array(ALARMS[1:]), len(row))
    )
    hours = rng.integers(0, 24 * 60, len(row))
    stamp = _iso(day) + pl.Series([f" {h // 60:02d}:{h % 60:02d}:00" for h in hours])
    yield pl.DataFrame(
        {
            "报警编号": [f"BJ{i:010d}" for i in range(len(row))],
            "设备注册代码": elevators["identifier"].to_numpy()[row],
            "使用单位统一社会信用代码": ev.uscc[user],
            "报警时间": stamp,
            "终端编号": [f"T{r:08d}" for r in row],
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
        planted = np.isin(elevators["maintainer_idx"].to_numpy(), list(ev.trap_contractors))
        lam = np.where(planted, 0.45, 0.03) * len(ev.scale.years)
        row = np.repeat(np.arange(len(elevators)), rng.poisson(lam))
        user = elevators["user_idx"].to_numpy()[row]
        day = _days(rng, np.full(len(row), ev.scale.start.toordinal()), ev.scale)
        parts.append(
            pl.DataFrame(
                {
                    "涉事单位统一社会信用代码": ev.uscc[user],
                    "设备注册代码": elevators["identifier"].to_numpy()[row],
                    "发生时间": _iso(day),
                    "事故类型": ["电梯困人"] * len(row),
                    "事故经过": ["电梯运行中突然停梯，乘客被困轿厢，经救援后脱困。"] * len(row),
                    "受伤人数": np.where(rng.random(len(row)) < 0.05, "1", "0"),
                }
            )
        )
    stations = ev.world.idx_of("gas_filling")
    hit = stations[rng.random(len(stations)) < 0.05 * len(ev.scale.years)]
    if len(hit):
        day = _days(rng, ev.registered[hit], ev.scale)
        parts.append(
            pl.DataFrame(
                {
                    "涉事单位统一社会信用代码": ev.uscc[hit],
                    "设备注册代码": [""] * len(hit),
                    "发生时间": _iso(day),
                    "事故类型": ["气瓶泄漏"] * len(hit),
                    "事故经过": ["用户使用的液化气钢瓶阀门泄漏，引发轻微燃爆。"] * len(hit),
                    "受伤人数": np.where(rng.random(len(hit)) < 0.4, "1", "0"),
                }
            )
        )
    if parts:
        frame = pl.concat(parts)
        yield frame.with_columns(pl.Series("事故编号", [f"SG{i:08d}" for i in range(len(frame))]))


def licences(ev: Events) -> Iterator[pl.DataFrame]:
    licensed = np.flatnonzero(
        np.isin(ev.field, [*FOOD_FIELDS, "gas_filling", "cable", "gas_appliance", "ebike"])
    )
    producer = np.isin(
        ev.field[licensed],
        [
            "edible_oil",
            "meat",
            "dairy",
            "infant_formula",
            "food_production",
            "cable",
            "gas_appliance",
            "ebike",
        ],
    )
    kind = np.where(
        producer,
        "食品生产许可证",
        np.where(ev.field[licensed] == "gas_filling", "气瓶充装许可证", "食品经营许可证"),
    )
    kind = np.where(
        np.isin(ev.field[licensed], ["cable", "gas_appliance", "ebike"]), "工业产品生产许可证", kind
    )
    prefix = np.where(producer, "SC", "JY")
    issued = np.maximum(ev.registered[licensed], ev.scale.start.toordinal() - 900)
    yield pl.DataFrame(
        {
            "许可证编号": [
                f"{p}1{c}{i:08d}"
                for i, (p, c) in enumerate(zip(prefix, ev.county[licensed], strict=True))
            ],
            "统一社会信用代码": ev.uscc[licensed],
            "发证日期": _iso(issued),
            "许可类别": kind,
            "有效期自": _iso(issued),
            "有效期至": _iso(issued + 5 * 365),
        }
    )


def list_entries(ev: Events, *, dishonesty: bool) -> Iterator[pl.DataFrame]:
    rng = ev.rng
    base = 0.002 if dishonesty else 0.03
    p = base + 8 * base * ev.propensity
    shells = np.zeros(len(ev.uscc), dtype=bool)
    shells[list(ev.shells)] = True
    p = np.where(shells, 0.35 if dishonesty else 0.8, p)
    chosen = np.flatnonzero(rng.random(len(p)) < p)
    day = _days(rng, ev.registered[chosen] + 180, ev.scale)
    reasons = (
        ["提供虚假材料取得登记", "拒不履行行政处罚决定"]
        if dishonesty
        else ["通过登记的住所或者经营场所无法联系", "未按规定期限公示年度报告"]
    )
    yield pl.DataFrame(
        {
            "统一社会信用代码": ev.uscc[chosen],
            "列入日期": _iso(day),
            "列入事由": rng.choice(np.array(reasons), len(chosen)),
            "作出决定机关": [f"{c}市场监督管理局" for c in ev.county[chosen]],
        }
    )


def commitments(ev: Events) -> Iterator[pl.DataFrame]:
    chosen = np.flatnonzero(ev.rng.random(len(ev.uscc)) < 0.05)
    day = _days(ev.rng, ev.registered[chosen], ev.scale)
    yield pl.DataFrame(
        {
            "承诺编号": [f"CN{i:09d}" for i in range(len(chosen))],
            "统一社会信用代码": ev.uscc[chosen],
            "承诺日期": _iso(day),
            "承诺内容": [
                "严格落实食品安全主体责任，依法诚信经营。"
                if ev.field[c] in FOOD_FIELDS
                else "依法诚信经营，接受社会监督。"
                for c in chosen
            ],
            "履约期限": _iso(np.minimum(day + 365, ev.scale.end.toordinal())),
        }
    )


def shipments(ev: Events) -> Iterator[pl.DataFrame]:
    supplies = ev.world.supplies
    rng = ev.rng
    lam = np.full(len(supplies), ev.scale.shipments_per_supply * len(ev.scale.years))
    row = np.repeat(np.arange(len(supplies)), rng.poisson(lam))
    supplier = supplies["supplier_idx"].to_numpy()[row]
    customer = supplies["customer_idx"].to_numpy()[row]
    day = _days(rng, np.maximum(ev.registered[supplier], ev.registered[customer]), ev.scale)
    product = np.where(
        ev.field[supplier] == "edible_oil",
        "食用植物油",
        np.where(
            ev.field[supplier] == "meat",
            "冷鲜猪肉",
            np.where(ev.field[supplier] == "dairy", "纯牛奶", "预包装食品"),
        ),
    )
    yield pl.DataFrame(
        {
            "单据编号": [f"CK{i:010d}" for i in range(len(row))],
            "供货方统一社会信用代码": ev.uscc[supplier],
            "供货日期": _iso(day),
            "产品名称": product,
            "批次": [f"B{d % 10000:04d}" for d in day],
            "数量": rng.integers(1, 200, len(row)).astype(str),
            "单位": ["箱"] * len(row),
            "收货方名称": ev.name[customer],
        }
    )
