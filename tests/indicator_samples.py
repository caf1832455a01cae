"""Two indicator definitions the engine's tests compute: all complaints, failed inspections."""

from __future__ import annotations

from lookthrough.engine.definitions import parse

COMPLAINTS = parse(
    {"code": "complaints_all", "name": "投诉量", "kinds": ["complaint"], "window_days": 3650,
     "threshold": 1, "matter": "测试事项", "risk_point": "投诉", "explanation": "全部投诉件数。"}
)  # fmt: skip
FAILED = parse(
    {"code": "failed_inspections", "name": "检查不合格", "kinds": ["inspection"],
     "where": [{"field": "result", "op": "=", "value": "发现问题"}], "window_days": 3650,
     "threshold": 1, "matter": "测试事项", "risk_point": "检查",
     "explanation": "检查发现问题次数。"}
)  # fmt: skip
