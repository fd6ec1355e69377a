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

SCORECARD_VERSION = 1


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


class ModelResult(_Part):
    score: int
    steps: List[StepResult]


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
