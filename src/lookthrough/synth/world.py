"""What the businesses own and how they are linked — and the planted common causes.

The causes are what penetration analysis must find: a maintenance contractor whose elevators
trap people, an oil supplier whose oil fails acid-value tests at its customers, an actual
controller behind shell companies, a platform whose live-commerce shops make banned claims.

Everything per business is a numeric numpy array or a polars column: at 7.5 million
businesses, Python strings per business would not fit in memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from lookthrough.synth import people
from lookthrough.synth.codes import ascii_matrix, make_codes, serial_bodies
from lookthrough.synth.entities import TYPE_LABEL, field_shares
from lookthrough.synth.scales import Scale
from lookthrough.synth.series import cat
from lookthrough.synth.vocab import PLATFORMS

PLATFORM_SERIAL = 20_000_000  # organisation-code serials above every business's
PLATFORM_FIELD = "platform"


@dataclass(frozen=True, slots=True)
class Cause:
    cause_id: str
    kind: str  # maintenance_contractor | oil_supplier | actual_controller | platform
    factor_type: str  # entity | person
    factor_key: str  # uscc, or person key
    factor_name: str
    problem: str
    affected: list[str]  # USCCs of the businesses it harms
    multiplier: float


@dataclass(slots=True)
class World:
    entities: pl.DataFrame
    field_names: list[str]
    elevators: pl.DataFrame = field(default_factory=pl.DataFrame)
    cylinders: pl.DataFrame = field(default_factory=pl.DataFrame)
    lots: pl.DataFrame = field(default_factory=pl.DataFrame)
    shops: pl.DataFrame = field(default_factory=pl.DataFrame)
    supplies: pl.DataFrame = field(default_factory=pl.DataFrame)
    controls: pl.DataFrame = field(default_factory=pl.DataFrame)
    causes: list[Cause] = field(default_factory=list)

    def field_code(self, name: str) -> int:
        return self.field_names.index(name)

    def idx_of(self, *fields: str) -> np.ndarray:
        codes = [self.field_code(f) for f in fields]
        return np.flatnonzero(np.isin(self.entities["field_idx"].to_numpy(), codes))

    def strings(self, column: str, rows: np.ndarray) -> list[str]:
        """Some businesses' values of a text column (only those rows become Python strings)."""
        return self.entities[column].gather(rows).to_list()


def _platforms(start: int, field_code: int) -> pl.DataFrame:
    regions = {"11": "110105", "33": "330110", "31": "310115", "44": "440300"}
    six = [regions[p[2]] for p in PLATFORMS]
    n = len(PLATFORMS)
    codes = make_codes(
        ascii_matrix(["91"] * n, 2),
        ascii_matrix(six, 6),
        serial_bodies(np.arange(n) + PLATFORM_SERIAL),
    )
    return pl.DataFrame(
        {
            "idx": np.arange(start, start + n, dtype=np.int64),
            "uscc": codes,
            "name": [f"{p[0]}网络科技有限公司" for p in PLATFORMS],
            "short_name": [p[0] for p in PLATFORMS],
            "entity_type": [TYPE_LABEL["91"]] * n,
            "region": ["34"] * n,
            "county": ["34"] * n,
            "industry_code": ["I6432"] * n,
            "field": [PLATFORM_FIELD] * n,
            "county_idx": pl.Series([-1] * n, dtype=pl.Int16),
            "field_idx": pl.Series([field_code] * n, dtype=pl.Int8),
            "address": ["（外省平台，登记地见统一社会信用代码）"] * n,
            "legal_rep": ["平台负责人"] * n,
            "phone": ["4000000000"] * n,
            "capital_wan": [100000.0] * n,
            "registered_on": pl.Series([18000] * n).cast(pl.Int32).cast(pl.Date),
            "size": ["大"] * n,
            "propensity": [0.05] * n,
        }
    )


def _cities(entities: pl.DataFrame, county_idx: np.ndarray) -> np.ndarray:
    """Each business's city as a number (its 4-digit code; -1 for the platforms)."""
    pairs = entities.select("county_idx", "county").unique().filter(pl.col("county_idx") >= 0)
    lookup = np.full(int(pairs["county_idx"].to_numpy().max(initial=0)) + 1, -1, dtype=np.int64)
    lookup[pairs["county_idx"].to_numpy()] = [int(c[:4]) for c in pairs["county"].to_list()]
    return np.where(county_idx >= 0, lookup[np.clip(county_idx, 0, None)], -1)


def _by_group(members: np.ndarray, groups: np.ndarray) -> dict[int, np.ndarray]:
    order = np.argsort(groups[members], kind="stable")
    sorted_members = members[order]
    keys, starts = np.unique(groups[sorted_members], return_index=True)
    return {
        int(k): part for k, part in zip(keys, np.split(sorted_members, starts[1:]), strict=True)
    }


def _assign(
    rng: np.random.Generator,
    who: np.ndarray,
    group: np.ndarray,
    pools: dict[int, np.ndarray],
    fallback: np.ndarray,
) -> np.ndarray:
    """For each of ``who``, one member of the pool of its group (or of the fallback)."""
    chosen = np.empty(len(who), dtype=np.int64)
    draws = rng.random(len(who))
    for g in np.unique(group[who]):
        where = np.flatnonzero(group[who] == g)
        pool = pools.get(int(g), fallback)
        chosen[where] = pool[(draws[where] * len(pool)).astype(np.int64)]
    return chosen


def build(rng: np.random.Generator, scale: Scale, entities: pl.DataFrame) -> World:
    names = [*field_shares()[0], PLATFORM_FIELD]
    entities = pl.concat([entities, _platforms(len(entities), names.index(PLATFORM_FIELD))])
    world = World(entities, names)
    county_idx = entities["county_idx"].to_numpy().astype(np.int64)
    city = _cities(entities, county_idx)
    # Elevators: used by property managers, maintained by a contractor of the same city.
    users = world.idx_of("property")
    user_of = np.repeat(users, rng.integers(3, 25, len(users)))
    contractors = world.idx_of("elevator_maintenance")
    maintainer = _assign(rng, user_of, city, _by_group(contractors, city), contractors)
    n = len(user_of)
    years = rng.integers(2003, 2024, n)
    region = entities["region"]
    county = entities["county"]
    world.elevators = pl.DataFrame(
        {
            "identifier": cat(
                pl.lit("3110"),
                county.gather(user_of),
                pl.Series(years).cast(pl.String),
                pl.Series(np.arange(n)).cast(pl.String).str.zfill(6),
            ),
            "user_idx": user_of,
            "maintainer_idx": maintainer,
            "region": region.gather(user_of),
            "installed": years,
            "age_risk": rng.beta(2, 8, n) + (2025 - years) / 100,
        }
    )
    stations = world.idx_of("gas_filling")
    owner = np.repeat(stations, rng.integers(20, 120, len(stations)))
    world.cylinders = pl.DataFrame(
        {
            "identifier": cat(
                pl.lit("QP"),
                county.gather(owner),
                pl.Series(np.arange(len(owner))).cast(pl.String).str.zfill(7),
            ),
            "owner_idx": owner,
            "region": region.gather(owner),
        }
    )
    producers = world.idx_of(
        "edible_oil",
        "meat",
        "dairy",
        "infant_formula",
        "food_production",
        "cable",
        "gas_appliance",
        "ebike",
    )
    lot_owner = np.repeat(producers, rng.integers(2, 8, len(producers)))
    serial = np.arange(len(lot_owner))
    world.lots = pl.DataFrame(
        {
            "identifier": cat(
                pl.lit("69"),
                pl.Series(lot_owner % 10**8).cast(pl.String).str.zfill(8),
                pl.Series(serial % 1000).cast(pl.String).str.zfill(3),
                pl.lit("-B"),
                pl.Series(serial).cast(pl.String).str.zfill(7),
            ),
            "producer_idx": lot_owner,
            "region": region.gather(lot_owner),
        }
    )
    sellers = world.idx_of("live_commerce")
    platform_idx = world.idx_of(PLATFORM_FIELD)
    on = platform_idx[rng.integers(0, len(platform_idx), len(sellers))]
    world.shops = pl.DataFrame(
        {
            "identifier": cat(pl.lit("SHOP"), entities["uscc"].gather(sellers).str.slice(8, 10)),
            "owner_idx": sellers,
            "platform_idx": on,
            "region": region.gather(sellers),
        }
    )
    world.supplies = _supplies(rng, world, city)
    world.controls = _controls(rng, world)
    world.causes = _causes(rng, scale, world)
    return world


def _supplies(rng: np.random.Generator, world: World, city: np.ndarray) -> pl.DataFrame:
    """Producers → wholesalers → shops and restaurants, mostly within a city."""
    wholesalers = world.idx_of("food_wholesale")
    makers = world.idx_of("edible_oil", "meat", "dairy", "food_production")
    buyers = world.idx_of("food_retail", "catering")
    per = rng.integers(1, 4, len(wholesalers))
    first_to = np.repeat(wholesalers, per)
    first_from = makers[rng.integers(0, len(makers), len(first_to))]
    buyer_rows = np.repeat(buyers, rng.integers(1, 3, len(buyers)))
    seller_rows = _assign(rng, buyer_rows, city, _by_group(wholesalers, city), wholesalers)
    return pl.DataFrame(
        {
            "supplier_idx": np.concatenate([first_from, seller_rows]),
            "customer_idx": np.concatenate([first_to, buyer_rows]),
        }
    ).unique(maintain_order=True)


def _controls(rng: np.random.Generator, world: World) -> pl.DataFrame:
    """Ordinary owners of a few companies each (the planted controllers come with the causes)."""
    kinds = world.entities["entity_type"]
    companies = np.flatnonzero((kinds == TYPE_LABEL["91"]).to_numpy())
    owners = max(4, len(companies) // 40)
    names = people.person_names(rng, owners)
    holder = rng.integers(0, owners, min(len(companies), owners * 3))
    owned = rng.choice(companies, size=len(holder), replace=False)
    return pl.DataFrame(
        {
            "person_key": cat(pl.lit("P"), pl.Series(holder).cast(pl.String).str.zfill(7)),
            "person_name": names.gather(holder),
            "entity_idx": owned,
        }
    )


def _pick(rng: np.random.Generator, pool: np.ndarray, k: int) -> np.ndarray:
    return rng.choice(pool, size=min(k, len(pool)), replace=False) if len(pool) else pool


def _causes(rng: np.random.Generator, scale: Scale, world: World) -> list[Cause]:
    k = scale.causes_per_kind
    causes: list[Cause] = []

    def who(rows: np.ndarray) -> list[str]:
        return sorted(set(world.strings("uscc", np.unique(rows))))

    def one(column: str, row: int) -> str:
        return world.strings(column, np.array([row]))[0]

    elevators = world.elevators
    for n, c in enumerate(_pick(rng, np.unique(elevators["maintainer_idx"].to_numpy()), k)):
        users = elevators.filter(pl.col("maintainer_idx") == c)["user_idx"].to_numpy()
        causes.append(
            Cause(
                f"C-M{n + 1}",
                "maintenance_contractor",
                "entity",
                one("uscc", c),
                one("name", c),
                "电梯困人",
                who(users),
                6.0,
            )
        )
    supplies = world.supplies
    for n, s in enumerate(_pick(rng, world.idx_of("edible_oil"), k)):
        first = supplies.filter(pl.col("supplier_idx") == s)["customer_idx"].to_numpy()
        second = supplies.filter(pl.col("supplier_idx").is_in(first))["customer_idx"].to_numpy()
        causes.append(
            Cause(
                f"C-O{n + 1}",
                "oil_supplier",
                "entity",
                one("uscc", s),
                one("name", s),
                "食用植物油酸价超标",
                who(np.concatenate([first, second])),
                8.0,
            )
        )
    companies = np.flatnonzero((world.entities["entity_type"] == TYPE_LABEL["91"]).to_numpy())
    planted: list[dict[str, object]] = []
    for n in range(k):
        shells = _pick(rng, companies, int(rng.integers(4, 9)))
        key, person = f"PX{n + 1:04d}", people.person_names(rng, 1)[0]
        planted += [
            {"person_key": key, "person_name": person, "entity_idx": int(s)} for s in shells
        ]
        causes.append(
            Cause(
                f"C-P{n + 1}",
                "actual_controller",
                "person",
                key,
                str(person),
                "空壳企业失联、经营异常",
                who(shells),
                10.0,
            )
        )
    world.controls = pl.concat(
        [
            world.controls,
            pl.DataFrame(
                planted,
                schema={"person_key": pl.String, "person_name": pl.String, "entity_idx": pl.Int64},
            ),
        ]
    )
    shops = world.shops
    for n, p in enumerate(_pick(rng, world.idx_of(PLATFORM_FIELD), min(k, 2))):
        sellers = shops.filter(pl.col("platform_idx") == p)["owner_idx"].to_numpy()
        causes.append(
            Cause(
                f"C-L{n + 1}",
                "platform",
                "entity",
                one("uscc", p),
                one("name", p),
                "直播带货使用绝对化用语",
                who(sellers),
                5.0,
            )
        )
    return causes
