"""The best AUC any scorer can reach on a synthetic province: the Bayes posterior of each
business's hidden propensity from its records, under the generator's own likelihoods.

    .venv/bin/python bench/risk_ceiling.py DIR   # a folder written by `lookthrough synth`

The generator draws each business's propensity from Beta(1.3, 9) and then, independently given
it: inspections ~ Poisson(rate · years · (0.7 + 2p)), each a violation with probability
min(0.95, 2.2p); samplings (fields that are sampled), each failed with min(0.9, 0.8p);
complaints ~ Poisson(complaint rate · years · (2.0 busy | 0.6 other fields) · (0.4 + 4p));
opinion posts ~ Poisson(0.02 · years · (0.5 + 3p)); the abnormal-operation list with
0.03 + 0.24p and the dishonesty list with 0.002 + 0.016p (``synth/inspections.py``,
``synth/sampling.py``, ``synth/complaints.py``, ``synth/more_events.py``). This script knows all
of that, links every mention through ``truth/mentions.csv`` (perfect entity resolution), reads
all four years, and scores each business by P(propensity in the top 10 % | its records) on a grid
of 500 points. No scorer that sees only the records can do better on average; the planted causes'
multipliers and bad oil, which it ignores, are the only information left out. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import polars as pl
from openpyxl import load_workbook
from sklearn.metrics import roc_auc_score

from lookthrough.synth.scales import SCALES

BUSY = ["catering", "live_commerce", "food_retail", "property"]
CODE = "统一社会信用代码"


def read_table(folder: Path, stem: str) -> pl.DataFrame:
    if (folder / f"{stem}.csv").exists():
        return pl.read_csv(folder / f"{stem}.csv", infer_schema=False)
    sheet = load_workbook(folder / f"{stem}.xlsx", read_only=True).active
    assert sheet is not None
    rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    return pl.DataFrame(rows[1:], schema=rows[0], orient="row")


def per_business(codes: pl.Series, index: dict[str, int]) -> np.ndarray:
    counts = np.zeros(len(index))
    for code, n in codes.value_counts().iter_rows():
        if code in index:
            counts[index[code]] += n
    return counts


def poisson(count: np.ndarray, lam: np.ndarray) -> np.ndarray:
    return count[:, None] * np.log(lam) - lam


def binomial(hits: np.ndarray, tries: np.ndarray, q: np.ndarray) -> np.ndarray:
    return hits[:, None] * np.log(q) + (tries - hits)[:, None] * np.log(1 - q)


def bernoulli(on: np.ndarray, q: np.ndarray) -> np.ndarray:
    return np.where(on[:, None], np.log(q), np.log(1 - q))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", type=Path)
    folder = parser.parse_args().folder
    scale = SCALES[json.loads((folder / "manifest.json").read_text())["scale"]]
    years = len(scale.years)
    truth = pl.read_csv(folder / "truth" / "propensity.csv")
    index = {code: i for i, code in enumerate(truth["uscc"].to_list())}

    inspections = read_table(folder, "inspections")
    n = per_business(inspections[CODE], index)
    v = per_business(inspections.filter(pl.col("检查结果") != "未发现问题")[CODE], index)
    sampling = read_table(folder, "sampling")
    code = next(c for c in sampling.columns if "信用代码" in c)
    verdict = next(c for c in sampling.columns if "结论" in c or "结果" in c)
    s = per_business(sampling[code], index)
    f = per_business(sampling.filter(pl.col(verdict).str.contains("不合格"))[code], index)
    mentions = pl.read_csv(folder / "truth" / "mentions.csv", infer_schema=False)
    complaints = pl.read_ndjson(folder / "complaints.jsonl", infer_schema_length=None)
    coded = complaints.filter(pl.col("被投诉对象统一社会信用代码") != "")
    c = per_business(mentions.filter(pl.col("kind") == "complaint")["uscc"], index)
    c += per_business(coded["被投诉对象统一社会信用代码"], index)
    o = per_business(mentions.filter(pl.col("kind") != "complaint")["uscc"], index)
    abnormal = per_business(read_table(folder, "abnormal_list")[CODE], index) > 0
    dishonest = per_business(read_table(folder, "dishonesty_list")[CODE], index) > 0
    busy = truth["field"].is_in(BUSY).to_numpy()

    grid = np.linspace(0.0005, 0.9995, 500)
    g = grid[None, :]
    log_post = np.repeat(
        ((1.3 - 1) * np.log(grid) + (9 - 1) * np.log(1 - grid))[None, :], len(n), 0
    )
    log_post += poisson(n, scale.inspection_rate * years * (0.7 + 2 * g))
    log_post += binomial(v, n, np.minimum(0.95, 2.2 * g))
    log_post += binomial(f, s, np.minimum(0.9, 0.8 * g))
    exposure = scale.complaint_rate * years * np.where(busy, 2.0, 0.6)[:, None]
    log_post += poisson(c, exposure * (0.4 + 4 * g))
    log_post += poisson(o, 0.02 * years * (0.5 + 3 * g))
    log_post += bernoulli(abnormal, 0.03 + 0.24 * g)
    log_post += bernoulli(dishonest, 0.002 + 0.016 * g)
    weights = np.exp(log_post - log_post.max(axis=1, keepdims=True))
    weights /= weights.sum(axis=1, keepdims=True)

    propensity = truth["propensity"].to_numpy()
    cut = np.quantile(propensity, 0.9)
    violator = propensity >= cut
    p_top = (weights * (grid >= cut)[None, :]).sum(axis=1)
    mean = (weights * g).sum(axis=1)
    top = np.argsort(-p_top)[: len(n) // 10]
    print(
        json.dumps(
            {
                "folder": str(folder),
                "businesses": len(n),
                "auc_ceiling": round(float(roc_auc_score(violator, p_top)), 4),
                "auc_posterior_mean": round(float(roc_auc_score(violator, mean)), 4),
                "lift_at_10pct": round(float(violator[top].mean() / violator.mean()), 2),
                "per_business": {
                    "inspections": round(float(n.mean()), 2),
                    "samplings": round(float(s.mean()), 2),
                    "complaints": round(float(c.mean()), 2),
                    "opinion_posts": round(float(o.mean()), 3),
                },
            },
            ensure_ascii=False,
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
