"""The simulated agent in a coaching conversation: Sam, who handled a complaint badly.

The agent's agenda, in the spirit of an agenda-based simulated user: be treated fairly, tell
their side when asked the right way (what got in the way: the ``reality`` points), come up
with their own ideas when invited, and leave with something clear to do and a date. Their
guard (``mood``, 0 open to 10 closed) goes up when they are judged as a person or lectured,
and down when they are asked, recognised and given specific, fair feedback. A guarded agent
answers an open question in a few closed words and defends against feedback; an open one
explains what really happened. Everything is deterministic: the same messages give the same
replies.
"""

from __future__ import annotations

import random
from typing import List, Optional, Sequence, Tuple

from bot.domain.customer.customer import TurnResult, stable_seed
from bot.domain.customer.mood import MoodChange
from bot.domain.moves.language import lemma
from bot.domain.moves.text import normalise, tokens
from bot.domain.scenarios.coaching import CoachingScenario, RealityPoint
from bot.domain.scenarios.schema import Course

OPEN_BELOW = 6.5  # guard below which the agent tells their side and takes feedback on board
START_GUARD = {"defensive": 7.0, "unsure": 6.0}
# Guard changes per move: (delta, reason), as the tutor's "why" shows them.
EFFECTS = {
    "criticise_person": (2.0, "judged as a person"),
    "tell_instead_of_ask": (0.5, "told the answer"),
    "open_question": (-0.5, "asked for their view"),
    "praise": (-1.0, "recognised for what went well"),
    "set_goal": (-0.5, "told what the talk is for"),
    "delegate": (-1.0, "trusted with authority"),
    "specific_feedback": (-0.5, "given fair, specific feedback"),
}


class Coachee:
    """One simulated agent in one coaching conversation (``Session`` uses it like a ``Customer``)."""

    def __init__(self, scenario: CoachingScenario, persona: str, seed: int, course: Course):
        self.scenario = scenario
        self.course = course  # the course's prevention words, for the root-cause review
        self.style = scenario.style_for(persona)
        self.seed = seed
        self.mood = START_GUARD[self.style]
        self.turn = 0
        self.revealed: List[str] = []  # reality point ids the agent has explained
        self.criticisms = 0
        self.agreed_turns: List[int] = []  # turns where an action with a date was agreed
        self.undated_turns: List[int] = []  # turns where an action was proposed without a date
        self.played_back = False
        self.outcome: Optional[str] = None
        self.last_reply = ""
        self.move_counts: dict = {}
        self.said: set = set()  # reply kinds already used (the agent acknowledges the goal once)

    # -- wording -----------------------------------------------------------
    def _pick(self, lines: Sequence[str], kind: str) -> str:
        rng = random.Random(stable_seed(self.seed, self.turn, kind))
        fresh = [line for line in lines if line != self.last_reply] or list(lines)
        return rng.choice(fresh)

    def _say(self, kind: str) -> str:
        return self._pick(self.scenario.replies[kind][self.style], kind)

    def opening(self) -> str:
        self.last_reply = self._pick(self.scenario.opening[self.style], "opening")
        return self.last_reply

    # -- one turn ----------------------------------------------------------
    def respond(self, text: str, moves: List[str], trusted: bool = True) -> TurnResult:
        """The agent's reply to one team-leader message with the coaching moves detected in it."""
        self.turn += 1
        present = list(moves) if trusted else []
        for move in present:
            self.move_counts[move] = self.move_counts.get(move, 0) + 1
        before = self.mood
        changes = self._guard(present)
        events: List[str] = []
        revealed: List[str] = []
        kind, reply = self._answer(text, present, events, revealed)
        self.last_reply = reply
        return TurnResult(
            index=self.turn,
            text=text,
            moves=present,
            mood_before=before,
            mood_after=self.mood,
            changes=changes,
            reply=reply,
            reply_kind=kind,
            revealed=revealed,
            events=events,
        )

    def _guard(self, present: List[str]) -> List[MoodChange]:
        changes = []
        for move in present:
            if move in EFFECTS:
                delta, reason = EFFECTS[move]
                if move == "specific_feedback" and self.mood >= OPEN_BELOW:
                    continue  # taken as an attack until the agent feels safe
                changes.append(MoodChange(delta, reason))
        for change in changes:
            self.mood = max(0.0, min(10.0, self.mood + change.delta))
        return changes

    def _answer(self, text: str, present: List[str], events: List[str], revealed: List[str]) -> Tuple[str, str]:
        """At most two parts: a reaction to what was said (praise, feedback, a lecture, authority), then
        an answer to what was asked (a question, an agreement, a check) or a goodbye. Criticism of the
        person is all the agent hears."""
        if "criticise_person" in present:
            return self._criticised(events)
        answer = self._ask_part(text, present, events, revealed)
        if "close_talk" in present:
            answer = self._close(events)
        reaction = self._reaction(present, events, answer)
        parts = [part for part in (reaction, answer) if part]
        if not parts:
            return "neutral", self._say("neutral")
        self.said.update(kind for kind, _ in parts)
        return parts[-1][0], " ".join(reply for _, reply in parts)

    def _reaction(
        self, present: List[str], events: List[str], answer: Optional[Tuple[str, str]]
    ) -> Optional[Tuple[str, str]]:
        agreeing = answer is not None and answer[0] in ("action_agreed", "proposes", "played_back")
        if answer is not None and answer[0].startswith("closing"):
            return None  # a goodbye is answered with a goodbye
        if "delegate" in present:
            events.append("delegated")
            return "delegated", self._say("delegated")
        if "praise" in present:
            return "praised", self._say("praised")
        if agreeing:
            return None  # an agreement about the next chats is not feedback on the last one
        if "specific_feedback" in present:
            kind = "feedback_open" if self.mood < OPEN_BELOW else "feedback_guarded"
            return kind, self._say(kind)
        if "tell_instead_of_ask" in present:
            return "told", self._say("told")
        if "set_goal" in present and "goal_heard" not in self.said:
            return "goal_heard", self._say("goal_heard")
        return None

    def _ask_part(
        self, text: str, present: List[str], events: List[str], revealed: List[str]
    ) -> Optional[Tuple[str, str]]:
        if "agree_action" in present:
            agreed = self._agreement(present, events)
            if "check_understanding" in present and agreed[0] != "action_when":
                return self._play_back(events)
            return agreed
        if "check_understanding" in present:
            if self.agreed_turns or self.undated_turns:
                return self._play_back(events)
            if "delegated" in events or "set_goal" in present:
                return None  # "Sound good?" after the purpose or an authority is answered by the reaction
            return "nothing_agreed", self._say("nothing_agreed")
        if "open_question" in present:
            return self._open_question(text, present, events, revealed)
        return None

    def _play_back(self, events: List[str]) -> Tuple[str, str]:
        self.played_back = True
        events.append("played_back")
        return "played_back", self._say("played_back")

    def _criticised(self, events: List[str]) -> Tuple[str, str]:
        self.criticisms += 1
        if self.criticisms > self.scenario.patience:
            self.outcome = "abandoned"
            events.append("left")
            return "leave", self._say("leave")
        return "criticised", self._say("criticised")

    def _agreement(self, present: List[str], events: List[str]) -> Tuple[str, str]:
        # a time given is an agreement; asked what they will do and when, the agent names their own and a start
        dated = "time_given" in present
        if dated or "open_question" in present:
            self.agreed_turns.append(self.turn)
            events.append("agreed")
            kind = "action_agreed" if dated else "proposes"
            return kind, self._say(kind)
        self.undated_turns.append(self.turn)
        events.append("asked_when")
        return "action_when", self._say("action_when")

    def _open_question(self, text: str, present: List[str], events: List[str], revealed: List[str]) -> Tuple[str, str]:
        if "ask_options" in present and (self.revealed or self.mood < OPEN_BELOW):
            events.append("options")
            return "options", self._say("options")
        if self.mood >= OPEN_BELOW:
            return "guarded", self._say("guarded")
        point = self._point_for(text)
        if point is None:
            return "no_more", self._say("no_more")
        self.revealed.append(point.id)
        revealed.append(point.id)
        events.append("reflected")
        return "reality", self._pick(point.replies[self.style], "reality:" + point.id)

    def _point_for(self, text: str) -> Optional[RealityPoint]:
        """The unexplained reality point the question steers to, else the next unexplained one."""
        normalised = normalise(text)
        said = set(tokens(normalised))
        words = said | {lemma(word) for word in said}
        waiting = [p for p in self.scenario.reality if p.id not in self.revealed]
        for point in waiting:
            if any(_cue_in(cue, words, normalised) for cue in point.cues):
                return point
        return waiting[0] if waiting else None

    def _close(self, events: List[str]) -> Tuple[str, str]:
        events.append("closed")
        self.outcome = self._ending()
        kind = "closing_agreed" if self.agreed_turns else "closing_open"
        return kind, self._say(kind)

    def _ending(self) -> str:
        return "satisfied" if self.agreed_turns else "unsatisfied"

    def end_by_learner(self) -> str:
        """The team leader ended the conversation: committed to a dated action, or not."""
        if self.outcome is None:
            self.outcome = self._ending()
        return self.outcome


def _cue_in(cue: str, words: set, normalised: str) -> bool:
    if " " in cue:
        return cue in normalised
    return cue in words or lemma(cue) in words
