"""Tutors see what the customer understood in each learner message."""

from __future__ import annotations

from bot.domain.customer.customer import Customer
from bot.domain.scenarios import default_library
from bot.tutor.view import understood_text


def test_the_turn_detail_names_the_options_and_their_polarity():
    library = default_library()
    course = library.course
    customer = Customer(library.scenario("late_delivery"), course.personas[0], course.difficulties[0], course, 1)
    result = customer.respond(
        "We can't refund the order, but I can send a replacement pair by express. Would that work?",
        ["offer_solution", "explain"],
    )
    text = understood_text(result.understood)
    assert "full refund: refused" in text
    assert "express reship: offered" in text
