"""Rasa's tracker cache (issue 20) gives the tracker a database read would give, or reads the database.

Each test runs Rasa's own SQL tracker store on a real SQLite file, with the cache installed
as the coach's Rasa server installs it, and compares every tracker it hands out with what
Rasa's uncached read returns from the same file.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import EventVerbosity

from bot.adapters.channels import tracker_cache
from bot.settings import PROJECT_ROOT

SENDER = "learner-1"


@pytest.fixture(scope="module")
def domain():
    return Domain.load(str(PROJECT_ROOT / "domain.yml"))


@pytest.fixture
def store(tmp_path, domain):
    tracker_cache.install(100)
    return SQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "trackers.db"))


def run(coroutine):
    return asyncio.run(coroutine)


def state(tracker):
    return tracker.current_state(EventVerbosity.ALL)


def from_database(store, sender=SENDER):
    return run(SQLTrackerStore.retrieve.original(store, sender))


def learner_turn(tracker, text, reply):
    tracker.update(UserUttered(text, {"name": "learner_message", "confidence": 1.0}, timestamp=time.time()))
    tracker.update(ActionExecuted("action_respond", timestamp=time.time()))
    tracker.update(BotUttered(reply, timestamp=time.time()))
    tracker.update(SlotSet("scorecard", {"turns": 1}, timestamp=time.time()))
    tracker.update(ActionExecuted("action_listen", timestamp=time.time()))


def started(store):
    """A conversation that has begun a session and taken one message, as Rasa saves it."""
    tracker = run(store.get_or_create_tracker(SENDER, append_action_listen=False))
    tracker.update(ActionExecuted("action_session_start", timestamp=time.time()))
    tracker.update(SessionStarted(timestamp=time.time()))
    tracker.update(ActionExecuted("action_listen", timestamp=time.time()))
    learner_turn(tracker, "start late_delivery", "Where is my parcel?")
    run(store.save(tracker))
    return tracker


def test_each_message_after_the_first_takes_the_kept_tracker_and_it_equals_a_database_read(store):
    started(store)
    for number in range(8):
        tracker = run(store.retrieve(SENDER))
        assert state(tracker) == state(from_database(store))
        learner_turn(tracker, f"message {number}", f"reply {number}")
        run(store.save(tracker))
    cache = store._tracker_cache
    assert cache.hits >= 7, (cache.hits, cache.misses)
    assert state(run(store.retrieve(SENDER))) == state(from_database(store))


def test_another_writer_makes_the_next_read_go_to_the_database(store, domain, tmp_path):
    started(store)
    run(store.save(run(store.retrieve(SENDER))))  # now kept
    other_process = SQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "trackers.db"))
    theirs = from_database(other_process)
    learner_turn(theirs, "written by another Rasa process", "their reply")
    run(SQLTrackerStore.save.original(other_process, theirs))

    ours = run(store.retrieve(SENDER))
    assert "written by another Rasa process" in [e.text for e in ours.events if isinstance(e, UserUttered)]
    assert state(ours) == state(from_database(store))


def test_a_message_that_failed_before_saving_leaves_nothing_behind(store):
    started(store)
    run(store.save(run(store.retrieve(SENDER))))
    half_done = run(store.retrieve(SENDER))
    learner_turn(half_done, "this message's processing failed", "never sent")  # and it is never saved

    next_read = run(store.retrieve(SENDER))
    assert next_read is not half_done
    assert "this message's processing failed" not in [e.text for e in next_read.events if isinstance(e, UserUttered)]
    assert state(next_read) == state(from_database(store))


def test_a_new_session_is_read_as_the_database_would_give_it(store):
    started(store)
    tracker = run(store.retrieve(SENDER))
    time.sleep(0.01)
    tracker.update(ActionExecuted("action_session_start", timestamp=time.time()))
    tracker.update(SessionStarted(timestamp=time.time()))
    tracker.update(ActionExecuted("action_listen", timestamp=time.time()))
    learner_turn(tracker, "back the next day", "welcome back")
    run(store.save(tracker))

    after = run(store.retrieve(SENDER))
    texts = [e.text for e in after.events if isinstance(e, UserUttered)]
    assert texts == ["back the next day"]
    assert state(after) == state(from_database(store))


def test_the_cache_holds_at_most_its_capacity():
    cache = tracker_cache.TrackerCache(capacity=2)
    for sender in ("a", "b", "c"):
        cache.keep(sender, (1, 1), object())
    assert len(cache) == 2
    assert cache.take("a", (1, 1)) is None
    assert cache.take("c", (1, 1)) is not None
    assert cache.take("b", (2, 5)) is None  # a stale stamp is never served
