"""One learner's conversation with the coach: menu, practice, wrap-up, scorecard.

A session is rebuilt by replaying the learner's messages in order (the Rasa
tracker holds them). Everything here is deterministic, so replaying the same
messages always gives the same customer, the same mood and the same scores.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple, Union, cast

from bot.domain.assessment.coaching import score_coaching
from bot.domain.assessment.feedback import summary_text
from bot.domain.assessment.hints import coaching_hint, hint_for
from bot.domain.assessment.scorecard import Scorecard
from bot.domain.assessment.scoring import score_attempt
from bot.domain.coaching.coachee import Coachee
from bot.domain.coaching.detector import default_coaching_detector
from bot.domain.customer.customer import Customer, TurnResult, stable_seed
from bot.domain.moves.patterns import PatternError
from bot.domain.moves.text import segments
from bot.domain.scenarios.coaching import CoachingScenario
from bot.domain.scenarios.loader import Library
from bot.domain.scenarios.schema import Course
from bot.domain.session.commands import HELP_TEXT, Command
from bot.domain.session.menu import menu_output, read_choice
from bot.domain.session.messages import COACH, LearnerInput, Output

PHASE_MENU, PHASE_PLAYING, PHASE_WRAP_UP, PHASE_REFLECTION, PHASE_DONE = (
    "menu",
    "playing",
    "wrap_up",
    "reflection",
    "done",
)
MODES = ("practice", "assessment")
MAX_MESSAGE_CHARS = 5000

REFLECTION_QUESTION = (
    COACH + "One last question before you go: what do you think caused this problem, "
    "and what would stop it happening again? (Type your answer.)"
)


@dataclass
class Setup:
    scenario: str
    persona: str
    difficulty: str
    seed: int
    mode: str = "practice"

    def as_dict(self) -> Dict[str, Any]:
        return {
            "scenario": self.scenario,
            "persona": self.persona,
            "difficulty": self.difficulty,
            "seed": self.seed,
            "mode": self.mode,
        }


@dataclass
class Attempt:
    number: int
    setup: Setup
    customer: Union[Customer, Coachee]  # the coachee in a coaching scenario
    opening: str
    turns: List[TurnResult] = field(default_factory=list)
    times: List[Optional[float]] = field(default_factory=list)  # learner message times, per turn
    hits: List[List[Dict[str, Any]]] = field(default_factory=list)  # detected move spans, per turn
    start_time: Optional[float] = None
    transcript: List[Dict[str, Any]] = field(default_factory=list)
    notes: List[Dict[str, Any]] = field(default_factory=list)  # {"after_turn": n, "text": ...}
    history_checks: List[int] = field(default_factory=list)  # after which turn
    hints: List[int] = field(default_factory=list)
    outcome: Optional[str] = None
    scorecard: Optional[Scorecard] = None
    reflection: Optional[str] = None
    reflection_trusted: bool = True  # False when Rasa read the answer as a "/command": reviewed as plain text

    @property
    def scenario(self):
        return self.customer.scenario

    @property
    def coaching(self) -> bool:
        return isinstance(self.customer, Coachee)

    def score(self) -> Scorecard:
        return score_coaching(self) if self.coaching else score_attempt(self)

    def mood_trace(self) -> List[int]:
        start = self.turns[0].mood_before if self.turns else self.customer.mood
        return [int(round(start))] + [int(round(t.mood_after)) for t in self.turns]


class Session:
    def __init__(self, conversation_id: str, library: Library):
        self.conversation_id = conversation_id
        self.library = library
        self.phase = PHASE_MENU
        self.attempt: Optional[Attempt] = None
        self.finished: List[Attempt] = []
        self.greeted = False
        # {"id": ..., "name": ..., "cohort": ...} from channel metadata (cohort only when given), first seen wins
        self.learner: Dict[str, Any] = {}

    # -- entry point -------------------------------------------------------
    def handle(self, message: LearnerInput) -> List[Output]:
        coach_meta = (message.metadata or {}).get("coach") if isinstance(message.metadata, dict) else None
        learner = coach_meta.get("learner") if isinstance(coach_meta, dict) else None
        if not self.learner and isinstance(learner, dict) and learner.get("id"):
            self.learner = {"id": str(learner["id"])[:200], "name": str(learner.get("name") or "")[:200]}
            if learner.get("cohort"):
                self.learner["cohort"] = str(learner["cohort"])[:40]
        text = (message.text or "").strip()
        if not text:
            return [
                Output(
                    "coach", COACH + "That message was empty. Type your reply to the customer, or `help` for the tools."
                )
            ]
        notice: List[Output] = []
        if len(text) > MAX_MESSAGE_CHARS:
            text = text[:MAX_MESSAGE_CHARS]
            message.text = text
            notice.append(
                Output(
                    "coach",
                    COACH + f"Your message was very long, so only its first "
                    f"{MAX_MESSAGE_CHARS:,} characters were used.",
                )
            )
        command = message.command if message.trusted else None
        if command and command.name == "restart":
            return notice + self._restart()
        if command and command.name == "help":
            return notice + [Output("coach", COACH + HELP_TEXT, buttons=self._tool_buttons())]
        handler = {
            PHASE_MENU: self._menu,
            PHASE_PLAYING: self._playing,
            PHASE_WRAP_UP: self._wrap_up,
            PHASE_REFLECTION: self._reflection,
            PHASE_DONE: self._done,
        }[self.phase]
        return notice + handler(message, command)

    # -- phases --------------------------------------------------------------
    def _menu(self, message: LearnerInput, command: Optional[Command]) -> List[Output]:
        start = (message.metadata or {}).get("coach", {}) if isinstance(message.metadata, dict) else {}
        start = start.get("start") if isinstance(start, dict) else None
        setup = self._setup_from(start, message) if isinstance(start, dict) else None
        if setup is None and message.trusted and not command:
            setup = self.parse_choice(message.text)
        if setup is None:
            return [self.menu_output(first=not self.greeted)]
        return self._begin(setup, message.time)

    def _playing(self, message: LearnerInput, command: Optional[Command]) -> List[Output]:
        attempt = self.attempt
        assert attempt is not None  # _begin sets it before entering PHASE_PLAYING
        if command:
            return self._tool(command, message)
        if isinstance(attempt.customer, Coachee):
            return self._coaching_turn(attempt, attempt.customer, message)
        moves = list(message.moves) if message.trusted else []
        questions = self._questions(message) if "ask_question" in moves else []
        result = attempt.customer.respond(message.text, moves, questions, trusted=message.trusted)
        outputs = self._record_turn(attempt, message, result, list(message.hits) if message.trusted else [])
        if attempt.customer.outcome:
            ending = {
                "satisfied": "The customer is satisfied and has left the chat.",
                "escalated": "The customer has been handed over.",
                "abandoned": "The customer has left the chat.",
            }
            notes = "Add your case notes with `notes: ...` (problem, action taken, outcome)"
            outputs.append(self._wrap_up_prompt(attempt, attempt.customer.outcome, ending, notes))
        return outputs

    def _coaching_turn(self, attempt: Attempt, coachee: Coachee, message: LearnerInput) -> List[Output]:
        """A team leader's message: coaching moves are detected here, from the text (the learner moves are not used)."""
        moves, hits, problem = self._coaching_moves(message)
        result = coachee.respond(message.text, moves, trusted=message.trusted)
        outputs = self._record_turn(attempt, message, result, hits, name=coachee.scenario.agent.name)
        if problem:
            outputs.append(Output("coach", COACH + problem))
        if coachee.outcome:
            name = coachee.scenario.agent.name.split()[0]
            ending = {
                "satisfied": f"{name} has agreed the actions and gone back to the queue.",
                "unsatisfied": f"{name} has gone back to the queue with nothing agreed.",
                "abandoned": f"{name} has ended the conversation.",
            }
            outputs.append(
                self._wrap_up_prompt(attempt, coachee.outcome, ending, "Add notes with `notes: ...` if you like")
            )
        return outputs

    def _record_turn(
        self,
        attempt: Attempt,
        message: LearnerInput,
        result: TurnResult,
        hits: List[Dict[str, Any]],
        name: Optional[str] = None,
    ) -> List[Output]:
        """Keep one answered learner message in the attempt and the transcript; the reply to send
        (with the name of whoever replies, when it is not the customer: a coached agent)."""
        attempt.turns.append(result)
        attempt.times.append(message.time)
        attempt.hits.append(hits)
        attempt.transcript.append(
            {
                "speaker": "learner",
                "text": message.text,
                "moves": list(result.moves),
                "turn": result.index,
                "time": message.time,
            }
        )
        attempt.transcript.append({"speaker": "customer", "text": result.reply, "mood": int(round(result.mood_after))})
        meta = self._turn_meta(result, hits, message.time)
        if name:
            meta["coach"]["name"] = name
        return [Output("customer", result.reply, custom=meta)]

    def _wrap_up_prompt(self, attempt: Attempt, outcome: str, ending: Dict[str, str], notes: str) -> Output:
        """The conversation is over: say how it ended, and move to the wrap-up (notes, then the scorecard)."""
        attempt.outcome = outcome
        self.phase = PHASE_WRAP_UP
        return Output(
            "coach",
            COACH + ending[outcome] + " " + notes + ", then type `end` for your scorecard.",
            buttons=[{"title": "End and see my scorecard", "payload": "end"}],
        )

    @staticmethod
    def _coaching_moves(message: LearnerInput) -> Tuple[List[str], List[Dict[str, Any]], str]:
        """The coaching moves in a message, its hits, and what went wrong when the patterns cannot load.

        A broken pattern file must not lose the conversation: the message is kept and answered
        as one with no moves detected, and the coach says why."""
        if not message.trusted:
            return [], [], ""
        try:
            moves, found = default_coaching_detector().detect(message.text)
        except PatternError as exc:
            return (
                [],
                [],
                f"Your message is saved, but the coaching patterns could not be read ({exc}), so no moves were detected in it.",
            )
        return moves, [hit.as_dict() for hit in found], ""

    def _wrap_up(self, message: LearnerInput, command: Optional[Command]) -> List[Output]:
        if command:
            return self._tool(command, message)
        self._keep_late(message)
        return [
            Output(
                "coach",
                COACH + "The customer has gone. Add case notes with `notes: ...` or type `end` for your scorecard.",
            )
        ]

    def _reflection(self, message: LearnerInput, command: Optional[Command]) -> List[Output]:
        if command and command.name == "end":
            self.phase = PHASE_DONE
            return [Output("coach", COACH + "No problem. Type `restart` to practise again.")]
        attempt = self.attempt
        assert attempt is not None  # PHASE_REFLECTION is only reached through _finish
        attempt.reflection = message.text
        attempt.reflection_trusted = message.trusted
        attempt.transcript.append(
            {"speaker": "learner", "text": message.text, "moves": [], "tool": "reflection", "time": message.time}
        )
        self.phase = PHASE_DONE
        attempt.scorecard = attempt.score()  # the same card, now with the root-cause review
        review = attempt.scorecard.root_cause
        said = (COACH + "Root-cause review: " + review.message + "\n\n") if review else COACH
        return [
            Output(
                "coach",
                said + "Your reflection is saved with this attempt. Type `restart` to practise again.",
                custom={"root_cause": review.dict()} if review else None,
                buttons=[{"title": "Practise again", "payload": "restart"}],
            )
        ]

    def _done(self, message: LearnerInput, command: Optional[Command]) -> List[Output]:
        if not command:
            self._keep_late(message)
        return [
            Output(
                "coach",
                COACH + "This practice is finished. Type `restart` to start another one.",
                buttons=[{"title": "Practise again", "payload": "restart"}],
            )
        ]

    def _keep_late(self, message: LearnerInput) -> None:
        """A message typed after the customer left reaches nobody, but the tutor still sees it."""
        if self.attempt is not None and message.text.strip():
            moves = list(message.moves) if message.trusted else []
            if self.attempt.coaching:
                moves = self._coaching_moves(message)[0]
            self.attempt.transcript.append(
                {"speaker": "learner", "text": message.text, "moves": moves, "late": True, "time": message.time}
            )

    # -- tools ---------------------------------------------------------------
    def _tool(self, command: Command, message: LearnerInput) -> List[Output]:
        attempt = self.attempt
        assert attempt is not None  # only called while playing or wrapping up an attempt
        after = len(attempt.turns)
        attempt.transcript.append(
            {"speaker": "learner", "text": message.text, "moves": [], "tool": command.name, "time": message.time}
        )
        if command.name == "notes":
            attempt.notes.append({"after_turn": after, "text": command.arg})
            return [Output("coach", COACH + "Case notes saved.")]
        if command.name == "check_history":
            attempt.history_checks.append(after)
            history = attempt.scenario.history
            if not history:
                return [Output("coach", COACH + "No earlier contacts are on this customer's record.")]
            lines = [f"- {c.date}, {c.channel}: {c.summary} Outcome: {c.outcome}" for c in history]
            return [Output("coach", COACH + "Earlier contacts on record:\n" + "\n".join(lines))]
        if command.name == "hint":
            if attempt.setup.mode == "assessment":
                return [Output("coach", COACH + "Hints are off in assessment mode.")]
            attempt.hints.append(after)
            hint = coaching_hint(attempt) if attempt.coaching else hint_for(attempt)
            return [Output("coach", COACH + "Hint: " + hint)]
        if command.name == "end":
            return self._finish(message)
        return []

    def _finish(self, message: LearnerInput) -> List[Output]:
        attempt = self.attempt
        assert attempt is not None  # only called from _tool, which has an attempt
        if attempt.outcome is None:
            attempt.outcome = attempt.customer.end_by_learner()
        attempt.scorecard = attempt.score()
        self.phase = PHASE_REFLECTION
        return [
            Output("coach", summary_text(attempt.scorecard), custom={"scorecard": attempt.scorecard.as_json()}),
            Output("coach", REFLECTION_QUESTION),
        ]

    # -- set-up --------------------------------------------------------------
    def _restart(self) -> List[Output]:
        if self.attempt is not None:
            self.finished.append(self.attempt)
        self.attempt = None
        self.phase = PHASE_MENU
        return [self.menu_output(first=False)]

    def _begin(self, setup: Setup, time: Optional[float]) -> List[Output]:
        # a Session needs course defaults (default_library() guarantees them)
        course = cast(Course, self.library.course)
        chosen = self.library.practice(setup.scenario)
        if isinstance(chosen, CoachingScenario):
            return self._begin_coaching(setup, chosen, course, time)
        scenario = chosen
        persona = next(p for p in course.personas if p.id == setup.persona)
        difficulty = next(d for d in course.difficulties if d.id == setup.difficulty)
        customer = Customer(scenario, persona, difficulty, course, setup.seed)
        number = len(self.finished) + 1
        self.attempt = Attempt(number, setup, customer, customer.opening(), start_time=time)
        self.attempt.transcript.append(
            {"speaker": "customer", "text": self.attempt.opening, "mood": int(round(customer.mood))}
        )
        self.phase = PHASE_PLAYING
        intro = (
            COACH + f"Scenario: {scenario.title} ({persona.id} customer, {difficulty.id}, {setup.mode} mode). "
            f"You work for {scenario.organisation}; {scenario.customer.name} is getting in touch. "
            "Type `help` for your tools."
        )
        return [
            Output(
                "coach", intro, custom={"setup": setup.as_dict(), "title": scenario.title}, buttons=self._tool_buttons()
            ),
            Output(
                "customer",
                self.attempt.opening,
                custom={"coach": {"mood": int(round(customer.mood)), "turn": 0, "time": time}},
            ),
        ]

    def _begin_coaching(
        self, setup: Setup, scenario: CoachingScenario, course: Course, time: Optional[float]
    ) -> List[Output]:
        coachee = Coachee(scenario, setup.persona, setup.seed, course)
        number = len(self.finished) + 1
        self.attempt = Attempt(number, setup, coachee, coachee.opening(), start_time=time)
        self.attempt.transcript.append(
            {"speaker": "customer", "text": self.attempt.opening, "mood": int(round(coachee.mood))}
        )
        self.phase = PHASE_PLAYING
        agent = scenario.agent
        transcript = [
            {"speaker": agent.name if line.speaker == "agent" else "Customer", "text": line.text}
            for line in scenario.transcript
        ]
        shown = "\n".join(f"> {line['speaker']}: {line['text']}" for line in transcript)
        intro = (
            COACH + f"Scenario: {scenario.title} ({coachee.style} agent, {setup.mode} mode). {scenario.brief}\n\n"
            f"The chat {agent.name} handled:\n{shown}\n\n{agent.name} has joined. Type `help` for your tools."
        )
        panel = {"agent": agent.name, "role": agent.role, "style": coachee.style, "transcript": transcript}
        return [
            Output(
                "coach",
                intro,
                custom={"setup": setup.as_dict(), "title": scenario.title, "coaching": panel},
                buttons=self._tool_buttons(),
            ),
            Output(
                "customer",
                self.attempt.opening,
                custom={"coach": {"mood": int(round(coachee.mood)), "turn": 0, "time": time, "name": agent.name}},
            ),
        ]

    def _setup_from(self, start: Dict[str, Any], message: LearnerInput) -> Optional[Setup]:
        # a Session needs course defaults (default_library() guarantees them)
        course = cast(Course, self.library.course)
        scenario = start.get("scenario")
        rng = random.Random(stable_seed(self.conversation_id, len(self.finished), "menu"))
        ids = self.library.menu_ids()
        if scenario in (None, "", "random"):
            scenario = rng.choice(ids) if ids else None
        if scenario not in ids:
            return None
        persona = start.get("persona") or self.library.practice(scenario).default_persona
        if persona == "random":
            persona = rng.choice([p.id for p in course.personas])
        difficulty = start.get("difficulty") or "standard"
        if difficulty == "random":
            difficulty = rng.choice([d.id for d in course.difficulties])
        if persona not in {p.id for p in course.personas} or difficulty not in {d.id for d in course.difficulties}:
            return None
        mode = start.get("mode") if start.get("mode") in MODES else "practice"
        assert mode is not None  # one of MODES or "practice"
        seed = start.get("seed")
        if not isinstance(seed, int):
            seed = stable_seed(self.conversation_id, len(self.finished))
        return Setup(scenario, persona, difficulty, seed, mode)

    def parse_choice(self, text: str) -> Optional[Setup]:
        """Read a menu choice such as ``1``, ``late delivery angry hard`` or ``random``."""
        choice = read_choice(self.library, text)
        return self._setup_from(choice, LearnerInput(text)) if choice else None

    def menu_output(self, first: bool) -> Output:
        self.greeted = True
        return menu_output(self.library, first)

    @staticmethod
    def _questions(message: LearnerInput) -> List[str]:
        """The parts of a message that ask something: the question hits and every sentence with '?'."""
        found = [h.get("quote", "") for h in message.hits if h.get("move") == "ask_question"]
        found += [s.text for s in segments(message.text) if "?" in s.text and s.text not in found]
        return found

    @staticmethod
    def _tool_buttons() -> List[Dict[str, str]]:
        return [
            {"title": "Check history", "payload": "check history"},
            {"title": "Hint", "payload": "hint"},
            {"title": "End", "payload": "end"},
            {"title": "Restart", "payload": "restart"},
        ]

    @staticmethod
    def _turn_meta(result: TurnResult, hits: List[Dict[str, Any]], time: Optional[float]) -> Dict[str, Any]:
        """What channels show beside the reply; ``coach play`` also records it for re-scoring."""
        return {
            "coach": {
                "mood": int(round(result.mood_after)),
                "turn": result.index,
                "moves": result.moves,
                "hits": hits,
                "time": time,
                "why": [c.reason for c in result.changes],
            }
        }


def replay(conversation_id: str, library: Library, inputs: List[LearnerInput]) -> Tuple[Session, List[Output]]:
    """Rebuild a session from all learner messages; returns it with the replies to the last one."""
    session = Session(conversation_id, library)
    outputs: List[Output] = []
    for message in inputs:
        outputs = session.handle(message)
    return session, outputs
