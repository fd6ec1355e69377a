"""The typed scorecard: the one contract between scoring and every renderer and export.

Scoring builds a :class:`Scorecard`; chat channels, the web page, the tutor dashboard, reports
and exports read one. Its JSON (``as_json()``) is the shape documented in docs/assessment.md;
optional parts (a step's advice, notes, the assessment verdict) are left out when absent,
exactly as before the type existed, so stored conversations read back unchanged.
``SCORECARD_VERSION`` is bumped, and the change documented, if that JSON ever changes.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from pydantic import BaseModel, ValidationError

SCORECARD_VERSION = 3  # 2: adds breakdown, kpis, models.*.lost and steps.*.note; 3: root_cause


class _Part(BaseModel):
    class Config:
        extra = "ignore"  # stored cards may carry keys a newer coach added


class Quote(_Part):
    """A learner turn cited as evidence."""

    turn: int
    quote: str


class StepResult(_Part):
    id: str
    met: bool
    evidence: List[Quote] = []
    advice: Optional[str] = None  # only when the step was not met
    note: Optional[str] = None  # partial credit explained: the step was met, but only in a spoiled message


class PointsLost(_Part):
    """Why a model is below 100: one missed step, or steps met out of order (``step == "order"``).

    The ``points`` of a model's lines add up to exactly ``100 - score``.
    """

    step: str
    points: int
    why: str
    turns: List[int] = []


class ModelResult(_Part):
    score: int
    steps: List[StepResult]
    lost: List[PointsLost] = []


class ScoreLine(_Part):
    """One line of the overall score's sum: the models' average, a flag, the outcome, a cap or the floor."""

    kind: str  # "models" | "flag" | "outcome" | "cap" | "floor"
    label: str
    points: float
    id: Optional[str] = None
    turns: List[int] = []


class Breakdown(_Part):
    """How ``overall`` is made: its ``lines`` add up to it (the first line's average kept to one decimal)."""

    lines: List[ScoreLine]
    overall: int


class FlagResult(_Part):
    id: str
    turns: List[int] = []
    message: str
    advice: str


class Strength(_Part):
    what: str
    turn: int
    quote: str


class Improvement(_Part):
    what: str
    turn: Optional[int]
    quote: str = ""
    better: str = ""


class Feedback(_Part):
    strengths: List[Strength] = []
    improvements: List[Improvement] = []


class AssessmentResult(_Part):
    pass_mark: int
    passed: bool
    attempt: int


class Kpis(_Part):
    """Service KPIs (spec: the ``kpis`` block), each derived from the conversation; ``why`` says how."""

    csat: int  # 1-5, the customer's own rating
    nps: int  # 0-10, likelihood to recommend
    nps_category: str  # promoter (9-10), passive (7-8), detractor (0-6)
    first_contact_resolution: bool
    turns: int
    handle_seconds: Optional[int] = None  # None when the messages carried no times
    customer_says: str = ""  # the rating, said in role, with the reason
    why: Dict[str, str] = {}


class RootCauseReview(_Part):
    """The root-cause review of the learner's reflection: the deepest link of the cause chain it names."""

    verdict: str  # "root_cause" | "immediate_cause" | "symptom" | "vague"
    named: Optional[str] = None  # the link it reached, as the scenario words it
    next_why: Optional[str] = None  # the question to ask next, unless the root cause was found
    prevention: bool = False  # it says a way to stop it happening again
    root_cause: str = ""  # the scenario's root cause, for the tutor
    message: str = ""  # the coach's reply to the learner


class Scorecard(_Part):
    scenario: str
    persona: str
    difficulty: str
    outcome: str
    overall: int
    models: Dict[str, ModelResult]
    flags: List[FlagResult] = []
    mood: List[int] = []
    notes: Optional[List[str]] = None  # why the overall score was capped, when it was
    assessment: Optional[AssessmentResult] = None  # assessment mode only
    feedback: Feedback = Feedback()
    breakdown: Optional[Breakdown] = None  # absent on scorecards stored before it existed
    kpis: Optional[Kpis] = None  # likewise
    root_cause: Optional[RootCauseReview] = None  # only once the learner has answered the reflection

    def as_json(self) -> Dict[str, Any]:
        """The scorecard JSON: what the channels send and the tracker stores."""
        return self.dict(exclude_unset=True)

    def step(self, model_id: str, step_id: str) -> Optional[StepResult]:
        model = self.models.get(model_id)
        return next((s for s in model.steps if s.id == step_id), None) if model else None

    @classmethod
    def read(cls, raw: Any) -> Optional["Scorecard"]:
        """A stored or received scorecard, or None when it is not one (renderers then say so)."""
        if isinstance(raw, Scorecard):
            return raw
        if not isinstance(raw, dict):
            return None
        try:
            return cls.parse_obj(raw)
        except ValidationError:
            return None
