"""`lookthrough synth`: generate a synthetic province, deterministically from a seed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl

from lookthrough.synth import complaints, entities, inspections, more_events, sampling, world
from lookthrough.synth.events import Events
from lookthrough.synth.geography import Geography
from lookthrough.synth.output import (
    RELATION_COLUMNS,
    SUBJECT_COLUMNS,
    Blunders,
    Manifest,
    Writer,
    entities_frame,
    relations_frames,
    subjects_frames,
    write_truth,
)
from lookthrough.synth.scales import SCALES


def generate(
    scale_name: str, seed: int, out: Path, progress: Callable[[str, int], None] | None = None
) -> Manifest:
    """Write the province's files, manifest.json and truth/ into ``out``."""
    scale = SCALES[scale_name]
    streams = np.random.SeedSequence(seed).spawn(5)
    rng_geo, rng_entities, rng_world, rng_events = (np.random.default_rng(s) for s in streams[:4])
    out.mkdir(parents=True, exist_ok=True)
    geo = Geography.load(rng_geo)
    the_world = world.build(rng_world, scale, entities.build(rng_entities, scale, geo))
    manifest = Manifest(scale=scale_name, seed=seed)
    writer = Writer(out, scale, manifest, progress, rng=np.random.default_rng(streams[4]))
    writer.write("entities", "entity", iter([entities_frame(the_world)]))
    writer.write("subjects", "subject", subjects_frames(the_world), columns=SUBJECT_COLUMNS)
    writer.write("relations", "relation", relations_frames(the_world), columns=RELATION_COLUMNS)
    ev = Events(rng_events, scale, the_world)
    mentions: list[pl.DataFrame] = []
    writer.write(
        "inspections",
        "inspection",
        inspections.inspections(ev),
        blunders=Blunders(
            0.002,
            {
                "检查日期": ["2025-02-30", "2025/13/01", "去年八月"],
                "检查结果": ["合 格", "已查"],
                "评分": ["九十", "105"],
            },
        ),
    )
    writer.write("findings", "finding", inspections.findings(ev))
    writer.write(
        "penalties",
        "penalty",
        inspections.penalties(ev),
        encoding="gb18030",
        blunders=Blunders(
            0.005, {"罚款金额（元）": ["一万元", "-500"], "处罚决定日期": ["2024-06-31"]}
        ),
    )
    writer.write(
        "sampling",
        "sampling",
        sampling.sampling(ev),
        fmt="xlsx",
        blunders=Blunders(0.002, {"检验结论": ["待定", "基本合格"], "抽样日期": ["2023-04-31"]}),
    )
    writer.write(
        "complaints",
        "complaint",
        complaints.complaints(ev, mentions),
        fmt="jsonl",
        blunders=Blunders(0.002, {"登记日期": ["昨天", "2024-02-30"], "来源渠道": ["微信群"]}),
    )
    writer.write(
        "public_opinion", "public_opinion", complaints.public_opinion(ev, mentions), fmt="json"
    )
    writer.write("licences", "licence", more_events.licences(ev), fmt="xlsx")
    writer.write("abnormal_list", "abnormal_list", more_events.list_entries(ev, dishonesty=False))
    writer.write(
        "dishonesty_list", "dishonesty_list", more_events.list_entries(ev, dishonesty=True)
    )
    writer.write("iot_alarms", "iot_alarm", more_events.iot_alarms(ev))
    writer.write("incidents", "incident", more_events.incidents(ev))
    writer.write("commitments", "commitment", more_events.commitments(ev))
    writer.write("shipments", "shipment", more_events.shipments(ev))
    write_truth(out, the_world, mentions, writer.planted)
    manifest.write(out)
    return manifest
