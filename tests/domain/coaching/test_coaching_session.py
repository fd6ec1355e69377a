"""A coaching practice end to end in the session: the coached chat shown, Sam's replies, GROW and coaching scores."""

from __future__ import annotations

from bot.domain.session.session import LearnerInput, Session
from tests.conftest import finish, flag_ids, run_session

SKILLED = [
    "Hi Sam, I'd like us to look at yesterday's washing machine chat together. It's not a telling-off.",
    "Well done for getting her order number so quickly, and for staying polite.",
    "What got in the way of saying sorry at the start?",
    "When you wrote that the damage was down to the courier, she came back with 'I paid YOU'. How do you see it now?",
    "What could you do differently if she came back today?",
    "From today you can offer up to £25 goodwill without asking me.",
    "So what will you change, and when will you start?",
    "Great. Can you tell me back what we've agreed?",
    "Thanks for your time, Sam, speak soon.",
]
POOR = [
    "That chat was a disaster.",
    "You should have booked the replacement. It's in the policy.",
    "Honestly, you're just careless.",
    "You always take the easy way out.",
    "Sort it out.",
]


def test_the_coached_chat_is_shown_at_the_start(library):
    session = Session("coach-start", library)
    start = {"scenario": "coaching_review", "persona": "anxious", "difficulty": "standard", "seed": 2}
    outputs = session.handle(LearnerInput("start", metadata={"coach": {"start": start}}))
    intro, opening = outputs
    panel = intro.custom["coaching"]
    assert panel["agent"] == "Sam Okafor" and panel["style"] == "unsure"
    assert any("courier" in line["text"] for line in panel["transcript"])
    assert "Order number?" in intro.text  # text channels get the chat too
    assert opening.speaker == "customer" and opening.custom["coach"]["name"] == "Sam Okafor"


def test_the_menu_lists_the_coaching_scenario(library):
    menu = Session("menu", library).menu_output(first=True)
    kinds = {s["id"]: s["kind"] for s in menu.custom["menu"]["scenarios"]}
    assert kinds["coaching_review"] == "coaching" and kinds["late_delivery"] == "complaint"


def test_a_skilled_coach_scores_well_on_grow_and_the_coaching_skills(detector):
    session = run_session(SKILLED, scenario="coaching_review", persona="angry", detector=detector)
    card = finish(session)
    assert set(card["models"]) == {"GROW", "COACHING"}
    assert "kpis" not in card and card["outcome"] == "satisfied"
    assert card["overall"] >= 70, card
    assert not set(flag_ids(card)) & {"criticised_person", "no_action_agreed"}
    will = next(s for s in card["models"]["GROW"]["steps"] if s["id"] == "will")
    assert will["met"] and will["evidence"][0]["turn"] == 7


def test_a_coach_who_labels_and_lectures_is_flagged_and_scores_low(detector):
    session = run_session(POOR, scenario="coaching_review", persona="angry", detector=detector)
    card = finish(session)
    assert {"criticised_person", "no_action_agreed"} <= set(flag_ids(card))
    assert card["overall"] <= 35
    improvements = " ".join(i["what"] for i in card["feedback"]["improvements"])
    assert "Sam as a person" in improvements


def test_the_reflection_gets_a_root_cause_review(detector):
    session = run_session(SKILLED, scenario="coaching_review", persona="anxious", detector=detector)
    finish(session)
    outputs = session.handle(
        LearnerInput("Sam was never told the damage policy and the six-minute target pushed for short chats.")
    )
    assert session.attempt.scorecard.root_cause.verdict == "root_cause"
    assert "root cause" in outputs[0].text


def test_the_hint_names_the_next_coaching_step(detector):
    session = run_session(["Hi Sam."], scenario="coaching_review", persona="angry", detector=detector)
    outputs = session.handle(
        LearnerInput("hint", command=__import__("bot.domain.session.commands", fromlist=["x"]).parse_command("hint"))
    )
    assert "what this conversation is for" in outputs[0].text
