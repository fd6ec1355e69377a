"""Learners by name, renames and merges, every message in the exports, the readable audit trail and the
score breakdown, on tracker events written the way Rasa writes them (no servers)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import inspect, select, text

from bot.domain.assessment.rubrics import vocabulary
from bot.domain.scenarios import default_library
from bot.tutor import exports, indexer, learners, queries, records, report, seed
from bot.tutor.db import attempts, create_events_table, make_engine, sqlite_url
from bot.tutor.view import EvidenceIndex, breakdown_view, scorecard_view

SETUP = {"scenario": "late_delivery", "persona": "angry", "difficulty": "standard", "seed": 3, "mode": "practice"}
LATE_LINE = "Bye then, sorry I forgot to close."


@pytest.fixture(scope="module")
def library():
    return default_library()


def play(engine, library, sender, learner, channel="webchat", cohort=None, start=1.7e9):
    """One scored attempt: a few good lines, notes, end, a reflection, then a line typed after it all ended."""
    recorder = seed.Recorder(sender, library, channel=channel, start_time=start)
    recorder.say("start", metadata={"coach": {"start": SETUP, "learner": learner}})
    for line, moves in seed.GOOD_LINES[:4]:
        recorder.say(line, moves)
    recorder.say("You should have paid for express delivery.", ["blame"])
    recorder.say("notes: late order, reshipped")
    recorder.say("end")
    recorder.say("I should ask sooner.")
    recorder.say(LATE_LINE, ["close"])
    if cohort:  # the channel's cohort, as the session will record it in coach_state
        for event in recorder.events:
            if event["event"] == "slot" and event["name"] == "coach_state":
                event["value"] = dict(event["value"], learner=dict(event["value"]["learner"], cohort=cohort))
    seed.write(engine, seed.rows(sender, recorder.events))
    indexer.sync(engine)
    return recorder


def _row(engine, sender):
    with engine.connect() as db:
        (rid,) = db.execute(select(attempts.c.id).where(attempts.c.sender_id == sender)).first()
        return queries.attempt_row(db, rid)


def _listed(engine, **filters):
    with engine.connect() as db:
        return queries.list_page(db, queries.Filters(filters))["items"]


def _cohort(engine):
    with engine.connect() as db:
        return queries.cohort(db, queries.Filters())


def test_the_cohort_code_is_indexed_and_filters_and_its_absence_is_fine(engine, library):
    play(engine, library, "web-lee", {"id": "L1", "name": "Lee Smith"}, cohort="CS-2026A")
    play(engine, library, "web-ana", {"id": "A1", "name": "Ana"})
    assert [r["learner_cohort"] for r in _listed(engine, cohort="CS-2026A")] == ["CS-2026A"]
    assert _row(engine, "web-ana")["learner_cohort"] == ""
    with engine.connect() as db:
        assert queries.options(db)["cohort"] == ["CS-2026A"]
    lee = next(p for p in _cohort(engine)["learners"] if p["id"] == "L1")
    assert (lee["name"], lee["cohort"]) == ("Lee Smith", "CS-2026A")


def test_a_learner_without_a_name_shows_a_short_id():
    assert learners.shown_name("", "3f2a9c1e-77aa-4d0b-9e1f-5a6b7c8d9e0f") == "3f2a9c1e-77a…"
    assert learners.shown_name("", "U07KIM") == "U07KIM"
    assert learners.shown_name("Kim", "3f2a9c1e-77aa-4d0b-9e1f-5a6b7c8d9e0f") == "Kim"


def test_rename_merge_and_unmerge_apply_everywhere_and_are_audited(engine, library):
    play(engine, library, "web-lee", {"id": "L1", "name": "Lee Smith"}, cohort="CS-2026A")
    play(engine, library, "slack-lee", {"id": "U07LEE", "name": "lee.s"}, channel="slack", start=1.71e9)
    assert _cohort(engine)["learner_count"] == 2

    learners.merge(engine, "U07LEE", "L1", "t1", "same person on Slack")
    assert {(r["person_id"], r["person_name"]) for r in _listed(engine)} == {("L1", "Lee Smith")}
    assert len(_listed(engine, learner="lee smith")) == 2
    cohort = _cohort(engine)
    assert cohort["learner_count"] == 1 and cohort["learners"][0]["attempts"] == 2

    learners.rename(engine, "L1", "t2", "Lee  Smith-Jones", "married name")
    assert {r["person_name"] for r in _listed(engine)} == {"Lee Smith-Jones"}
    assert len(_listed(engine, learner="jones")) == 2
    # A new attempt on the merged id is indexed under the person at once.
    play(engine, library, "slack-lee-2", {"id": "U07LEE", "name": "lee.s"}, channel="slack", start=1.72e9)
    assert _row(engine, "slack-lee-2")["person_id"] == "L1"
    assert _row(engine, "slack-lee-2")["person_name"] == "Lee Smith-Jones"

    rows = list(csv.DictReader(io.StringIO(_export(engine, "csv"))))
    assert {(r["learner_id"], r["learner_name"]) for r in rows} == {("L1", "Lee Smith-Jones")}
    assert {r["channel_learner_id"] for r in rows} == {"L1", "U07LEE"} and "CS-2026A" in {r["cohort"] for r in rows}
    statements = json.loads(_export(engine, "xapi"))
    assert {(s["actor"]["account"]["name"], s["actor"]["name"]) for s in statements} == {("L1", "Lee Smith-Jones")}
    assert "Learner: Lee Smith\\-Jones (L1); the channel sent lee.s (U07LEE)" in _report(engine, "slack-lee", library)

    with pytest.raises(learners.LearnerError):
        learners.merge(engine, "L1", "U07LEE", "t1")  # a cycle
    with pytest.raises(learners.LearnerError):
        learners.merge(engine, "U07LEE", "L1", "t1")  # already merged
    with pytest.raises(learners.LearnerError):
        learners.merge(engine, "nobody", "L1", "t1")

    learners.unmerge(engine, "U07LEE", "t1", "two different people after all")
    assert {(r["sender_id"], r["person_id"], r["person_name"]) for r in _listed(engine)} == {
        ("web-lee", "L1", "Lee Smith-Jones"),
        ("slack-lee", "U07LEE", "lee.s"),
        ("slack-lee-2", "U07LEE", "lee.s"),
    }
    learners.rename(engine, "L1", "t2", "", "back to the LMS name")
    assert _row(engine, "web-lee")["person_name"] == "Lee Smith"
    assert _cohort(engine)["learner_count"] == 2

    with engine.connect() as db:
        trail = learners.person(db, "L1")["changes"]
    assert [(c["tutor"], c["what"], c["reason"]) for c in trail] == [
        ("t1", "Merged U07LEE into L1", "same person on Slack"),
        ("t2", "Renamed L1 to “Lee Smith-Jones”", "married name"),
        ("t1", "Undid the merge of U07LEE into L1", "two different people after all"),
        ("t2", "Cleared the display name of L1 (the channel's name shows again)", "back to the LMS name"),
    ]
    assert (trail[1]["value_before"], trail[1]["value_after"]) == ("", "Lee Smith-Jones")


def _export(engine, fmt, **options):
    with engine.connect() as db:
        return exports.export(db, fmt, library=default_library(), **options)


def _report(engine, sender, library):
    return report.render(engine, sender, library, "md")


def test_exports_carry_every_message_in_order(engine, library):
    recorder = play(engine, library, "web-lee", {"id": "L1", "name": "Lee Smith"})
    expected = [(e["speaker"], e["text"]) for e in recorder.session.attempt.transcript]
    assert expected[-1] == ("learner", LATE_LINE)
    (item,) = json.loads(_export(engine, "json"))
    assert item["learner"] == {
        "id": "L1",
        "name": "Lee Smith",
        "cohort": None,
        "channel_id": "L1",
        "channel_name": "Lee Smith",
    }
    messages = item["messages"]
    assert [(m["speaker"], m["text"]) for m in messages] == expected
    assert [m["index"] for m in messages] == list(range(1, len(expected) + 1))
    assert messages[-1]["kind"] == "late" and messages[-1]["late"] is True
    assert [m["tool"] for m in messages if m["kind"] == "tool"] == ["notes", "end", "reflection"]
    assert messages[0]["speaker"] == "customer" and messages[1]["turn"] == 1

    rows = list(csv.DictReader(io.StringIO(_export(engine, "csv", messages=True))))
    assert [(r["speaker"], r["text"]) for r in rows] == expected
    assert rows[-1]["kind"] == "late" and {r["learner_name"] for r in rows} == {"Lee Smith"}
    assert list(rows[0]) == exports.MESSAGE_COLUMNS

    (statement,) = json.loads(_export(engine, "xapi"))
    transcript = statement["context"]["extensions"]["urn:complaint-coach:transcript"]
    assert [(m["speaker"], m["text"]) for m in transcript] == expected


def test_the_audit_trail_uses_labels_and_plain_words(engine, library):
    play(engine, library, "web-lee", {"id": "L1", "name": "Lee Smith"})
    row = _row(engine, "web-lee")
    assert "blamed_customer" in row["flags"]
    records.override(engine, row["id"], "t1", "flag_remove", "blamed_customer", "a fair point")
    records.override(engine, row["id"], "t1", "overall", "55", "re-marked")
    markdown = _report(engine, "web-lee", library)
    assert "Removed flag: Blame (" in markdown and "blamed\\_customer" not in markdown.split("Overrides")[1]
    assert "Set the overall score to 55" in markdown
    with engine.connect() as db:
        (change, _) = queries.audit(db, row["id"])["overrides"]
    words = records.describe_override(change, vocabulary())
    assert words["what"] == "Removed flag: Blame"
    assert "Blame" in words["before"] and "Blame" not in words["after"] and "[" not in words["before"]


def test_the_breakdown_is_shown_automatic_beside_an_override_and_not_for_old_scorecards(engine, library):
    play(engine, library, "web-lee", {"id": "L1", "name": "Lee Smith"})
    row = _row(engine, "web-lee")
    card = row["scorecard"]
    view = breakdown_view(scorecard_view(card, EvidenceIndex()), row)
    assert view["overall"] == row["overall"] and not view["automatic_only"]
    assert round(sum(line["points"] for line in view["lines"])) == view["overall"]
    markdown = _report(engine, "web-lee", library)
    assert "#### How the score is made\n" in markdown and "| Flag: Blame (turn 5) | −10 |" in markdown
    assert f"| **Overall** | **{row['overall']}** |" in markdown
    lost = next(m for m in card["models"].values() if m["lost"])
    assert f"- −{lost['lost'][0]['points']}: " in markdown and "Why " in markdown

    records.override(engine, row["id"], "t1", "flag_remove", "blamed_customer", "")
    records.override(engine, row["id"], "t1", "overall", "90", "")
    row = _row(engine, "web-lee")
    view = breakdown_view(scorecard_view(card, EvidenceIndex()), row)
    assert view["automatic_only"] and view["overall_now"] == 90 and view["removed"] == ["Blame"]
    removed = {line["id"]: line["removed"] for line in view["lines"] if line["kind"] == "flag"}
    assert removed.pop("blamed_customer") is True and removed and not any(removed.values())
    markdown = _report(engine, "web-lee", library)
    assert "#### How the score is made (automatic)" in markdown and "the score now is 90" in markdown
    assert "| **Automatic overall** |" in markdown

    old = {k: v for k, v in card.items() if k != "breakdown"}
    old["models"] = {k: {"score": m["score"], "steps": m["steps"]} for k, m in card["models"].items()}
    shown = scorecard_view(old, EvidenceIndex())
    assert breakdown_view(shown, row) is None and all(m["lost"] == [] for m in shown["models"])


def test_an_older_database_gets_the_new_columns_and_is_rebuilt(tmp_path, library):
    url = sqlite_url(tmp_path / "old.db")
    engine = make_engine(url)
    create_events_table(engine)
    play(engine, library, "web-lee", {"id": "L1", "name": "Lee Smith"}, cohort="CS-1")
    with engine.begin() as db:  # what a database made before these columns looks like
        for column in ("learner_cohort", "person_id", "person_name"):
            db.execute(text("DROP INDEX IF EXISTS ix_coach_attempts_person"))
            db.execute(text(f"ALTER TABLE coach_attempts DROP COLUMN {column}"))
    engine.dispose()
    engine = make_engine(url)
    assert {"learner_cohort", "person_id", "person_name"} <= {
        c["name"] for c in inspect(engine).get_columns("coach_attempts")
    }
    assert _row(engine, "web-lee")["person_name"] == "Lee Smith"  # usable before the next sync
    indexer.sync(engine)
    assert _row(engine, "web-lee")["learner_cohort"] == "CS-1"
    engine.dispose()
