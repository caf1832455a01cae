"""The indicator editor's form ↔ a definition. Conditions are written one per line as
``字段 比较 值``, e.g. ``result in 发现问题,责令整改``, ``text contains 卫生``,
``removed_on empty``.
"""

from __future__ import annotations

from typing import Any

from lookthrough.core.errors import ValidationFailed
from lookthrough.engine.definitions import NO_VALUE_OPS, OPERATOR_LABELS

NUMBERS = ("window_days", "threshold", "weight", "min_denominator", "cap", "prior_rate",
           "prior_weight")  # fmt: skip
TEXTS = ("code", "name", "aggregation", "transform", "value_field", "unit", "matter",
         "risk_point", "explanation")  # fmt: skip


def _value(text: str) -> str | float | bool:
    if text in ("true", "false"):
        return text == "true"
    try:
        return float(text)
    except ValueError:
        return text


def parse_conditions(text: str, where: str) -> list[dict[str, Any]]:
    found = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        parts = line.split(None, 1)
        rest = parts[1] if len(parts) > 1 else ""
        field = parts[0]
        op = next(
            (o for o in sorted(OPERATOR_LABELS, key=len, reverse=True) if rest.startswith(o)),
            None,
        )
        if op is None:
            raise ValidationFailed(
                f"{where}第{number}行“{line}”看不懂：应为“字段 比较 值”，比较可用 "
                + "、".join(OPERATOR_LABELS)
            )
        value_text = rest[len(op) :].strip()
        condition: dict[str, Any] = {"field": field, "op": op}
        if op in ("in", "not in"):
            condition["value"] = [_value(v.strip()) for v in value_text.split(",") if v.strip()]
        elif op not in NO_VALUE_OPS:
            condition["value"] = _value(value_text) if value_text else None
        found.append(condition)
    return found


def _number(text: Any) -> float | int | None:
    if text in (None, ""):
        return None
    try:
        value = float(str(text))
    except ValueError as error:
        raise ValidationFailed(f"“{text}”不是数字") from error
    return int(value) if value.is_integer() else value


def definition_from_form(values: dict[str, Any]) -> dict[str, Any]:
    """What the editor posted, as a definition for ``indicators.check``."""
    data: dict[str, Any] = {}
    for key in TEXTS:
        text = str(values.get(key) or "").strip()
        if text:
            data[key] = text
    for key in NUMBERS:
        number = _number(values.get(key))
        if number is not None:
            data[key] = number
    data["kinds"] = [k for k in values.get("kinds") or [] if k]
    data["fields"] = [f for f in values.get("fields") or [] if f] or ["all"]
    data["higher_is_riskier"] = values.get("higher_is_riskier") != "false"
    data["alert"] = values.get("alert") == "true"
    data["where"] = parse_conditions(str(values.get("where") or ""), "筛选条件")
    denominator_kinds = [k for k in values.get("denominator_kinds") or [] if k]
    if denominator_kinds:
        data["denominator"] = {
            "kinds": denominator_kinds,
            "where": parse_conditions(str(values.get("denominator_where") or ""), "分母条件"),
        }
    return data


def _condition_lines(conditions: list[dict[str, Any]]) -> str:
    lines = []
    for c in conditions:
        value = c.get("value")
        shown = ",".join(str(v) for v in value) if isinstance(value, list) else value
        if isinstance(shown, bool):
            shown = "true" if shown else "false"
        lines.append(" ".join(str(p) for p in (c["field"], c["op"], shown) if p is not None))
    return "\n".join(lines)


def form_from_definition(definition: dict[str, Any] | None) -> dict[str, Any]:
    """A stored definition as the editor's field values (defaults for a new one)."""
    d = definition or {
        "kinds": ["inspection"],
        "window_days": 365,
        "aggregation": "count",
        "transform": "none",
        "threshold": 1,
        "weight": 10,
        "unit": "次",
        "fields": ["all"],
        "higher_is_riskier": True,
    }
    values: dict[str, Any] = {k: d.get(k) for k in (*TEXTS, *NUMBERS)}
    values["kinds"] = d.get("kinds") or []
    values["fields"] = d.get("fields") or ["all"]
    values["higher_is_riskier"] = "true" if d.get("higher_is_riskier", True) else "false"
    values["alert"] = "true" if d.get("alert") else "false"
    values["where"] = _condition_lines(d.get("where") or [])
    denominator = d.get("denominator") or {}
    values["denominator_kinds"] = denominator.get("kinds") or []
    values["denominator_where"] = _condition_lines(denominator.get("where") or [])
    return values
