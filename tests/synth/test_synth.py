"""The synthetic province: deterministic, valid, Anhui-shaped, with the causes it claims."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from lookthrough.regions.divisions import load_divisions
from lookthrough.registry import uscc
from lookthrough.synth.generate import generate
from lookthrough.synth.vocab import FIELDS


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tiny")
    generate("tiny", 1, folder)
    return folder


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("small")
    generate("small", 3, folder)
    return folder


def read(folder: Path, name: str) -> pl.DataFrame:
    path = next(folder.glob(f"{name}.*"))
    if path.suffix == ".csv":
        encoding = "gb18030" if name == "penalties" else "utf-8-sig"
        return pl.read_csv(path.read_bytes().decode(encoding).encode(), infer_schema=False)
    if path.suffix == ".jsonl":
        return pl.read_ndjson(path, infer_schema_length=None)
    if path.suffix == ".json":
        return pl.read_json(path)
    return _xlsx(path)


def _xlsx(path: Path) -> pl.DataFrame:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    return pl.DataFrame(
        [dict(zip(rows[0], r, strict=True)) for r in rows[1:]], infer_schema_length=None
    )


def test_same_seed_same_bytes(tiny: Path, tmp_path: Path) -> None:
    generate("tiny", 1, tmp_path / "again")
    for path in sorted(p for p in tiny.rglob("*") if p.is_file()):
        twin = tmp_path / "again" / path.relative_to(tiny)
        assert twin.read_bytes() == path.read_bytes(), path.name


def test_other_seed_other_province(tiny: Path, tmp_path: Path) -> None:
    generate("tiny", 2, tmp_path / "other")
    assert (tmp_path / "other" / "entities.csv").read_bytes() != (
        tiny / "entities.csv"
    ).read_bytes()


def test_manifest_counts_match_the_files(tiny: Path) -> None:
    manifest = json.loads((tiny / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["scale"] == "tiny" and manifest["seed"] == 1
    for entry in manifest["files"]:
        stem = entry["path"].rsplit(".", 1)[0]
        assert len(read(tiny, stem)) == entry["rows"], entry["path"]
    targets = {entry["target"] for entry in manifest["files"]}
    assert {
        "entity",
        "subject",
        "relation",
        "inspection",
        "finding",
        "sampling",
        "complaint",
        "penalty",
        "iot_alarm",
        "incident",
        "shipment",
    } <= targets


def test_businesses_are_valid_and_in_anhui(tiny: Path) -> None:
    entities = read(tiny, "entities")
    known = {d.code for d in load_divisions()}
    verdicts = {
        uscc.check(c, region_exists=known.__contains__).verdict.value
        for c in entities["统一社会信用代码"]
    }
    assert verdicts == {"valid"}
    assert entities["统一社会信用代码"].n_unique() == len(entities)
    regions = set(entities["所属区划代码"])
    assert regions <= known, regions - known
    cities = {r[:4] for r in regions if r != "34"}
    assert len(cities) >= 12, "businesses spread over Anhui's cities"
    assert entities["主体名称"].str.contains("公司$|店$|部$|馆$|合作社$").all()


def test_every_field_of_the_policy_exists(tiny: Path) -> None:
    truth = pl.read_csv(tiny / "truth" / "propensity.csv")
    assert set(FIELDS) <= set(truth["field"])
    assert truth["propensity"].is_between(0, 1).all()


def test_every_kind_of_cause_is_planted(tiny: Path) -> None:
    causes = json.loads((tiny / "truth" / "causes.json").read_text(encoding="utf-8"))
    assert {c["kind"] for c in causes} == {
        "maintenance_contractor",
        "oil_supplier",
        "actual_controller",
        "platform",
    }
    assert all(c["affected"] and c["multiplier"] > 1 for c in causes)


def test_mentions_truth_points_at_real_businesses(tiny: Path) -> None:
    truth = pl.read_csv(tiny / "truth" / "mentions.csv", infer_schema=False)
    complaints = read(tiny, "complaints")
    joined = complaints.join(truth, left_on="工单编号", right_on="key")
    assert len(joined) == len(complaints)
    assert (joined["被投诉对象名称"] == joined["mention"]).all()
    codes = set(read(tiny, "entities")["统一社会信用代码"])
    assert set(truth["uscc"]) <= codes
    assert set(truth["how"]) >= {"full", "short", "typo"}
    named = complaints["被投诉对象统一社会信用代码"].fill_null("").str.len_chars() > 0
    assert named.mean() < 0.3, "most complaints name a business only in words"


def test_planted_contractors_elevators_trap_more(small: Path) -> None:
    causes = json.loads((small / "truth" / "causes.json").read_text(encoding="utf-8"))
    planted = {c["factor_key"] for c in causes if c["kind"] == "maintenance_contractor"}
    relations = read(small, "relations").filter(pl.col("关系类别") == "维保")
    maintained = relations.with_columns(
        elevator=pl.col("终点监管对象（类别:编号）").str.replace("elevator:", ""),
        planted=pl.col("起点统一社会信用代码").is_in(list(planted)),
    )
    alarms = read(small, "iot_alarms").join(maintained, left_on="设备注册代码", right_on="elevator")
    rate = alarms.group_by("planted").agg((pl.col("报警类型") == "困人").mean().alias("trap"))
    rates = dict(rate.iter_rows())
    assert rates[True] > 2 * rates[False]


def test_planted_oil_suppliers_customers_fail_acid_value(small: Path) -> None:
    causes = json.loads((small / "truth" / "causes.json").read_text(encoding="utf-8"))
    victims = {u for c in causes if c["kind"] == "oil_supplier" for u in c["affected"]}
    sampling = read(small, "sampling").with_columns(
        victim=pl.col("被抽样单位统一社会信用代码").is_in(list(victims)),
        acid=pl.col("不合格项目（JSON）").fill_null("").str.contains("酸价"),
    )
    rates = dict(sampling.group_by("victim").agg(pl.col("acid").mean()).iter_rows())
    assert rates[True] > 5 * max(rates[False], 0.001)


def test_names_are_unique_where_they_are_registered() -> None:
    """Dense enough that 字号 repeat in every county: a name is still never given twice, and a
    字号 with the same industry word never twice in one county (企业名称登记管理规定)."""
    import numpy as np

    from lookthrough.synth import entities
    from lookthrough.synth.geography import Geography
    from lookthrough.synth.scales import Scale

    streams = np.random.SeedSequence(5).spawn(2)
    geo = Geography.load(np.random.default_rng(streams[0]))
    frame = entities.build(np.random.default_rng(streams[1]), Scale("dense", 300_000, 1), geo)
    trades = frame.group_by("county", pl.col("short_name").str.slice(0, 2)).len()
    assert trades["len"].max() > 3, "字号 do repeat within a county"
    assert frame["name"].is_unique().all()
    assert frame.select(pl.struct("county", "short_name").is_unique()).to_series().all()
    # Cooperatives are called by their own form, never by another field's word.
    coops = frame.filter(pl.col("entity_type") == "农民专业合作社")
    assert coops["short_name"].str.ends_with("种养殖专业合作社").all()


def test_typos_swap_one_trade_character_for_a_sound_alike() -> None:
    import numpy as np

    from lookthrough.synth.text import SOUND_ALIKE, typo

    rng = np.random.default_rng(1)
    for name in ["鑫源粮油店", "安华饭店", "发海商贸"]:
        slipped = typo(name, rng)
        changed = [i for i, (a, b) in enumerate(zip(name, slipped, strict=True)) if a != b]
        if name == "发海商贸":  # no sound-alike for either character: written as it is
            assert slipped == name
            continue
        assert len(changed) == 1 and changed[0] < 2
        assert slipped[changed[0]] in SOUND_ALIKE[name[changed[0]]]


def test_most_complaints_say_where_the_business_is(tiny: Path) -> None:
    complaints = read(tiny, "complaints")
    said = complaints["被投诉对象地址"].fill_null("") != ""
    given = said.mean()
    assert 0.6 < given < 0.8
    entities = read(tiny, "entities").select("统一社会信用代码", "住所")
    truth = pl.read_csv(tiny / "truth" / "mentions.csv", infer_schema=False)
    joined = (
        complaints.filter(said)
        .join(truth, left_on="工单编号", right_on="key")
        .join(entities, left_on="uscc", right_on="统一社会信用代码")
    )
    assert len(joined) > 0
    assert (joined["住所"].str.slice(3) == joined["被投诉对象地址"]).all()


def test_a_place_in_a_mention_is_named_in_words(tiny: Path) -> None:
    """徽州区的衡齐五金店, as a complainant writes it; never a division code."""
    truth = pl.read_csv(tiny / "truth" / "mentions.csv", infer_schema=False)
    entities = read(tiny, "entities")
    placed = truth.filter(pl.col("how") == "with_place").join(
        entities.select(pl.col("统一社会信用代码").alias("uscc"), "所属区划代码"), on="uscc"
    )
    assert placed.height > 0
    names = {d.code: d.name for d in load_divisions()}
    for mention, region in zip(placed["mention"], placed["所属区划代码"], strict=True):
        assert mention.startswith(f"{names[region[:6]]}的"), mention
        assert not any(ch.isdigit() for ch in mention), mention
