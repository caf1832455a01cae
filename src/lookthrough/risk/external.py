"""The backtest on an external feature table (one row per visit or subject-period).

``--id`` names the subject, ``--date`` the day of the row, ``--label`` whether it was a violation
(1/0, true/false, 是/否); every other column is a feature, text columns as categories. Rows
dated before ``--split`` train the model, the rest are scored and measured.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from lookthrough.core.errors import FileRejected, ValidationFailed
from lookthrough.risk import metrics
from lookthrough.risk.scorers import Calibration

TRUE = {"1", "true", "yes", "y", "是", "t", "1.0"}
FALSE = {"0", "false", "no", "n", "否", "f", "0.0"}


def _read(path: Path) -> pl.DataFrame:
    try:
        return pl.read_csv(path, infer_schema_length=10_000, try_parse_dates=False)
    except (pl.exceptions.PolarsError, UnicodeDecodeError, OSError) as error:
        raise FileRejected(f"无法读取特征表 {path.name}：{error}") from error


def _labels(column: pl.Series) -> np.ndarray:
    text = column.cast(pl.String).str.strip_chars().str.to_lowercase()
    bad = text.filter(~text.is_in(list(TRUE | FALSE)) | text.is_null())
    if len(bad):
        raise ValidationFailed(
            f"标签列“{column.name}”有 {len(bad)} 行无法识别（如“{bad[0]}”），"
            "须为 1/0、true/false 或 是/否"
        )
    return text.is_in(list(TRUE)).to_numpy().astype(int)


def _dates(column: pl.Series) -> np.ndarray:
    if column.dtype == pl.Date:
        parsed = column
    else:
        text = column.cast(pl.String).str.strip_chars()
        parsed = text.str.to_date("%Y-%m-%d", strict=False)
        parsed = parsed.fill_null(text.str.to_date("%Y%m%d", strict=False))
    if parsed.null_count():
        first = column.filter(parsed.is_null())[0]
        raise ValidationFailed(
            f"日期列“{column.name}”有 {parsed.null_count()} 行无法识别（如“{first}”），"
            "须为 YYYY-MM-DD 或 YYYYMMDD"
        )
    return np.array([d.toordinal() for d in parsed.to_list()], dtype=np.int64)


def _features(table: pl.DataFrame) -> tuple[np.ndarray, list[str], list[int]]:
    columns: list[np.ndarray] = []
    names: list[str] = []
    categorical: list[int] = []
    for name in table.columns:
        col = table[name]
        if col.dtype.is_numeric() or col.dtype == pl.Boolean:
            columns.append(col.cast(pl.Float64).to_numpy())
        else:
            codes = col.cast(pl.String).cast(pl.Categorical).to_physical().cast(pl.Float64)
            columns.append(codes.fill_null(np.nan).to_numpy())
            categorical.append(len(names))
        names.append(name)
    if not columns:
        raise ValidationFailed("特征表除编号、日期、标签外没有特征列")
    return np.column_stack(columns), names, categorical


def backtest_table(
    path: Path, *, id_col: str, date_col: str, label_col: str, split: dt.date
) -> dict[str, Any]:
    """Train LightGBM on the rows before ``split``, score the rest, report the measures."""
    import lightgbm as lgb

    table = _read(path)
    missing = [c for c in (id_col, date_col, label_col) if c not in table.columns]
    if missing:
        raise ValidationFailed(
            f"特征表缺少列：{'、'.join(missing)}（现有列：{'、'.join(table.columns)}）"
        )
    days = _dates(table[date_col])
    label = _labels(table[label_col])
    values, names, categorical = _features(table.drop([id_col, date_col, label_col]))
    train = days < split.toordinal()
    test = ~train
    if train.sum() < 20 or test.sum() < 20:
        raise ValidationFailed(
            f"按 {split.isoformat()} 划分后训练集 {int(train.sum())} 行、"
            f"测试集 {int(test.sum())} 行，"
            "两者都至少要 20 行"
        )
    if label[train].min() == label[train].max():
        raise ValidationFailed("训练集的标签只有一种取值，无法训练")
    order = np.flatnonzero(train)
    rng = np.random.default_rng(7)
    rng.shuffle(order)
    cut = int(len(order) * 0.8)
    fit_rows, hold_rows = order[:cut], order[cut:]
    params = {
        "objective": "binary",
        "learning_rate": 0.05,
        "num_leaves": 15,
        "min_data_in_leaf": 50,
        "metric": "auc",
        "verbose": -1,
        "num_threads": 2,
        "seed": 7,
    }
    data = lgb.Dataset(
        values[fit_rows],
        label[fit_rows],
        feature_name=names,
        categorical_feature=categorical or "auto",
    )
    held = lgb.Dataset(values[hold_rows], label[hold_rows], reference=data)
    # The held-out fifth of the training period picks the number of trees (early stopping)
    # and then calibrates: a small table is easily overfitted by 300 trees.
    booster = lgb.train(
        params,
        data,
        num_boost_round=500,
        valid_sets=[held],
        callbacks=[lgb.early_stopping(30, verbose=False)],
    )
    calibration = Calibration.fit(
        np.asarray(booster.predict(values[hold_rows], raw_score=True)), label[hold_rows]
    )
    score = calibration.apply(np.asarray(booster.predict(values[test], raw_score=True)))
    # Ties broken by the raw score, so that calibration steps do not flatten the ranking.
    raw = np.asarray(booster.predict(values[test], raw_score=True))
    ranked = score + raw * 1e-9
    out = metrics.summary(label[test], ranked, visits=(days[test], ranked, label[test]))
    gain = booster.feature_importance("gain")
    return {
        "features": names,
        "split": split.isoformat(),
        "n_train": int(train.sum()),
        **out,
        "importance": {n: round(float(g), 2) for n, g in zip(names, gain, strict=True)},
    }
