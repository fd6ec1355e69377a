"""The rubric file (data/course/rubrics.yml): models, steps and flags as course content."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Dict, List, Optional

from pydantic import BaseModel, Extra, conint, constr, validator

from bot.domain.scenarios.loader import load_model
from bot.domain.vocabulary import Vocabulary, check_ids
from bot.settings import settings

RUBRIC_FILE = settings().rubric_file

if TYPE_CHECKING:  # mypy reads the constrained types as what they hold
    Text = str
    Penalty = int
    Percent = int
else:
    Text = constr(min_length=1)
    Penalty = conint(ge=0, le=50)
    Percent = conint(ge=0, le=100)


class _Strict(BaseModel):
    class Config:
        extra = Extra.forbid


class Step(_Strict):
    id: Text
    name: Text
    advice: Text
    counts: Text  # the definition: which message performs this step (shown to learners and tutors)
    missed: Text  # the learner-facing sentence when the step was not done


class ModelSpec(_Strict):
    id: Text
    name: Text
    ordered: bool
    steps: List[Step]
    applies: Optional[Text] = None  # when only some scenarios score it: which (see SCENARIO_MODELS)


class FlagSpec(_Strict):
    label: Text
    penalty: Penalty
    message: Text
    advice: Text
    tip: Text  # the coach's own sentence for "What to do better" (never the message or advice again)


class KpiLines(_Strict):
    """What the customer says when rating the contact: a line per CSAT rating, a reason per cause."""

    ratings: Dict[int, Text]
    reasons: Dict[str, Text]

    @validator("ratings")
    def every_rating(cls, ratings):
        missing = [r for r in range(1, 6) if r not in ratings]
        if missing:
            raise ValueError(f"missing rating line(s) for {missing}")
        return ratings

    @validator("reasons")
    def every_reason(cls, reasons):
        missing = [r for r in KPI_REASONS if r not in reasons]
        if missing:
            raise ValueError(f"missing reason(s) {missing}")
        return reasons


KPI_REASONS = (
    "resolved",
    "resolved_no_when",
    "handed_over",
    "handed_over_needless",
    "blamed",
    "brushed_off",
    "not_resolved",
    "left",
)


class Rubrics(_Strict):
    models: List[ModelSpec]
    flags: Dict[str, FlagSpec]
    outcomes: Dict[str, int]
    pass_mark: Percent = 70
    generic_cap: Percent = 40
    kpis: KpiLines

    @validator("flags")
    def every_model_and_flag(cls, flags, values):
        """The rubric file may reword the vocabulary, never change its ids."""
        models = values.get("models")
        if models is not None:
            check_ids({m.id: tuple(s.id for s in m.steps) for m in models}, tuple(flags))
        return flags

    @validator("outcomes")
    def every_outcome(cls, outcomes):
        missing = [o for o in ("satisfied", "unsatisfied", "escalated", "abandoned") if o not in outcomes]
        if missing:
            raise ValueError(f"missing outcome(s) {missing}")
        return outcomes


def pass_mark() -> int:
    """The assessment-mode pass mark: COACH_PASS_MARK, else the rubric file's."""
    configured = settings().pass_mark
    return configured if configured is not None else rubrics().pass_mark


@lru_cache(maxsize=1)
def rubrics() -> Rubrics:
    loaded, errors = load_model(RUBRIC_FILE, Rubrics)
    if loaded is None:
        raise RuntimeError("rubric file is broken: " + "; ".join(map(str, errors)))
    return loaded


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """Every move, model, step and flag with its label and description (see bot.domain.vocabulary)."""
    return Vocabulary.from_rubrics(rubrics())
