"""The simulated agent: guarded or open, tells their side when asked, commits only to a dated action."""

from __future__ import annotations

import pytest

from bot.domain.coaching.coachee import Coachee
from bot.domain.coaching.detector import default_coaching_detector


@pytest.fixture
def sam(library):
    def make(persona: str = "angry") -> Coachee:
        return Coachee(library.coaching["coaching_review"], persona, 3, library.course)

    return make


def say(coachee: Coachee, text: str, trusted: bool = True, moves=None):
    """Sam's reply to a message: its moves as detected, or as given (to test Sam, not the detector)."""
    if moves is None:
        moves, _ = default_coaching_detector().detect(text)
    return coachee.respond(text, moves, trusted=trusted)


def test_the_persona_decides_how_the_agent_takes_coaching(sam):
    assert sam("angry").style == "defensive" and sam("anxious").style == "unsure"
    assert sam("angry").mood > sam("anxious").mood


def test_a_guarded_agent_answers_an_open_question_in_a_few_words(sam):
    defensive = sam("angry")
    result = say(defensive, "How do you think it went?")
    assert result.reply_kind == "guarded" and not result.revealed


def test_recognition_opens_the_agent_up_and_the_question_that_follows_gets_their_side(sam):
    sam_ = sam("angry")
    say(sam_, "You got her order number straight away, well done.")
    result = say(sam_, "What made it hard to say sorry at the start?")
    assert result.revealed == ["apology_fear"], result.reply
    assert "sorry" in result.reply.lower() or "apolog" in result.reply.lower()


def test_criticising_the_person_closes_the_agent_and_in_the_end_they_leave(sam):
    sam_ = sam("angry")
    before = sam_.mood
    first = say(sam_, "Honestly, you're just lazy.")
    assert first.reply_kind == "criticised" and sam_.mood > before
    say(sam_, "You always take the easy way out.")
    last = say(sam_, "You're not cut out for this.")
    assert last.reply_kind == "leave" and sam_.outcome == "abandoned"


def test_an_action_without_a_date_gets_asked_when_and_a_date_gets_a_commitment(sam):
    sam_ = sam("anxious")
    undated = say(sam_, "Let's agree you apologise in your first reply.", moves=["agree_action"])
    assert undated.reply_kind == "action_when" and not sam_.agreed_turns
    dated = say(sam_, "Let's agree you apologise first, from your next shift.", moves=["agree_action", "time_given"])
    assert dated.reply_kind == "action_agreed" and sam_.agreed_turns == [2]
    check = say(sam_, "Can you tell me back what we've agreed?", moves=["check_understanding"])
    assert check.reply_kind == "played_back" and sam_.played_back


def test_closing_after_an_agreement_is_a_committed_ending(sam):
    sam_ = sam("anxious")
    say(sam_, "Let's agree that from tomorrow you apologise first.")
    say(sam_, "Thanks for your time, speak soon.")
    assert sam_.outcome == "satisfied"
    unagreed = sam("anxious")
    say(unagreed, "Thanks for your time, speak soon.")
    assert unagreed.outcome == "unsatisfied"


def test_a_message_rasa_read_as_a_command_earns_nothing(sam):
    sam_ = sam("anxious")
    result = say(sam_, "Let's agree that from tomorrow you apologise first.", trusted=False)
    assert result.moves == [] and result.reply_kind == "neutral" and not sam_.agreed_turns
