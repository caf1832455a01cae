"""Compiled indicator SQL on DuckDB over hand-made Arrow tables: each aggregation, the window
edges, conditions of every type, and values that stay parameters."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
import pytest

from lookthrough.engine import service
from lookthrough.engine.compile import features_sql
from lookthrough.engine.definitions import parse
from lookthrough.engine.seam import DuckDBEngine

AS_OF = dt.date(2025, 6, 30)
D = dt.date


def spec(**data: Any) -> Any:
    base = {"name": "测试指标", "threshold": 1, "matter": "测试事项", "risk_point": "测试",
            "explanation": "测试用指标。"}  # fmt: skip
    return parse({**base, **data})


@pytest.fixture
def engine() -> Any:
    events = pa.table(
        {
            "entity_id": [1, 1, 1, 1, 2, 2, 2, 1, 1],
            "kind": ["inspection", "inspection", "inspection", "complaint", "inspection",
                     "penalty", "penalty", "complaint", "complaint"],
            "day": [D(2025, 6, 30), D(2025, 1, 5), D(2024, 6, 30), D(2025, 6, 1),
                    D(2025, 3, 1), D(2025, 2, 1), D(2023, 1, 1), D(2024, 12, 1), D(2025, 7, 1)],
            "p_result": ["发现问题", "未发现问题", "责令整改", None, "发现问题",
                         None, None, None, None],
            "p_fine_yuan": [None, None, None, None, None, "5000", "800", None, None],
            "p_text": [None, None, None, "后厨卫生很差", None, None, None, "价格问题", "卫生"],
        }
    )  # fmt: skip
    entities = pa.table({"entity_id": [1, 2, 3]})
    with DuckDBEngine() as eng:
        eng.load("events", events)
        eng.load("entities", entities)
        yield eng


def values(engine: DuckDBEngine, *specs: Any) -> dict[str, list[float]]:
    table = service.features(engine, list(specs), AS_OF)
    assert table.column("entity_id").to_pylist() == [1, 2, 3]
    return {s.code: table.column(s.code).to_pylist() for s in specs}


def test_count_window_includes_as_of_and_excludes_its_start(engine: DuckDBEngine) -> None:
    # 365 days back from 2025-06-30: 2024-06-30 itself is outside, 2025-06-30 inside.
    got = values(engine, spec(code="insp", kinds=["inspection"], window_days=365))
    assert got["insp"] == [2.0, 1.0, 0.0]


def test_conditions_filter(engine: DuckDBEngine) -> None:
    bad = {"field": "result", "op": "in", "value": ["发现问题", "责令整改"]}
    got = values(engine, spec(code="bad", kinds=["inspection"], where=[bad], window_days=730))
    assert got["bad"] == [2.0, 1.0, 0.0]


def test_contains_on_text(engine: DuckDBEngine) -> None:
    hygiene = {"field": "text", "op": "contains", "value": "卫生"}
    got = values(engine, spec(code="hyg", kinds=["complaint"], where=[hygiene], window_days=730))
    assert got["hyg"] == [1.0, 0.0, 0.0]  # the 2025-07-01 complaint is after as_of


def test_rate_with_and_without_smoothing(engine: DuckDBEngine) -> None:
    bad = {"field": "result", "op": "in", "value": ["发现问题", "责令整改"]}
    plain = spec(code="rate_plain", kinds=["inspection"], where=[bad], aggregation="rate",
                 window_days=730, threshold=0.5)  # fmt: skip
    shrunk = spec(code="rate_shrunk", kinds=["inspection"], where=[bad], aggregation="rate",
                  window_days=730, threshold=0.5, prior_rate=0.25, prior_weight=2,
                  min_denominator=0)  # fmt: skip
    got = values(engine, plain, shrunk)
    assert got["rate_plain"] == pytest.approx([2 / 3, 1.0, 0.0])
    assert got["rate_shrunk"] == pytest.approx([2.5 / 5, 1.5 / 3, 0.5 / 2])


def test_sum_and_max_of_a_number(engine: DuckDBEngine) -> None:
    total = spec(code="fine_total", kinds=["penalty"], aggregation="sum", value_field="fine_yuan",
                 window_days=1095)  # fmt: skip
    top = spec(code="fine_max", kinds=["penalty"], aggregation="max", value_field="fine_yuan",
               window_days=365)  # fmt: skip
    got = values(engine, total, top)
    assert got["fine_total"] == [0.0, 5800.0, 0.0]
    assert got["fine_max"] == [0.0, 5000.0, 0.0]


def test_days_since_and_its_cap(engine: DuckDBEngine) -> None:
    got = values(
        engine,
        spec(code="days_last", kinds=["inspection"], aggregation="days_since", window_days=365),
    )
    assert got["days_last"] == [0.0, (AS_OF - D(2025, 3, 1)).days, 365.0]


def test_trend_compares_two_windows(engine: DuckDBEngine) -> None:
    got = values(
        engine, spec(code="trend_182", kinds=["complaint"], aggregation="trend", window_days=182)
    )
    # (2025-01-29, 2025-06-30]: one complaint; (2024-07-30, 2025-01-29]: one.
    assert got["trend_182"] == [0.0, 0.0, 0.0]
    got = values(
        engine, spec(code="trend_60", kinds=["complaint"], aggregation="trend", window_days=60)
    )
    assert got["trend_60"] == [1.0, 0.0, 0.0]


def test_values_are_parameters_not_sql() -> None:
    nasty = "x'); DROP TABLE events; --"
    sql, params = features_sql(
        [
            spec(
                code="nasty_one",
                kinds=["complaint"],
                where=[{"field": "text", "op": "=", "value": nasty}],
            )
        ],
        AS_OF,
    )
    assert nasty not in sql
    assert nasty in params.values()
