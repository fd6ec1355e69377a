"""Where every point goes: why each model is below 100, and how the overall score is summed.

A learner who sees "overall 0" next to model bars of 20-50, or "LURC 98", must be able to
read why on the same screen. So the arithmetic that makes the numbers lives here, once,
and returns its own explanation: scoring calls it, every renderer shows what it returns.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from bot.domain.assessment.scorecard import Breakdown, FlagResult, ModelResult, PointsLost, ScoreLine, StepResult
from bot.domain.vocabulary import model_applies

ORDER_POINTS = 15  # of an ordered model's 100, the share for doing its met steps in order


def signed_points(value: float) -> str:
    """A breakdown line's points as every renderer shows them: +62.4, −10, +0 (a true minus sign)."""
    number = float(value or 0)
    text = f"{number:+.1f}" if number != int(number) else f"{int(number):+d}"
    return text.replace("-", "−")


def model_score(steps: Sequence[StepResult], ordered: bool) -> Tuple[float, float]:
    """(points for steps met, points for their order) before rounding; they add up to the raw score."""
    n = len(steps)
    met = [s for s in steps if s.met]
    if not ordered:
        return 100 * len(met) / n, 0.0
    step_share = (100 - ORDER_POINTS) * len(met) / n
    return step_share, ORDER_POINTS * _in_order(met) * len(met) / n


def _in_order(met: Sequence[StepResult]) -> float:
    firsts = [s.evidence[0].turn for s in met if s.evidence]
    pairs = [(a, b) for i, a in enumerate(firsts) for b in firsts[i + 1 :]]
    return sum(1 for a, b in pairs if a <= b) / len(pairs) if pairs else 1.0


def _first_inversion(met: Sequence[StepResult]) -> Tuple[StepResult, StepResult] | None:
    """The first pair of met steps where the later step of the model came first in the conversation."""
    with_turns = [s for s in met if s.evidence]
    for i, earlier in enumerate(with_turns):
        for later in with_turns[i + 1 :]:
            if later.evidence[0].turn < earlier.evidence[0].turn:
                return earlier, later
    return None


def points_lost(steps: Sequence[StepResult], ordered: bool, names: Dict[str, str], score: int) -> List[PointsLost]:
    """One line per missed step (and one for order), in whole points that add up to ``100 - score``."""
    n = len(steps)
    raw: List[Tuple[PointsLost, float]] = []
    for step in steps:
        if not step.met:
            why = f"{names.get(step.id, step.id)}: not done in this conversation."
            raw.append((PointsLost(step=step.id, points=0, why=why), 100 / n))
    met = [s for s in steps if s.met]
    inversion = _first_inversion(met) if ordered else None
    if inversion is not None:
        earlier, later = inversion
        lost = ORDER_POINTS * (1 - _in_order(met)) * len(met) / n
        why = (
            f"Order: {names.get(later.id, later.id)} (turn {later.evidence[0].turn}) came before "
            f"{names.get(earlier.id, earlier.id)} (turn {earlier.evidence[0].turn}); this model expects the reverse."
        )
        turns = sorted({later.evidence[0].turn, earlier.evidence[0].turn})
        raw.append((PointsLost(step="order", points=0, why=why, turns=turns), lost))
    return _whole_points(raw, 100 - score)


def _whole_points(raw: List[Tuple[PointsLost, float]], total: int) -> List[PointsLost]:
    """Round each share down, then give the leftover points to the largest remainders (so they sum to total)."""
    floors = [math.floor(share) for _, share in raw]
    leftover = total - sum(floors)
    by_remainder = sorted(range(len(raw)), key=lambda i: (floors[i] - raw[i][1], i))
    for i in by_remainder[: max(0, leftover)]:
        floors[i] += 1
    out = []
    for (line, _), points in zip(raw, floors):
        if points > 0:
            line.points = points
            out.append(line)
    return out


def overall_score(
    models: Dict[str, ModelResult],
    flags: Sequence[FlagResult],
    penalties: Dict[str, int],
    labels: Dict[str, str],
    outcome: Tuple[str, int],
    cap: int | None,
) -> Breakdown:
    """The overall score as a sum: the models' average, minus each flag, plus the outcome, then cap and floor."""
    mean = sum(m.score for m in models.values()) / len(models)
    lines = [
        ScoreLine(
            kind="models",
            label=f"Average of the {len(models)} model scores (each model counts the same)",
            points=round(mean, 1),
        )
    ]
    for flag in flags:
        if not penalties[flag.id]:
            continue  # a flag that teaches without costing points (symptom_as_root_cause) is no term of the sum
        label = f"Flag: {labels.get(flag.id, flag.id)}"
        lines.append(ScoreLine(kind="flag", id=flag.id, label=label, points=-penalties[flag.id], turns=flag.turns))
    name, adjustment = outcome
    if adjustment:
        lines.append(ScoreLine(kind="outcome", id=name, label=f"Outcome: {name}", points=adjustment))
    total = mean - sum(penalties[f.id] for f in flags) + adjustment
    overall = max(0, min(100, round(total)))
    if round(total) < 0:
        lines.append(ScoreLine(kind="floor", label="A score cannot go below 0", points=-round(total)))
    if cap is not None and overall > cap:
        label = f"Capped at {cap}: nothing you wrote was about this customer's situation"
        lines.append(ScoreLine(kind="cap", label=label, points=cap - overall))
        overall = cap
    return Breakdown(lines=lines, overall=overall)


def model_results(
    spec: Any,
    scenario: Any,
    judge: Callable[[str, str], Dict],
    phrasing: Dict[str, str],
    note: Optional[Callable[[StepResult], Optional[str]]] = None,
) -> Dict[str, ModelResult]:
    """Every model the scenario scores: each step judged (``judge(model, step)`` gives met and
    evidence), advice for a missed one (with the scenario's model answer), the score and its lost points.

    Complaints and coaching conversations share this; only their step rules (``judge``) differ."""
    models = {}
    for model in spec.models:
        if not model_applies(model.id, scenario):
            continue
        steps = []
        for step in model.steps:
            result = judge(model.id, step.id)
            entry = StepResult(id=step.id, met=result["met"], evidence=result["evidence"])
            said = note(entry) if note and entry.met else None
            if said:
                entry.note = said
            if not entry.met:
                better = phrasing.get(step.id)
                entry.advice = step.advice + (f' For example: "{better}"' if better else "")
            steps.append(entry)
        score = round(sum(model_score(steps, model.ordered)))
        lost = points_lost(steps, model.ordered, {s.id: s.name for s in model.steps}, score)
        models[model.id] = ModelResult(score=score, steps=steps, lost=lost)
    return models


def course_sum(
    spec: Any, models: Dict[str, ModelResult], flags: Sequence[FlagResult], outcome: str, cap: Optional[int]
) -> Breakdown:
    """``overall_score`` with the rubric file's flag penalties, flag labels and outcome points."""
    return overall_score(
        models,
        flags,
        penalties={flag_id: flag.penalty for flag_id, flag in spec.flags.items()},
        labels={flag_id: flag.label for flag_id, flag in spec.flags.items()},
        outcome=(outcome, spec.outcomes.get(outcome, 0)),
        cap=cap,
    )


def flag_results(
    spec: Any, rules: Mapping[str, Callable[[], Optional[List[int]]]], message: Callable[[str, str], str]
) -> List[FlagResult]:
    """Each flag whose rule fires (the rule gives its turns, or None), with ``message(flag id, base)`` and the advice."""
    flags = []
    for flag_id, check in rules.items():
        turns = check()
        if turns is not None:
            flag = spec.flags[flag_id]
            flags.append(
                FlagResult(id=flag_id, turns=turns, message=message(flag_id, flag.message), advice=flag.advice)
            )
    return flags
