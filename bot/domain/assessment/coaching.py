"""The scorecard of a coaching conversation: GROW and the coaching skills, with quoted evidence.

The same typed :class:`Scorecard` as a complaint, so every renderer, export and the tutor
dashboard read it unchanged; only the models (``GROW``, ``COACHING``) and the flags differ,
and there are no service KPIs (there is no customer in the conversation). Each step's
definition is in ``data/course/rubrics.yml`` (``counts``), and docs/coaching.md.
"""

from __future__ import annotations

from functools import partial
from typing import Callable, Dict, List, Optional

from bot.domain.assessment.breakdown import flag_results, model_results
from bot.domain.assessment.root_cause import SHALLOW, review_answer
from bot.domain.assessment.rubrics import rubrics
from bot.domain.assessment.scorecard import (
    Feedback,
    FlagResult,
    Improvement,
    ModelResult,
    Quote,
    Scorecard,
    Strength,
)
from bot.domain.assessment.scoring import QUOTE_LIMIT, Turn, summed_card, turns_of
from bot.domain.vocabulary import COACHING_FLAGS, NEGATIVE_COACHING_MOVES

# "What went well", per step: what the quoted turn did (the step's definition stays in the rubric file).
STRENGTH_WORDS = {
    "goal": "You said what the conversation was for",
    "reality": "You let the agent tell their side",
    "options": "You asked the agent for their own ideas",
    "will": "You agreed an action with a date",
    "ask": "You asked more than you told",
    "feedback": "You pointed to something specific the agent did",
    "recognise": "You recognised what went well",
    "authority": "You gave authority within a limit",
    "check": "You checked the agent understood what was agreed",
}
MIN_OPEN_QUESTIONS = 2


class CoachingEvidence:
    """The conversation as scoring reads it: each team-leader turn with its moves and the agent's reaction."""

    def __init__(self, attempt):
        self.attempt = attempt
        self.scenario = attempt.scenario
        # the turns as a complaint's scoring reads them: quote() cites the segment a move's hit carries
        self.turns: List[Turn] = turns_of(attempt)
        agreed = [t.index for t in self.turns if "agreed" in t.events]
        self.first_agreement: Optional[int] = agreed[0] if agreed else None
        self.review = review_answer(
            self.scenario, attempt.reflection, attempt.customer.course.prevention, trusted=attempt.reflection_trusted
        )

    def with_move(self, move: str) -> List[Turn]:
        return [t for t in self.turns if move in t.moves]

    def with_event(self, event: str) -> List[Turn]:
        return [t for t in self.turns if event in t.events]


def _step(turns: List[Turn], *moves: str) -> Dict:
    evidence = [Quote(turn=t.index, quote=t.quote(*moves)) for t in turns[:3]]
    return {"met": bool(turns), "evidence": evidence}


def _reality(ev: CoachingEvidence) -> Dict:
    before = ev.first_agreement or 10**6
    return _step([t for t in ev.with_event("reflected") if t.index < before], "open_question")


def _ask(ev: CoachingEvidence) -> Dict:
    opens = ev.with_move("open_question")
    tells = ev.with_move("tell_instead_of_ask")
    met = len(opens) >= MIN_OPEN_QUESTIONS and len(opens) > len(tells)
    return {"met": met, "evidence": _step(opens, "open_question")["evidence"] if met else []}


def _check(ev: CoachingEvidence) -> Dict:
    return _step(ev.with_event("played_back"), "check_understanding")


STEP_RULES: Dict[str, Dict[str, Callable[[CoachingEvidence], Dict]]] = {
    "GROW": {
        "goal": lambda ev: _step(ev.with_move("set_goal"), "set_goal"),
        "reality": _reality,
        "options": lambda ev: _step(ev.with_event("options"), "open_question"),
        "will": lambda ev: _step(ev.with_event("agreed"), "agree_action"),
    },
    "COACHING": {
        "ask": _ask,
        "feedback": lambda ev: _step(ev.with_move("specific_feedback"), "specific_feedback"),
        "recognise": lambda ev: _step(ev.with_move("praise"), "praise"),
        "authority": lambda ev: _step(ev.with_move("delegate"), "delegate"),
        "check": _check,
    },
}


def _told_not_asked(ev: CoachingEvidence) -> Optional[List[int]]:
    tells = [t.index for t in ev.with_move("tell_instead_of_ask")]
    opens = ev.with_move("open_question")
    return tells if len(tells) >= 2 and len(tells) >= len(opens) else None


FLAG_RULES: Dict[str, Callable[[CoachingEvidence], Optional[List[int]]]] = {
    "criticised_person": lambda ev: [t.index for t in ev.with_move("criticise_person")] or None,
    "told_not_asked": _told_not_asked,
    "no_action_agreed": lambda ev: None if ev.first_agreement else [],
    "symptom_as_root_cause": lambda ev: [] if ev.review and ev.review.verdict in SHALLOW else None,
}
assert tuple(FLAG_RULES) == COACHING_FLAGS


def _models(ev: CoachingEvidence) -> Dict[str, ModelResult]:
    judge = lambda model, step: STEP_RULES[model][step](ev)  # noqa: E731
    return model_results(rubrics(), ev.scenario, judge, ev.scenario.better_phrasings)


def _flags(ev: CoachingEvidence) -> List[FlagResult]:
    rules = {flag_id: partial(check, ev) for flag_id, check in FLAG_RULES.items()}
    return flag_results(rubrics(), rules, lambda _flag_id, base: base)


def _feedback(card: Scorecard, ev: CoachingEvidence) -> Feedback:
    """Up to three strengths (quoting turns that landed) and three improvements, from the steps and flags."""
    spec = {m.id: {s.id: s for s in m.steps} for m in rubrics().models}
    clean = {t.index for t in ev.turns if not set(t.moves) & NEGATIVE_COACHING_MOVES}
    strengths: List[Strength] = []
    improvements: List[Improvement] = []
    for model_id, model in card.models.items():
        for step in model.steps:
            words = spec[model_id][step.id]
            quote = next((q for q in step.evidence if q.turn in clean), None)
            if step.met and quote and len(strengths) < 3 and quote.turn not in {s.turn for s in strengths}:
                what = STRENGTH_WORDS.get(step.id, words.name)
                strengths.append(Strength(what=what, turn=quote.turn, quote=quote.quote))
            elif not step.met and len(improvements) < 3:
                better = ev.scenario.better_phrasings.get(step.id, "")
                improvements.append(
                    Improvement(what=words.missed, turn=None, better=f'Try: "{better}"' if better else "")
                )
    tips = rubrics().flags
    for flag in card.flags:
        if flag.turns and len(improvements) < 3 + 2:
            turn = ev.turns[flag.turns[0] - 1]
            improvements.insert(0, Improvement(what=tips[flag.id].tip, turn=turn.index, quote=turn.text[:QUOTE_LIMIT]))
    return Feedback(strengths=strengths, improvements=improvements[:3])


def score_coaching(attempt) -> Scorecard:
    """The scorecard for one coaching attempt: GROW, the coaching skills, flags, overall and feedback."""
    spec = rubrics()
    ev = CoachingEvidence(attempt)
    card = summed_card(attempt, spec, _models(ev), _flags(ev), cap=None)
    card.feedback = _feedback(card, ev)
    if ev.review:
        card.root_cause = ev.review
    return card
