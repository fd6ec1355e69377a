"""Writing conversations into a tracker store the way Rasa does, for the benchmark and tests.

Each learner message is played through the real coach (``bot.domain.session.session``: customer simulation
and scoring), and the events are the ones Rasa stores for it: the ``user`` event with the
coach's parse data (``moves``, ``move_hits``, ``coach_command``), ``action_learner_turn``,
one ``bot`` event per reply with its ``custom`` payload, and the ``scorecard`` and
``coach_state`` slots the action sets (see actions/learner_turn.py).
"""

from __future__ import annotations

import json
import random
import uuid
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from sqlalchemy import insert
from sqlalchemy.engine import Engine

from bot.domain.scenarios.loader import Library
from bot.domain.session.commands import parse_command
from bot.domain.session.session import LearnerInput, Session
from bot.tutor.db import events

META = {"model_id": "seeded", "assistant_id": "complaint-coach"}

# Learner lines with the moves the detector gives them (as in bot/bench/scoring.py).
GOOD_LINES = [
    ("Hi, I'm Sam. I'm so sorry about this.", ["greet", "apologize"]),
    ("That must be really stressful for you.", ["empathize"]),
    ("Could you give me your reference number?", ["ask_question"]),
    ("When did this start, and what do you need it for?", ["ask_question"]),
    ("So the problem is still not fixed and you need it sorted this week.", ["acknowledge"]),
    ("Leave it with me, I'll sort it out.", ["take_ownership"]),
    ("Here is what happened on our side, which is why it went wrong.", ["explain"]),
    (
        "I can put this right today, or arrange the alternative. Which would you prefer?",
        ["offer_solution", "ask_question"],
    ),
    ("You'll get a confirmation email within the hour.", ["set_expectations"]),
    ("Does that work for you?", ["check_satisfaction"]),
    ("I'll check tomorrow that it's all done.", ["follow_up"]),
    ("Thanks for bearing with me.", ["thank"]),
]
POOR_LINES = [
    ("You should have read the terms.", ["blame"]),
    ("It's only a small thing.", ["dismiss"]),
    ("ok", []),
    ("whatever", ["rude"]),
    ("There's nothing I can do.", ["dismiss"]),
]
CHANNELS = ("webchat", "webchat", "webchat", "slack", "msteams", "rest")
FIRST = (
    "Ava",
    "Ben",
    "Chloe",
    "Dev",
    "Ella",
    "Finn",
    "Grace",
    "Hugo",
    "Isla",
    "Jack",
    "Kai",
    "Lena",
    "Maya",
    "Noah",
    "Owen",
    "Priya",
    "Quinn",
    "Ruby",
    "Sam",
    "Theo",
    "Uma",
    "Vik",
    "Will",
    "Yara",
    "Zoe",
)
LAST = (
    "Adams",
    "Brown",
    "Clarke",
    "Davies",
    "Evans",
    "Foster",
    "Green",
    "Hall",
    "Iqbal",
    "Jones",
    "Khan",
    "Lewis",
    "Moore",
    "Patel",
    "Reid",
    "Shaw",
    "Taylor",
    "Walsh",
    "Young",
)


class Recorder:
    """Plays learner messages through the coach and records the events Rasa would store."""

    def __init__(self, sender_id: str, library: Library, channel: str = "rest", start_time: float = 1.7e9):
        self.sender_id, self.channel, self.time = sender_id, channel, start_time
        self.session = Session(sender_id, library)
        self.events: List[Dict[str, Any]] = []
        self.state: Optional[Dict[str, Any]] = None
        self._add(
            {
                "event": "action",
                "name": "action_session_start",
                "policy": None,
                "confidence": 1.0,
                "action_text": None,
                "hide_rule_turn": False,
            }
        )
        self._add({"event": "session_started"})
        self._listen()

    def _add(self, event: Dict[str, Any]) -> None:
        self.time += 0.001
        self.events.append(dict({"timestamp": self.time, "metadata": dict(META)}, **event))

    def _listen(self) -> None:
        self._add(
            {
                "event": "action",
                "name": "action_listen",
                "policy": "RulePolicy",
                "confidence": 1.0,
                "action_text": None,
                "hide_rule_turn": False,
            }
        )

    def say(
        self, text: str, moves: Sequence[str] = (), metadata: Optional[Dict[str, Any]] = None, pause: float = 20.0
    ) -> None:
        self.time += pause
        command = parse_command(text)
        hits = (
            []
            if command or not moves
            else [
                {"move": m, "start": 0, "end": len(text), "quote": text, "source": "seeded", "confidence": 1.0}
                for m in moves
            ]
        )
        message_id = uuid.uuid4().hex
        parse = {
            "intent": {"name": "coach_command" if command else "learner_message", "confidence": 1.0},
            "entities": [],
            "text": text,
            "message_id": message_id,
            "metadata": metadata or {},
            "intent_ranking": [],
            "moves": [] if command else list(moves),
            "move_hits": hits,
        }
        if command:
            parse["coach_command"] = command.as_dict()
        self._add(
            {
                "event": "user",
                "text": text,
                "parse_data": parse,
                "input_channel": self.channel,
                "message_id": message_id,
                "metadata": dict(META, **(metadata or {})),
            }
        )
        stamp = self.time
        outputs = self.session.handle(
            LearnerInput(
                text,
                moves=[] if command else list(moves),
                hits=hits,
                command=command,
                metadata=metadata or {},
                time=stamp,
            )
        )
        self._add({"event": "user_featurization", "use_text_for_featurization": False})
        self._add(
            {
                "event": "action",
                "name": "action_learner_turn",
                "policy": "RulePolicy",
                "confidence": 1.0,
                "action_text": None,
                "hide_rule_turn": False,
            }
        )
        slots = []
        for output in outputs:
            custom = dict(output.custom or {})
            custom["coach"] = dict(custom.get("coach", {}), speaker=output.speaker)
            self._add(
                {
                    "event": "bot",
                    "text": output.text,
                    "data": {
                        "elements": None,
                        "quick_replies": None,
                        "buttons": output.buttons or None,
                        "attachment": None,
                        "image": None,
                        "custom": custom,
                    },
                }
            )
            if output.custom and "scorecard" in output.custom:
                slots.append(("scorecard", output.custom["scorecard"]))
        session, attempt = self.session, self.session.attempt
        state = {
            "phase": session.phase,
            "attempt": attempt.number if attempt else len(session.finished),
            "learner": session.learner or {"id": self.sender_id, "name": ""},
            "channel": self.channel,
        }
        if attempt:
            state.update(
                attempt.setup.as_dict(),
                outcome=attempt.outcome,
                mood=attempt.mood_trace()[-1],
                turns=len(attempt.turns),
            )
        if state != self.state:
            slots.append(("coach_state", state))
            self.state = state
        for name, value in slots:
            self._add({"event": "slot", "name": name, "value": value})
        self._listen()


def rows(sender_id: str, recorded: Iterable[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Rows for Rasa's ``events`` table, with the columns Rasa's SQL tracker store fills."""
    out = []
    for event in recorded:
        kind = event["event"]
        out.append(
            {
                "sender_id": sender_id,
                "type_name": kind,
                "timestamp": event["timestamp"],
                "intent_name": (event.get("parse_data") or {}).get("intent", {}).get("name")
                if kind == "user"
                else None,
                "action_name": event.get("name") if kind in ("action", "slot") else None,
                "data": json.dumps(event),
            }
        )
    return out


def write(engine: Engine, batch: List[Dict[str, Any]]) -> None:
    if batch:
        with engine.begin() as db:
            db.execute(insert(events), batch)


def good_script(scenario) -> List[Tuple[str, List[str]]]:
    """A sound handling of ``scenario``: listen, empathise, ask for each fact, own it, offer what helps."""
    remedy = next((r for r in scenario.remedies if r.satisfies and r.within_policy), None)
    lines = [GOOD_LINES[0], GOOD_LINES[1]]
    lines += [(f"Could you tell me the {fact.label}?", ["ask_question"]) for fact in scenario.facts]
    lines += [GOOD_LINES[4], GOOD_LINES[5], GOOD_LINES[6]]
    if remedy is not None:
        lines.append(
            (f"I can {remedy.label} for you today. Which would you prefer?", ["offer_solution", "ask_question"])
        )
    lines += [GOOD_LINES[8], GOOD_LINES[9], GOOD_LINES[10], GOOD_LINES[11]]
    return lines


def generated_conversation(
    library: Library, number: int, rng: random.Random, learners: int, start: float, span: float
) -> Tuple[str, List[Dict[str, Any]]]:
    """One realistic conversation: a learner of some skill plays a scenario; slips are poor lines."""
    scenarios = sorted(library.scenarios)
    course = library.course
    learner = rng.randrange(learners)
    name = f"{FIRST[learner % len(FIRST)]} {LAST[(learner // len(FIRST)) % len(LAST)]}"
    sender = f"bench-{number:06d}-{uuid.UUID(int=rng.getrandbits(128)).hex[:8]}"
    recorder = Recorder(sender, library, channel=rng.choice(CHANNELS), start_time=start + rng.random() * span)
    skill = min(1.0, 0.25 + 0.75 * rng.random() + 0.1 * (learner % 3))
    setup = {
        "scenario": rng.choice(scenarios),
        "persona": rng.choice([p.id for p in course.personas]),
        "difficulty": rng.choice([d.id for d in course.difficulties]),
        "seed": rng.randrange(10**6),
        "mode": "assessment" if rng.random() < 0.3 else "practice",
    }
    recorder.say(
        "start", metadata={"coach": {"start": setup, "learner": {"id": f"learner-{learner:04d}", "name": name}}}
    )
    if rng.random() < skill:
        recorder.say("check history")
    for text, moves in good_script(library.scenarios[setup["scenario"]]):
        if recorder.session.phase != "playing":
            break
        if rng.random() > skill:
            text, moves = rng.choice(POOR_LINES)
        elif rng.random() < 0.15 * (1 - skill):
            continue
        recorder.say(text, moves)
    if rng.random() < 0.4 + 0.6 * skill and recorder.session.phase in ("playing", "wrap_up"):
        recorder.say("notes: the customer's problem; what I did about it; the outcome and the next step")
    if rng.random() < 0.95 and recorder.session.phase in ("playing", "wrap_up"):
        recorder.say("end")
        if rng.random() < 0.7:
            recorder.say("I should have asked more questions before offering a fix.")
    return sender, recorder.events
