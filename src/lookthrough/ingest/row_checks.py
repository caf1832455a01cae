"""What every row reader shares: the mapped fields of a row and the checks of common cells.

A reader per target (``record_rows``, ``registry_rows``) builds on :class:`RowReader`; ``rows``
picks the one a mapping needs. Nothing here touches the database.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime

from lookthrough.ingest.readers import Cells
from lookthrough.ingest.shapes import SUBJECT_KINDS, Candidate, Prepared, Problem, parse_date
from lookthrough.registry import uscc as uscc_rules

SUBJECT_CODES = {label: code for code, label in SUBJECT_KINDS.items()}  # 电梯 → elevator


class RowReader(ABC):
    """Turns rows of one file into candidates, given the prepared mapping and the region table."""

    def __init__(self, prepared: Prepared, *, regions: set[str], source: str) -> None:
        self.prepared = prepared
        self.mapping = prepared.mapping
        self.regions = regions
        self.source = source
        # Codes and dates repeat across rows (a business has many records): check each once.
        self._usccs: dict[str, uscc_rules.UsccCheck] = {}
        self._dates: dict[tuple[str, str], datetime | None] = {}
        # One pass over the mapped columns per row: (field, position, default, value map).
        self._plan = [
            (
                name,
                prepared.index.get(name),
                self.mapping.defaults.get(name),
                self.mapping.values.get(name),
            )
            for name in dict.fromkeys([*self.mapping.columns, *self.mapping.defaults])
        ]

    def column(self, name: str) -> str:
        return self.prepared.columns.get(name, name)

    def problem(self, name: str, rule: str, value: str | None, reason: str) -> Problem:
        return Problem(self.column(name), rule, value, reason)

    def fields(self, row: Cells) -> dict[str, str]:
        """Every mapped field of a row: trimmed, defaulted, mapped through its value table."""
        width = len(row)
        found: dict[str, str] = {}
        for name, index, default, table in self._plan:
            value = row[index] if index is not None and index < width else None
            if value is None:
                value = default
                if value is None:
                    continue
            value = value.strip()
            if not value:
                continue
            found[name] = table.get(value, value) if table is not None else value
        return found

    @abstractmethod
    def read(self, row_no: int, row: Cells) -> Candidate:
        """One row as a candidate fact, with every problem that keeps it from being one."""

    def _region(self, raw: str | None, problems: list[Problem], *, required: bool) -> str | None:
        if raw is None:
            if required:
                problems.append(self.problem("region_code", "required", None, "缺少所属区划代码"))
            return None
        code = raw.rstrip("0") if len(raw) == 6 and raw.endswith("0000") else raw
        code = code[:4] if len(code) == 6 and code.endswith("00") else code
        if code not in self.regions:
            problems.append(
                self.problem("region_code", "region_unknown", raw, f"区划代码“{raw}”不在区划表中")
            )
            return None
        return code

    def _uscc(self, name: str, raw: str | None, problems: list[Problem]) -> str | None:
        if raw is None:
            return None
        result = self._usccs.get(raw)
        if result is None:
            result = uscc_rules.check(raw, region_exists=self.regions.__contains__)
            self._usccs[raw] = result
        if result.verdict is uscc_rules.Verdict.INVALID:
            problems.append(
                self.problem(name, "uscc_invalid", raw, f"统一社会信用代码无效：{result.reason}")
            )
            return None
        if result.verdict is uscc_rules.Verdict.REVIEW:
            problems.append(
                self.problem(
                    name, "uscc_review", raw, f"统一社会信用代码待人工核实：{result.reason}"
                )
            )
            return None
        return result.code

    def _when(
        self, name: str, raw: str | None, problems: list[Problem], *, required: bool
    ) -> datetime | None:
        if raw is None:
            if required:
                problems.append(self.problem(name, "required", None, "缺少日期"))
            return None
        memo = (name, raw)
        if memo in self._dates:
            parsed = self._dates[memo]
        else:
            parsed = self._dates[memo] = parse_date(raw, self.mapping.date_formats(name))
        if parsed is None:
            problems.append(
                self.problem(
                    name, "date_invalid", raw, f"日期“{raw}”无法识别，请使用 YYYY-MM-DD 格式"
                )
            )
        return parsed

    def _source_key(self, f: dict[str, str]) -> str | None:
        if not self.mapping.key:
            return None
        parts = [f.get(name) or "" for name in self.mapping.key]
        return "|".join(parts) if any(parts) else None
