"""Feedback that teaches: strongest moments, most important improvements, a readable summary."""

from __future__ import annotations

from typing import FrozenSet, List, Optional, Set, Tuple

from bot.domain.assessment.rewrite import mended
from bot.domain.assessment.rubrics import rubrics
from bot.domain.assessment.scorecard import Feedback, Improvement, Scorecard, Strength
from bot.domain.law.knowledge import LEGAL_FLAGS, right
from bot.domain.vocabulary import ACTION_MOVES, NEGATIVE_MOVES

# Which step shows which strength, most valuable first; the moves the quoted turn must carry
# (so a satisfaction check is never praised as "said what happens next"), and whether the
# strength only exists once something was resolved.
_STRENGTHS: List[Tuple[str, str, str, FrozenSet[str], bool]] = [
    ("HEAT", "empathise", "You recognised how this affected the customer", frozenset({"empathize"}), False),
    ("LURC", "confirm", "You confirmed the customer was happy with the solution", frozenset(), True),
    ("SOLVE", "evaluate_options", "You gave the customer a choice", frozenset({"offer_solution"}), False),
    ("HEAT", "hear", "You showed you had heard the problem", frozenset(), False),
    ("HEAT", "apologise", "You apologised for the problem", frozenset({"apologize"}), False),
    ("RATER", "tangibles", "You gave the customer something concrete and checkable", frozenset(), False),
    ("HEAT", "take_action", "You took action on the problem", ACTION_MOVES, False),
    ("LATER", "explain", "You explained what happened", frozenset({"explain"}), False),
    ("LATER", "thank", "You thanked the customer", frozenset({"thank"}), False),
    ("CYCLE", "follow_up", "You said what happens next", frozenset({"follow_up", "set_expectations"}), True),
]
# Customer replies that show a message did not land (it was refused, not understood, or upset them).
_DID_NOT_LAND = frozenset(
    {
        "inflamed",
        "unclear",
        "clarify",
        "offer_vague",
        "offer_declined",
        "offer_too_soon",
        "not_resolved",
        "escalation_pushback",
        "demand_manager",
        "leave",
        "pending",
    }
)


def feedback(card: Scorecard, ev) -> Feedback:
    """Up to three strengths and three improvements, each quoting the learner's own turn."""
    return Feedback(strengths=_strengths(card, ev), improvements=_improvements(card, ev))


def landed_turns(ev) -> Set[int]:
    """Turns fit to praise: no blame, dismissal or rudeness in them, and the customer did not get more upset.

    The customer's reaction is the check that the move landed: a curt "You can rebook online if
    you want." may be an offer, but if it made the customer angrier it is not a strength.
    """
    missed = {r.index for r in ev.attempt.turns if r.mood_after > r.mood_before + 0.05 or r.reply_kind in _DID_NOT_LAND}
    return {t.index for t in ev.turns if not set(t.moves) & NEGATIVE_MOVES and t.index not in missed}


def _strengths(card: Scorecard, ev) -> List[Strength]:
    strengths: List[Strength] = []
    praised = landed_turns(ev)
    moves = {t.index: set(t.moves) for t in ev.turns}
    resolved = ev.resolution_turn() is not None
    used = set()
    for model_id, step_id, label, needs, after_resolution in _STRENGTHS:
        step = card.step(model_id, step_id)
        if step is None or not step.met or (after_resolution and not resolved):
            continue
        fits = [e for e in step.evidence if e.turn in praised and (not needs or moves.get(e.turn, set()) & needs)]
        evidence = next((e for e in fits if (e.turn, label) not in used), None)
        if evidence is None:
            continue
        used.add((evidence.turn, label))
        strengths.append(Strength(what=label, turn=evidence.turn, quote=evidence.quote))
        if len(strengths) == 3:
            break
    return strengths


def _improvements(card: Scorecard, ev) -> List[Improvement]:
    """The costliest flags first, then missed steps the flags did not already cover.

    Each says what went wrong in the coach's own words (a flag's ``tip``, a step's ``missed``),
    the learner's line where it went wrong, and a better phrasing from the scenario: never the
    flag's message or advice again, which the flags list already shows.
    """
    spec = rubrics()
    by_index = {t.index: t for t in ev.turns}
    phrasing = ev.scenario.better_phrasings

    def quoted(turn) -> str:
        return by_index[turn].text[:200] if turn in by_index else ""

    def better(turn, key: str, fault: Optional[str] = None) -> str:
        """The scenario's model line for ``key``, worked into the learner's own message where it fits."""
        phrase = phrasing.get(key, "")
        if turn not in by_index:
            return phrase
        return mended(by_index[turn].text, by_index[turn].hits, phrase, key, fault)

    improvements: List[Improvement] = []
    for flag in sorted(card.flags, key=lambda f: -spec.flags[f.id].penalty)[:3]:
        turn = flag.turns[0] if flag.turns else _where_due(_FLAG_STEP.get(flag.id, ""), ev)
        legal = _legal_improvement(flag.id, ev)
        if legal is not None:
            improvements.append(legal)
            continue
        key = flag.id if flag.id in phrasing else FLAG_PHRASING.get(flag.id, "")
        line = better(turn, key, flag.id)
        improvements.append(Improvement(what=spec.flags[flag.id].tip, turn=turn, quote=quoted(turn), better=line))
    covered = {_FLAG_STEP.get(f.id) for f in card.flags}
    said = {i.what for i in improvements}
    for model in spec.models:
        for step_spec in model.steps:
            step = card.step(model.id, step_spec.id)
            if len(improvements) == 3 or step is None or step.met or step.id in covered or step_spec.missed in said:
                continue
            said.add(step_spec.missed)
            turn = _where_due(step.id, ev)
            line = better(turn, step.id) or step_spec.advice
            improvements.append(Improvement(what=step_spec.missed, turn=turn, quote=quoted(turn), better=line))
    return improvements


# A scenario's model answer for the step that mends each flag, when it has none for the flag itself.
FLAG_PHRASING = {
    "action_before_empathy": "empathise",
    "scripted_apology": "apologise",
    "blamed_customer": "explain",
    "dismissive_language": "empathise",
    "negative_language": "take_action",
    "over_promise": "take_action",
    "no_expectations_set": "set_expectations",
    "no_satisfaction_check": "confirm",
    "details_not_captured": "ask_question",
    "customer_not_involved": "evaluate_options",
    "missed_escalation": "take_action",
    "history_not_reviewed": "hear",
    "unnecessary_escalation": "take_action",
    "off_track_message": "hear",
}


def _legal_improvement(flag_id: str, ev) -> Optional[Improvement]:
    """A wrong statement of the law: quote it, name the right and the act, and say it correctly."""
    found = ev.legal_findings(flag_id) if flag_id in LEGAL_FLAGS else []
    if not found:
        return None
    turn, hit = found[0]
    law = right(hit.right)
    what = f"{rubrics().flags[flag_id].tip} The customer has {law.cited()}: {law.conditions}"
    return Improvement(what=what, turn=turn, quote=hit.quote[:200], better=law.correct)


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
    if card.kpis:
        k = card.kpis
        fcr = "yes" if k.first_contact_resolution else "no"
        lines.append(
            f"Service KPIs: CSAT {k.csat}/5, NPS {k.nps}/10 ({k.nps_category}), resolved first time: {fcr}. "
            f'The customer: "{k.customer_says}"'
        )
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
