"""The dashboard's index of attempts, built from tracker events written the way Rasa writes them."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select

from bot.domain.scenarios import default_library
from bot.ops.play import rescore
from bot.ops.servers import child_env, free_port
from bot.tutor import auth, indexer, queries, records, seed
from bot.tutor.db import attempts, create_events_table, events, make_engine, sqlite_url
from tests.tutor.conftest import Http

SETUP = {"scenario": "late_delivery", "persona": "angry", "difficulty": "standard", "seed": 3, "mode": "practice"}
LINES = [
    ("Hi, I'm so sorry your order hasn't arrived.", ["greet", "apologize", "acknowledge"]),
    ("That must be really stressful. Could you give me your order number?", ["empathize", "ask_question"]),
    ("You should have paid for express delivery.", ["blame"]),
]


def _flush(engine, recorder, written):
    seed.write(engine, seed.rows(recorder.sender_id, recorder.events[written:]))
    return len(recorder.events)


def _rows(engine):
    with engine.connect() as db:
        return [dict(r._mapping) for r in db.execute(select(attempts).order_by(attempts.c.id))]


def test_attempts_are_indexed_incrementally_from_the_slots(engine):
    library = default_library()
    recorder = seed.Recorder("conv-a", library, channel="webchat")
    recorder.say("start", metadata={"coach": {"start": SETUP, "learner": {"id": "L1", "name": "Lee"}}})
    for text, moves in LINES[:2]:
        recorder.say(text, moves)
    written = _flush(engine, recorder, 0)
    assert indexer.sync(engine) == 1
    (row,) = _rows(engine)
    assert (
        row["learner_id"],
        row["learner_name"],
        row["channel"],
        row["scenario"],
        row["outcome"],
        row["turns"],
        row["overall"],
    ) == ("L1", "Lee", "webchat", "late_delivery", "in_progress", 2, None)
    assert indexer.sync(engine) == 0  # nothing new: nothing read again
    recorder.say(*LINES[2])
    recorder.say("end")
    _flush(engine, recorder, written)
    assert indexer.sync(engine) == 1
    (row,) = _rows(engine)
    card = recorder.session.attempt.scorecard.as_json()
    assert row["overall"] == row["overall_auto"] == card["overall"]
    assert json.loads(row["flags"]) == [f["id"] for f in card["flags"]] and "blamed_customer" in row["flags"]
    assert row["outcome"] == card["outcome"] and row["m_heat"] == card["models"]["HEAT"]["score"]
    with engine.connect() as db:
        assert queries.attempt_row(db, row["id"])["scorecard"] == card
    # The stored scorecard is the one the coach gives for these events.
    with engine.connect() as db:
        stored = [json.loads(d) for (d,) in db.execute(select(events.c.data).order_by(events.c.id))]
    assert rescore({"sender_id": "conv-a", "events": stored}, library) == card


def test_restart_makes_a_second_attempt_and_carried_over_slots_are_ignored(engine):
    library = default_library()
    recorder = seed.Recorder("conv-b", library)
    recorder.say("start", metadata={"coach": {"start": SETUP}})
    recorder.say(*LINES[0])
    recorder.say("end")
    recorder.say("restart")
    recorder.say("billing error anxious easy")
    recorder.say(*LINES[1])
    first_card = recorder.session.finished[0].scorecard.as_json()
    # Rasa starting a new session carries the slots over: the old scorecard is set again.
    recorder._add({"event": "action", "name": "action_session_start"})
    recorder._add({"event": "session_started"})
    recorder._add({"event": "slot", "name": "scorecard", "value": first_card})
    recorder._add({"event": "slot", "name": "coach_state", "value": recorder.state})
    recorder._listen()
    _flush(engine, recorder, 0)
    indexer.sync(engine)
    first, second = _rows(engine)
    assert (first["attempt"], first["scenario"], first["overall"]) == (1, "late_delivery", first_card["overall"])
    assert (second["attempt"], second["scenario"], second["persona"]) == (2, "billing_error", "anxious")
    assert second["overall"] is None and second["outcome"] == "in_progress"
    assert first["learner_id"] == second["learner_id"] == "conv-b"  # no learner metadata: the conversation id


def test_overrides_are_kept_beside_the_automatic_result_and_survive_a_rebuild(engine):
    library = default_library()
    recorder = seed.Recorder("conv-c", library)
    recorder.say("start", metadata={"coach": {"start": dict(SETUP, mode="assessment")}})
    for line in LINES:
        recorder.say(*line)
    recorder.say("end")
    _flush(engine, recorder, 0)
    indexer.sync(engine)
    (row,) = _rows(engine)
    automatic = row["overall_auto"]
    records.override(engine, row["id"], "t1", "overall", "88", "re-marked")
    records.override(engine, row["id"], "t1", "flag_remove", "blamed_customer", "")
    with pytest.raises(records.RecordError):
        records.override(engine, row["id"], "t1", "overall", "101")
    with pytest.raises(records.RecordError):
        records.override(engine, row["id"], "t1", "flag_add", "not_a_flag")
    indexer.reset(engine)
    indexer.sync(engine)
    (row,) = _rows(engine)
    assert (row["overall"], row["overall_auto"], row["overridden"], row["passed"]) == (88, automatic, True, True)
    assert "blamed_customer" in row["flags_auto"] and "blamed_customer" not in row["flags"]
    records.override(engine, row["id"], "t2", "overall_reset")
    (row,) = _rows(engine)
    assert row["overall"] == automatic and row["passed"] == (automatic >= 70)


def test_password_hashes_are_salted_scrypt(engine):
    auth.add_tutor(engine, "a.tutor", "same password")
    auth.add_tutor(engine, "b.tutor", "same password")
    with engine.connect() as db:
        hashes = [h for (h,) in db.execute(select(auth.tutors.c.password_hash))]
    assert hashes[0] != hashes[1] and all(h.startswith("scrypt$32768$8$1$") for h in hashes)
    assert auth.check_login(engine, "a.tutor", "same password", "127.0.0.1") is not None
    assert auth.check_login(engine, "a.tutor", "Same password", "127.0.0.1") is None
    assert auth.check_login(engine, "nobody", "same password", "127.0.0.1") is None


def test_the_list_pages_and_filters_10000_conversations(tmp_path):
    """Functional check at scale; the speed figures come from `coach bench-dashboard`."""
    library = default_library()
    url = sqlite_url(tmp_path / "big.db")
    engine = make_engine(url)
    create_events_table(engine)
    import random

    rng = random.Random(7)
    originals = []
    for number in range(40):
        _sender, recorded = seed.generated_conversation(library, number, rng, 40, 1.76e9, 90 * 86400)
        originals.append([e for e in recorded if e["event"] in ("slot", "session_started", "action")])
    batch = []
    for copy in range(10000):
        shift = (copy * 7919) % (90 * 86400)
        learner = {"id": f"learner-{copy % 300:04d}", "name": f"Learner {copy % 300}"}
        for event in originals[copy % len(originals)]:
            event = dict(event, timestamp=event["timestamp"] + shift)
            if event["event"] == "slot" and event["name"] == "coach_state":
                event["value"] = dict(event["value"], learner=learner)
            batch.extend(seed.rows(f"copy-{copy:05d}", [event]))
        if len(batch) > 20000:
            seed.write(engine, batch)
            batch = []
    seed.write(engine, batch)
    indexer.sync(engine)
    with engine.connect() as db:
        assert db.execute(select(func.count()).select_from(attempts)).scalar() == 10000
        flag = db.execute(select(queries.attempt_flags.c.flag).limit(1)).scalar()
        scenario, outcome = db.execute(
            select(attempts.c.scenario, attempts.c.outcome).where(attempts.c.outcome == "satisfied").limit(1)
        ).first()
    auth.add_tutor(engine, "fast.tutor", "a long password")
    engine.dispose()

    port = free_port()
    env = child_env()
    env["COACH_DATABASE_URL"] = url
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "dashboard", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        client = Http(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 30
        while True:
            try:
                client.request("GET", "/login")
                break
            except OSError:
                assert time.monotonic() < deadline
                time.sleep(0.2)
        assert client.login("fast.tutor", "a long password") == 303
        paths = [
            "/conversations",
            "/conversations?page=150",
            f"/conversations?scenario={scenario}&outcome={outcome}",
            f"/conversations?flag={flag}&page=3",
            "/conversations?learner=learner%2012",
            "/conversations?date_from=2025-12-01&date_to=2025-12-20&score_min=40",
        ]
        pages = {}
        for path in paths:
            status, page = client.request("GET", path)
            assert status == 200 and 'data-testid="conversation-row"' in page, path
            pages[path] = page
        assert pages["/conversations"] != pages["/conversations?page=150"]
        assert pages["/conversations"].count('data-testid="conversation-row"') == 50
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_coaching_attempt_is_indexed_with_its_own_models(engine):
    library = default_library()
    recorder = seed.Recorder("conv-coach", library, channel="webchat")
    setup = {"scenario": "coaching_review", "persona": "anxious", "difficulty": "standard", "seed": 1}
    recorder.say("start", metadata={"coach": {"start": setup, "learner": {"id": "L9", "name": "Kim"}}})
    recorder.say("Well done for getting her order number so quickly.", [])
    recorder.say("Let's agree that from tomorrow you apologise in your first reply.", [])
    recorder.say("end")
    _flush(engine, recorder, 0)
    assert indexer.sync(engine) == 1
    (row,) = _rows(engine)
    assert row["scenario"] == "coaching_review" and row["outcome"] == "satisfied"
    assert row["m_grow"] is not None and row["m_coaching"] is not None
    assert row["m_heat"] is None and row["kpi_csat"] is None
