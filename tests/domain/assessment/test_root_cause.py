"""The root-cause review after the outcome: credit for a root cause, a symptom named as one, the next 'why'."""

from __future__ import annotations

import pytest

from bot.domain.assessment.root_cause import review_answer
from bot.domain.scenarios import default_library
from bot.domain.session.session import REFLECTION_QUESTION, LearnerInput
from tests.conftest import finish, flag_ids, parse_command, run_session

# A short, decent conversation with the warehouse colleague, moves given so the test needs no model.
HANDOVER = [
    (
        "Hi Kerry, I'm sorry the picking lists have been late. What's been wrong with them?",
        ["apologize", "ask_question"],
    ),
    (
        "From tomorrow my team checks every list before sending, and they'll be with you by 6:30.",
        ["offer_solution", "set_expectations"],
    ),
    ("Does that work for you?", ["check_satisfaction"]),
]


def reflect(answer: str, trusted: bool = True, scenario: str = "internal_handover", lines=HANDOVER):
    session = run_session(lines, scenario=scenario, persona="anxious", difficulty="easy")
    before = finish(session)
    reply = session.handle(LearnerInput(answer, trusted=trusted))
    return before, session.attempt.scorecard.as_json(), reply[0].text


def test_the_reflection_asks_for_the_cause_and_the_prevention():
    session = run_session(HANDOVER, scenario="internal_handover", persona="anxious", difficulty="easy")
    replies = session.handle(LearnerInput("end", command=parse_command("end")))
    assert replies[-1].text == REFLECTION_QUESTION
    assert "caused this problem" in REFLECTION_QUESTION and "stop it happening again" in REFLECTION_QUESTION


def test_a_root_cause_is_credited_and_a_missing_fix_is_suggested():
    before, card, reply = reflect(
        "Nobody ever agreed with the warehouse what a complete list is, and we don't check them."
    )
    assert card["root_cause"]["verdict"] == "root_cause"
    assert "You found the root cause" in reply and "stop it happening again" in reply
    assert "symptom_as_root_cause" not in flag_ids(card)
    assert card["root_cause"]["prevention"] is False


def test_a_root_cause_with_a_fix_is_praised_for_the_fix():
    _, card, reply = reflect(
        "We never agreed a standard with the warehouse. Next time we should agree a checklist and a 6:30 deadline."
    )
    assert card["root_cause"]["verdict"] == "root_cause" and card["root_cause"]["prevention"] is True
    assert "your fix goes at that cause" in reply


def test_a_symptom_is_named_as_a_symptom_and_the_next_why_suggested():
    before, card, reply = reflect("The lists were late and missing lines, so orders missed the courier.")
    assert card["root_cause"]["verdict"] == "symptom"
    assert "symptom_as_root_cause" in flag_ids(card)
    assert "That is a symptom" in reply and 'Ask the next "why": Why are the lists late' in reply
    # teaching, not a penalty: answering the question must never cost more than skipping it
    assert card["overall"] == before["overall"]


def test_an_immediate_cause_is_not_the_root_cause():
    _, card, reply = reflect("The export runs before the overnight orders have loaded since the update.")
    assert card["root_cause"]["verdict"] == "immediate_cause" and "symptom_as_root_cause" in flag_ids(card)
    assert "immediate cause" in reply and "Why did the update go live" in reply


def test_a_vague_answer_is_told_so_without_a_flag():
    _, card, reply = reflect("Bad communication, I think. These things happen.")
    assert card["root_cause"]["verdict"] == "vague"
    assert "doesn't name a cause" in reply and "symptom_as_root_cause" not in flag_ids(card)


def test_a_slash_message_as_the_answer_earns_nothing():
    _, card, _ = reflect("/inform nobody agreed a standard and we never check the lists", trusted=False)
    assert card["root_cause"]["verdict"] == "vague"


def test_every_shipped_scenario_has_a_chain_with_a_root_cause():
    library = default_library()
    for scenario in library.scenarios.values():
        assert scenario.links("symptom") and scenario.links("root_cause"), scenario.id
        review = review_answer(scenario, scenario.links("root_cause")[0].label, library.course.prevention)
        assert review is not None and review.verdict == "root_cause", scenario.id


NOTES_WITHOUT_CAUSE = (
    "notes: broadband dropping, third contact, escalated to complaints team because repeat fault, accepted"
)
NOTES_WITH_CAUSE = (
    "notes: broadband dropping, third contact. Root cause: the engineer's referral had no owner and nobody chased it. "
    "Escalated to complaints team because repeat fault, accepted"
)
REPEAT = [
    ("I'm sorry this is your third contact about the broadband dropping.", ["apologize", "acknowledge"]),
    ("check history", []),
    ("Because it's a repeat fault I'm passing it to our Complaints Resolution team today.", ["escalate"]),
]


@pytest.mark.parametrize("notes, documented", [(NOTES_WITHOUT_CAUSE, False), (NOTES_WITH_CAUSE, True)])
def test_repeat_complaint_notes_must_record_the_root_cause(notes, documented):
    card = finish(
        run_session(REPEAT + [(notes, [])], scenario="repeat_complaint", persona="anxious", difficulty="easy")
    )
    flags = {f["id"]: f for f in card["flags"]}
    assert ("not_documented" not in flags) is documented
    if not documented:
        assert "don't record the root cause" in flags["not_documented"]["message"]


def test_the_internal_service_model_is_scored_only_for_a_colleague():
    internal = finish(run_session(HANDOVER, scenario="internal_handover", persona="anxious", difficulty="easy"))
    external = finish(run_session(HANDOVER, scenario="late_delivery", persona="anxious", difficulty="easy"))
    assert "INTERNAL" in internal["models"] and "INTERNAL" not in external["models"]
    steps = {s["id"]: s for s in internal["models"]["INTERNAL"]["steps"]}
    assert steps["agree_standard"]["met"] and "6:30" in steps["agree_standard"]["evidence"][0]["quote"]
    assert not steps["follow_up"]["met"]
