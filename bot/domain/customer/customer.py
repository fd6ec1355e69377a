"""The simulated customer: a deterministic, explainable mood and in-role replies.

Mood is the customer's upset level, 0 (calm) to 10 (furious). Every change is
recorded with its reason so a tutor can see why the customer reacted as they
did. Wording varies with a seeded random generator, so the same conversation
and seed always give the same replies, and no reply repeats the one before.
"""

from __future__ import annotations

import hashlib
import random
import re
import string
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

from bot.domain.customer.offers import OfferAnalysis, analyse
from bot.domain.moves.stock import is_keyword_stuffing
from bot.domain.moves.text import normalise
from bot.domain.scenarios.schema import Course, Difficulty, Persona, Scenario
from bot.domain.vocabulary import NEGATIVE_MOVES

# Base effect of each move on upset (negative calms). Persona and difficulty scale these.
CALMING = {
    "apologize": -1.0,
    "empathize": -1.3,
    "acknowledge": -0.8,
    "thank": -0.3,
    "ask_question": -0.4,
    "explain": -0.5,
    "take_ownership": -0.9,
    "set_expectations": -0.7,
    "follow_up": -0.3,
    "greet": -0.2,
}
INFLAMING = {"blame": 2.0, "dismiss": 2.0, "rude": 3.0}
CALM_CAP_PER_TURN = 2.5  # one message cannot undo a furious customer
BOILING = 8.5  # at or above this, the customer is boiling
MAX_TURNS = 25  # a customer gives up after this many turns without a resolution
TURNS_AFTER_ACCEPT = 3  # after accepting, the customer winds up if the learner does not


@dataclass
class MoodChange:
    delta: float
    reason: str


@dataclass
class TurnResult:
    """What one learner message did to the customer."""

    index: int
    text: str
    moves: List[str]
    mood_before: float
    mood_after: float
    changes: List[MoodChange]
    reply: str
    reply_kind: str
    revealed: List[str] = field(default_factory=list)
    offer: Optional[OfferAnalysis] = None
    events: List[str] = field(default_factory=list)  # accepted, declined, escalated, manager_requested, left...

    def as_dict(self) -> Dict:
        data = {
            "turn": self.index,
            "mood_before": round(self.mood_before, 2),
            "mood_after": round(self.mood_after, 2),
            "changes": [{"delta": round(c.delta, 2), "reason": c.reason} for c in self.changes],
            "reply_kind": self.reply_kind,
            "revealed": self.revealed,
            "events": self.events,
        }
        if self.offer is not None:
            data["offer"] = {
                "remedies": self.offer.remedies,
                "amounts": self.offer.amounts,
                "over_promises": self.offer.over_promises,
                "choice": self.offer.choice,
            }
        return data


def _is_compensation(remedy) -> bool:
    return remedy.compensation if remedy.compensation is not None else remedy.value is not None


class _Template(string.Formatter):
    def get_value(self, key, args, kwargs):
        return kwargs.get(key, "{" + str(key) + "}")


def stable_seed(*parts) -> int:
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).hexdigest()
    return int(digest[:12], 16)


class Customer:
    def __init__(self, scenario: Scenario, persona: Persona, difficulty: Difficulty, course: Course, seed: int):
        self.scenario, self.persona, self.difficulty, self.course = scenario, persona, difficulty, course
        self.seed = seed
        self.mood = max(0.0, min(10.0, persona.start_mood + difficulty.mood_offset))
        self.turn = 0
        self.revealed: List[str] = []
        self.move_counts: Dict[str, int] = {}
        self.heard = 0
        self.questions = 0
        self.compensation_offered = False
        self.accepted: Optional[str] = None
        self.turns_since_accept = 0
        self.escalation_pushed_back = False
        self.manager_requested = False
        self.boiling_turns = 0
        self.outcome: Optional[str] = None
        self.last_reply = ""
        self.seen_texts: Dict[str, int] = {}
        self.explained_recently = False

    # -- wording ---------------------------------------------------------
    def _lines(self, kind: str) -> List[str]:
        return self.scenario.replies.get(kind) or self.course.replies[kind]

    def _fill(self, line: str) -> str:
        problem = self.scenario.problem.rstrip(".")
        values = {
            "customer": self.scenario.customer.name,
            "organisation": self.scenario.organisation,
            "problem": problem,
            "problem_short": problem[0].upper() + problem[1:] + ".",
        }
        facts = {f.id: f.value for f in self.scenario.facts}
        values.update(facts)
        values["last_fact"] = facts.get(self.revealed[-1], "I told you") if self.revealed else "I told you"
        return _Template().format(line, **values)

    def _pick(self, lines: List[str], kind: str, avoid: str = "") -> str:
        rng = random.Random(stable_seed(self.seed, self.turn, kind))
        choices = [self._fill(line) for line in lines]
        fresh = [c for c in choices if c != avoid and c not in self.last_reply] or choices
        return rng.choice(fresh)

    def opening(self) -> str:
        text = self._pick(self.scenario.opening, "opening")
        self.last_reply = text
        return text

    # -- one learner message ----------------------------------------------
    def respond(self, text: str, moves: List[str], questions: Optional[List[str]] = None) -> TurnResult:
        """React to one learner message. ``questions`` are the parts of it that ask something."""
        self.turn += 1
        before = self.mood
        changes: List[MoodChange] = []
        present = [m for m in moves]
        events: List[str] = []
        parts: List[Tuple[str, str]] = []  # (kind, line)
        norm = normalise(text)

        repeat = self.seen_texts.get(norm, 0)
        self.seen_texts[norm] = repeat + 1
        service = [m for m in present if m in CALMING]
        stuffed = is_keyword_stuffing(norm, service)

        # Calming moves, with diminishing returns for repetition.
        calming = 0.0
        if repeat:
            changes.append(MoodChange(0.5, "the same message again: it sounds scripted"))
        elif stuffed:
            changes.append(MoodChange(0.3, "a string of stock phrases that says nothing specific"))
        else:
            for move in service:
                base = CALMING[move]
                seen = self.move_counts.get(move, 0)
                if move == "ask_question":
                    self.questions += 1
                    if self.questions > self.persona.question_tolerance:
                        changes.append(MoodChange(0.3, "yet another question: the customer wants action"))
                        continue
                if move == "explain" and self.heard == 0:
                    changes.append(MoodChange(0.2, "an explanation before the customer felt heard"))
                    continue
                if move == "greet" and self.turn > 1:
                    continue
                factor = self.persona.calm_factor * self.difficulty.calm_factor * (0.5**seen)
                delta = base * factor
                reason = move.replace("_", " ")
                if seen:
                    reason += f" (said {seen + 1} times, less effect)"
                changes.append(MoodChange(delta, reason))
                calming += delta
            if calming < -CALM_CAP_PER_TURN:
                changes.append(MoodChange(-CALM_CAP_PER_TURN - calming, "one message can only calm so much"))
        for move in present:
            self.move_counts[move] = self.move_counts.get(move, 0) + 1
        if not repeat and {"apologize", "empathize", "acknowledge"} & set(present):
            self.heard += 1

        inflamed = [m for m in present if m in NEGATIVE_MOVES]
        for move in inflamed:
            delta = INFLAMING[move] * self.persona.inflame_factor * self.difficulty.inflame_factor
            changes.append(
                MoodChange(
                    delta,
                    {"blame": "blamed for the problem", "dismiss": "brushed off", "rude": "spoken to rudely"}[move],
                )
            )
        if not present:
            changes.append(MoodChange(0.4, "no real response to the problem"))
        if self.turn > 8 and self.accepted is None and not inflamed:
            changes.append(MoodChange(0.2, "still no resolution after many messages"))
        self._apply(changes)

        # Questions draw out facts.
        revealed: List[str] = []
        asked_known: List[str] = []
        if "ask_question" in present:
            asked = normalise(" ".join(questions)) if questions else norm
            for fact in self.scenario.facts:
                if any(
                    re.search(r"(?<![a-z])" + re.escape(k.lower()) + r"(?![a-z])", asked) for k in fact.ask_keywords
                ):
                    (asked_known if fact.id in self.revealed else revealed).append(fact.id)
            self.revealed += revealed

        # Offers, escalation and closing.
        offer = analyse(text, present, self.scenario)
        if any(_is_compensation(r) for r in self.scenario.remedies if r.id in offer.remedies):
            self.compensation_offered = True
        outcome_kind = None
        if self.outcome is None and not inflamed:
            outcome_kind = self._resolve(present, offer, events, changes)

        # Boiling for too long: ask for a manager, then leave.
        if self.outcome is None:
            self.boiling_turns = self.boiling_turns + 1 if self.mood >= BOILING else 0
            if inflamed and self.mood >= 9.5 and sum(self.move_counts.get(m, 0) for m in NEGATIVE_MOVES) >= 2:
                self.outcome, outcome_kind = "abandoned", "leave"
                events.append("left")
            elif self.manager_requested and self.boiling_turns >= self.persona.patience + 2:
                self.outcome, outcome_kind = "abandoned", "leave"
                events.append("left")
            elif not self.manager_requested and self.boiling_turns >= self.persona.patience:
                self.manager_requested = True
                outcome_kind = outcome_kind or "demand_manager"
                events.append("manager_requested")
            elif self.turn >= MAX_TURNS and self.accepted is None:
                self.outcome, outcome_kind = "abandoned", "leave"
                events.append("left")

        # Compose the reply.
        if inflamed and outcome_kind != "leave":
            parts.append(("inflamed", ""))
            if outcome_kind == "demand_manager":
                parts.append(("demand_manager", ""))
        elif outcome_kind:
            if outcome_kind in ("accepted", "declined_remedy") and revealed:
                parts.append(("reveal", revealed[0]))
            parts.append((outcome_kind, ""))
        elif revealed:
            parts += [("reveal", fact_id) for fact_id in revealed[:2]]
        elif asked_known:
            parts.append(("already_told", ""))
        elif "ask_question" in present:
            parts.append(("asked_other", ""))
        elif self.accepted is not None:
            parts.append(("after_accept", ""))
        elif {"take_ownership", "set_expectations", "follow_up"} & set(present):
            parts.append(("ownership", ""))
        elif {"apologize", "empathize", "acknowledge", "thank"} & set(present):
            parts.append(("heard_high" if self.mood >= 6 else "heard_low", ""))
        elif "explain" in present:
            parts.append(("explained", ""))
        elif present == ["greet"]:
            parts.append(("greeted", ""))
        else:
            parts.append(("unclear", ""))
        reply, kind = self._compose(parts, offer)
        self.last_reply = reply
        return TurnResult(
            self.turn,
            text,
            present,
            before,
            self.mood,
            changes,
            reply,
            kind,
            revealed,
            offer if (offer.remedies or offer.amounts or offer.over_promises) else None,
            events,
        )

    def end_by_learner(self) -> str:
        """The learner ended the conversation; the outcome follows from where it stands."""
        if self.outcome is None:
            self.outcome = "satisfied" if self.accepted else "unsatisfied"
        return self.outcome

    # -- internals -------------------------------------------------------
    def _apply(self, changes: List[MoodChange]) -> None:
        mood = self.mood + sum(c.delta for c in changes)
        self.mood = round(max(0.0, min(10.0, mood)), 2)

    def _needs_met(self) -> Tuple[bool, str]:
        if self.heard < self.difficulty.heard_needed:
            return False, "not heard yet"
        if self.difficulty.facts_needed:
            missing = [f.id for f in self.scenario.required_facts if f.id not in self.revealed]
            if missing:
                return False, "key facts not asked for"
        if self.mood > self.difficulty.accept_at - self.scenario.calm_needed + 1.5:
            return False, "still too upset"
        return True, ""

    def _resolve(
        self, present: List[str], offer: OfferAnalysis, events: List[str], changes: List[MoodChange]
    ) -> Optional[str]:
        rule = self.scenario.escalation.rule
        if self.accepted is not None:
            self.turns_since_accept += 1
            if {"check_satisfaction", "close"} & set(present) or self.turns_since_accept >= TURNS_AFTER_ACCEPT:
                self.outcome = "satisfied"
                events.append("closed")
                return "satisfied_close"
            return None
        if "escalate" in present:
            reasoned = bool({"explain", "set_expectations"} & set(present)) or self.move_counts.get("explain", 0) > 0
            if self.manager_requested or self.escalation_pushed_back or (rule != "unnecessary" and reasoned):
                self.outcome = "escalated"
                events.append("escalated")
                more = [MoodChange(-1.0, "handed to someone who can help")]
                changes += more
                self._apply(more)
                return "escalation_accept"
            self.escalation_pushed_back = True
            events.append("escalation_pushed_back")
            return "escalation_pushback"
        if "offer_solution" in present:
            satisfying = [r for r in self.scenario.remedies if r.id in offer.remedies and r.satisfies]
            if not offer.remedies:
                return "offer_vague"
            if not satisfying:
                events.append("declined")
                more = [MoodChange(0.4, "offered something that does not meet what they want")]
                changes += more
                self._apply(more)
                self._declined_remedy = next(r for r in self.scenario.remedies if r.id in offer.remedies)
                return "declined_remedy"
            ready, why = self._needs_met()
            if not ready:
                events.append("offer_too_soon")
                more = [MoodChange(-0.3, f"a fair offer, but {why}")]
                changes += more
                self._apply(more)
                return "offer_too_soon"
            if self.persona.wants_compensation and not self.compensation_offered:
                events.append("wants_compensation")
                return "wants_compensation"
            self.accepted = satisfying[0].id
            self._accepted_remedy = satisfying[0]
            events.append("accepted")
            more = [MoodChange(-2.5, f"accepted: {satisfying[0].label}")]
            changes += more
            self._apply(more)
            return "accepted"
        if {"check_satisfaction", "close"} & set(present):
            more = [MoodChange(0.5, "asked to wrap up with nothing resolved")]
            changes += more
            self._apply(more)
            return "not_resolved"
        return None

    def _compose(self, parts: List[Tuple[str, str]], offer: OfferAnalysis) -> Tuple[str, str]:
        lines: List[str] = []
        for kind, arg in parts:
            if kind == "reveal":
                fact = next(f for f in self.scenario.facts if f.id == arg)
                lines.append(self._pick(fact.replies, "reveal:" + arg))
            elif kind == "accepted" and getattr(self, "_accepted_remedy", None) and self._accepted_remedy.accepted:
                lines.append(self._pick(self._accepted_remedy.accepted, "accepted"))
            elif kind == "declined_remedy":
                remedy = self._declined_remedy
                lines.append(self._pick(remedy.declined or self._lines("offer_declined"), "declined"))
            elif kind == "wants_compensation":
                lines.append(
                    self._pick(
                        [
                            "That helps, but what about something for all this hassle?",
                            "Fine, but I expect some compensation for the trouble too.",
                            "And? I've wasted days on this. What are you doing to make up for it?",
                        ],
                        kind,
                    )
                )
            else:
                lines.append(self._pick(self._lines(kind), kind))
        main_kind = parts[-1][0] if parts[-1][0] != "reveal" else "reveal"
        rng = random.Random(stable_seed(self.seed, self.turn, "aside"))
        if self.mood >= 7 and self.persona.asides and self.outcome is None and rng.random() < 0.35:
            lines.append(rng.choice(self.persona.asides))
        reply = " ".join(lines)
        if reply == self.last_reply:
            reply = (
                " ".join(lines[:-1] + [self._pick(self._lines("unclear"), "unclear-alt", avoid=lines[-1])])
                if main_kind == "reveal"
                else reply + " " + self._pick(self.persona.asides or ["Well?"], "aside2")
            )
        return reply, main_kind
