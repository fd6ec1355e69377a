"""Feedback that teaches: strongest moments, most important improvements, a readable summary."""

from __future__ import annotations

from typing import List

from bot.domain.assessment.rubrics import rubrics
from bot.domain.assessment.scorecard import Feedback, Improvement, Scorecard, Strength

# Which step shows which strength, most valuable first.
_STRENGTHS = [
    ("HEAT", "empathise", "You recognised how this affected the customer"),
    ("LURC", "confirm", "You confirmed the customer was happy with the solution"),
    ("SOLVE", "evaluate_options", "You gave the customer a choice"),
    ("HEAT", "hear", "You showed you had heard the problem"),
    ("HEAT", "apologise", "You apologised for the problem"),
    ("RATER", "tangibles", "You gave specific facts"),
    ("HEAT", "take_action", "You took action on the problem"),
    ("LATER", "explain", "You explained what happened"),
    ("LATER", "thank", "You thanked the customer"),
    ("CYCLE", "follow_up", "You said what happens next"),
]


def feedback(card: Scorecard, ev) -> Feedback:
    """Up to three strengths and three improvements, each quoting the learner's own turn."""
    return Feedback(strengths=_strengths(card), improvements=_improvements(card, ev))


def _strengths(card: Scorecard) -> List[Strength]:
    strengths: List[Strength] = []
    used_turns = set()
    for model_id, step_id, label in _STRENGTHS:
        step = card.step(model_id, step_id)
        if step is not None and step.met and step.evidence:
            evidence = step.evidence[0]
            if (evidence.turn, label) in used_turns:
                continue
            used_turns.add((evidence.turn, label))
            strengths.append(Strength(what=label, turn=evidence.turn, quote=evidence.quote))
        if len(strengths) == 3:
            break
    return strengths


def _improvements(card: Scorecard, ev) -> List[Improvement]:
    """The costliest flags first, then unmet steps whose advice the flags did not already give."""
    spec = rubrics()
    turn_text = {t.index: t.text for t in ev.turns}

    def quoted(turn) -> str:
        return turn_text.get(turn, "")[:200] if turn else ""

    improvements: List[Improvement] = []
    for flag in sorted(card.flags, key=lambda f: -spec.flags[f.id].penalty):
        turn = flag.turns[0] if flag.turns else _where_due(_FLAG_STEP.get(flag.id, ""), ev)
        improvements.append(Improvement(what=flag.message, turn=turn, quote=quoted(turn), better=flag.advice))
        if len(improvements) == 3:
            break
    covered = {_FLAG_STEP.get(f.id) for f in card.flags}
    examples = {i.better.partition("For example:")[2] for i in improvements} - {""}
    if len(improvements) < 3:
        for model in spec.models:
            for step in card.models[model.id].steps:
                example = (step.advice or "").partition("For example:")[2]
                if step.id in covered or (example and example in examples):
                    continue
                if (
                    not step.met
                    and len(improvements) < 3
                    and not any(i.what.startswith(model.id + " " + step.id) for i in improvements)
                ):
                    examples.add(example)
                    turn = _where_due(step.id, ev)
                    what = f"{model.id} {step.id.replace('_', ' ')} was not met."
                    improvements.append(Improvement(what=what, turn=turn, quote=quoted(turn), better=step.advice or ""))
    return improvements


# For a mistake of omission, the step whose place in the conversation it belongs to.
_FLAG_STEP = {
    "details_not_captured": "identify",
    "no_expectations_set": "justify",
    "no_satisfaction_check": "confirm",
    "not_documented": "review",
    "missed_escalation": "resolve",
}

# Where an unmet step belonged, so the improvement can quote what the learner wrote instead.
_OPENING_STEPS = {"hear", "listen", "empathise", "acknowledge", "apologise", "understand", "identify", "empathy"}
_OFFER_STEPS = {"explain", "justify", "evaluate_options", "tangibles", "thank"}


def _where_due(step_id: str, ev):
    if not ev.turns:
        return None
    if step_id in _OPENING_STEPS:
        return ev.turns[0].index
    if step_id in _OFFER_STEPS:
        offers = ev.all_with_move("offer_solution", "escalate")
        return offers[0].index if offers else ev.turns[-1].index
    return ev.turns[-1].index


def summary_text(card: Scorecard) -> str:
    """The scorecard as a short chat message."""
    lines = [
        f"Coach: Scorecard for {card.scenario} ({card.persona}, {card.difficulty}). "
        f"Outcome: {card.outcome}. Overall: {card.overall}/100."
    ]
    if card.assessment:
        verdict = "PASSED" if card.assessment.passed else "not passed"
        lines.append(
            f"Assessment attempt {card.assessment.attempt}: {verdict} (pass mark {card.assessment.pass_mark})."
        )
    lines.append("Models: " + ", ".join(f"{k} {v.score}" for k, v in card.models.items()) + ".")
    lines += card.notes or []
    if card.flags:
        lines.append("Flags: " + ", ".join(f.id for f in card.flags) + ".")
    for strength in card.feedback.strengths:
        lines.append(f'+ {strength.what} (turn {strength.turn}): "{strength.quote}"')
    for improvement in card.feedback.improvements:
        quote = f' You wrote (turn {improvement.turn}): "{improvement.quote}".' if improvement.quote else ""
        lines.append(f"- {improvement.what}{quote} {improvement.better}")
    lines.append("Mood over the conversation: " + " → ".join(str(m) for m in card.mood))
    return "\n".join(lines)
