"""The synthetic province's businesses as the record generators see them, and the helpers they
share: what bureaus' systems would hold is drawn from here over several years.

``Events`` holds the per-business state every generator draws from (numeric, numpy: field,
hidden propensity, day registered, the planted causes' marks); text is gathered from polars
columns only for the rows an event needs. Each generator yields polars frames whose columns are
the Chinese headers of the shipped mappings, so the files import through the same path as any
bureau's file. The generators: ``inspections`` (inspections, findings, penalties),
``sampling``, ``complaints`` (complaints and public opinion) and ``more_events`` (equipment,
lists, licences, commitments, shipments).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import polars as pl

from lookthrough.regions.divisions import load_divisions
from lookthrough.synth.entities import EPOCH
from lookthrough.synth.scales import Scale
from lookthrough.synth.series import cat
from lookthrough.synth.world import World

FOOD_FIELDS = (
    "catering",
    "food_retail",
    "food_wholesale",
    "edible_oil",
    "meat",
    "dairy",
    "infant_formula",
    "food_production",
)


def days(rng: np.random.Generator, low: np.ndarray, scale: Scale) -> np.ndarray:
    """A day (ordinal) for each event, after the business registered, within the window."""
    end = scale.end.toordinal()
    start = np.minimum(np.maximum(low, scale.start.toordinal()), end - 1)
    result: np.ndarray = start + (rng.random(len(low)) * (end - start)).astype(np.int64)
    return result


def iso(ordinals: np.ndarray) -> pl.Series:
    return pl.Series((ordinals - EPOCH).astype(np.int32)).cast(pl.Date).dt.to_string("%Y-%m-%d")


def numbered(prefix: str, n: int, width: int, start: int = 0) -> pl.Series:
    return cat(
        pl.lit(prefix), pl.Series(np.arange(start, start + n)).cast(pl.String).str.zfill(width)
    )


SLICE = 400_000  # events turned into text at a time (bounds memory at province scale)


def slices(n: int) -> Iterator[slice]:
    for start in range(0, n, SLICE):
        yield slice(start, min(start + SLICE, n))


def mention_truth(
    source: str, kind: str, keys: pl.Series, written: list[str], how: list[str], uscc: pl.Series
) -> pl.DataFrame:
    """Who each mention really meant, for scoring resolution."""
    return pl.DataFrame(
        {
            "source": [source] * len(keys),
            "kind": [kind] * len(keys),
            "key": keys,
            "mention": written,
            "how": how,
            "uscc": uscc,
        }
    )


class Events:
    def __init__(self, rng: np.random.Generator, scale: Scale, world: World) -> None:
        self.rng, self.scale, self.world = rng, scale, world
        e = world.entities
        self.col = {
            name: e[name] for name in ("uscc", "name", "short_name", "county", "region", "address")
        }
        self.fields = world.field_names
        self.field_idx = e["field_idx"].to_numpy().astype(np.int64)
        self.propensity = e["propensity"].to_numpy().copy()
        self.registered = (e["registered_on"].cast(pl.Int32).to_numpy() + EPOCH).astype(np.int64)
        self.years = len(scale.years)
        self.boost = np.ones(len(e))  # planted causes multiply their victims' troubles
        self.shells = np.zeros(len(e), dtype=bool)
        self.bad_oil = np.zeros(len(e), dtype=bool)
        self.banned = np.zeros(len(e), dtype=bool)
        self.trap_contractors: list[int] = []
        for cause in world.causes:
            victims = self.rows_of(cause.affected)
            if cause.kind == "actual_controller":
                self.shells[victims] = True
            if cause.kind == "oil_supplier":
                self.bad_oil[victims] = True
            if cause.kind == "platform":
                self.banned[victims] = True
            if cause.kind in {"actual_controller", "platform"}:
                self.boost[victims] *= cause.multiplier / 2
            if cause.kind == "maintenance_contractor":
                self.trap_contractors.extend(self.rows_of([cause.factor_key]).tolist())
        # The inspections drawn, kept for their findings and penalties (synth/inspections.py),
        # which are drawn after them and let it go once written.
        self.inspected: pl.DataFrame | None = None
        self.place_names = {d.code: d.name for d in load_divisions()}

    def rows_of(self, usccs: list[str]) -> np.ndarray:
        """Positions of the businesses with these codes."""
        rows: np.ndarray = np.flatnonzero(self.col["uscc"].is_in(usccs).to_numpy())
        return rows

    def gather(self, column: str, rows: np.ndarray) -> pl.Series:
        return self.col[column].gather(rows)

    def is_field(self, rows: np.ndarray, *names: str) -> np.ndarray:
        codes = [self.fields.index(n) for n in names if n in self.fields]
        result: np.ndarray = np.isin(self.field_idx[rows], codes)
        return result

    def options(
        self, table: dict[str, list[str]], rows: np.ndarray, draws: np.ndarray
    ) -> list[str]:
        """For each row, one entry of its field's list in ``table`` (general when absent)."""
        out: list[str] = []
        fallback = table.get("general", next(iter(table.values())))
        for f, u in zip(self.field_idx[rows], draws, strict=True):
            choices = table.get(self.fields[f], fallback)
            out.append(choices[int(u * len(choices))])
        return out
