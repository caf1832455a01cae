"""Real Anhui geography for synthetic businesses: counties weighted by size, towns within."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lookthrough.regions.divisions import load_divisions

# Rough economic weight of each city (prefix) relative to the others, so Hefei is busiest.
CITY_WEIGHT = {
    "3401": 3.0,
    "3402": 1.6,
    "3412": 1.5,
    "3413": 1.2,
    "3415": 1.1,
    "3408": 1.1,
    "3411": 1.1,
    "3403": 1.0,
    "3416": 1.0,
    "3404": 0.9,
    "3405": 0.9,
    "3418": 0.9,
}


@dataclass(frozen=True, slots=True)
class Geography:
    counties: np.ndarray  # county codes (str)
    county_names: np.ndarray
    city_names: np.ndarray  # the county's city name
    weights: np.ndarray  # probability of a business being registered in each county
    towns: dict[str, np.ndarray]  # county → its town codes
    town_names: dict[str, str]
    all_towns: np.ndarray  # every town code, sorted (businesses refer to them by position)

    @classmethod
    def load(cls, rng: np.random.Generator) -> Geography:
        divisions = load_divisions()
        names = {d.code: d.name for d in divisions}
        counties = sorted(d.code for d in divisions if d.level == "county")
        towns: dict[str, list[str]] = {c: [] for c in counties}
        for d in divisions:
            if d.level == "town" and d.parent_code in towns:
                towns[d.parent_code].append(d.code)
        raw = np.array([CITY_WEIGHT.get(c[:4], 0.8) * rng.lognormal(0.0, 0.4) for c in counties])
        return cls(
            counties=np.array(counties),
            county_names=np.array([names[c] for c in counties]),
            city_names=np.array([names[c[:4]] for c in counties]),
            weights=raw / raw.sum(),
            towns={c: np.array(t or [c]) for c, t in towns.items()},
            town_names={d.code: d.name for d in divisions if d.level == "town"},
            all_towns=np.array(
                sorted(
                    [t for ts in towns.values() for t in ts]
                    + [c for c, ts in towns.items() if not ts]
                )
            ),
        )

    def place(self, rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        """County index and town index (into ``all_towns``) for n businesses."""
        county_index = rng.choice(len(self.counties), size=n, p=self.weights)
        town_index = np.empty(n, dtype=np.int64)
        for index in np.unique(county_index):
            where = np.flatnonzero(county_index == index)
            options = np.searchsorted(self.all_towns, self.towns[self.counties[index]])
            town_index[where] = options[rng.integers(0, len(options), size=len(where))]
        return county_index, town_index
