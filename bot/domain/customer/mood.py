"""The customer's mood: how each learner message calms or inflames them, with every change's reason.

Mood is the customer's upset level, 0 (calm) to 10 (furious). A tutor can see why the customer
reacted as they did, because every change is kept as a ``MoodChange`` with its reason. Persona and
difficulty scale the effects; a move repeated has less effect each time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List

from bot.domain.customer.acts import LearnerAct
from bot.domain.moves.stock import is_keyword_stuffing
from bot.domain.scenarios.schema import Difficulty, Persona
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
INFLAMING_REASONS = {"blame": "blamed for the problem", "dismiss": "brushed off", "rude": "spoken to rudely"}
LEGAL_INFLAME = 0.8  # told something wrong about their rights
CALM_CAP_PER_TURN = 2.5  # one message cannot undo a furious customer
BOILING = 8.5  # at or above this, the customer is boiling
HEARD_MOVES = frozenset({"apologize", "empathize", "acknowledge"})


@dataclass
class MoodChange:
    delta: float
    reason: str


class Mood:
    """One customer's upset and what it remembers to judge the next message: how often each move
    was made, how often they felt heard, how many questions they were asked, and the texts seen."""

    def __init__(self, persona: Persona, difficulty: Difficulty):
        self.persona, self.difficulty = persona, difficulty
        self.value = max(0.0, min(10.0, persona.start_mood + difficulty.mood_offset))
        self.move_counts: Dict[str, int] = {}
        self.heard = 0
        self.questions = 0
        self.boiling_turns = 0
        self.unclear_streak = 0
        self.seen_texts: Dict[str, int] = {}

    def react(
        self, norm: str, present: List[str], act: LearnerAct, changes: List[MoodChange], turn: int, late: bool
    ) -> List[str]:
        """Apply what the moves of message ``turn`` do to the mood; returns the inflaming moves.

        ``late``: many messages have passed with nothing resolved, which wears on the customer."""
        repeat = self.seen_texts.get(norm, 0)
        self.seen_texts[norm] = repeat + 1
        service = [m for m in present if m in CALMING]
        if repeat:
            changes.append(MoodChange(0.5, "the same message again: it sounds scripted"))
        elif is_keyword_stuffing(norm, service):
            changes.append(MoodChange(0.3, "a string of stock phrases that says nothing specific"))
        else:
            self._calming(service, changes, turn)
        for move in present:
            self.move_counts[move] = self.move_counts.get(move, 0) + 1
        if not repeat and HEARD_MOVES & set(present):
            self.heard += 1
        inflamed = [m for m in present if m in NEGATIVE_MOVES]
        for move in inflamed:
            delta = INFLAMING[move] * self.persona.inflame_factor * self.difficulty.inflame_factor
            changes.append(MoodChange(delta, INFLAMING_REASONS[move]))
        self._unclear(present, act, changes)
        if late and not inflamed:
            changes.append(MoodChange(0.2, "still no resolution after many messages"))
        self.apply(changes)
        return inflamed

    def _calming(self, service: List[str], changes: List[MoodChange], turn: int) -> None:
        calming = 0.0
        for move in service:
            seen = self.move_counts.get(move, 0)
            if move == "ask_question":
                self.questions += 1
                if self.questions > self.persona.question_tolerance:
                    changes.append(MoodChange(0.3, "yet another question: the customer wants action"))
                    continue
            if move == "explain" and self.heard == 0:
                changes.append(MoodChange(0.2, "an explanation before the customer felt heard"))
                continue
            if move == "greet" and turn > 1:
                continue
            delta = CALMING[move] * self.persona.calm_factor * self.difficulty.calm_factor * (0.5**seen)
            reason = move.replace("_", " ") + (f" (said {seen + 1} times, less effect)" if seen else "")
            changes.append(MoodChange(delta, reason))
            calming += delta
        if calming < -CALM_CAP_PER_TURN:
            changes.append(MoodChange(-CALM_CAP_PER_TURN - calming, "one message can only calm so much"))

    def _unclear(self, present: List[str], act: LearnerAct, changes: List[MoodChange]) -> None:
        """A message the customer cannot read first gets a question back; only a second one costs mood."""
        if present or act.questions or act.options:
            self.unclear_streak = 0
            return
        self.unclear_streak += 1
        if self.unclear_streak > 1:
            changes.append(MoodChange(0.4, "still no real response to the problem"))

    def apply(self, changes: List[MoodChange]) -> None:
        mood = self.value + sum(c.delta for c in changes)
        self.value = round(max(0.0, min(10.0, mood)), 2)

    def count_boiling(self) -> int:
        """Another turn at or above ``BOILING`` lengthens the run, any other ends it; returns its length."""
        self.boiling_turns = self.boiling_turns + 1 if self.value >= BOILING else 0
        return self.boiling_turns

    def change(self, changes: List[MoodChange], delta: float, reason: str) -> None:
        """One more change, recorded and applied now."""
        more = [MoodChange(delta, reason)]
        changes += more
        self.apply(more)
