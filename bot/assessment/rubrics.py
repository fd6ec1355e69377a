"""The rubric file (data/course/rubrics.yml): models, steps and flags as course content."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Dict, List

from pydantic import BaseModel, Extra, conint, constr, validator

from bot.scenarios.loader import PROJECT_ROOT, load_model

RUBRIC_FILE = Path(os.environ.get("COACH_RUBRIC_FILE", PROJECT_ROOT / "data" / "course" / "rubrics.yml"))

MODEL_STEPS = {
    "HEAT": ["hear", "empathise", "apologise", "take_action"],
    "LATER": ["listen", "apologise", "thank", "explain", "resolve"],
    "AAA": ["acknowledge", "apologise", "act"],
    "LURC": ["listen", "understand", "resolve", "confirm"],
    "RATER": ["reliability", "assurance", "tangibles", "empathy", "responsiveness"],
    "CYCLE": ["listen", "empathise", "act", "follow_up"],
    "SOLVE": ["identify", "evaluate_options", "justify", "implement", "review"],
}
FLAGS = ("action_before_empathy", "scripted_apology", "blamed_customer", "dismissive_language",
         "negative_language", "over_promise", "unnecessary_escalation", "missed_escalation",
         "no_expectations_set", "no_satisfaction_check", "details_not_captured", "history_not_reviewed",
         "not_documented", "customer_not_involved")


class _Strict(BaseModel):
    class Config:
        extra = Extra.forbid


class Step(_Strict):
    id: constr(min_length=1)
    name: constr(min_length=1)
    advice: constr(min_length=1)


class ModelSpec(_Strict):
    id: constr(min_length=1)
    name: constr(min_length=1)
    ordered: bool
    steps: List[Step]


class FlagSpec(_Strict):
    penalty: conint(ge=0, le=50)
    message: constr(min_length=1)
    advice: constr(min_length=1)


class Rubrics(_Strict):
    models: List[ModelSpec]
    flags: Dict[str, FlagSpec]
    outcomes: Dict[str, int]
    pass_mark: conint(ge=0, le=100) = 70
    generic_cap: conint(ge=0, le=100) = 40

    @validator("models")
    def every_model(cls, models):
        found = {m.id: [s.id for s in m.steps] for m in models}
        for model_id, steps in MODEL_STEPS.items():
            if found.get(model_id) != steps:
                raise ValueError(f"model {model_id} must have steps {steps}, found {found.get(model_id)}")
        return models

    @validator("flags")
    def every_flag(cls, flags):
        missing = [f for f in FLAGS if f not in flags]
        if missing:
            raise ValueError(f"missing flag(s) {missing}")
        return flags

    @validator("outcomes")
    def every_outcome(cls, outcomes):
        missing = [o for o in ("satisfied", "unsatisfied", "escalated", "abandoned") if o not in outcomes]
        if missing:
            raise ValueError(f"missing outcome(s) {missing}")
        return outcomes


def pass_mark() -> int:
    """The assessment-mode pass mark: COACH_PASS_MARK, else the rubric file's."""
    value = os.environ.get("COACH_PASS_MARK", "").strip()
    if value.isdigit() and 0 <= int(value) <= 100:
        return int(value)
    return rubrics().pass_mark


@lru_cache(maxsize=1)
def rubrics() -> Rubrics:
    loaded, errors = load_model(RUBRIC_FILE, Rubrics)
    if loaded is None:
        raise RuntimeError("rubric file is broken: " + "; ".join(map(str, errors)))
    return loaded
