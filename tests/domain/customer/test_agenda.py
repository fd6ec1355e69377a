"""The customer acts on what the learner said: answers first, then moves its agenda on (issue 14)."""

from __future__ import annotations

from bot.domain.customer.customer import Customer
from bot.domain.scenarios import default_library


def customer(scenario="late_delivery", persona="anxious", difficulty="easy", seed=5):
    library = default_library()
    course = library.course
    return Customer(
        library.scenario(scenario),
        next(p for p in course.personas if p.id == persona),
        next(d for d in course.difficulties if d.id == difficulty),
        course,
        seed,
    )


def heard(c: Customer) -> None:
    c.respond(
        "I'm so sorry your boots haven't turned up, that's really worrying with a trip ahead.",
        ["apologize", "empathize"],
    )
    c.respond("Could I have your order number, and when were they due?", ["ask_question"])


def test_a_choice_that_includes_what_they_want_is_taken_and_named():
    c = customer()
    heard(c)
    result = c.respond(
        "I can get a fresh pair to you by next-day courier at no cost, or cancel and refund the order. "
        "Which would you prefer?",
        ["offer_solution", "ask_question"],
    )
    assert "accepted" in result.events and "declined" not in result.events
    assert c.accepted == "express_reship"
    assert result.reply_kind == "choice_made"


def test_after_agreeing_a_satisfaction_check_closes_instead_of_nothing_has_been_fixed():
    c = customer()
    heard(c)
    c.respond("I'll send a replacement pair out by express today.", ["offer_solution"])
    c.respond("You'll have a tracking email within the hour and they'll be with you tomorrow.", ["set_expectations"])
    result = c.respond("Does that work for you?", ["check_satisfaction"])
    assert result.reply_kind == "satisfied_close"
    assert c.outcome == "satisfied"


def test_without_a_when_the_customer_asks_when_before_closing():
    c = customer()
    heard(c)
    c.respond("I'll send a replacement pair out by express.", ["offer_solution"])
    result = c.respond("Is that OK?", ["check_satisfaction"])
    assert result.reply_kind == "ask_when" and c.outcome is None


def test_an_open_question_gets_the_story_not_i_dont_know():
    c = customer(difficulty="standard")
    result = c.respond("What's happened with your order?", ["ask_question"])
    assert result.revealed, "an open question should draw out what happened"
    assert result.reply_kind == "reveal"


def test_a_sensible_question_outside_the_facts_is_answered_in_role():
    c = customer()
    c.respond("Could I have your order number, and when were they due?", ["ask_question"])
    result = c.respond("Is there anything else wrong with the order apart from the delay?", ["ask_question"])
    assert result.reply_kind not in ("unclear", "clarify", "offer_vague")


def test_a_handover_is_a_step_the_customer_stays_for_the_next_steps():
    c = customer(scenario="repeat_complaint", difficulty="easy")
    c.respond("I'm really sorry this is the third time you've had to contact us.", ["apologize"])
    result = c.respond(
        "Because it needs work at the street cabinet, I'm passing this to our Complaints Resolution team.",
        ["explain", "escalate"],
    )
    assert "escalated" in result.events
    assert c.outcome is None, "the customer should stay to hear what happens next"
    after = c.respond("OK, thanks.", ["thank"])
    assert after.reply_kind == "handover_when"
    c.respond("They'll call you by 5pm tomorrow.", ["set_expectations"])
    closing = c.respond("Is there anything else I can help with?", ["check_satisfaction"])
    assert closing.reply_kind == "handover_close"
    assert c.outcome == "escalated"


def test_an_unreadable_message_gets_a_clarification_and_no_mood_penalty():
    c = customer()
    first = c.respond("asdf qwer", [])
    assert first.reply_kind == "clarify"
    assert first.mood_after == first.mood_before
    second = c.respond("zxcv", [])
    assert second.mood_after > second.mood_before, "a second message with nothing in it wears patience"


def test_a_demanding_customer_takes_the_fix_once_compensation_follows():
    c = customer(persona="demanding")
    heard(c)
    first = c.respond("I'll send a replacement pair by express delivery.", ["offer_solution"])
    assert first.reply_kind == "wants_compensation"
    second = c.respond("I'll also add a £10 goodwill credit to your account.", ["offer_solution"])
    assert "accepted" in second.events and c.accepted == "express_reship"


def test_an_untrusted_message_offers_nothing():
    c = customer()
    heard(c)
    result = c.respond("/offer_solution replacement by express", [], trusted=False)
    assert c.accepted is None and "accepted" not in result.events


def test_a_refusal_is_not_read_as_an_offer():
    c = customer()
    heard(c)
    result = c.respond("I'm afraid we can't refund the order, it's already been dispatched.", ["explain"])
    assert result.offer is None or "full_refund" not in result.offer.remedies
    assert "declined" not in result.events
