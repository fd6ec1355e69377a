"""The coach command: detect, scenarios, score, and one clear line on errors."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT


def coach(*args, stdin=None):
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True, cwd=ROOT, timeout=120
    )


def test_scenarios_lists_ids_with_descriptions():
    run = coach("scenarios")
    assert run.returncode == 0
    lines = run.stdout.splitlines()
    assert lines == sorted(lines)
    assert any(line.startswith("late_delivery ") and "two days late" in line for line in lines)


def test_detect_adds_moves_and_keeps_other_fields():
    lines = [{"text": "so sorry about that, whats ur order number", "id": 7}, {"text": ""}]
    run = coach("detect", stdin="".join(json.dumps(x) + "\n" for x in lines))
    assert run.returncode == 0, run.stderr
    out = [json.loads(line) for line in run.stdout.splitlines()]
    assert (
        out[0]["id"] == 7
        and set(out[0]["moves"]) == {"apologize", "ask_question", "acknowledge"}
        or {"apologize", "ask_question"} <= set(out[0]["moves"])
    )
    assert out[1]["moves"] == []


def test_detect_matches_the_in_process_detector(detector, tmp_path):
    texts = ["I'm really sorry, that must be so frustrating", "calm down its only 2 days", "have a good one!"]
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts))
    run = coach("detect", str(path))
    assert [json.loads(line)["moves"] for line in run.stdout.splitlines()] == [detector.detect(t).moves for t in texts]


def test_check_names_file_and_field_and_fails():
    run = coach("scenarios", "--check", str(ROOT / "tests" / "fixtures" / "broken" / "bad_types.yml"))
    assert run.returncode == 1
    assert "bad_types.yml" in run.stdout and "remedies[0].satisfies" in run.stdout


def test_check_passes_on_shipped_scenarios():
    run = coach("scenarios", "--check")
    assert run.returncode == 0 and "OK" in run.stdout


def test_errors_are_one_clear_line_and_non_zero():
    for args, fragment in [
        (("detect", "/no/such/file"), "cannot read"),
        (("play", "--scenario", "nope", "--script", "x"), "unknown scenario"),
        (("score", "/no/such.json"), "cannot read"),
        (("detect", "--model", "/no/model.tar.gz"), "no trained model"),
    ]:
        run = coach(*args, stdin="")
        assert run.returncode != 0
        assert len(run.stderr.strip().splitlines()) == 1 and fragment in run.stderr, run.stderr


def test_detect_reads_plain_lines_of_text():
    run = coach("detect", stdin="so sorry about that, could you send me your order number?\n\nhave a lovely day\n")
    rows = [json.loads(line) for line in run.stdout.splitlines()]
    assert run.returncode == 0, run.stderr
    assert rows[0]["text"] == "so sorry about that, could you send me your order number?"
    assert {"apologize", "ask_question"} <= set(rows[0]["moves"])
    assert rows[1]["moves"] == ["close"]


def test_detect_rejects_lines_without_text():
    run = coach("detect", stdin='{"message": "hi"}\n')
    assert run.returncode != 0 and "line 1" in run.stderr


def test_score_rejects_unknown_shapes(tmp_path):
    path = tmp_path / "x.json"
    path.write_text('{"hello": 1}')
    run = coach("score", str(path))
    assert run.returncode != 0 and "tracker export" in run.stderr


def test_score_of_a_tracker_export_matches_live(tmp_path):
    fixture = json.loads((ROOT / "tests" / "fixtures" / "tracker_first_reply.json").read_text())
    path = tmp_path / "tracker.json"
    path.write_text(json.dumps({"sender_id": fixture["sender_id"], "events": fixture["events"]}))
    run = coach("score", str(path))
    assert run.returncode == 0, run.stderr
    card = json.loads(run.stdout)
    assert card["scenario"] == "late_delivery" and card["outcome"] == "unsatisfied"
    assert card == json.loads(coach("score", str(path)).stdout)
