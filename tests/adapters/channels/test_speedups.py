"""Rasa's call to the action server leaves out only what the action code never reads (issue 20)."""

from __future__ import annotations

import time

from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa.utils.endpoints import EndpointConfig

from bot.adapters.channels import speedups
from bot.adapters.tracker import learner_inputs
from bot.settings import PROJECT_ROOT

SCORECARD = {"overall": 71, "models": {"heat": {"score": 80, "evidence": ["I'm so sorry"] * 50}}}


def conversation(domain: Domain) -> DialogueStateTracker:
    tracker = DialogueStateTracker("learner-1", domain.slots)
    for event in (
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
        UserUttered("start", {"name": "learner_message"}, metadata={"coach": {"start": {"scenario": "late_delivery"}}}),
        ActionExecuted("action_learner_turn"),
        BotUttered("Where is my parcel?", {"custom": {"coach": {"speaker": "customer"}}}),
        ActionExecuted("action_listen"),
        UserUttered("I'm so sorry, let me check", {"name": "learner_message", "moves": ["apologize"]}),
        ActionExecuted("action_learner_turn"),
        BotUttered("Here is your scorecard", {"custom": {"scorecard": SCORECARD}}),
        SlotSet("scorecard", SCORECARD),
        SlotSet("coach_state", {"phase": "reflecting", "attempt": 1}),
        ActionExecuted("action_listen"),
        UserUttered("what went wrong?", {"name": "learner_message", "moves": ["ask_question"]}),
    ):
        event.timestamp = time.time()
        tracker.update(event)
    return tracker


def test_the_action_call_keeps_every_learner_message_action_and_slot_but_not_the_replies():
    speedups.apply()
    domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
    tracker = conversation(domain)
    endpoint = EndpointConfig("http://localhost:5055/webhook", enable_selective_domain=True)
    call = RemoteAction("action_learner_turn", endpoint)._action_call_format(tracker, domain)
    full = tracker.current_state(EventVerbosity.ALL)

    sent = call["tracker"]["events"]
    assert {e["event"] for e in sent} == {"action", "session_started", "user"}
    assert [e["name"] for e in sent if e["event"] == "action"] == [
        e["name"] for e in full["events"] if e["event"] == "action"
    ]
    assert learner_inputs(sent) == learner_inputs(full["events"])
    assert call["tracker"]["slots"] == full["slots"]
    assert call["tracker"]["slots"]["coach_state"] == {"phase": "reflecting", "attempt": 1}
    assert {k: v for k, v in call["tracker"].items() if k != "events"} == {
        k: v for k, v in full.items() if k != "events"
    }
    assert "domain" not in call  # the action code never reads it (enable_selective_domain)
    assert call["next_action"] == "action_learner_turn" and call["sender_id"] == "learner-1"


def test_without_selective_domain_the_domain_is_still_sent():
    speedups.apply()
    domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
    call = RemoteAction("action_learner_turn", EndpointConfig("http://x/webhook"))._action_call_format(
        conversation(domain), domain
    )
    assert call["domain"] == domain.as_dict()
