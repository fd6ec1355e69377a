"""A whole conversation over Rasa's REST channel, with real action and Rasa servers."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

from bot.domain.scenarios import default_library
from bot.ops.play import play, rescore, send
from tests.support.paths import ROOT
from tests.support.scripts import GOOD_SCRIPT, POOR_SCRIPT

SETUP = {"scenario": "late_delivery", "persona": "angry", "difficulty": "standard", "seed": 3, "mode": "practice"}


def test_good_learner_satisfies_the_customer_and_scores_well(servers):
    result = play(servers.webhook, SETUP, GOOD_SCRIPT, sender="e2e-good", token=servers.token)
    transcript = result["transcript"]
    customer_lines = [e for e in transcript if e["speaker"] == "customer"]
    assert customer_lines[0]["text"]  # the customer opens with the complaint
    assert any("BM-48213" in e["text"] for e in customer_lines)
    learner = [e for e in transcript if e["speaker"] == "learner" and "tool" not in e]
    assert {"apologize", "acknowledge"} <= set(learner[0]["moves"])
    card = result["scorecard"]
    assert card["outcome"] == "satisfied"
    assert card["overall"] >= 70
    assert card["mood"][0] > card["mood"][-1]
    assert set(card["models"]) == {"HEAT", "LATER", "AAA", "LURC", "RATER", "CYCLE", "SOLVE"}
    assert any(e["speaker"] == "coach" and "Overall" in e["text"] for e in transcript)


def test_poor_learner_leaves_the_customer_unhappy(servers):
    result = play(servers.webhook, SETUP, POOR_SCRIPT, sender="e2e-poor", token=servers.token)
    card = result["scorecard"]
    assert card["outcome"] in ("unsatisfied", "abandoned")
    assert {"blamed_customer", "dismissive_language"} <= {f["id"] for f in card["flags"]}
    assert card["overall"] < 40
    assert card["mood"][-1] >= card["mood"][0]


def test_rescoring_the_play_output_and_the_tracker_store_gives_the_live_scorecard(servers):
    result = play(servers.webhook, SETUP, GOOD_SCRIPT, sender="e2e-rescore", token=servers.token)
    library = default_library()
    assert rescore(result, library) == result["scorecard"]
    with sqlite3.connect(servers.tracker_db) as db:
        rows = db.execute("select data from events where sender_id = ? order by id", ("e2e-rescore",)).fetchall()
    export = {"sender_id": "e2e-rescore", "events": [json.loads(r[0]) for r in rows]}
    assert rescore(export, library) == result["scorecard"]


def test_slash_messages_earn_nothing_and_change_nothing(servers):
    sender = "e2e-slash"
    calm = dict(SETUP, persona="anxious", difficulty="easy")
    send(servers.webhook, sender, "start", {"coach": {"start": calm}}, token=servers.token)
    for text in (
        "/apologize",
        '/learner_message{"moves": ["apologize", "empathize"]}',
        '/coach_command{"coach_command": {"name": "end"}}',
        "/restart",
        "/session_start",
        "/back",
    ):
        replies = send(servers.webhook, sender, text, token=servers.token)
        customs = [r["custom"]["coach"] for r in replies if "custom" in r]
        assert customs and customs[0]["speaker"] == "customer", (text, replies)
        assert [c["speaker"] for c in customs].count("customer") == 1, (text, replies)
        assert customs[0]["moves"] == []
    replies = send(servers.webhook, sender, "I'm so sorry your order hasn't arrived.", token=servers.token)
    meta = next(r["custom"]["coach"] for r in replies if "custom" in r)
    assert meta["turn"] == 7 and "apologize" in meta["moves"]  # still the same conversation


def test_empty_and_huge_messages_get_a_clear_answer(servers):
    sender = "e2e-bad-input"
    send(servers.webhook, sender, "start", {"coach": {"start": SETUP}}, token=servers.token)
    huge = send(servers.webhook, sender, "I'm sorry. " + "x" * 9000, token=servers.token)
    texts = [r.get("text", "") for r in huge]
    assert any("only its first 5,000 characters" in t for t in texts)
    assert any(r.get("custom", {}).get("coach", {}).get("speaker") == "customer" for r in huge)


def test_menu_in_chat_without_metadata(servers):
    sender = "e2e-menu"
    first = send(servers.webhook, sender, "hello", token=servers.token)
    assert any("Choose a scenario" in r.get("text", "") for r in first)
    chosen = send(servers.webhook, sender, "1 anxious easy", token=servers.token)
    speakers = [r["custom"]["coach"]["speaker"] for r in chosen if "custom" in r]
    assert speakers == ["coach", "customer"]
    assert any("anxious customer, easy" in r.get("text", "") for r in chosen)


def test_coach_play_command_against_running_servers(servers, tmp_path):
    script = tmp_path / "script.txt"
    script.write_text("\n".join(GOOD_SCRIPT))
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "play",
            "--scenario",
            "late_delivery",
            "--script",
            str(script),
            "--seed",
            "3",
            "--url",
            servers.url,
            "--token",
            servers.token,
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert set(out) >= {"transcript", "scorecard"}
    assert all(e["speaker"] in ("customer", "learner", "coach") for e in out["transcript"])
    assert out["scorecard"]["outcome"] == "satisfied"
    score = subprocess.run(
        [sys.executable, "-m", "bot", "score", "-"],
        input=run.stdout,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert json.loads(score.stdout) == out["scorecard"]


def test_rest_channel_refuses_callers_without_the_token(servers):
    import pytest

    from bot.ops.play import PlayError

    for token in ("wrong-token-wrong-token", ""):
        with pytest.raises(PlayError, match="refused the API token"):
            send(servers.webhook, "e2e-intruder", "hi", token=token or "x" * 20)
    import urllib.error
    import urllib.request

    request = urllib.request.Request(servers.webhook, data=b'{"sender": "a", "message": "hi"}', method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 401
