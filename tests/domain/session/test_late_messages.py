"""Nothing a learner types is lost: lines after the customer left stay in the transcript (issue 19)."""

from __future__ import annotations

from bot.domain.session.commands import parse_command
from bot.domain.session.session import LearnerInput
from tests.conftest import run_session


def test_a_line_typed_after_the_customer_left_is_kept_for_the_tutor():
    rude = [
        ("You should have ordered earlier, that's on you.", ["blame"]),
        ("Calm down, it's only boots.", ["dismiss"]),
    ]
    session = run_session(rude * 4, persona="angry", difficulty="hard")
    assert session.attempt.customer.outcome == "abandoned"
    session.handle(LearnerInput("Calm down, it's only 33 quid", moves=["dismiss", "rude"]))
    learner_lines = [e["text"] for e in session.attempt.transcript if e["speaker"] == "learner"]
    assert learner_lines == [text for text, _ in rude * 4] + ["Calm down, it's only 33 quid"], "every line, in order"
    assert session.attempt.transcript[-1].get("late")


def test_a_line_after_the_scorecard_is_kept_too():
    session = run_session([("I'm so sorry about your boots.", ["apologize"])])
    session.handle(LearnerInput("end", command=parse_command("end")))
    session.handle(LearnerInput("no thanks"))  # the reflection
    attempt = session.finished[-1] if session.finished else session.attempt
    session.handle(LearnerInput("whatever, bye"))
    assert any(e.get("late") and e["text"] == "whatever, bye" for e in attempt.transcript)
