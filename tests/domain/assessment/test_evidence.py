"""Evidence is what it claims: each step's quote performs that step, and praise is earned."""

from __future__ import annotations

from tests.conftest import finish, run_session

CURT = [
    "Hi.",
    "We sometimes have to cancel when the kitchen is short-staffed.",
    "You can rebook online if you want.",
    "Anything else?",
]


def _play(detector, lines, scenario="cancelled_booking"):
    return finish(run_session(lines, scenario=scenario, persona="angry", difficulty="standard", detector=detector))


def test_a_curt_conversation_earns_no_praise(detector):
    card = _play(detector, CURT)
    assert card["outcome"] != "satisfied"
    assert card["feedback"]["strengths"] == []


def test_a_satisfaction_check_before_anything_is_resolved_is_not_praised_as_confirming(detector):
    card = _play(detector, CURT)
    praised = {item["what"] for item in card["feedback"]["strengths"]}
    assert not any("confirmed" in what or "happens next" in what for what in praised)


def test_an_apology_that_names_the_order_is_not_a_tangible(detector):
    card = _play(detector, ["I'm so sorry about the delay to your order BM-48213."], scenario="late_delivery")
    tangibles = next(s for s in card["models"]["RATER"]["steps"] if s["id"] == "tangibles")
    assert not tangibles["met"]


def test_a_written_confirmation_with_a_reference_is_a_tangible_and_is_quoted(detector):
    line = (
        "I'm sorry about this. I've booked a replacement pair and you'll get a confirmation email "
        "with the reference BM-55120 within the hour."
    )
    card = _play(detector, [line], scenario="late_delivery")
    tangibles = next(s for s in card["models"]["RATER"]["steps"] if s["id"] == "tangibles")
    assert tangibles["met"]
    assert "sorry" not in tangibles["evidence"][0]["quote"].lower()
    assert "confirmation email" in tangibles["evidence"][0]["quote"]


def test_a_summary_is_not_cited_as_taking_action(detector):
    summary = "So just to check I've got it right, your boots were due Tuesday and still haven't come?"
    card = _play(detector, [summary], scenario="late_delivery")
    for model_id, step_id in (("HEAT", "take_action"), ("AAA", "act"), ("RATER", "reliability")):
        step = next(s for s in card["models"][model_id]["steps"] if s["id"] == step_id)
        assert not step["met"], (model_id, step_id, step["evidence"])
