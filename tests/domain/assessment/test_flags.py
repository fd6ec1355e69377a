"""Each flag fires on the mistake it names, and stays quiet on good handling."""

from __future__ import annotations

import pytest

from bot.domain.scenarios import load_library
from bot.domain.session.commands import parse_command
from bot.domain.session.session import LearnerInput, Session
from tests.conftest import ROOT, finish, flag_ids, run_session

GREET = ("Hi, I'm Sam at Brightmart. I'm so sorry your order hasn't arrived.", ["greet", "acknowledge", "apologize"])
EMPATHY = (
    "That must be really stressful with your trip. Could you give me your order number?",
    ["empathize", "ask_question"],
)
QUESTIONS = ("Thanks. When was it promised, and why do you need it?", ["thank", "ask_question"])
RESTATE = (
    "So it was due Tuesday and you need the boots for your trip. The depot had a backlog, which is why it is late.",
    ["acknowledge", "explain"],
)
OFFER = (
    "I'll sort this out for you. I can send a new pair by express delivery today, or hold a pair at our "
    "Kendal store. Which would you prefer?",
    ["take_ownership", "offer_solution", "ask_question"],
)
EXPECT = (
    "You'll get a dispatch email within the hour and they'll arrive tomorrow by 6pm. Does that work for you?",
    ["set_expectations", "check_satisfaction"],
)
NOTES = "notes: order BM-48213 late; offered express reship, customer accepted, satisfied"
GOOD = [GREET, EMPATHY, QUESTIONS, RESTATE, OFFER, EXPECT, NOTES]


def card_for(lines, **kwargs):
    return finish(run_session(lines, **kwargs))


def test_good_handling_raises_no_flag_and_satisfies():
    card = card_for(GOOD)
    assert card["outcome"] == "satisfied"
    assert flag_ids(card) == []


def replace(lines, old, new):
    return [new if line is old else line for line in lines]


@pytest.mark.parametrize(
    "flag, lines",
    [
        ("action_before_empathy", [("I can send a new pair by express delivery today.", ["offer_solution"])] + GOOD),
        ("scripted_apology", GOOD[:4] + [("Sorry for any inconvenience.", ["apologize"])] * 2 + GOOD[4:]),
        ("blamed_customer", GOOD[:4] + [("You should have picked next-day delivery.", ["blame"])] + GOOD[4:]),
        ("dismissive_language", GOOD[:4] + [("Calm down, it's only two days.", ["dismiss"])] + GOOD[4:]),
        (
            "negative_language",
            GOOD[:4]
            + [
                ("We can't change the courier. I'm unable to do anything about the depot.", ["explain"]),
                ("It's not possible to track it further.", ["explain"]),
            ]
            + GOOD[4:],
        ),
        (
            "over_promise",
            replace(
                GOOD,
                OFFER,
                (
                    "I'll sort it: a new pair by express today plus a £50 voucher. Which would you prefer?",
                    ["take_ownership", "offer_solution", "ask_question"],
                ),
            ),
        ),
        (
            "over_promise",
            replace(
                GOOD,
                EXPECT,
                (
                    "I guarantee they will arrive today. Does that work for you?",
                    ["set_expectations", "check_satisfaction"],
                ),
            ),
        ),
        ("no_expectations_set", replace(GOOD, EXPECT, ("Does that work for you?", ["check_satisfaction"]))),
        (
            "no_satisfaction_check",
            replace(GOOD, EXPECT, ("You'll get a dispatch email within the hour.", ["set_expectations"])),
        ),
        ("details_not_captured", [GREET, ("That must be really stressful.", ["empathize"]), OFFER, EXPECT, NOTES]),
        (
            "customer_not_involved",
            replace(
                replace(GOOD, OFFER, ("I'll send a new pair by express delivery today.", ["offer_solution"])),
                EXPECT,
                ("You'll get a dispatch email within the hour.", ["set_expectations"]),
            ),
        ),
        ("unnecessary_escalation", GOOD[:4] + [("I'm passing this to my team leader.", ["escalate"])]),
        ("not_documented", GOOD[:-1]),
        ("not_documented", GOOD[:-1] + ["notes: customer rang"]),
    ],
)
def test_flag_fires(flag, lines):
    assert flag in flag_ids(card_for(lines))


@pytest.mark.parametrize(
    "flag",
    [
        "action_before_empathy",
        "scripted_apology",
        "blamed_customer",
        "dismissive_language",
        "negative_language",
        "over_promise",
        "no_expectations_set",
        "no_satisfaction_check",
        "details_not_captured",
        "customer_not_involved",
        "unnecessary_escalation",
        "not_documented",
        "missed_escalation",
        "history_not_reviewed",
    ],
)
def test_flag_quiet_on_good_handling(flag):
    assert flag not in flag_ids(card_for(GOOD))


def test_agreeing_a_single_offer_involves_the_customer():
    lines = replace(GOOD, OFFER, ("I'll send a new pair by express delivery today.", ["offer_solution"]))
    assert "customer_not_involved" not in flag_ids(card_for(lines))


def test_flags_carry_turns_message_and_advice():
    card = card_for(GOOD[:4] + [("Calm down, it's only two days.", ["dismiss"])] + GOOD[4:])
    flag = next(f for f in card["flags"] if f["id"] == "dismissive_language")
    assert flag["turns"] == [5]
    assert flag["message"] and flag["advice"]


# -- flags that need scenario knowledge: escalation required, with a history --------------------
@pytest.fixture(scope="module")
def repeat_library():
    library = load_library(ROOT / "tests" / "fixtures" / "scenarios")
    assert not library.errors
    return library


def play_repeat(library, lines):
    session = Session("repeat", library)
    session.handle(
        LearnerInput("start", metadata={"coach": {"start": {"scenario": "repeat_fault", "difficulty": "easy"}}})
    )
    for text, moves in lines:
        session.handle(LearnerInput(text, moves=moves, command=parse_command(text)))
    if session.attempt.scorecard is None:
        session.handle(LearnerInput("end", command=parse_command("end")))
    return session.attempt.scorecard.as_json()


HEARD = (
    "I'm so sorry the connection keeps dropping, that must be exhausting when you work from home.",
    ["apologize", "empathize"],
)
HANDOVER = (
    "Because this is the third time, I'm passing your case to our escalations team, who will call you by 5pm tomorrow.",
    ["explain", "escalate", "set_expectations"],
)


def test_missed_escalation_fires_when_never_escalated(repeat_library):
    card = play_repeat(repeat_library, [HEARD, ("I can book another engineer visit.", ["offer_solution"])])
    assert "missed_escalation" in flag_ids(card)


def test_missed_escalation_quiet_after_handover(repeat_library):
    card = play_repeat(repeat_library, [HEARD, ("check history", []), HANDOVER])
    assert card["outcome"] == "escalated"
    assert "missed_escalation" not in flag_ids(card)


def test_history_not_reviewed_fires_when_escalating_blind(repeat_library):
    assert "history_not_reviewed" in flag_ids(play_repeat(repeat_library, [HEARD, HANDOVER]))


def test_history_not_reviewed_quiet_after_check_history(repeat_library):
    assert "history_not_reviewed" not in flag_ids(play_repeat(repeat_library, [HEARD, ("check history", []), HANDOVER]))
