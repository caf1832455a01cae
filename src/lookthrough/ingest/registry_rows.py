"""Reading a row into a registry fact: a business (经营主体), a supervised subject (电梯…) or a
relation between two of them. References are kept as keys; the writers resolve them."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from lookthrough.core.ids import make_id
from lookthrough.ingest.readers import Cells
from lookthrough.ingest.row_checks import SUBJECT_CODES, RowReader
from lookthrough.ingest.shapes import (
    CHINA,
    RELATION_KINDS,
    SUBJECT_KINDS,
    Candidate,
    Problem,
    json_object,
)
from lookthrough.registry import uscc as uscc_rules


class EntityRows(RowReader):
    """Rows of a file mapped to businesses."""

    def read(self, row_no: int, row: Cells) -> Candidate:
        f = self.fields(row)
        problems: list[Problem] = []
        raw_uscc = f.get("uscc")
        uscc = self._uscc("uscc", raw_uscc, problems)
        foreign = f.get("entity_key")
        name = f.get("name")
        if not name:
            problems.append(self.problem("name", "required", None, "缺少主体名称"))
        region = self._region(f.get("region_code"), problems, required=False)
        if region is None and uscc and not any(p.rule == "region_unknown" for p in problems):
            derived = uscc_rules.check(uscc).region
            region = derived if derived in self.regions else None
        if region is None and not any(p.column == self.column("region_code") for p in problems):
            problems.append(
                self.problem(
                    "region_code",
                    "required",
                    None,
                    "缺少所属区划代码，且无法从统一社会信用代码推出",
                )
            )
        if uscc is None and raw_uscc is None and foreign is None:
            problems.append(self.problem("uscc", "required", None, "缺少统一社会信用代码"))
        capital = f.get("capital_wan")
        capital_value = None
        if capital is not None:
            try:
                capital_value = Decimal(capital.replace(",", "").replace("万元", "").strip())
            except InvalidOperation:
                problems.append(
                    self.problem(
                        "capital_wan",
                        "number_invalid",
                        capital,
                        f"注册资本“{capital}”不是数字（单位：万元）",
                    )
                )
        registered = self._when("registered_on", f.get("registered_on"), problems, required=False)
        key = f"uscc:{uscc}" if uscc else f"{self.source}:{foreign}" if foreign else ""
        values = {
            "key": key,
            "uscc": uscc,
            "name": (name or "")[:200],
            "entity_type": f.get("entity_type"),
            "region_code": region,
            "address": f.get("address"),
            "legal_rep": f.get("legal_rep"),
            "phone": f.get("phone"),
            "industry_code": f.get("industry_code"),
            "registered_on": registered.astimezone(CHINA).date() if registered else None,
            "capital_wan": capital_value,
            "status": f.get("status") or "存续",
        }
        return Candidate("entity", row_no, key, values, problems)


class _OwnedRows(RowReader):
    """Rows that name a business as an owner or an end: by credit code, else by the file's key."""

    def _owner(self, prefix: str, f: dict[str, str], problems: list[Problem]) -> str | None:
        uscc = self._uscc(f"{prefix}uscc", f.get(f"{prefix}uscc"), problems)
        if uscc:
            return f"uscc:{uscc}"
        foreign = f.get(f"{prefix}entity_key")
        return f"{self.source}:{foreign}" if foreign else None


class SubjectRows(_OwnedRows):
    """Rows of a file mapped to supervised subjects."""

    def read(self, row_no: int, row: Cells) -> Candidate:
        f = self.fields(row)
        problems: list[Problem] = []
        kind = f.get("subject_kind")
        kind = SUBJECT_CODES.get(kind or "", kind)
        if kind not in SUBJECT_KINDS:
            problems.append(
                self.problem(
                    "subject_kind",
                    "enum",
                    kind,
                    "监管对象类别须为：" + "、".join(SUBJECT_KINDS.values()),
                )
            )
        identifier = f.get("subject_identifier")
        if not identifier:
            problems.append(
                self.problem("subject_identifier", "required", None, "缺少监管对象编号")
            )
        owner = self._owner("", f, problems)
        region = self._region(f.get("region_code"), problems, required=False)
        attributes = json_object(f.get("attributes"))
        key = f"{kind}:{identifier}"
        values = {
            "key": key,
            "kind": kind,
            "identifier": identifier,
            "name": (f.get("name") or identifier or "")[:200],
            "owner": owner,
            "region_code": region,
            "attributes": attributes,
        }
        if owner is None and region is None:
            problems.append(
                self.problem("region_code", "required", None, "缺少所属区划代码或所属经营主体")
            )
        return Candidate("subject", row_no, key, values, problems)


class RelationRows(_OwnedRows):
    """Rows of a file mapped to relations between people, businesses and subjects."""

    def _end(
        self, prefix: str, f: dict[str, str], problems: list[Problem]
    ) -> tuple[str, str] | None:
        person = f.get(f"{prefix}person")
        if person:
            return ("person", f"{self.source}:{person}")
        subject = f.get(f"{prefix}subject")
        if subject:  # 电梯:编号 as well as elevator:编号
            named, colon, identifier = subject.partition(":")
            if colon and named in SUBJECT_CODES:
                subject = f"{SUBJECT_CODES[named]}:{identifier}"
            return ("subject", subject)
        owner = self._owner(prefix, f, problems)
        return ("entity", owner) if owner else None

    def read(self, row_no: int, row: Cells) -> Candidate:
        f = self.fields(row)
        problems: list[Problem] = []
        kind = f.get("relation_kind")
        kind = {v: k for k, v in RELATION_KINDS.items()}.get(kind or "", kind)
        if kind not in RELATION_KINDS:
            problems.append(
                self.problem(
                    "relation_kind",
                    "enum",
                    kind,
                    "关系类别须为：" + "、".join(RELATION_KINDS.values()),
                )
            )
        start, end = self._end("from_", f, problems), self._end("to_", f, problems)
        if start is None:
            problems.append(self.problem("from_uscc", "required", None, "缺少关系的起点"))
        if end is None:
            problems.append(self.problem("to_uscc", "required", None, "缺少关系的终点"))
        key = make_id(kind, start, end) if start and end else ""
        values = {
            "kind": kind,
            "from": start,
            "to": end,
            "from_person_name": f.get("from_person_name"),
            "to_person_name": f.get("to_person_name"),
            "attributes": json_object(f.get("attributes")),
        }
        return Candidate("relation", row_no, key, values, problems)
