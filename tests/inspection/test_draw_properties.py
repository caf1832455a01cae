"""Property tests of the draw (hypothesis): reproducible from what is published, never over
the visit cap, never a conflict of interest, every drawn business from the candidate list —
and the same result as an independent plain-Python implementation of docs/inspection.md."""

from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest
import reference_draw
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lookthrough.inspection import draw, publication, rules
from lookthrough.inspection.draw import DrawInputError, InspectorPool

REGIONS = ("340104001", "340104002", "340103001", "340202001")
INDUSTRIES = ("F5211", "H6210", "C1431", "L7211")
DEPARTMENTS = ("市场监管", "特种设备", "食品安全")
QUALS = ("食品", "特种设备", "计量")


@st.composite
def worlds(draw_: st.DrawFn) -> dict[str, object]:
    n = draw_(st.integers(0, 120))
    keys = draw_(
        st.lists(
            st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY甲乙", min_size=1, max_size=20),
            min_size=n, max_size=n, unique=True,
        )
    )  # fmt: skip
    rows = [
        (
            key,
            draw_(st.sampled_from(REGIONS)),
            draw_(st.sampled_from(INDUSTRIES)),
            draw_(st.sampled_from("ABCD\0")),
            draw_(st.integers(0, 4)),
            draw_(st.integers(0, 3)),
        )
        for key in keys
    ]
    inspectors = [
        (
            f"ZF{j:04d}",
            draw_(st.sampled_from(DEPARTMENTS)),
            draw_(st.sampled_from(("34", "3401", "340104", "340103", "3402"))),
            draw_(st.sets(st.sampled_from(QUALS))),
        )
        for j in range(draw_(st.integers(0, 25)))
    ]
    conflicts = {
        key: frozenset(draw_(st.sets(st.sampled_from([c for c, *_ in inspectors]), max_size=4)))
        for key in keys
        if inspectors and draw_(st.booleans())
    }
    ratios = {
        "A": Fraction(0),
        "B": Fraction(draw_(st.integers(0, 100)), 100),
        "C": Fraction(draw_(st.integers(0, 100)), 100),
        "D": Fraction(draw_(st.integers(0, 100)), 100),
    }
    items = (
        rules.ItemSpec("JC01", "价格行为", DEPARTMENTS[0]),
        rules.ItemSpec("JC02", "电梯安全", DEPARTMENTS[1], "特种设备", industry_prefixes=("L72",)),
        rules.ItemSpec(
            "JC03", "食品经营", DEPARTMENTS[2], "食品", industry_prefixes=("F52", "H62")
        ),
    )
    spec = rules.PlanSpec(
        code="P1", name="测试计划", region=draw_(st.sampled_from(("34", "3401", "340104"))),
        year=2026, items=items, ratios=ratios, unclassified_as=draw_(st.sampled_from("BCD")),
        cap=draw_(st.integers(1, 3)), team_size=draw_(st.integers(2, 3)),
    )  # fmt: skip
    return {
        "rows": rows, "inspectors": inspectors, "conflicts": conflicts, "spec": spec,
        "seed": draw_(st.binary(min_size=32, max_size=32)).hex(),
    }  # fmt: skip


def table_of(rows: list[tuple[str, str, str, str, int, int]]) -> rules.SubjectTable:
    width = max((len(r[0].encode()) for r in rows), default=1)
    return rules.SubjectTable(
        keys=np.array([r[0].encode() for r in rows], dtype=f"S{width}"),
        regions=np.array([r[1].encode() for r in rows], dtype="S12"),
        industries=np.array([r[2].encode() for r in rows], dtype="S8"),
        classes=np.array([ord(r[3]) for r in rows], dtype=np.uint8),
        risk=np.array([r[4] for r in rows], dtype=np.uint8),
        visits=np.array([r[5] for r in rows], dtype=np.int32),
    )


def run_world(world: dict[str, object]) -> tuple[rules.PlanDraw, dict[str, object]]:
    rows = world["rows"]
    spec = world["spec"]
    seed = world["seed"]
    assert isinstance(rows, list) and isinstance(spec, rules.PlanSpec) and isinstance(seed, str)
    pool = InspectorPool.of(world["inspectors"])  # type: ignore[arg-type]
    conflicts = world["conflicts"]
    assert isinstance(conflicts, dict)
    exclusions = {k.encode(): v for k, v in conflicts.items()}
    result = rules.run(table_of(rows), spec, seed=seed, pool=pool, exclusions=exclusions)
    subjects, assignments = publication.results_of(result, pool, [{}] * len(result.visits))
    drawn_keys = {s["key"] for s in subjects}
    doc = publication.document(
        spec=spec, candidates=result.candidates, candidates_hash=result.candidates_hash,
        commitment=draw.commitment(seed), seed=seed, pool=pool, subjects=subjects,
        exclusions={k: sorted(v) for k, v in conflicts.items() if k in drawn_keys},
        assignments=assignments, summary=result.summary,
    )  # fmt: skip
    return result, json.loads(json.dumps(doc, ensure_ascii=False))


FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(worlds())
def test_a_published_draw_verifies_from_the_file_alone(world: dict[str, object]) -> None:
    _, doc = run_world(world)
    checks = publication.verify(doc)
    assert [c.name for c in checks] == [
        "commitment", "candidates_hash", "subjects_in_candidates", "subjects", "assignments",
    ]  # fmt: skip
    assert all(c.ok for c in checks), checks


@FAST
@given(worlds())
def test_the_draw_agrees_with_an_independent_implementation(world: dict[str, object]) -> None:
    result, doc = run_world(world)
    pairs = [(k, s) for k, s in doc["candidates"]]  # type: ignore[union-attr]
    assert reference_draw.candidates_hash(pairs) == result.candidates_hash
    plan = doc["plan"]
    ratios = dict(plan["ratios"]) | {"U": plan["ratios"][plan["unclassified_as"]]}  # type: ignore[index]
    assert reference_draw.draw(pairs, str(doc["seed"]), ratios) == [
        s["key"]
        for s in doc["subjects"]  # type: ignore[union-attr]
    ]


@FAST
@given(worlds())
def test_every_drawn_business_is_a_candidate_below_its_cap(world: dict[str, object]) -> None:
    result, _ = run_world(world)
    spec = world["spec"]
    assert isinstance(spec, rules.PlanSpec)
    rows = world["rows"]
    assert isinstance(rows, list)
    by_key = {r[0]: r for r in rows}
    for position in result.drawn.tolist():
        key = result.candidates.key(position)
        assert result.candidates.position(key) == position
        _, region, _, cls, _, visits = by_key[key]
        assert region.startswith(spec.region)
        assert visits + 1 <= spec.cap  # this plan's visit included: the cap is never exceeded
        assert cls != "A"  # A: never drawn proactively


@FAST
@given(worlds())
def test_teams_are_qualified_sized_and_free_of_conflicts(world: dict[str, object]) -> None:
    _, doc = run_world(world)
    spec = world["spec"]
    assert isinstance(spec, rules.PlanSpec)
    conflicts = world["conflicts"]
    assert isinstance(conflicts, dict)
    pool = {i["code"]: i for i in doc["inspectors"]}  # type: ignore[union-attr]
    subjects = {s["key"]: s for s in doc["subjects"]}  # type: ignore[union-attr]
    for entry in doc["assignments"]:  # type: ignore[union-attr]
        if "unassigned" in entry:
            continue
        subject = subjects[entry["subject"]]
        need = next(n for n in subject["needs"] if n["department"] == entry["department"])
        assert len(set(entry["inspectors"])) == spec.team_size
        for code in entry["inspectors"]:
            inspector = pool[code]
            assert code not in conflicts.get(entry["subject"], ())
            assert inspector["department"] == entry["department"]
            assert subject["region"].startswith(inspector["region"])
            assert set(need["qualifications"]) <= set(inspector["qualifications"])


@FAST
@given(worlds())
def test_a_team_is_only_missing_when_too_few_inspectors_qualify(world: dict[str, object]) -> None:
    _, doc = run_world(world)
    spec = world["spec"]
    assert isinstance(spec, rules.PlanSpec)
    conflicts = world["conflicts"]
    assert isinstance(conflicts, dict)
    subjects = {s["key"]: s for s in doc["subjects"]}  # type: ignore[union-attr]
    for entry in doc["assignments"]:  # type: ignore[union-attr]
        subject = subjects[entry["subject"]]
        need = next(n for n in subject["needs"] if n["department"] == entry["department"])
        free = [
            i for i in doc["inspectors"]  # type: ignore[union-attr]
            if i["department"] == entry["department"]
            and subject["region"].startswith(i["region"])
            and set(need["qualifications"]) <= set(i["qualifications"])
            and i["code"] not in conflicts.get(entry["subject"], ())
        ]  # fmt: skip
        assert ("unassigned" in entry) == (len(free) < spec.team_size)


@FAST
@given(worlds(), st.integers(0, 4))
def test_changing_anything_published_fails_verification(
    world: dict[str, object], what: int
) -> None:
    _, doc = run_world(world)
    if not doc["subjects"] and what in (2, 3):
        return  # nothing drawn: nothing to tamper with
    if what == 0:
        doc["seed"] = draw.new_seed()  # another seed than the one committed to
    elif what == 1:
        doc["candidates"].append(["TAMPERED-KEY-000", "D"])  # type: ignore[union-attr]
    elif what == 2:
        doc["subjects"].pop()  # type: ignore[union-attr]
    elif what == 3:
        entry = doc["assignments"][0]  # type: ignore[index]
        entry["inspectors"] = ["ZF9999", "ZF9998"]
        entry.pop("unassigned", None)
    else:
        drawn_d = sum(1 for s in doc["subjects"] if s["stratum"] == "D")  # type: ignore[union-attr]
        if drawn_d == doc["strata"]["D"]:  # type: ignore[index]
            return  # every D already drawn: a ratio of 1 changes nothing
        doc["plan"]["ratios"]["D"] = "1"  # type: ignore[index]
    assert not all(c.ok for c in publication.verify(doc))


def test_an_independent_implementation_matches_mix64_on_edge_values() -> None:
    values = [0, 1, 2**63, 2**64 - 1, 0x9E3779B97F4A7C15, 12345678901234567890]
    got = draw.mix64(np.array(values, dtype=np.uint64)).tolist()
    assert got == [reference_draw.mix64(v) for v in values]


def test_quota_is_the_ceiling_of_count_times_ratio() -> None:
    cases = [(0, "0.3", 0), (1, "0.01", 1), (100, "0.03", 3), (101, "0.03", 4), (7, "1", 7)]
    for count, ratio, expected in cases:
        assert draw.quota(count, draw.parse_ratio(ratio)) == expected


@pytest.mark.parametrize(
    ("keys", "message"),
    [(["a", "a"], "重复"), (["a\tb"], "制表符"), ([""], "不能为空")],
)
def test_ambiguous_candidate_lists_are_refused(keys: list[str], message: str) -> None:
    with pytest.raises(DrawInputError, match=message):
        draw.canonical(keys, ["B"] * len(keys))


def test_class_a_may_not_be_drawn_proactively() -> None:
    spec = rules.PlanSpec(
        code="P", name="n", region="34", year=2026, items=(rules.ItemSpec("X", "x", "d"),),
        ratios={"A": Fraction(1, 10)}, unclassified_as="B", cap=1,
    )  # fmt: skip
    with pytest.raises(DrawInputError, match="A 类"):
        rules.check_spec(spec)


@pytest.mark.parametrize(
    ("due", "today", "waiting", "late"),
    [
        (None, "2026-05-01", 3, False),  # not drawn yet
        ("2026-05-01", "2026-05-01", 3, False),  # the last day still counts
        ("2026-05-01", "2026-05-02", 0, False),  # everything published
        ("2026-05-01", "2026-05-02", 1, True),
    ],
)
def test_results_are_late_only_past_the_limit_with_visits_open(
    due: str | None, today: str, waiting: int, late: bool
) -> None:
    from datetime import date

    deadline = date.fromisoformat(due) if due else None
    assert rules.results_overdue(deadline, date.fromisoformat(today), waiting) is late
