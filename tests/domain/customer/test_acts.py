"""The act parser: what the customer must understand from a learner message, however it is phrased."""

from __future__ import annotations

import pytest

from bot.domain.customer.acts import ActParser
from bot.domain.customer.cues import CUES_FILE, read_cues
from bot.domain.customer.lexicon import LexiconError, load_lexicon
from bot.domain.scenarios import default_library


def parser(scenario_id: str) -> ActParser:
    return ActParser(default_library().scenarios[scenario_id])


@pytest.mark.parametrize(
    "text",
    [
        "send you another pair",
        "I'll get a new pair out to you by express",
        "We can ship a replacement tomorrow.",
        "I'll post out a fresh pair on next-day delivery.",
    ],
)
def test_paraphrases_of_the_same_remedy_are_one_remedy(text):
    act = parser("late_delivery").parse(text)
    assert act.remedies("offered", "mentioned") == ["express_reship"]


def test_a_choice_names_both_options_and_is_a_choice():
    act = parser("late_delivery").parse(
        "I can send a replacement by next-day delivery at no cost, or cancel the order and refund it. "
        "Which would you prefer?"
    )
    assert sorted(act.remedies()) == ["express_reship", "full_refund"]
    assert act.asks_choice


@pytest.mark.parametrize(
    "text",
    [
        "I'm afraid we can't refund the whole order.",
        "There's no way I'm able to refund you for this.",
        "A full refund isn't an option, unfortunately.",
    ],
)
def test_a_refusal_is_not_an_offer(text):
    act = parser("late_delivery").parse(text)
    assert act.remedies("refused") == ["full_refund"]
    assert act.remedies() == []


def test_a_refusal_with_an_alternative_keeps_the_alternative():
    act = parser("late_delivery").parse("I can't refund the order, but I could send a new pair by express.")
    assert act.remedies("refused") == ["full_refund"]
    assert act.remedies() == ["express_reship"]


def test_an_offer_on_a_condition_is_conditional():
    act = parser("late_delivery").parse("If it hasn't turned up by tomorrow, I'll refund you in full.")
    assert act.remedies("conditional") == ["full_refund"]
    assert act.remedies() == []


def test_if_you_prefer_is_a_choice_not_a_condition():
    act = parser("late_delivery").parse("If you'd rather, I can refund you instead.")
    assert act.remedies() == ["full_refund"]


def test_the_more_specific_remedy_wins():
    act = parser("late_delivery").parse("I'll refund your postage.")
    assert act.remedies() == ["delivery_refund"]


def test_a_callback_time_is_a_commitment_not_a_remedy():
    act = parser("late_delivery").parse("I'll ring you back by 1pm tomorrow to confirm it's on its way.")
    assert act.remedies("offered", "mentioned", "conditional") == []
    assert [c.when for c in act.commitments] == ["1pm tomorrow"]


@pytest.mark.parametrize(
    "text, fact",
    [
        ("Could you pop the order number over?", "order_number"),
        ("When was it meant to come?", "promised_date"),
        ("Please send me your order reference and I'll look.", "order_number"),
    ],
)
def test_a_fact_asked_for_in_own_words(text, fact):
    assert fact in parser("late_delivery").parse(text).facts_asked()


@pytest.mark.parametrize(
    "text", ["What's happened with your order?", "Talk me through it from the start.", "Tell me a bit more?"]
)
def test_an_open_question_invites_the_story(text):
    assert parser("late_delivery").parse(text).asks_open()


def test_checks_and_closing_are_read():
    act = parser("faulty_product").parse("Does that sound OK to you? Have a lovely evening.")
    assert act.checks_satisfaction and act.closing


def test_a_message_with_no_words_is_unreadable_not_an_error():
    act = parser("late_delivery").parse("?!?! 😡")
    assert not act.readable and act.options == [] and act.questions == []


def test_a_broken_lexicon_names_the_file_and_field(tmp_path):
    broken = tmp_path / "lexicon.yml"
    broken.write_text("remedies:\n  - id: refund\n    phrases: []\n", encoding="utf-8")
    with pytest.raises(LexiconError) as error:
        load_lexicon(broken)
    assert str(broken) in str(error.value) and "remedies.0.phrases" in str(error.value)


def test_an_unknown_concept_in_a_scenario_is_named():
    scenario = default_library().scenarios["late_delivery"].copy(deep=True)
    scenario.remedies[0].concepts = ["teleport"]
    with pytest.raises(ValueError, match="late_delivery.*teleport"):
        ActParser(scenario)


def test_every_shipped_remedy_is_named_by_a_lexicon_concept():
    unnamed = []
    for scenario in default_library().scenarios.values():
        parsed = ActParser(scenario)
        unnamed += [f"{scenario.id}/{r.id}" for r in parsed.remedies if not r.signature]
    assert unnamed == []


def test_a_replayed_message_reads_the_same_and_a_caller_cannot_spoil_the_memo():
    parser = ActParser(default_library().scenarios["late_delivery"])
    text = "I can send a replacement pair by express today, or refund the order. Which would you prefer?"
    first = parser.parse(text, ["offer_solution"])
    first.options.clear()
    again = parser.parse(text, ["offer_solution"])
    assert {o.remedy for o in again.options} >= {"express_reship", "full_refund"}
    assert parser.parse(text, []).moves == []


def test_a_broken_cues_file_names_the_file_and_field(tmp_path):
    broken = tmp_path / "cues.yml"
    shipped = CUES_FILE.read_text(encoding="utf-8")
    broken.write_text(shipped.replace("  handover:", "  handovers:", 1), encoding="utf-8")
    with pytest.raises(LexiconError) as error:
        read_cues(broken)
    assert "cues.yml" in str(error.value) and "phrases.handover" in str(error.value)
    broken.write_text("phrases: [not, a, mapping\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="cannot be read as YAML"):
        read_cues(broken)


def test_the_customer_hears_an_open_question_and_a_time_through_the_cues_file():
    act = parser("late_delivery").parse("Could you walk me through what happened? I'll call you back by Thursday.")
    assert act.asks_open() and any(c.when for c in act.commitments)


@pytest.mark.parametrize(
    "text", ["I can put it all back on your debit card today.", "I'll put the whole lot back onto your card now."]
)
def test_money_put_back_on_the_card_is_the_refund(text):
    act = parser("faulty_product").parse(text)
    assert act.remedies("offered", "mentioned") == ["full_refund"]


def test_a_request_for_a_bit_more_about_it_is_an_open_question():
    act = parser("late_delivery").parse("Tell me please a bit more about the problem with this order.")
    assert act.asks_open()
