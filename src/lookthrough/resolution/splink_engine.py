"""The Splink engine: probabilistic linkage (Fellegi–Sunter, m and u learnt from the data).

The same normalised names as the rule engine go into Splink, which blocks with its own rules
(the core or the 字号 within the county, and the two one-character-typo neighbourhoods), learns
u by random sampling and m by expectation maximisation, and scores every pair. Its pairwise
Bayes factors then go through the same competition as the rules (``rules.posterior``-like: the
candidates of a mention share the evidence, with room for a business outside the county), so
both engines answer the same question: how likely is this candidate the business meant.

The backend is a seam: DuckDB by default, on a connection that may not install or load any
extension (nothing is fetched at run time); ``SplinkEngine(backend=spark_backend(session))``
runs the same model on Spark.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import duckdb
import polars as pl

from lookthrough.resolution.engine import KEEP, Progress
from lookthrough.resolution.rules import Comparison, NameLevel, Region, Scored, Thresholds

Backend = Callable[[], Any]  # returns a Splink DatabaseAPI

NAME_LEVELS = (  # (Chinese label, our level) in Splink's order, most specific first
    ("名称全称一致", NameLevel.FULL),
    ("名称一致（去掉地名、组织形式后）", NameLevel.CORE),
    ("名称仅差一字（可能写错或同音字）", NameLevel.EDIT1),
    ("只写了字号，字号一致", NameLevel.TRADE),
    ("名称相近", NameLevel.FUZZY),
    ("名称不符", NameLevel.NONE),
)
REGION_LEVELS = (("同一县区", Region.COUNTY), ("不同县区", Region.CITY))


def offline_duckdb() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB that will not install or load extensions (no network, ever)."""
    return duckdb.connect(
        ":memory:",
        config={
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "allow_community_extensions": False,
        },
    )


def duckdb_backend() -> Any:
    from splink import DuckDBAPI

    return DuckDBAPI(connection=offline_duckdb())


def spark_backend(spark: Any) -> Backend:
    """The Spark seam: ``SplinkEngine(backend=spark_backend(spark_session))``.

    Needs pyspark and Splink's similarity jar on the session (see docs/resolution.md); not
    installed by default.
    """

    def make() -> Any:
        from splink.backends.spark import SparkAPI

        return SparkAPI(spark_session=spark)  # type: ignore[no-untyped-call]

    return make


def _table(frame: pl.DataFrame, *, ids: pl.Expr, region: str) -> pl.DataFrame:
    core = pl.col("core")
    return frame.select(
        unique_id=ids,
        clean=pl.col("clean"),
        core=core,
        trade=pl.col("trade"),
        industry=pl.col("industry"),
        region=pl.col(region),
        county=pl.col(region).str.slice(0, 6),
        head1=core.str.slice(0, 1),
        tail2=core.str.slice(-2),
        rest=core.str.slice(1),
    ).with_columns(pl.col("county").replace("", None))


def settings(*, tf: bool = True) -> Any:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    name = cl.CustomComparison(
        output_column_name="name",
        comparison_levels=[
            cll.NullLevel("core"),
            cll.CustomLevel("clean_l = clean_r", NAME_LEVELS[0][0]),
            cll.ExactMatchLevel("core", term_frequency_adjustments=tf).configure(
                label_for_charts=NAME_LEVELS[1][0]
            ),
            cll.CustomLevel(
                "length(core_l) >= 3 and length(core_r) >= 3 and levenshtein(core_l, core_r) <= 1",
                NAME_LEVELS[2][0],
            ),
            cll.CustomLevel(
                "(industry_l = '' and core_l = trade_r) or (industry_r = '' and core_r = trade_l)",
                NAME_LEVELS[3][0],
            ),
            cll.CustomLevel("jaro_winkler_similarity(core_l, core_r) >= 0.8", NAME_LEVELS[4][0]),
            cll.ElseLevel(),
        ],
    )
    region = cl.CustomComparison(
        output_column_name="region",
        comparison_levels=[
            cll.NullLevel("county"),
            cll.CustomLevel("county_l = county_r", REGION_LEVELS[1][0]),
            cll.ElseLevel(),
        ],
    )
    return SettingsCreator(
        link_type="link_only",
        comparisons=[name, region],
        blocking_rules_to_generate_predictions=[
            block_on("core", "county"),
            block_on("trade", "county"),
            block_on("head1", "tail2", "county"),
            block_on("rest", "county"),
        ],
        retain_intermediate_calculation_columns=True,
    )


@dataclass
class SplinkEngine:
    """Splink on DuckDB (or Spark), trained on the batch it links."""

    backend: Backend = field(default=duckdb_backend)
    name: str = "splink"
    max_pairs: float = 2e6  # random pairs for u

    def match(
        self,
        entities: pl.DataFrame,
        mentions: pl.DataFrame,
        thresholds: Thresholds,
        *,
        progress: Progress | None = None,
    ) -> dict[int, list[Scored]]:
        from splink import Linker, block_on

        logging.getLogger("splink").setLevel(logging.ERROR)
        left = _table(entities, ids=pl.concat_str(pl.lit("e"), pl.col("entity_id")),
                      region="region_code")  # fmt: skip
        right = _table(mentions.with_row_index("m"), ids=pl.concat_str(pl.lit("m"), pl.col("m")),
                       region="search_region")  # fmt: skip
        db_api = self.backend()
        tables = [
            db_api.register(left.to_arrow(), table_name="entities"),
            db_api.register(right.to_arrow(), table_name="mentions"),
        ]
        linker = Linker(tables, settings(), log_level=logging.ERROR)
        linker.training.estimate_probability_two_random_records_match(
            [block_on("core", "county")], recall=0.7
        )
        linker.training.estimate_u_using_random_sampling(max_pairs=self.max_pairs, seed=1)
        linker.training.estimate_parameters_using_expectation_maximisation(
            block_on("tail2", "county"), fix_u_probabilities=True
        )
        linker.training.estimate_parameters_using_expectation_maximisation(
            block_on("head1", "county"), fix_u_probabilities=True
        )
        predicted = linker.inference.predict().as_pyarrow_table()  # type: ignore[no-untyped-call]
        pairs = pl.from_arrow(predicted)
        assert isinstance(pairs, pl.DataFrame)
        lam = linker._settings_obj._probability_two_random_records_match
        prior = _log2(lam / (1 - lam))
        sizes = left.group_by("county").len()
        return _compete(pairs, right, sizes, prior=prior, thresholds=thresholds,
                        progress=progress)  # fmt: skip


def _log2(x: float) -> float:
    import math

    return math.log2(x)


def _compete(
    pairs: pl.DataFrame,
    mentions: pl.DataFrame,
    sizes: pl.DataFrame,
    *,
    prior: float,
    thresholds: Thresholds,
    progress: Progress | None,
) -> dict[int, list[Scored]]:
    """Pairwise Bayes factors → each candidate's probability among the mention's candidates,
    with ``outside_share`` spread as one random business of the county each."""
    o = thresholds.outside_share
    left, right = pl.col("unique_id_l"), pl.col("unique_id_r")
    entity = pl.when(left.str.starts_with("e")).then(left).otherwise(right)
    mention = pl.when(left.str.starts_with("m")).then(left).otherwise(right)
    scored = (
        pairs.with_columns(
            e=entity.str.slice(1).cast(pl.Int64),
            m=mention.str.slice(1).cast(pl.Int64),
            bf=(2.0 ** (pl.col("match_weight") - prior)),
        )
        .join(
            mentions.select(
                m=pl.col("unique_id").str.slice(1).cast(pl.Int64), county=pl.col("county")
            ),
            on="m",
        )
        .join(sizes, on="county", how="left")
        .filter(pl.col("gamma_name") > 0)
        .with_columns(
            score=(1 - o)
            * pl.col("bf")
            / ((1 - o) * pl.col("bf").sum().over("m") + o * pl.col("len").fill_null(1))
        )
        .sort(["m", "score"], descending=[False, True])
    )
    results: dict[int, list[Scored]] = {}
    n_levels = len(NAME_LEVELS)
    for row in scored.iter_rows(named=True):
        kept = results.setdefault(int(row["m"]), [])
        if len(kept) >= KEEP:
            continue
        name_label, level = NAME_LEVELS[n_levels - 1 - int(row["gamma_name"])]
        region_gamma = int(row["gamma_region"]) if row.get("gamma_region") is not None else -1
        reasons = [f"{name_label}（{_weight(row, 'name'):+.1f}）"]
        if region_gamma >= 0:
            label, _ = REGION_LEVELS[len(REGION_LEVELS) - 1 - region_gamma]
            reasons.append(f"{label}（{_weight(row, 'region'):+.1f}）")
        reasons.append(f"Splink 匹配权重 {row['match_weight']:.1f}")
        kept.append(
            Scored(
                entity_id=int(row["e"]),
                score=round(float(row["score"]), 4),
                comparison=Comparison(name=level, region=Region.COUNTY),
                reasons=reasons,
            )
        )
    if progress:
        progress(mentions.height)
    return results


def _weight(row: dict[str, Any], comparison: str) -> float:
    bf = row.get(f"bf_{comparison}")
    tf = row.get(f"bf_tf_adj_{comparison}") or 1.0
    return _log2(float(bf) * float(tf)) if bf else 0.0
