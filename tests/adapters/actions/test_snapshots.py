"""Session snapshots (issue 20): each turn applies only the newest message, and gives exactly what a
full replay of the tracker gives; a missing, stale or outdated snapshot falls back to the replay."""

from __future__ import annotations

import copy
import json
from typing import Any, Dict, List, Optional, Tuple

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.snapshots as snapshots_module
from actions.learner_turn import answer
from actions.snapshots import PATH_REPLAY, PATH_SNAPSHOT, SessionSnapshots
from bot.adapters.tracker import learner_inputs
from bot.domain.scenarios import default_library
from bot.domain.session.commands import parse_command
from bot.domain.session.session import replay
from tests.conftest import ROOT

SCRIPTS = sorted((ROOT / "data" / "scripts").glob("*.txt"))
CONVERSATIONS = [
    json.loads(line)
    for name in ("customer_conversations_dev.jsonl", "customer_conversations_test.jsonl")
    for line in (ROOT / "tests" / "data" / name).read_text(encoding="utf-8").splitlines()
    if line.strip()
]
# After the scorecard: a reflection, a second attempt in the same conversation, a late line.
AFTERWARDS = ["I should have asked for the order number sooner.", "restart", "START", "I'm sorry about that.", "end"]


def user_event(text: str, detector, number: int, metadata: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """A ``user`` event as Rasa stores it after the coach's NLU component has read the message."""
    command = parse_command(text)
    detection = None if command else detector.detect(text)
    parse = {
        "intent": {"name": "coach_command" if command else "learner_message", "confidence": 1.0},
        "entities": [],
        "text": text,
        "moves": detection.moves if detection else [],
        "move_hits": [dict(hit.__dict__) for hit in detection.hits] if detection else [],
        "coach_command": command.as_dict() if command else None,
    }
    return {
        "event": "user",
        "timestamp": 1_800_000_000.0 + 20 * number,
        "text": text,
        "parse_data": parse,
        "metadata": metadata or {},
        "input_channel": "rest",
    }


def conversation_events(setup: Dict[str, Any], lines: List[str], detector) -> List[Dict[str, Any]]:
    """The learner's messages: the start (set-up in metadata), the lines, ``end`` and what follows."""
    start = {"coach": {"start": setup, "learner": {"id": "learner-1", "name": "Kim"}}}
    texts = list(lines) + ([] if lines and lines[-1].strip().lower() == "end" else ["end"]) + AFTERWARDS
    events = [user_event("start", detector, 0, start)]
    for number, text in enumerate(texts, start=1):
        events.append(user_event(text, detector, number, start if text == "START" else None))
    return events


def tracker_for(sender: str, user_events: List[Dict[str, Any]], slots: Dict[str, Any]) -> Tracker:
    events: List[Dict[str, Any]] = []
    for event in user_events:
        events += [{"event": "action", "name": "action_listen", "timestamp": event["timestamp"] - 1}, event]
    latest = user_events[-1]
    state = {"sender_id": sender, "slots": dict(slots), "latest_message": latest, "events": events}
    state.update(paused=False, followup_action=None, active_loop={}, latest_action_name="action_listen")
    return Tracker.from_dict(state)


def run_turn(tracker: Tracker, store: SessionSnapshots) -> Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = answer(dispatcher, tracker, snapshots=store)
    return dispatcher.messages, events


def play_both_ways(sender: str, user_events: List[Dict[str, Any]]):
    """Each turn through one live snapshot store, and the same tracker through a full replay."""
    live = SessionSnapshots()
    slots: Dict[str, Any] = {}
    turns = []
    for count in range(1, len(user_events) + 1):
        tracker = tracker_for(sender, user_events[:count], slots)
        kept = run_turn(tracker, live)
        replayed = run_turn(tracker, SessionSnapshots())  # an empty store: the whole tracker is replayed
        turns.append((kept, replayed))
        slots.update({e["name"]: e["value"] for e in kept[1] if e.get("event") == "slot"})
    return turns


def scorecards(messages: List[Dict[str, Any]]) -> List[str]:
    return [json.dumps(m["custom"]["scorecard"], sort_keys=True) for m in messages if "scorecard" in m["custom"]]


def script_cases():
    library = default_library()
    for path in SCRIPTS:
        scenario, kind, _ = path.name.split(".")
        lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        persona = library.practice(scenario).default_persona
        yield pytest.param(
            {"scenario": scenario, "persona": persona, "difficulty": "standard", "seed": 11}, lines, id=path.stem
        )
    for item in CONVERSATIONS:
        setup = {"scenario": item["scenario"], "persona": item["persona"], "difficulty": item["difficulty"], "seed": 3}
        yield pytest.param(setup, item["lines"], id=item["id"])


@pytest.mark.parametrize("setup, lines", list(script_cases()))
def test_the_snapshot_path_gives_what_the_full_replay_gives(setup, lines, detector, monkeypatch):
    replays = []
    counting = lambda *args: replays.append(len(args[2])) or replay(*args)  # noqa: E731
    monkeypatch.setattr(snapshots_module, "replay", counting)
    turns = play_both_ways("parity", conversation_events(setup, lines, detector))
    for number, ((kept_messages, kept_events), (replayed_messages, replayed_events)) in enumerate(turns, start=1):
        assert kept_messages == replayed_messages, f"message {number}: the replies differ"
        assert kept_events == replayed_events, f"message {number}: the slots differ"
    kept_replies = [m for (messages, _), _ in turns for m in messages]
    replayed_replies = [m for _, (messages, _) in turns for m in messages]
    assert len(scorecards(kept_replies)) == 2, "both attempts end with a scorecard"
    assert scorecards(kept_replies) == scorecards(replayed_replies)
    assert len(replays) == len(turns) + 1, "the live store replayed only on its first turn, the empty one on each"


def _played(store: SessionSnapshots, sender: str, user_events, upto: int):
    """Play ``upto`` messages through ``store``; returns the last turn's replies."""
    replies: List[Dict[str, Any]] = []
    for count in range(1, upto + 1):
        replies, _ = run_turn(tracker_for(sender, user_events[:count], {}), store)
    return replies


def _reference(sender: str, user_events) -> List[Dict[str, Any]]:
    return run_turn(tracker_for(sender, user_events, {}), SessionSnapshots())[0]


SETUP = {"scenario": "late_delivery", "persona": "angry", "difficulty": "standard", "seed": 5}
KIND = [
    "Hi, I'm Sam at Brightmart. I'm so sorry your order hasn't arrived.",
    "That must be really stressful. Could you give me your order number?",
    "Thanks. When was it promised for?",
]
RUDE = "Calm down, it's only boots, you should have ordered earlier."


def test_a_restarted_action_server_replays_and_then_keeps_going(detector):
    user_events = conversation_events(SETUP, KIND, detector)
    store = SessionSnapshots()
    _played(store, "restarted", user_events, 3)
    store.clear()  # the action server restarted: no snapshot
    assert _played(store, "restarted", user_events, 4)[-1:] == _reference("restarted", user_events[:4])[-1:]
    turn = store.advance("restarted", default_library(), learner_inputs(user_events[:5]))
    assert turn.path == PATH_SNAPSHOT, "after the replay, the next message is applied to the kept session"


def test_a_stale_snapshot_is_not_used(detector):
    """A rewound tracker (message 3 now says something else) with the snapshot's message count."""
    kind = conversation_events(SETUP, KIND, detector)
    rude = kind[:2] + [user_event(RUDE, detector, 2)] + kind[3:]
    store = SessionSnapshots()
    _played(store, "rewound", kind, 3)  # the snapshot has applied the kind messages 1-3
    replies = run_turn(tracker_for("rewound", rude[:4], {}), store)[0]
    assert replies == _reference("rewound", rude[:4])
    kept_would_say = _played(SessionSnapshots(), "rewound", kind, 4)
    assert [m["text"] for m in replies] != [m["text"] for m in kept_would_say], "the histories differ"


def test_changed_course_content_is_not_served_from_an_old_snapshot(detector):
    user_events = conversation_events(SETUP, KIND, detector)
    store = SessionSnapshots()
    old = default_library()
    inputs = learner_inputs(user_events[:2])
    store.advance("content", old, inputs[:1])
    changed = copy.deepcopy(old)
    changed.scenarios["late_delivery"].title = "Late parcel"
    turn = store.advance("content", changed, inputs)
    assert turn.path == PATH_REPLAY
    assert turn.session.attempt.scenario.title == "Late parcel"
    _, outputs = replay("content", changed, learner_inputs(user_events[:2]))
    assert [o.text for o in turn.outputs] == [o.text for o in outputs]


def test_a_conversation_evicted_from_a_full_store_is_replayed(detector):
    user_events = conversation_events(SETUP, KIND, detector)
    store = SessionSnapshots(capacity=2)
    for sender in ("first", "second", "third"):
        _played(store, sender, user_events, 2)
    assert len(store) == 2
    assert _played(store, "first", user_events, 3) == _reference("first", user_events[:3])


def test_the_same_turn_asked_twice_gets_the_same_replies_and_moves_nothing_on(detector):
    user_events = conversation_events(SETUP, KIND, detector)
    store = SessionSnapshots()
    first = _played(store, "twice", user_events, 3)
    again = run_turn(tracker_for("twice", user_events[:3], {}), store)[0]
    assert again == first
    following = run_turn(tracker_for("twice", user_events[:4], {}), store)[0]
    assert following == _reference("twice", user_events[:4])
