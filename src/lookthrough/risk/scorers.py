"""The two scorers side by side, both ending in a calibrated probability and per-indicator
contributions:

* the **scorecard** (评分卡) officials read and adjust: each indicator earns up to its weight in
  points as its value approaches the threshold; points over the applicable weights give a score
  of 0–100, which isotonic calibration on past outcomes turns into a probability;
* the **learned model** (学习模型): logistic regression over standardised indicators (exact
  additive contributions), or LightGBM (contributions from ``pred_contrib``), calibrated by
  isotonic regression on a held-out part of the training period.

Every model is saved as data (``to_params``): weights, coefficients and calibration steps as
JSON, a LightGBM booster as its text format — never a pickle.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from lookthrough.engine.definitions import IndicatorSpec
from lookthrough.risk.fields import FIELDS

FIELD_CODES = list(FIELDS)


def applies(spec: IndicatorSpec, fields: np.ndarray) -> np.ndarray:
    """Which businesses (by field) an indicator is meant for."""
    if "all" in spec.fields:
        return np.ones(len(fields), dtype=bool)
    result: np.ndarray = np.isin(fields, spec.fields)
    return result


def severity(spec: IndicatorSpec, values: np.ndarray) -> np.ndarray:
    """How far a value has gone towards its threshold, 0–1 (1 at or beyond it)."""
    if spec.higher_is_riskier:
        if spec.threshold <= 0:
            return (values > 0).astype(float)
        return np.clip(values / spec.threshold, 0.0, 1.0)
    span = max(spec.window_days - spec.threshold, 1.0)
    return np.clip((spec.window_days - values) / span, 0.0, 1.0)


def model_inputs(spec: IndicatorSpec, values: np.ndarray) -> np.ndarray:
    """An indicator's value as the learned model sees it: its transform, then ln(1+x) for
    counts and amounts so that one outlier does not dominate a linear model."""
    x = values.astype(float)
    if spec.transform == "binary":
        return (x > 0).astype(float)
    if spec.transform == "cap" and spec.cap is not None:
        x = np.minimum(x, spec.cap)
    if spec.aggregation == "rate":
        return x
    result: np.ndarray = np.sign(x) * np.log1p(np.abs(x))
    return result


@dataclass
class Calibration:
    """Isotonic steps from raw score to probability (np.interp between them)."""

    x: list[float]
    y: list[float]

    @classmethod
    def fit(cls, raw: np.ndarray, outcome: np.ndarray) -> Calibration:
        from sklearn.isotonic import IsotonicRegression

        iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0)
        iso.fit(raw, outcome)
        return cls([float(v) for v in iso.X_thresholds_], [float(v) for v in iso.y_thresholds_])

    def apply(self, raw: np.ndarray) -> np.ndarray:
        if not self.x:
            return np.zeros(len(raw))
        result: np.ndarray = np.interp(raw, self.x, self.y)
        return result


@dataclass
class Scored:
    probability: np.ndarray  # calibrated, 0–1
    contributions: np.ndarray  # rows × indicators, in the scorer's own units (+ = riskier)


class Scorer(ABC):
    """What the scorecard and the learned models share; each says how it scores and explains."""

    algorithm: str
    specs: list[IndicatorSpec]
    calibration: Calibration

    @abstractmethod
    def raw(self, values: np.ndarray, fields: np.ndarray) -> np.ndarray:
        """Uncalibrated scores, one per subject."""

    @abstractmethod
    def contributions(self, values: np.ndarray, fields: np.ndarray) -> np.ndarray:
        """Each indicator's share of each subject's score (subjects × indicators)."""

    def score(self, values: np.ndarray, fields: np.ndarray, *, explain: bool = True) -> Scored:
        raw = self.raw(values, fields)
        contrib = (
            self.contributions(values, fields) if explain else np.zeros((len(raw), len(self.specs)))
        )
        return Scored(self.calibration.apply(raw), contrib)

    @abstractmethod
    def to_params(self) -> tuple[dict[str, Any], str | None]:
        """What is stored to rebuild the scorer: parameters, and a model text if it has one."""


class Scorecard(Scorer):
    algorithm = "scorecard"

    def __init__(
        self,
        specs: Sequence[IndicatorSpec],
        weights: dict[str, float] | None = None,
        calibration: Calibration | None = None,
    ) -> None:
        self.specs = list(specs)
        self.weights = {s.code: float((weights or {}).get(s.code, s.weight)) for s in self.specs}
        self.calibration = calibration or Calibration([], [])

    def points(self, values: np.ndarray, fields: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Points earned per indicator, and the weight that could have been earned."""
        earned = np.zeros_like(values, dtype=float)
        possible = np.zeros_like(values, dtype=float)
        for j, spec in enumerate(self.specs):
            on = applies(spec, fields)
            w = self.weights[spec.code]
            possible[:, j] = np.where(on, w, 0.0)
            earned[:, j] = np.where(on, w * severity(spec, values[:, j]), 0.0)
        return earned, possible

    def raw(self, values: np.ndarray, fields: np.ndarray) -> np.ndarray:
        earned, possible = self.points(values, fields)
        total = possible.sum(axis=1)
        result: np.ndarray = np.where(
            total > 0, 100 * earned.sum(axis=1) / np.maximum(total, 1e-9), 0
        )
        return result

    def contributions(self, values: np.ndarray, fields: np.ndarray) -> np.ndarray:
        earned, possible = self.points(values, fields)
        total = np.maximum(possible.sum(axis=1, keepdims=True), 1e-9)
        result: np.ndarray = 100 * earned / total
        return result

    def fit(self, values: np.ndarray, fields: np.ndarray, outcome: np.ndarray) -> Scorecard:
        self.calibration = Calibration.fit(self.raw(values, fields), outcome)
        return self

    def to_params(self) -> tuple[dict[str, Any], str | None]:
        return {"weights": self.weights, "calibration": _calibration_data(self.calibration)}, None


def _calibration_data(cal: Calibration) -> dict[str, list[float]]:
    return {"x": cal.x, "y": cal.y}


def _design(specs: Sequence[IndicatorSpec], values: np.ndarray, fields: np.ndarray) -> np.ndarray:
    """The model's inputs, one column per indicator then one per field, filled into one matrix
    (stacking a list of columns held every column twice: at 7.5 M rows, gigabytes)."""
    design = np.empty((len(fields), len(specs) + len(FIELD_CODES)))
    for j, spec in enumerate(specs):
        design[:, j] = model_inputs(spec, values[:, j])
    for i, code in enumerate(FIELD_CODES):
        design[:, len(specs) + i] = fields == code
    return design


MIN_CHECKED = 200  # fewer checked businesses (or only one outcome among them): learn from all


def _split(
    n: int,
    seed: int = 7,
    *,
    checked: np.ndarray | None = None,
    outcome: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Training rows and held-out calibration rows (70 / 30), the same for a seed.

    With ``checked`` (businesses that were inspected or sampled in the outcome period), the
    model learns only from the checked training rows: whether a check finds a problem. A
    business nobody looked at has outcome 0 whatever its conduct, so learning from all rows
    also learns who gets inspected. Calibration still uses every held-out row, so the
    probability keeps its meaning (an adverse outcome within 12 months)."""
    order = np.random.default_rng(seed).permutation(n)
    cut = int(n * 0.7)
    train, hold = order[:cut], order[cut:]
    if checked is not None and outcome is not None:
        looked = train[checked[train]]
        if len(looked) >= MIN_CHECKED and 0 < outcome[looked].sum() < len(looked):
            train = looked
    return train, hold


class Logistic(Scorer):
    algorithm = "logistic"

    def __init__(self, specs: Sequence[IndicatorSpec], params: dict[str, Any] | None = None):
        self.specs = list(specs)
        p = params or {}
        self.mean = np.array(p.get("mean", []), dtype=float)
        self.std = np.array(p.get("std", []), dtype=float)
        self.coef = np.array(p.get("coef", []), dtype=float)
        self.intercept = float(p.get("intercept", 0.0))
        self.calibration = Calibration(**p.get("calibration", {"x": [], "y": []}))

    def _z(self, values: np.ndarray, fields: np.ndarray) -> np.ndarray:
        z = _design(self.specs, values, fields)
        z -= self.mean  # in place: the same numbers as (design - mean) / std, one matrix
        z /= self.std
        return z

    def fit(
        self,
        values: np.ndarray,
        fields: np.ndarray,
        outcome: np.ndarray,
        checked: np.ndarray | None = None,
    ) -> Logistic:
        from sklearn.linear_model import LogisticRegression

        design = _design(self.specs, values, fields)
        self.mean = design.mean(axis=0)
        self.std = np.where(design.std(axis=0) > 0, design.std(axis=0), 1.0)
        z = (design - self.mean) / self.std
        train, hold = _split(len(z), checked=checked, outcome=outcome)
        model = LogisticRegression(C=0.5, max_iter=2000)
        model.fit(z[train], outcome[train])
        self.coef = model.coef_[0]
        self.intercept = float(model.intercept_[0])
        self.calibration = Calibration.fit(z[hold] @ self.coef + self.intercept, outcome[hold])
        return self

    def raw(self, values: np.ndarray, fields: np.ndarray) -> np.ndarray:
        result: np.ndarray = self._z(values, fields) @ self.coef + self.intercept
        return result

    def contributions(self, values: np.ndarray, fields: np.ndarray) -> np.ndarray:
        k = len(self.specs)
        result: np.ndarray = self._z(values, fields)[:, :k] * self.coef[:k]
        return result

    def score(self, values: np.ndarray, fields: np.ndarray, *, explain: bool = True) -> Scored:
        z = self._z(values, fields)  # once: at 7.5 M businesses it is the costliest step
        raw = z @ self.coef + self.intercept
        k = len(self.specs)
        contrib = z[:, :k] * self.coef[:k] if explain else np.zeros((len(raw), k))
        return Scored(self.calibration.apply(raw), contrib)

    def to_params(self) -> tuple[dict[str, Any], str | None]:
        return {
            "mean": self.mean.tolist(),
            "std": self.std.tolist(),
            "coef": self.coef.tolist(),
            "intercept": self.intercept,
            "fields": FIELD_CODES,
            "calibration": _calibration_data(self.calibration),
        }, None


class Boosted(Scorer):
    """LightGBM over the raw indicator values and the field (as a category)."""

    algorithm = "lightgbm"

    def __init__(
        self,
        specs: Sequence[IndicatorSpec],
        booster_text: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> None:
        import lightgbm as lgb

        self.specs = list(specs)
        self.booster = lgb.Booster(model_str=booster_text) if booster_text else None
        self.calibration = Calibration(**(params or {}).get("calibration", {"x": [], "y": []}))

    def _matrix(self, values: np.ndarray, fields: np.ndarray) -> np.ndarray:
        index = {f: i for i, f in enumerate(FIELD_CODES)}
        codes = np.array([index.get(f, len(FIELD_CODES) - 1) for f in fields], dtype=float)
        return np.column_stack([values.astype(float), codes])

    def fit(
        self,
        values: np.ndarray,
        fields: np.ndarray,
        outcome: np.ndarray,
        checked: np.ndarray | None = None,
    ) -> Boosted:
        import lightgbm as lgb

        matrix = self._matrix(values, fields)
        train, hold = _split(len(matrix), checked=checked, outcome=outcome)
        names = [s.code for s in self.specs] + ["field"]
        data = lgb.Dataset(
            matrix[train], outcome[train], feature_name=names, categorical_feature=["field"]
        )
        params = {
            "objective": "binary",
            "learning_rate": 0.05,
            "num_leaves": 15,
            "min_data_in_leaf": 50,
            "feature_fraction": 0.9,
            "verbose": -1,
            "num_threads": 2,
            "seed": 7,
        }
        self.booster = lgb.train(params, data, num_boost_round=200)
        raw = self.booster.predict(matrix[hold], raw_score=True)
        self.calibration = Calibration.fit(np.asarray(raw), outcome[hold])
        return self

    def raw(self, values: np.ndarray, fields: np.ndarray) -> np.ndarray:
        assert self.booster is not None
        return np.asarray(self.booster.predict(self._matrix(values, fields), raw_score=True))

    def contributions(self, values: np.ndarray, fields: np.ndarray) -> np.ndarray:
        assert self.booster is not None
        contrib = np.asarray(self.booster.predict(self._matrix(values, fields), pred_contrib=True))
        return contrib[:, : len(self.specs)]

    def to_params(self) -> tuple[dict[str, Any], str | None]:
        assert self.booster is not None
        return {"calibration": _calibration_data(self.calibration)}, self.booster.model_to_string()


ALGORITHMS = ("scorecard", "logistic", "lightgbm")


def new_scorer(algorithm: str, specs: Sequence[IndicatorSpec]) -> Scorer:
    if algorithm == "scorecard":
        return Scorecard(specs)
    if algorithm == "logistic":
        return Logistic(specs)
    if algorithm == "lightgbm":
        return Boosted(specs)
    raise ValueError(algorithm)


def fit(
    scorer: Scorer,
    values: np.ndarray,
    fields: np.ndarray,
    outcome: np.ndarray,
    checked: np.ndarray | None = None,
) -> Scorer:
    """Fit a scorer; ``checked`` marks the rows whose outcome comes from a real check (see
    ``_split``); the scorecard's points are set by people and only calibrated."""
    if isinstance(scorer, Logistic | Boosted):
        scorer.fit(values, fields, outcome, checked)
    elif isinstance(scorer, Scorecard):
        scorer.fit(values, fields, outcome)
    return scorer


def restore(
    algorithm: str, specs: Sequence[IndicatorSpec], params: dict[str, Any], booster: str | None
) -> Scorer:
    """A saved model, back from its data."""
    if algorithm == "scorecard":
        return Scorecard(specs, params.get("weights"), Calibration(**params["calibration"]))
    if algorithm == "logistic":
        return Logistic(specs, params)
    return Boosted(specs, booster, params)
