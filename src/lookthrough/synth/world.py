"""What the businesses own and how they are linked — and the planted common causes.

The causes are what penetration analysis must find: a maintenance contractor whose elevators
trap people, an oil supplier whose oil fails acid-value tests at its customers, an actual
controller behind shell companies, a platform whose live-commerce shops make banned claims.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from lookthrough.synth import people
from lookthrough.synth.codes import ascii_matrix, make_codes, serial_bodies
from lookthrough.synth.entities import TYPE_LABEL
from lookthrough.synth.scales import Scale
from lookthrough.synth.vocab import PLATFORMS

PLATFORM_SERIAL = 20_000_000  # organisation-code serials above every business's


@dataclass(frozen=True, slots=True)
class Cause:
    cause_id: str
    kind: str  # maintenance_contractor | oil_supplier | actual_controller | platform
    factor_type: str  # entity | person
    factor_key: str  # uscc, or person key
    factor_name: str
    problem: str
    affected: list[str]  # USCCs of the businesses (or subject identifiers) it harms
    multiplier: float


@dataclass(slots=True)
class World:
    entities: pl.DataFrame
    elevators: pl.DataFrame
    cylinders: pl.DataFrame
    lots: pl.DataFrame
    shops: pl.DataFrame
    supplies: pl.DataFrame
    controls: pl.DataFrame
    causes: list[Cause] = field(default_factory=list)

    def idx_of(self, fields: str | tuple[str, ...]) -> np.ndarray:
        wanted = (fields,) if isinstance(fields, str) else fields
        return self.entities.filter(pl.col("field").is_in(wanted))["idx"].to_numpy()


def _platforms(start: int) -> pl.DataFrame:
    regions = {"11": "110105", "33": "330110", "31": "310115", "44": "440300"}
    six = [regions[p[2]] for p in PLATFORMS]
    codes = make_codes(
        ascii_matrix(["91"] * len(PLATFORMS), 2),
        ascii_matrix(six, 6),
        serial_bodies(np.arange(len(PLATFORMS)) + PLATFORM_SERIAL),
    )
    n = len(PLATFORMS)
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
            "field": ["platform"] * n,
            "address": ["（外省平台，登记地见统一社会信用代码）"] * n,
            "legal_rep": ["平台负责人"] * n,
            "phone": ["4000000000"] * n,
            "capital_wan": [100000.0] * n,
            "registered_on": pl.Series([18000] * n).cast(pl.Int32).cast(pl.Date),
            "size": ["大"] * n,
            "propensity": [0.05] * n,
        }
    )


def build(rng: np.random.Generator, scale: Scale, entities: pl.DataFrame) -> World:
    entities = pl.concat([entities, _platforms(len(entities))])
    empty = pl.DataFrame()
    world = World(
        entities,
        elevators=empty,
        cylinders=empty,
        lots=empty,
        shops=empty,
        supplies=empty,
        controls=empty,
    )
    county = entities["county"].to_numpy()
    region = entities["region"].to_numpy()
    uscc = entities["uscc"].to_numpy()
    # Elevators: used by property managers, maintained by a contractor of the same city.
    users = world.idx_of("property")
    counts = rng.integers(3, 25, len(users))
    user_of = np.repeat(users, counts)
    contractors = world.idx_of("elevator_maintenance")
    by_city: dict[str, np.ndarray] = {}
    for c in contractors:
        by_city.setdefault(county[c][:4], np.array([], dtype=np.int64))
        by_city[county[c][:4]] = np.append(by_city[county[c][:4]], c)
    maintainer = np.empty(len(user_of), dtype=np.int64)
    for i, user in enumerate(user_of):
        options = by_city.get(county[user][:4], contractors)
        maintainer[i] = options[rng.integers(0, len(options))]
    n = len(user_of)
    years = rng.integers(2003, 2024, n)
    world.elevators = pl.DataFrame(
        {
            "identifier": [
                f"3110{county[u]}{y}{i:06d}"
                for i, (u, y) in enumerate(zip(user_of, years, strict=True))
            ],
            "user_idx": user_of,
            "maintainer_idx": maintainer,
            "region": region[user_of],
            "installed": years,
            "age_risk": rng.beta(2, 8, n) + (2025 - years) / 100,
        }
    )
    # Gas cylinders owned by filling stations.
    stations = world.idx_of("gas_filling")
    owner = np.repeat(stations, rng.integers(20, 120, len(stations)))
    world.cylinders = pl.DataFrame(
        {
            "identifier": [f"QP{county[o]}{i:07d}" for i, o in enumerate(owner)],
            "owner_idx": owner,
            "region": region[owner],
        }
    )
    # Product lots of producers, with GTIN-style codes.
    producers = world.idx_of(
        (
            "edible_oil",
            "meat",
            "dairy",
            "infant_formula",
            "food_production",
            "cable",
            "gas_appliance",
            "ebike",
        )
    )
    lot_owner = np.repeat(producers, rng.integers(2, 8, len(producers)))
    world.lots = pl.DataFrame(
        {
            "identifier": [
                f"69{o % 10**8:08d}{i % 1000:03d}-B{i:07d}" for i, o in enumerate(lot_owner)
            ],
            "producer_idx": lot_owner,
            "region": region[lot_owner],
        }
    )
    # Live-commerce shops on platforms.
    sellers = world.idx_of("live_commerce")
    platform_idx = world.idx_of("platform")
    on = platform_idx[rng.integers(0, len(platform_idx), len(sellers))]
    world.shops = pl.DataFrame(
        {
            "identifier": [f"SHOP{uscc[s][-10:]}" for s in sellers],
            "owner_idx": sellers,
            "platform_idx": on,
            "region": region[sellers],
        }
    )
    world.supplies = _supplies(rng, world, county)
    world.controls = _controls(rng, scale, world)
    world.causes = _causes(rng, scale, world)
    return world


def _supplies(rng: np.random.Generator, world: World, county: np.ndarray) -> pl.DataFrame:
    """Producers → wholesalers → shops and restaurants, mostly within a city."""
    wholesalers = world.idx_of("food_wholesale")
    makers = world.idx_of(("edible_oil", "meat", "dairy", "food_production"))
    buyers = world.idx_of(("food_retail", "catering"))
    rows_from: list[np.ndarray] = []
    rows_to: list[np.ndarray] = []
    # Each wholesaler buys from 1–3 producers anywhere in the province.
    per = rng.integers(1, 4, len(wholesalers))
    rows_to.append(np.repeat(wholesalers, per))
    rows_from.append(makers[rng.integers(0, len(makers), per.sum())])
    # Each shop or restaurant buys from 1–2 wholesalers of its own city when there is one.
    city_of = np.array([c[:4] for c in county])
    pool: dict[str, np.ndarray] = {}
    for w in wholesalers:
        pool.setdefault(city_of[w], np.array([], dtype=np.int64))
        pool[city_of[w]] = np.append(pool[city_of[w]], w)
    per = rng.integers(1, 3, len(buyers))
    buyer_rows = np.repeat(buyers, per)
    seller_rows = np.empty(len(buyer_rows), dtype=np.int64)
    draws = rng.random(len(buyer_rows))
    for i, b in enumerate(buyer_rows):
        options = pool.get(city_of[b], wholesalers)
        seller_rows[i] = options[int(draws[i] * len(options))]
    rows_from.append(seller_rows)
    rows_to.append(buyer_rows)
    frame = pl.DataFrame(
        {"supplier_idx": np.concatenate(rows_from), "customer_idx": np.concatenate(rows_to)}
    )
    return frame.unique(maintain_order=True)


def _controls(rng: np.random.Generator, scale: Scale, world: World) -> pl.DataFrame:
    """Actual controllers: planted ones behind shells, and ordinary owners of a few firms."""
    companies = world.entities.filter(pl.col("entity_type") == TYPE_LABEL["91"])["idx"].to_numpy()
    people_n = max(4, len(companies) // 40)
    names = people.person_names(rng, people_n).to_list()
    holder = rng.integers(0, people_n, min(len(companies), people_n * 3))
    owned = rng.choice(companies, size=len(holder), replace=False)
    return pl.DataFrame(
        {
            "person_key": [f"P{h:07d}" for h in holder],
            "person_name": [names[h] for h in holder],
            "entity_idx": owned,
        }
    )


def _pick(rng: np.random.Generator, pool: np.ndarray, k: int) -> np.ndarray:
    return rng.choice(pool, size=min(k, len(pool)), replace=False) if len(pool) else pool


def _causes(rng: np.random.Generator, scale: Scale, world: World) -> list[Cause]:
    e = world.entities
    uscc, name = e["uscc"].to_numpy(), e["name"].to_numpy()
    k = scale.causes_per_kind
    causes: list[Cause] = []
    elevators = world.elevators
    for n, c in enumerate(_pick(rng, np.unique(elevators["maintainer_idx"].to_numpy()), k)):
        affected = elevators.filter(pl.col("maintainer_idx") == c)
        causes.append(
            Cause(
                f"C-M{n + 1}",
                "maintenance_contractor",
                "entity",
                str(uscc[c]),
                str(name[c]),
                "电梯困人",
                sorted(set(uscc[affected["user_idx"].to_numpy()])),
                6.0,
            )
        )
    supplies = world.supplies
    oil = world.idx_of("edible_oil")
    for n, s in enumerate(_pick(rng, oil, k)):
        first = supplies.filter(pl.col("supplier_idx") == s)["customer_idx"].to_numpy()
        second = supplies.filter(pl.col("supplier_idx").is_in(first))["customer_idx"].to_numpy()
        downstream = sorted(set(uscc[np.concatenate([first, second])]))
        causes.append(
            Cause(
                f"C-O{n + 1}",
                "oil_supplier",
                "entity",
                str(uscc[s]),
                str(name[s]),
                "食用植物油酸价超标",
                downstream,
                8.0,
            )
        )
    companies = e.filter(pl.col("entity_type") == TYPE_LABEL["91"])["idx"].to_numpy()
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
                sorted(set(uscc[shells])),
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
    for n, p in enumerate(_pick(rng, world.idx_of("platform"), min(k, 2))):
        sellers = shops.filter(pl.col("platform_idx") == p)["owner_idx"].to_numpy()
        causes.append(
            Cause(
                f"C-L{n + 1}",
                "platform",
                "entity",
                str(uscc[p]),
                str(name[p]),
                "直播带货使用绝对化用语",
                sorted(set(uscc[sellers])),
                5.0,
            )
        )
    return causes
