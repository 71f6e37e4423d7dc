"""A deal's win probability from the org's own history: stage + flags + rep, a binomial GLM (statsmodels).

Fitted on the covariate patterns of deals since closed (deal-weeks, as frequency weights). The rep enters as
one covariate: the rep's win rate among those deal-weeks, shrunk towards the org's (``REP_PRIOR`` deal-weeks
of the org's rate) and put on the log-odds scale, so a rep with few closed deals sits near the org and a
thousand reps cost one column, not a thousand. A stage seen in fewer than ``MIN_STAGE_WEEKS`` deal-weeks
shares the reference level. Predictions stay inside [0.005, 0.995].
"""

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm

from coaching.backtest.flags import HISTORY_FLAGS

REP_PRIOR = 30.0
MIN_STAGE_WEEKS = 20
CALIBRATION_BINS = 10
FLOOR = 0.005
MODEL_FLAGS = tuple(flag.key for flag in HISTORY_FLAGS)


def _logit(p: float) -> float:
    p = min(max(p, FLOOR), 1 - FLOOR)
    return math.log(p / (1 - p))


@dataclass(frozen=True)
class WinParameters:
    intercept: float
    stages: dict[str, float]
    flags: dict[str, float]
    rep_coefficient: float
    rep_effects: dict[str, float]
    base_rate: float

    def linear(self, stage: str, flags: dict[str, int], owner: str) -> float:
        value = self.intercept + self.stages.get(stage, 0.0)
        value += sum(coef * int(flags.get(key, 0)) for key, coef in self.flags.items())
        return value + self.rep_coefficient * self.rep_effects.get(owner, 0.0)

    def probability(self, stage: str, flags: dict[str, int], owner: str) -> float:
        p = 1.0 / (1.0 + math.exp(-self.linear(stage, flags, owner)))
        return min(max(p, FLOOR), 1 - FLOOR)

    def as_json(self) -> dict[str, Any]:
        return {
            "intercept": self.intercept,
            "stages": self.stages,
            "flags": self.flags,
            "rep_coefficient": self.rep_coefficient,
            "rep_effects": self.rep_effects,
            "base_rate": self.base_rate,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "WinParameters":
        return cls(
            float(data["intercept"]),
            {str(k): float(v) for k, v in data["stages"].items()},
            {str(k): float(v) for k, v in data["flags"].items()},
            float(data["rep_coefficient"]),
            {str(k): float(v) for k, v in data["rep_effects"].items()},
            float(data["base_rate"]),
        )


def rep_effects(frame: pd.DataFrame, base_rate: float) -> dict[str, float]:
    by_rep = frame.assign(w=frame["n"] * frame["won"]).groupby("owner")[["w", "n"]].sum()
    shrunk = (by_rep["w"] + REP_PRIOR * base_rate) / (by_rep["n"] + REP_PRIOR)
    base = _logit(base_rate)
    return {str(owner): _logit(float(rate)) - base for owner, rate in shrunk.items()}


def fit_win_model(frame: pd.DataFrame) -> WinParameters | None:
    """None when the patterns cannot carry a model (no wins or no losses)."""
    total = int(frame["n"].sum()) if not frame.empty else 0
    wins = int((frame["n"] * frame["won"]).sum()) if total else 0
    if total == 0 or wins in (0, total):
        return None
    base_rate = wins / total
    effects = rep_effects(frame, base_rate)
    weeks_by_stage = frame.groupby("stage")["n"].sum()
    stages = sorted(str(stage) for stage, weeks in weeks_by_stage.items() if weeks >= MIN_STAGE_WEEKS)
    reference, levels = (stages[0], stages[1:]) if stages else ("", [])
    columns = {"const": np.ones(len(frame))}
    for stage in levels:
        columns[f"stage:{stage}"] = (frame["stage"] == stage).to_numpy(dtype=float)
    for key in MODEL_FLAGS:
        columns[f"flag:{key}"] = frame[key].to_numpy(dtype=float)
    columns["rep"] = frame["owner"].map(effects).fillna(0.0).to_numpy(dtype=float)
    design = pd.DataFrame(columns)
    design = design.loc[:, (design != 0).any(axis=0)]  # a flag nobody carried has no coefficient to learn
    model = sm.GLM(frame["won"].to_numpy(dtype=float), design, family=sm.families.Binomial(),
                   freq_weights=frame["n"].to_numpy(dtype=float))  # fmt: skip
    try:
        fitted = model.fit()
    except (ValueError, np.linalg.LinAlgError):
        return None
    params = fitted.params
    if not np.all(np.isfinite(params.to_numpy())):
        return None
    return WinParameters(
        intercept=float(params["const"]),
        stages={reference: 0.0, **{stage: float(params.get(f"stage:{stage}", 0.0)) for stage in levels}},
        flags={key: float(params.get(f"flag:{key}", 0.0)) for key in MODEL_FLAGS},
        rep_coefficient=float(params.get("rep", 0.0)),
        rep_effects=effects,
        base_rate=base_rate,
    )


def predict(parameters: WinParameters, frame: pd.DataFrame) -> np.ndarray:
    """The win probability of every row of ``frame`` (stage, owner and the flags), vectorized."""
    linear = parameters.intercept + frame["stage"].astype(str).map(parameters.stages).fillna(0.0).to_numpy(float)
    for key, coefficient in parameters.flags.items():
        linear = linear + coefficient * frame[key].to_numpy(dtype=float)
    effects = frame["owner"].astype(str).map(parameters.rep_effects).fillna(0.0).to_numpy(float)
    linear = linear + parameters.rep_coefficient * effects
    return np.clip(1.0 / (1.0 + np.exp(-linear)), FLOOR, 1 - FLOOR)


@dataclass(frozen=True)
class Calibration:
    brier: float
    bins: list[dict[str, float]]  # mean predicted, observed win rate, deal-weeks


def calibration(predicted: np.ndarray, frame: pd.DataFrame) -> Calibration:
    """Brier score and a reliability table (equal-width bins of the prediction), weighted by deal-weeks."""
    weights, outcome = frame["n"].to_numpy(dtype=float), frame["won"].to_numpy(dtype=float)
    brier = float(np.sum(weights * (predicted - outcome) ** 2) / np.sum(weights))
    edges = np.minimum((predicted * CALIBRATION_BINS).astype(int), CALIBRATION_BINS - 1)
    bins = []
    for index in range(CALIBRATION_BINS):
        inside = edges == index
        count = float(weights[inside].sum())
        if count:
            bins.append(
                {
                    "low": index / CALIBRATION_BINS,
                    "predicted": float(np.sum(weights[inside] * predicted[inside]) / count),
                    "observed": float(np.sum(weights[inside] * outcome[inside]) / count),
                    "n": count,
                }
            )
    return Calibration(brier, bins)
