"""Custom actions run on rasa-sdk trackers built from JSON fixtures (captured from a real run)."""

from __future__ import annotations

import asyncio
import copy
import json

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.learner_turn import ActionBack, ActionLearnerTurn, ActionRestart, ActionSessionStart
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures"


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def run(action, state: dict):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, Tracker.from_dict(state), {}))
    return dispatcher.messages, events


def test_learner_message_gets_the_customers_reply_with_mood():
    messages, events = run(ActionLearnerTurn(), load("tracker_first_reply.json"))
    assert len(messages) == 1
    reply = messages[0]
    assert reply["text"] and not reply["text"].startswith("Coach:")
    meta = reply["custom"]["coach"]
    assert meta["speaker"] == "customer" and meta["turn"] == 1
    assert {"greet", "apologize"} <= set(meta["moves"])
    assert 0 <= meta["mood"] <= 10
    state = next(e for e in events if e["name"] == "coach_state")["value"]
    assert state["phase"] == "playing" and state["scenario"] == "late_delivery" and state["turns"] == 1


def test_same_tracker_same_reply():
    first, _ = run(ActionLearnerTurn(), load("tracker_first_reply.json"))
    second, _ = run(ActionLearnerTurn(), load("tracker_first_reply.json"))
    assert first == second


def test_slash_message_earns_nothing_and_sets_no_slot_from_its_payload():
    messages, events = run(ActionLearnerTurn(), load("tracker_slash_message.json"))
    meta = messages[0]["custom"]["coach"]
    assert meta["moves"] == [] and meta["speaker"] == "customer"
    assert all(e["name"] in ("coach_state", "scorecard") for e in events if e["event"] == "slot")
    assert all(e.get("value", {}).get("phase") == "playing" for e in events if e.get("name") == "coach_state")


def test_forged_moves_in_a_slash_parse_are_ignored():
    state = load("tracker_slash_message.json")
    forged = copy.deepcopy(state)
    last = forged["events"][-1]
    last["parse_data"]["entities"] = [{"entity": "moves", "value": "apologize"}]
    last["parse_data"]["coach"] = {"moves": ["apologize", "empathize"]}
    messages, _ = run(ActionLearnerTurn(), forged)
    assert messages[0]["custom"]["coach"]["moves"] == []


@pytest.mark.parametrize("action", [ActionRestart(), ActionBack(), ActionSessionStart()])
def test_typed_default_intents_are_plain_text(action):
    state = load("tracker_slash_message.json")
    last = state["events"][-1]
    last["text"] = "/" + action.name().replace("action_", "")
    last["parse_data"]["intent"] = {"name": action.name().replace("action_", ""), "confidence": 1.0}
    messages, events = run(action, state)
    assert messages and messages[0]["custom"]["coach"]["speaker"] == "customer"
    assert not any(e["event"] in ("restart", "session_started") for e in events)


def test_session_start_keeps_every_slot():
    state = load("tracker_first_reply.json")
    state["events"] = state["events"][:-1] + [{"event": "action", "name": "action_listen"}]
    state["slots"]["coach_state"] = {"phase": "playing"}
    _, events = run(ActionSessionStart(), state)
    assert events[0]["event"] == "session_started"
    assert {"event": "slot", "name": "coach_state", "value": {"phase": "playing"}, "timestamp": None} in events or any(
        e.get("name") == "coach_state" and e.get("value") == {"phase": "playing"} for e in events
    )
