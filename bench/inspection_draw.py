"""Benchmark: a province-wide 双随机 plan — candidate list, hash, stratified draw and inspector
assignment — over 7.5M businesses.

    nice -n 10 .venv/bin/python bench/inspection_draw.py [--subjects 7500000] [--verify]

The subject pool is generated here as the arrays the planner reads (credit codes, the real
Anhui town codes, industries, credit classes, risk levels and visits so far this year), at the
province's size; the inspector pool has 12 inspectors per county and department (three
departments) plus 20 per city. 1% of businesses declare a conflict with one inspector of their
county and 10% had a visit whose inspectors are excluded. Timed: `rules.prepare` (filter, the
canonical list) + `candidates_hash` + `rules.run` (stratified draw, joint visits, teams).
``--verify`` also times `publication.verify` on the full published document. Prints JSON;
results go to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import time
from fractions import Fraction

import numpy as np

from lookthrough.inspection import draw, publication, rules
from lookthrough.inspection.draw import InspectorPool
from lookthrough.regions.divisions import load_divisions

DEPARTMENTS = ("市场监管", "特种设备", "食品安全")
INDUSTRIES = ("F5211", "F5221", "H6210", "H6220", "C1431", "C3831", "L7211", "M7520")


def subjects(n: int, rng: np.random.Generator) -> rules.SubjectTable:
    towns = [d.code for d in load_divisions() if d.level == "town"]
    digits = rng.integers(0, 10, size=(n, 16), dtype=np.uint8) + ord("0")
    keys = np.empty((n, 18), dtype=np.uint8)
    keys[:, 0], keys[:, 1] = ord("9"), ord("1")
    keys[:, 2:] = digits
    return rules.SubjectTable(
        keys=keys.view("S18").ravel(),
        regions=np.array([t.encode() for t in towns], dtype="S12")[
            rng.integers(0, len(towns), size=n)
        ],
        industries=np.array([i.encode() for i in INDUSTRIES], dtype="S8")[
            rng.integers(0, len(INDUSTRIES), size=n)
        ],
        # Share of classes about as published for the national classification: A 20%, B 60%,
        # C 15%, D 4%, and 1% not yet classified.
        classes=rng.choice(
            np.array([ord("A"), ord("B"), ord("C"), ord("D"), 0], dtype=np.uint8),
            size=n,
            p=[0.20, 0.60, 0.15, 0.04, 0.01],
        ),
        risk=rng.integers(0, 5, size=n, dtype=np.uint8),
        visits=rng.choice(np.array([0, 1, 2], dtype=np.int32), size=n, p=[0.85, 0.12, 0.03]),
    )


def inspectors() -> InspectorPool:
    divisions = load_divisions()
    counties = [d.code for d in divisions if d.level == "county"]
    cities = [d.code for d in divisions if d.level == "city"]
    rows = []
    quals = {"市场监管": [], "特种设备": ["特种设备"], "食品安全": ["食品"]}
    for code in counties:
        for d, dept in enumerate(DEPARTMENTS):
            rows += [(f"ZF{code}{d}{k:02d}", dept, code, quals[dept]) for k in range(12)]
    for code in cities:
        for d, dept in enumerate(DEPARTMENTS):
            rows += [(f"ZF{code}00{d}{k:02d}", dept, code, quals[dept]) for k in range(20)]
    return InspectorPool.of(rows)


def spec() -> rules.PlanSpec:
    return rules.PlanSpec(
        code="2026-AH-001",
        name="2026 年全省部门联合双随机抽查",
        region="34",
        year=2026,
        items=(
            rules.ItemSpec("SJ-01", "营业执照与公示信息", "市场监管"),
            rules.ItemSpec("SJ-02", "电梯使用管理", "特种设备", "特种设备", None, ("L72", "M75")),
            rules.ItemSpec("SJ-03", "食品经营许可与过程", "食品安全", "食品", None, ("F52", "H62")),
        ),
        ratios={k: draw.parse_ratio(v) for k, v in rules.DEFAULT_RATIOS.items()},
        unclassified_as="B",
        cap=2,
        team_size=2,
    )


def exclusions(
    table: rules.SubjectTable, pool: InspectorPool, rng: np.random.Generator
) -> dict[bytes, frozenset[str]]:
    n = len(table)
    by_county: dict[str, list[str]] = {}
    for code, region in zip(pool.codes, pool.regions, strict=True):
        by_county.setdefault(region, []).append(code)
    found: dict[bytes, frozenset[str]] = {}
    for row in rng.choice(n, size=n // 9, replace=False).tolist():
        county = bytes(table.regions[row])[:6].decode()
        choices = by_county.get(county)
        if choices:
            picked = rng.choice(len(choices), size=2, replace=False)
            found[bytes(table.keys[row])] = frozenset(choices[i] for i in picked.tolist())
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subjects", type=int, default=7_500_000)
    parser.add_argument("--verify", action="store_true")
    args = parser.parse_args()
    rng = np.random.default_rng(2026)
    started = time.perf_counter()
    table = subjects(args.subjects, rng)
    pool = inspectors()
    banned = exclusions(table, pool, rng)
    generated = time.perf_counter() - started

    seed = draw.new_seed()
    t0 = time.perf_counter()
    plan = spec()
    prepared = rules.prepare(table, plan)
    digest = draw.candidates_hash(prepared[0])
    t1 = time.perf_counter()
    result = rules.run(table, plan, seed=seed, pool=pool, exclusions=banned, prepared=prepared)
    t2 = time.perf_counter()
    assert result.candidates_hash == digest
    report = {
        "subjects": args.subjects,
        "candidates": len(result.candidates),
        "inspectors": len(pool.codes),
        "exclusions": len(banned),
        **result.summary,
        "seconds_generate_inputs": round(generated, 2),
        "seconds_candidates_and_hash": round(t1 - t0, 2),
        "seconds_draw_and_assign": round(t2 - t1, 2),
        "seconds_plan_total": round(t2 - t0, 2),
    }
    if args.verify:
        subjects_out, assignments = publication.results_of(result, pool, [{}] * len(result.visits))
        drawn = {s["key"] for s in subjects_out}
        doc = publication.document(
            spec=plan,
            candidates=result.candidates,
            candidates_hash=result.candidates_hash,
            commitment=draw.commitment(seed),
            seed=seed,
            pool=pool,
            subjects=subjects_out,
            exclusions={k.decode(): sorted(v) for k, v in banned.items() if k.decode() in drawn},
            assignments=assignments,
        )
        t3 = time.perf_counter()
        checks = publication.verify(doc)
        report["seconds_verify"] = round(time.perf_counter() - t3, 2)
        report["verified"] = all(c.ok for c in checks)
    report |= {
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "ratios": {k: str(Fraction(v)) for k, v in plan.ratios.items()},
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
