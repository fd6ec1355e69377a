"""The "Better:" line mends the learner's own message: harm out, the missing step in, the rest kept."""

from __future__ import annotations

from bot.domain.assessment.rewrite import mended
from bot.domain.scenarios import load_library
from tests.conftest import finish, run_session
from tests.domain.assessment.test_flags import GREET

PHRASING = load_library().scenarios["late_delivery"].better_phrasings
EXPLAIN, EMPATHISE, CONFIRM = PHRASING["explain"], PHRASING["empathise"], PHRASING["confirm"]


def hits_for(text: str, *sentences_and_moves):
    """Hits as the detector gives them: a move and where its sentence starts in the message."""
    return [{"move": move, "start": text.index(sentence), "quote": sentence} for sentence, move in sentences_and_moves]


def test_blame_is_taken_out_and_the_neutral_cause_goes_in_its_place():
    blame, offer = "You should have paid for express if you needed them by Saturday.", "I can send a new pair tomorrow."
    text = f"{blame} {offer}"
    better = mended(
        text, hits_for(text, (blame, "blame"), (offer, "offer_solution")), EXPLAIN, "explain", "blamed_customer"
    )
    assert better == f"{EXPLAIN} {offer}"


def test_a_missed_empathy_opens_the_message_after_its_greeting():
    greeting, question = "Hi Alex.", "Can I take your order number"
    text = f"{greeting} {question}"
    better = mended(text, hits_for(text, (greeting, "greet"), (question, "ask_question")), EMPATHISE, "empathise")
    assert better == f"{greeting} {EMPATHISE} {question}"


def test_a_satisfaction_check_goes_before_the_goodbye():
    update, goodbye = "Your dispatch email is on its way", "Have a good weekend!"
    text = f"{update}. {goodbye}"
    hits = hits_for(text, (update, "set_expectations"), (goodbye, "close"))
    assert mended(text, hits, CONFIRM, "confirm", "no_satisfaction_check") == f"{update}. {CONFIRM} {goodbye}"


def test_nothing_is_added_after_the_learners_own_question():
    text = "I can send a new pair or hold one in Kendal. Which would you prefer?"
    hits = hits_for(text, ("I can send a new pair or hold one in Kendal.", "offer_solution"))
    assert mended(text, hits, CONFIRM, "confirm", "no_satisfaction_check") == CONFIRM


def test_faults_not_in_one_sentence_and_long_messages_show_the_model_line_alone():
    text = "I'll send a new pair."
    hits = hits_for(text, (text, "offer_solution"))
    assert (
        mended(text, hits, PHRASING["take_action"], "take_action", "customer_not_involved") == PHRASING["take_action"]
    )
    long_text = "Hi Alex. " + "I have checked the order and the courier's tracking page. " * 6
    assert mended(long_text, hits_for(long_text, ("Hi Alex.", "greet")), EMPATHISE, "empathise") == EMPATHISE


def test_blame_never_reappears_in_the_better_line_of_a_real_scorecard(detector):
    blame_line = "Well, you should have chosen express delivery. I can send a new pair by express today."
    card = finish(run_session([GREET, blame_line], detector=detector))
    mends = [i for i in card["feedback"]["improvements"] if i["turn"] == 2]
    assert mends, card["feedback"]
    for item in mends:
        assert "should have chosen" not in item["better"]
    assert any("I can send a new pair by express today." in item["better"] for item in mends), mends
