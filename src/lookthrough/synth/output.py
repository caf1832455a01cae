"""Writing the synthetic province: exchange files, a manifest, and the ground truth."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import xlsxwriter

from lookthrough.synth.scales import Scale
from lookthrough.synth.world import World


@dataclass(slots=True)
class Manifest:
    scale: str
    seed: int
    files: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def write(self, folder: Path) -> None:
        (folder / "manifest.json").write_text(
            json.dumps(asdict(self), ensure_ascii=False, indent=2), encoding="utf-8"
        )


@dataclass(frozen=True, slots=True)
class Blunders:
    """Mistakes people make in real files, planted in a few rows so the quarantine has work.

    ``choices`` maps a column to wrong values for it; each planted row gets one of them.
    """

    rate: float
    choices: dict[str, list[str]]


class Writer:
    """Writes frames to files in the formats bureaus exchange, chosen by size and kind.

    Frames are written as they come (CSV and JSON Lines append), so a kind with tens of millions
    of rows never sits in memory whole; XLSX and JSON arrays, which cannot be appended to, are
    kept for kinds small enough for them and otherwise fall back to CSV and JSON Lines.
    """

    def __init__(
        self,
        folder: Path,
        scale: Scale,
        manifest: Manifest,
        progress: Callable[[str, int], None] | None = None,
        rng: np.random.Generator | None = None,
    ) -> None:
        self.folder, self.scale, self.manifest = folder, scale, manifest
        self.progress = progress
        self.rng = rng or np.random.default_rng(0)
        self.planted: list[pl.DataFrame] = []  # truth/errors.csv

    def write(
        self,
        name: str,
        target: str,
        frames: Iterator[pl.DataFrame],
        *,
        fmt: str = "csv",
        encoding: str = "utf-8-sig",
        columns: list[str] | None = None,
        blunders: Blunders | None = None,
    ) -> int:
        """fmt: csv | xlsx | json | jsonl."""
        whole = fmt in {"xlsx", "json"}
        held: list[pl.DataFrame] = []
        rows = 0
        path: Path | None = None
        for frame in frames:
            if not len(frame):
                continue
            if columns is not None:
                frame = frame.select(
                    pl.col(c) if c in frame.columns else pl.lit("").alias(c) for c in columns
                )
            frame = frame.fill_null("")
            if blunders is not None:
                frame = self._blunder(frame, blunders, offset=rows)
            rows += len(frame)
            if whole and rows <= self.scale.xlsx_limit:
                held.append(frame)
                continue
            if whole:  # too big for its format: stream as CSV / JSON Lines instead
                fmt, whole = ("csv" if fmt == "xlsx" else "jsonl"), False
                parts, held = [*held, frame], []
            else:
                parts = [frame]
            for part in parts:
                path = self._append(name, fmt, part, encoding, first=path is None)
        if whole or path is None:
            frame = pl.concat(held, how="diagonal_relaxed") if held else pl.DataFrame()
            path = self.folder / f"{name}.{fmt}"
            if fmt == "xlsx":
                _write_xlsx(frame, path)
            elif fmt == "json":
                path.write_text(json.dumps(frame.to_dicts(), ensure_ascii=False), encoding="utf-8")
            else:
                path = self._append(name, fmt, frame, encoding, first=True)
        first_row = 1 if fmt in {"json", "jsonl"} else 2  # the header is row 1 of a table
        self._name_planted(name, path.name, first_row)
        self.manifest.files.append({"path": path.name, "target": target, "rows": rows})
        self.manifest.counts[target] = self.manifest.counts.get(target, 0) + rows
        if self.progress is not None:
            self.progress(path.name, rows)
        return rows

    def _blunder(self, frame: pl.DataFrame, blunders: Blunders, *, offset: int) -> pl.DataFrame:
        hit = np.flatnonzero(self.rng.random(len(frame)) < blunders.rate)
        if not len(hit):
            return frame
        columns = list(blunders.choices)
        which = self.rng.integers(0, len(columns), len(hit))
        values = [
            blunders.choices[columns[w]][
                int(self.rng.integers(0, len(blunders.choices[columns[w]])))
            ]
            for w in which
        ]
        updates = {c: frame[c].cast(pl.String).to_list() for c in {columns[w] for w in which}}
        for row, w, value in zip(hit, which, values, strict=True):
            updates[columns[w]][row] = value
        self.planted.append(
            pl.DataFrame(
                {
                    "file": ["?"] * len(hit),
                    "index": hit + offset,
                    "column": [columns[w] for w in which],
                    "value": values,
                }
            )
        )
        return frame.with_columns(pl.Series(c, v, dtype=pl.String) for c, v in updates.items())

    def _name_planted(self, stem: str, file_name: str, first_row: int) -> None:
        for position, frame in enumerate(self.planted):
            if len(frame) and frame["file"][0] == "?":
                self.planted[position] = frame.with_columns(
                    file=pl.lit(file_name), row=pl.col("index") + first_row
                ).drop("index")

    def _append(
        self, name: str, fmt: str, frame: pl.DataFrame, encoding: str, *, first: bool
    ) -> Path:
        path = self.folder / f"{name}.{fmt}"
        with path.open("wb" if first else "ab") as handle:
            if fmt == "jsonl":
                frame.write_ndjson(handle)
            elif encoding == "utf-8-sig":
                if first:
                    handle.write("\ufeff".encode())
                frame.write_csv(handle, include_header=first)
            else:  # e.g. GB18030, as some bureau systems still export
                handle.write(frame.write_csv(include_header=first).encode(encoding))
        return path


def _write_xlsx(frame: pl.DataFrame, path: Path) -> None:
    book = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    # A fixed creation time: the same seed must give the same bytes.
    book.set_properties({"created": datetime(2026, 1, 1, tzinfo=UTC)})
    sheet = book.add_worksheet("数据")
    bold = book.add_format({"bold": True})
    for col, name in enumerate(frame.columns):
        sheet.write_string(0, col, name, bold)
    for r, row in enumerate(frame.iter_rows(), start=1):
        for col, value in enumerate(row):
            sheet.write_string(r, col, str(value))
    book.close()


def entities_frame(world: World) -> pl.DataFrame:
    e = world.entities
    return pl.DataFrame(
        {
            "统一社会信用代码": e["uscc"],
            "主体名称": e["name"],
            "主体类型": e["entity_type"],
            "所属区划代码": e["region"],
            "住所": e["address"],
            "法定代表人": e["legal_rep"],
            "联系电话": e["phone"],
            "行业代码": e["industry_code"],
            "成立日期": e["registered_on"].dt.to_string("%Y-%m-%d"),
            "注册资本（万元）": e["capital_wan"].cast(pl.String),
            "登记状态": ["存续"] * len(e),
        }
    )


SUBJECT_COLUMNS = ["对象类别", "对象编号", "对象名称", "所属主体统一社会信用代码"]
RELATION_COLUMNS = [
    "关系类别",
    "起点统一社会信用代码",
    "起点自然人编号",
    "起点自然人姓名",
    "起点监管对象（类别:编号）",
    "终点统一社会信用代码",
    "终点监管对象（类别:编号）",
]


def subjects_frames(world: World) -> Iterator[pl.DataFrame]:
    uscc = world.entities["uscc"].to_numpy()
    el = world.elevators
    if len(el):
        yield pl.DataFrame(
            {
                "对象类别": ["电梯"] * len(el),
                "对象编号": el["identifier"],
                "对象名称": [f"{i % 30 + 1}号电梯" for i in range(len(el))],
                "所属主体统一社会信用代码": uscc[el["user_idx"].to_numpy()],
            }
        )
    cy = world.cylinders
    if len(cy):
        yield pl.DataFrame(
            {
                "对象类别": ["气瓶"] * len(cy),
                "对象编号": cy["identifier"],
                "对象名称": ["液化石油气钢瓶 YSP35.5"] * len(cy),
                "所属主体统一社会信用代码": uscc[cy["owner_idx"].to_numpy()],
            }
        )
    lots = world.lots
    if len(lots):
        yield pl.DataFrame(
            {
                "对象类别": ["产品批次"] * len(lots),
                "对象编号": lots["identifier"],
                "对象名称": [f"批次 {i[-8:]}" for i in lots["identifier"]],
                "所属主体统一社会信用代码": uscc[lots["producer_idx"].to_numpy()],
            }
        )
    shops = world.shops
    if len(shops):
        names = world.entities["short_name"].to_numpy()
        yield pl.DataFrame(
            {
                "对象类别": ["网店"] * len(shops),
                "对象编号": shops["identifier"],
                "对象名称": [f"{names[o]}直播间" for o in shops["owner_idx"]],
                "所属主体统一社会信用代码": uscc[shops["owner_idx"].to_numpy()],
            }
        )


def relations_frames(world: World) -> Iterator[pl.DataFrame]:
    uscc = world.entities["uscc"].to_numpy()
    el = world.elevators
    if len(el):
        yield pl.DataFrame(
            {
                "关系类别": ["维保"] * len(el),
                "起点统一社会信用代码": uscc[el["maintainer_idx"].to_numpy()],
                "终点监管对象（类别:编号）": ["elevator:" + i for i in el["identifier"]],
            }
        )
    sup = world.supplies
    if len(sup):
        yield pl.DataFrame(
            {
                "关系类别": ["供货"] * len(sup),
                "起点统一社会信用代码": uscc[sup["supplier_idx"].to_numpy()],
                "终点统一社会信用代码": uscc[sup["customer_idx"].to_numpy()],
            }
        )
    ctl = world.controls
    if len(ctl):
        yield pl.DataFrame(
            {
                "关系类别": ["实际控制"] * len(ctl),
                "起点自然人编号": ctl["person_key"],
                "起点自然人姓名": ctl["person_name"],
                "终点统一社会信用代码": uscc[ctl["entity_idx"].to_numpy()],
            }
        )
    shops = world.shops
    if len(shops):
        yield pl.DataFrame(
            {
                "关系类别": ["入驻平台"] * len(shops),
                "起点监管对象（类别:编号）": ["shop:" + i for i in shops["identifier"]],
                "终点统一社会信用代码": uscc[shops["platform_idx"].to_numpy()],
            }
        )
    lots = world.lots
    if len(lots):
        yield pl.DataFrame(
            {
                "关系类别": ["生产"] * len(lots),
                "起点统一社会信用代码": uscc[lots["producer_idx"].to_numpy()],
                "终点监管对象（类别:编号）": ["product_lot:" + i for i in lots["identifier"]],
            }
        )


def write_truth(
    folder: Path, world: World, mentions: list[pl.DataFrame], planted: list[pl.DataFrame]
) -> None:
    truth = folder / "truth"
    truth.mkdir(parents=True, exist_ok=True)
    world.entities.select("uscc", "name", "short_name", "field", "region", "propensity").write_csv(
        truth / "propensity.csv"
    )
    (truth / "causes.json").write_text(
        json.dumps([asdict(c) for c in world.causes], ensure_ascii=False, indent=2),
        encoding="utf-8",
    )
    schema = {
        "source": pl.String,
        "kind": pl.String,
        "key": pl.String,
        "mention": pl.String,
        "how": pl.String,
        "uscc": pl.String,
    }
    (pl.concat(mentions) if mentions else pl.DataFrame(schema=schema)).write_csv(
        truth / "mentions.csv"
    )
    errors = (
        pl.concat(planted).select("file", "row", "column", "value")
        if planted
        else pl.DataFrame(
            schema={"file": pl.String, "row": pl.Int64, "column": pl.String, "value": pl.String}
        )
    )
    errors.write_csv(truth / "errors.csv")
    (truth / "README.md").write_text(TRUTH_README, encoding="utf-8")


TRUTH_README = """# Ground truth of this synthetic province

* `propensity.csv` — every business's hidden propensity to violate (0–1) and its field.
* `causes.json` — the planted common causes: the factor (a maintenance contractor, an oil
  supplier, an actual controller, a platform), the problem it causes, the businesses affected
  and how much more often they suffer it.
* `errors.csv` — the rows planted with a mistake people make (a date that does not exist, a
  conclusion typed as free text, an amount in words): each file, row and column. Importing the
  province must quarantine exactly these rows, each with a reason.
* `mentions.csv` — complaints and public-opinion items name businesses as people write them
  (`how`: full name, short name, trade name only, typo, with place); `uscc` is who was meant.

Nothing here is imported: it is what resolution, risk and penetration are scored against.
"""


def as_list(values: np.ndarray) -> list[str]:
    return [str(v) for v in values]
