"""Every learner message is answered here, as the customer or as the coach."""

from __future__ import annotations

import json
import logging
import time
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.snapshots import SessionSnapshots, version_of
from bot.adapters.gc_pauses import freeze_startup_objects
from bot.adapters.tracker import TIMING_MARK, conversation_key, learner_inputs
from bot.domain.customer.customer import warm_up
from bot.domain.scenarios import default_library
from bot.domain.session.commands import parse_command
from bot.domain.session.session import LearnerInput, Session

logger = logging.getLogger(__name__)
SNAPSHOTS = SessionSnapshots()  # this process's live sessions; see actions/snapshots.py


WARM_UP_LINE = (
    "Hi, I'm so sorry about this, that must be frustrating. Could you tell me what happened? "
    "I'll sort it out today and send you a refund."
)


def _warm_up() -> None:
    """Build at start-up what a turn would otherwise build on first use, while every conversation
    queued behind it waits: the language pipeline and every scenario's parser, then one throwaway
    conversation per scenario (a reply, a hint and a scorecard), which loads whatever the customer
    and the scoring read lazily (the rubrics, the law file: 70-650 ms each on first use), and the
    snapshot version. The throwaway sessions are not kept."""
    library = default_library()
    warm_up(library.scenarios.values())
    moves = ["greet", "apologize", "empathize", "ask_question", "take_ownership", "offer_solution"]
    for scenario_id in library.menu_ids():  # a coaching scenario also trains its move classifier here
        session = Session("warm-up", library)
        session.handle(LearnerInput("start", metadata={"coach": {"start": {"scenario": scenario_id}}}))
        session.handle(LearnerInput(WARM_UP_LINE, moves=list(moves)))
        for tool in ("hint", "check history", "end"):
            session.handle(LearnerInput(tool, command=parse_command(tool)))
    version_of(library)


_warm_up()
freeze_startup_objects()  # see bot/adapters/gc_pauses.py


def answer(
    dispatcher: CollectingDispatcher, tracker: Tracker, snapshots: SessionSnapshots = SNAPSHOTS
) -> List[EventType]:
    """Bring the conversation's session up to the latest message and send the replies to it."""
    started = time.perf_counter()
    inputs = learner_inputs(tracker.events)
    read = time.perf_counter()
    turn = snapshots.advance(tracker.sender_id, default_library(), inputs)
    events = _send(dispatcher, turn.outputs)
    events += _state_events(tracker, turn.session)
    done = time.perf_counter()
    timing = dict(turn.as_log(), read_ms=(read - started) * 1000, total_ms=(done - started) * 1000)
    _log_timing(tracker.sender_id, len(inputs), timing)
    return events


def _send(dispatcher: CollectingDispatcher, outputs) -> List[EventType]:
    """Utter each reply with its speaker; a scorecard also goes into the ``scorecard`` slot."""
    events: List[EventType] = []
    for output in outputs:
        custom: Dict[str, Any] = dict(output.custom or {})
        custom.setdefault("coach", {})
        custom["coach"] = dict(custom["coach"], speaker=output.speaker)
        dispatcher.utter_message(text=output.text, buttons=output.buttons or None, json_message=custom)
        if output.custom and "scorecard" in output.custom:
            events.append(SlotSet("scorecard", output.custom["scorecard"]))
    return events


def _state_events(tracker: Tracker, session) -> List[EventType]:
    """The ``coach_state`` slot (phase, attempt, learner, channel, set-up, mood), set when it changed."""
    attempt = session.attempt
    channel = next((e.get("input_channel") for e in reversed(tracker.events) if e.get("event") == "user"), None)
    state = {
        "phase": session.phase,
        "attempt": attempt.number if attempt else len(session.finished),
        "learner": session.learner or {"id": tracker.sender_id, "name": ""},
        "channel": channel,
    }
    if attempt:
        state.update(
            attempt.setup.as_dict(), outcome=attempt.outcome, mood=attempt.mood_trace()[-1], turns=len(attempt.turns)
        )
    if tracker.get_slot("coach_state") != state:
        return [SlotSet("coach_state", state)]
    return []


def _log_timing(conversation_id: str, messages: int, timing: Dict[str, Any]) -> None:
    """One line per turn: where the action server's time went (ms). The conversation id is hashed."""
    record = {"conversation": conversation_key(conversation_id), "messages": messages}
    record.update({k: round(v, 3) if isinstance(v, float) else v for k, v in timing.items()})
    logger.info(TIMING_MARK + json.dumps(record))


def _answering_a_message(tracker: Tracker) -> bool:
    """True when a user message arrived after the last `action_listen` (a typed "/session_start")."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return True
        if event.get("event") == "action" and event.get("name") == "action_listen":
            return False
    return False


class ActionLearnerTurn(Action):
    def name(self) -> Text:
        return "action_learner_turn"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        return answer(dispatcher, tracker)


class ActionRestart(Action):
    """A typed "/restart" is plain text to the coach (the learner tool is `restart`)."""

    def name(self) -> Text:
        return "action_restart"

    async def run(self, dispatcher, tracker, domain):
        return answer(dispatcher, tracker)


class ActionBack(Action):
    """A typed "/back" is plain text to the coach; nothing is undone."""

    def name(self) -> Text:
        return "action_back"

    async def run(self, dispatcher, tracker, domain):
        return answer(dispatcher, tracker)


class ActionSessionStart(Action):
    """Starts a session keeping every slot; a typed "/session_start" is plain text."""

    def name(self) -> Text:
        return "action_session_start"

    async def run(self, dispatcher, tracker, domain):
        if _answering_a_message(tracker):
            # Rasa predicts nothing after this action, so listen explicitly, as the default one does.
            return answer(dispatcher, tracker) + [ActionExecuted("action_listen")]
        carried = [SlotSet(name, value) for name, value in tracker.current_slot_values().items() if value is not None]
        return [SessionStarted(), *carried, ActionExecuted("action_listen")]
