"""Every number on the scorecard explains itself: the overall score is a visible sum, and
each model below 100 says which steps cost how many points, with the turns."""

from __future__ import annotations

import pytest

from bot.domain.assessment.rubrics import rubrics
from tests.domain.assessment.test_calibration import cases, play
from tests.domain.assessment.test_flags import GOOD, card_for


def _sum_of_lines(card: dict) -> float:
    return sum(line["points"] for line in card["breakdown"]["lines"])


@pytest.mark.parametrize("scenario, conversation", list(cases()))
def test_the_breakdown_adds_up_to_every_score_shown(detector, scenario, conversation):
    card = play(detector, scenario, conversation)
    assert card["breakdown"]["overall"] == card["overall"]
    assert abs(_sum_of_lines(card) - card["overall"]) <= 0.5
    for model_id, model in card["models"].items():
        assert sum(lost["points"] for lost in model["lost"]) == 100 - model["score"], model_id
        missed = {step["id"] for step in model["steps"] if not step["met"]}
        explained = {lost["step"] for lost in model["lost"]}
        assert missed <= explained, f"{model_id}: a missed step costs points but is not explained"


def test_a_skilled_conversation_with_one_derailed_turn_is_below_100_and_says_why():
    derailed = ("Look, it's only two days late, calm down.", ["dismiss"])
    lines = GOOD[:4] + [derailed] + GOOD[4:]
    card = card_for(lines)
    assert card["overall"] < 100
    flag_lines = [line for line in card["breakdown"]["lines"] if line["kind"] == "flag"]
    dismissive = [line for line in flag_lines if line["id"] == "dismissive_language"]
    assert dismissive, card["breakdown"]
    assert dismissive[0]["turns"] == [5]
    assert dismissive[0]["points"] == -rubrics().flags["dismissive_language"].penalty


def test_an_abandoned_conversation_shows_the_outcome_and_the_floor():
    card = card_for([("Calm down. It's not our fault, you should have ordered earlier.", ["dismiss", "blame"])] * 4)
    kinds = {line["kind"]: line for line in card["breakdown"]["lines"]}
    if card["outcome"] != "abandoned":
        pytest.fail(f"expected the customer to give up, got {card['outcome']}")
    assert kinds["outcome"]["points"] == rubrics().outcomes["abandoned"]
    before_floor = sum(line["points"] for line in card["breakdown"]["lines"] if line["kind"] != "floor")
    assert ("floor" in kinds) == (round(before_floor) < 0)
    assert card["overall"] == max(0, round(before_floor))


def test_steps_done_out_of_order_cost_points_with_the_turns():
    offer_first = [GOOD[4], GOOD[0], GOOD[1], GOOD[2], GOOD[3], GOOD[5], GOOD[6]]
    card = card_for(offer_first)
    order_lines = [lost for model in card["models"].values() for lost in model["lost"] if lost["step"] == "order"]
    assert order_lines, "an offer made before any apology should cost order points somewhere"
    assert all(len(lost["turns"]) == 2 and "came before" in lost["why"] for lost in order_lines)


def test_a_message_the_customer_cannot_follow_costs_points_and_is_named():
    good = card_for(GOOD)
    off_track = GOOD[:3] + [("Hold on, my lunch has just arrived lol", [])] + GOOD[3:]
    card = card_for(off_track)
    flag = next(line for line in card["breakdown"]["lines"] if line.get("id") == "off_track_message")
    assert flag["turns"] == [4]
    assert card["overall"] == good["overall"] + flag["points"]
    assert "off_track_message" not in [f["id"] for f in good["flags"]]


def test_a_step_met_only_in_a_spoiled_message_is_explained_and_never_praised():
    spoiled = ("I'm sorry, but you should have checked the tracking yourself.", ["apologize", "blame"])
    card = card_for([spoiled] + GOOD[1:4])
    apologise = next(s for s in card["models"]["HEAT"]["steps"] if s["id"] == "apologise")
    assert apologise["met"] and "blamed someone" in apologise["note"]
    assert all(item["turn"] != 1 for item in card["feedback"]["strengths"])
