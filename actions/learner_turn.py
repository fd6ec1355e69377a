"""Every learner message is answered here, as the customer or as the coach."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.adapters.tracker import learner_inputs
from bot.domain.customer.customer import warm_up
from bot.domain.scenarios import default_library
from bot.domain.session.session import replay

logger = logging.getLogger(__name__)
warm_up(default_library().scenarios.values())  # at start-up, so no learner's turn waits for it


def answer(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
    """Replay the conversation through the coach and send the replies to the latest message."""
    library = default_library()
    session, outputs = replay(tracker.sender_id, library, learner_inputs(tracker.events))
    events: List[EventType] = []
    for output in outputs:
        custom: Dict[str, Any] = dict(output.custom or {})
        custom.setdefault("coach", {})
        custom["coach"] = dict(custom["coach"], speaker=output.speaker)
        dispatcher.utter_message(text=output.text, buttons=output.buttons or None, json_message=custom)
        if output.custom and "scorecard" in output.custom:
            events.append(SlotSet("scorecard", output.custom["scorecard"]))
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
        events.append(SlotSet("coach_state", state))
    return events


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
