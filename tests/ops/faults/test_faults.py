"""Faults with real processes: the action server stopped, the Rasa server restarted, the database unwritable.

Each test has its own action server, Rasa server and SQLite tracker file. What is checked
is what a learner would notice: a plain message when the coach cannot answer, the
conversation carrying on with the right turn number afterwards, and nothing said lost.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess

import pytest

from bot.domain.scenarios import default_library
from bot.ops.play import rescore
from tests.support.http import (
    LINES,
    coach_meta,
    customer_turns,
    post,
    start_conversation,
    start_servers,
    stored_events,
    stored_texts,
    texts,
    wait_for,
)


@pytest.fixture
def servers(tmp_path):
    running = start_servers(tmp_path)
    yield running
    running.stop()


def _kill(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def _finish_and_rescore(servers, sender: str) -> dict:
    status, replies = post(servers, sender, "end")
    card = next(r["custom"]["scorecard"] for r in replies if "scorecard" in (r.get("custom") or {}))
    export = {"sender_id": sender, "events": stored_events(servers.tracker_db, sender)}
    assert rescore(export, default_library()) == card  # the stored conversation is whole and in order
    return card


def test_action_server_stopped_mid_conversation_then_back(servers):
    sender = "fault-actions"
    start_conversation(servers, sender, LINES[:2])
    actions = servers.processes[0]
    _kill(actions)
    assert not servers.actions_ready()

    status, replies = post(servers, sender, LINES[2])
    assert status == 200
    said = texts(replies)
    assert "coach is unavailable" in said and "conversation so far is saved" in said
    assert "send that message again" in said
    assert [m.get("error") for m in coach_meta(replies)] == ["unavailable"]
    assert customer_turns(replies) == []  # no customer reply was made up
    assert stored_texts(servers.tracker_db, sender) == ["start"] + LINES[:2]  # kept, and the lost one not stored

    servers.processes.remove(actions)
    servers.start_actions()
    wait_for(servers.actions_ready, what="the action server to come back")
    status, replies = post(servers, sender, LINES[2])
    assert status == 200 and customer_turns(replies) == [3]  # same conversation, right turn number
    status, replies = post(servers, sender, LINES[3])
    assert customer_turns(replies) == [4]
    assert stored_texts(servers.tracker_db, sender) == ["start"] + LINES[:4]
    assert _finish_and_rescore(servers, sender)["scenario"] == "late_delivery"


def test_rasa_server_restarted_carries_on_from_the_tracker_store(servers):
    sender = "fault-rasa"
    start_conversation(servers, sender, LINES[:3])
    rasa = servers.processes[1]
    _kill(rasa)
    with pytest.raises(OSError):  # nobody is listening while it is down; the client is told so by the OS
        post(servers, sender, LINES[3], timeout=5)
    servers.processes.remove(rasa)
    servers.start_rasa()
    servers.wait_ready()
    status, replies = post(servers, sender, LINES[3])
    assert status == 200 and customer_turns(replies) == [4]
    status, replies = post(servers, sender, LINES[4])
    assert customer_turns(replies) == [5]
    assert stored_texts(servers.tracker_db, sender) == ["start"] + LINES[:5]
    _finish_and_rescore(servers, sender)


def _immutable(paths, on: bool) -> bool:
    flag = "+i" if on else "-i"
    done = [subprocess.run(["chattr", flag, str(p)], capture_output=True).returncode == 0 for p in paths]
    return all(done)


def test_database_unwritable_gives_a_clear_error_and_loses_nothing(servers):
    if not shutil.which("chattr"):
        pytest.skip("chattr (e2fsprogs) is needed to make the tracker file unwritable for root")
    sender = "fault-db"
    start_conversation(servers, sender, LINES[:2])
    db = servers.tracker_db
    # the database and its write-ahead log (not the -shm index: SQLite maps it into memory, and
    # writing to a mapped immutable file kills the process instead of failing the write)
    files = [p for p in (db, db.with_name(db.name + "-wal")) if p.exists()]
    if not _immutable(files, True):  # root ignores file modes, so the files are made immutable instead
        _immutable(files, False)
        pytest.skip("this file system cannot make files immutable (chattr +i)")
    try:
        for _attempt in range(2):
            status, replies = post(servers, sender, LINES[2])
            assert status == 200
            said = texts(replies)
            assert "could not be saved" in said and "Nothing you said before is lost" in said
            assert [m.get("error") for m in coach_meta(replies)] == ["store_failed"]
            assert customer_turns(replies) == []  # no reply the conversation would then forget
        assert stored_texts(db, sender) == ["start"] + LINES[:2]
    finally:
        _immutable(files, False)
    status, replies = post(servers, sender, LINES[2])
    assert status == 200 and customer_turns(replies) == [3]
    status, replies = post(servers, sender, LINES[3])
    assert customer_turns(replies) == [4]
    assert stored_texts(db, sender) == ["start"] + LINES[:4]
    _finish_and_rescore(servers, sender)
