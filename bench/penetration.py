"""Penetration against a synthetic province's planted causes, timed.

    lookthrough synth --scale city --seed 5 --out /tmp/city
    LOOKTHROUGH_DATABASE_URL=sqlite:////tmp/city.db lookthrough db upgrade
    LOOKTHROUGH_DATABASE_URL=sqlite:////tmp/city.db lookthrough import /tmp/city
    LOOKTHROUGH_DATABASE_URL=sqlite:////tmp/city.db nice -n 10 python bench/penetration.py /tmp/city

Prints the figures of `lookthrough penetration evaluate` with the time each problem took.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from lookthrough.cli_common import open_session, settings_for_cli
from lookthrough.penetration import evaluate


def main(folder: str) -> None:
    started = time.perf_counter()
    marks: list[tuple[str, float]] = []
    with open_session(settings_for_cli()) as session:
        result = evaluate.evaluate(
            session,
            folder=Path(folder),
            progress=lambda problem: marks.append((problem, time.perf_counter() - started)),
        )
    total = time.perf_counter() - started
    ends = [m[1] for m in marks[1:]] + [total]
    timings = {p: round(end - start, 1) for (p, start), end in zip(marks, ends, strict=True)}
    figures = {k: v for k, v in result.items() if k != "details"}
    print(json.dumps({**figures, "seconds": round(total, 1), "per_problem": timings},
                     ensure_ascii=False, indent=2))  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1])
