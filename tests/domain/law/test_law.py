"""Legal accuracy: wrong statements of the customer's rights are caught, named and corrected."""

from __future__ import annotations

import shutil

import pytest

from bot.bench import law as law_bench
from bot.domain.law.knowledge import LAW_FILE, LawChecker, default_checker, read_law
from bot.domain.moves.patterns import PatternError
from bot.domain.scenarios.loader import SCENARIO_DIR, load_library
from tests.conftest import finish, run_session

WRONG_REJECT = "As it's been over two weeks we can only offer a repair, I'm afraid."
RIGHT_REJECT = (
    "As it's within 30 days of delivery, you can reject it for a full refund, or have a repair if you'd rather."
)


def _play(lines, scenario="faulty_product", persona="angry", detector=None):
    return run_session(lines, scenario=scenario, persona=persona, difficulty="standard", detector=detector)


def test_a_wrong_statement_of_the_right_to_reject_raises_the_flag_and_is_corrected(detector):
    card = finish(_play(["I'm sorry the machine is leaking.", WRONG_REJECT], detector=detector))
    flag = next(f for f in card["flags"] if f["id"] == "legal_inaccuracy")
    assert flag["turns"] == [2] and "Consumer Rights Act 2015" in flag["message"] and WRONG_REJECT in flag["message"]
    # the same line may also be read as dismissive; the legal correction is among its improvements
    advice = [i for i in card["feedback"]["improvements"] if i["quote"] == WRONG_REJECT]
    assert any("short-term right to reject" in i["what"] and "full refund" in i["better"] for i in advice), advice


def test_a_correct_statement_raises_nothing(detector):
    card = finish(_play(["I'm sorry the machine is leaking.", RIGHT_REJECT], detector=detector))
    assert "legal_inaccuracy" not in [f["id"] for f in card["flags"]]
    choice = "You're entitled to a full refund, or we can send a brand-new machine if you'd rather."
    assert default_checker().check(choice, read_law().rights) == []  # "send a brand-new" is not "go to the brand"


def test_a_customer_who_knows_their_rights_pushes_back_and_one_who_does_not_is_just_upset(detector):
    opening = "I'm sorry, I can see how annoying a leaking machine is."
    wrong = "Refunds are only possible within 14 days of delivery, so we'd send an engineer."
    knows = _play([opening, wrong], persona="demanding", detector=detector).attempt.turns[-1]
    unsure = _play([opening, wrong], persona="anxious", detector=detector).attempt.turns[-1]
    for turn in (knows, unsure):
        assert "legal_pushback" in turn.events
        assert any("rights" in c.reason for c in turn.changes)
    law_line = read_law().rights["cra_short_term_reject"].pushback
    assert law_line in knows.reply or "declined" in knows.events
    assert law_line not in unsure.reply


def test_giving_a_caller_someone_elses_data_is_a_data_protection_breach(detector):
    lines = ["Thanks for calling.", "Since you're her husband, no need to verify: her address is 4 Elm Road."]
    card = finish(_play(lines, scenario="data_request", detector=detector))
    assert "data_protection_breach" in [f["id"] for f in card["flags"]]


def test_rights_only_count_in_the_scenarios_they_apply_to():
    assert default_checker().check(WRONG_REJECT, ["cra_short_term_reject"])
    assert default_checker().check(WRONG_REJECT, []) == []


def test_a_scenario_naming_an_unknown_right_is_refused_with_the_file_and_field(tmp_path):
    for path in SCENARIO_DIR.glob("*.yml"):
        shutil.copy(path, tmp_path / path.name)
    broken = tmp_path / "faulty_product.yml"
    broken.write_text(broken.read_text().replace("rights: [cra_short_term_reject", "rights: [cra_made_up"))
    library = load_library(tmp_path)
    errors = [str(e) for e in library.errors]
    assert any("faulty_product.yml" in e and "rights[0]" in e and "cra_made_up" in e for e in errors), errors
    assert "faulty_product" in library.scenarios  # the rest of the course still loads


def test_a_broken_pattern_in_the_knowledge_base_names_the_file_and_the_field(tmp_path):
    broken = tmp_path / "law.yml"
    broken.write_text(LAW_FILE.read_text().replace("{LOWER: {IN: [only, just]}}", "{LOWER: {IN: [only, no]}}", 1))
    with pytest.raises(PatternError) as caught:
        read_law(broken)
    assert "law.yml" in str(caught.value) and "contradicts" in str(caught.value)


def test_held_out_legal_statements_stay_at_their_measured_level():
    items = law_bench.read_items(law_bench.TEST)
    precision, recall = law_bench.totals(law_bench.evaluate(items, default_checker()))
    _, patterns_recall = law_bench.totals(law_bench.evaluate(items, LawChecker(read_law())))
    # measured on the frozen held-out set (three new writers), 2026-12-07: patterns alone precision 0.96,
    # recall 0.57; with the learned model precision 0.96, recall 0.80 (target 0.9 each, not met)
    assert precision >= 0.90 and recall >= 0.70, (precision, recall)
    assert recall >= patterns_recall + 0.10, (recall, patterns_recall)


def test_skilled_learners_in_real_conversations_are_rarely_accused_of_getting_the_law_wrong(library):
    """False alarms on skilled lines of the frozen customer scripts (written independently), scenarios with rights."""
    import json

    from bot.bench.conversations import DEV, TEST

    checker, lines, flagged = default_checker(), 0, 0
    for path in (DEV, TEST):
        for row in path.read_text(encoding="utf-8").splitlines():
            script = json.loads(row)
            rights = library.scenarios[script["scenario"]].rights
            if script.get("quality") != "skilled" or not rights:
                continue
            lines += len(script["lines"])
            flagged += sum(1 for line in script["lines"] if checker.check(line, rights))
    # measured 2026-12-07: 1 of 115 lines with the patterns alone, 2 with the learned model
    assert lines > 100 and flagged / lines <= 0.05, (flagged, lines)


# -- a correct statement of the law earns Assurance (issue 17) ---------------------------------
def test_a_right_stated_correctly_is_credited_and_a_restricted_or_wrong_one_is_not():
    checker = default_checker()
    (hit,) = checker.affirmations("Sorry about that. " + RIGHT_REJECT, ["cra_short_term_reject"])
    assert hit.right == "cra_short_term_reject" and hit.quote == RIGHT_REJECT
    assert checker.affirmations(WRONG_REJECT, ["cra_short_term_reject"]) == []
    assert checker.affirmations("You can only get a full refund if it's unused.", ["cra_short_term_reject"]) == []
    assert (
        checker.affirmations("Can you get a full refund?", ["cra_short_term_reject"]) == []
    )  # a question states nothing
    assert checker.affirmations(RIGHT_REJECT, ["dpa_subject_access"]) == []  # only the scenario's rights


def _assurance(card):
    return next(s for s in card["models"]["RATER"]["steps"] if s["id"] == "assurance")


def test_stating_the_customers_rights_earns_assurance_and_getting_them_wrong_loses_it(detector):
    right = finish(_play(["I'm sorry the machine is leaking.", RIGHT_REJECT], detector=detector))
    assurance = _assurance(right)
    assert assurance["met"] and assurance["evidence"][0] == {"turn": 2, "quote": RIGHT_REJECT}
    explain = next(s for s in right["models"]["LATER"]["steps"] if s["id"] == "explain")
    assert explain["met"] and explain["evidence"][0]["quote"] == RIGHT_REJECT
    wrong = finish(
        _play(["I'm sorry the machine is leaking.", "Let me look into it for you.", WRONG_REJECT], detector=detector)
    )
    assert not _assurance(wrong)["met"]


def test_held_out_assurance_credit_reaches_correct_statements_and_almost_never_wrong_ones():
    items = law_bench.read_items(law_bench.TEST)
    line = law_bench.credit_line(items, LawChecker(read_law()))
    # measured on the frozen held-out set (three new writers), 2026-12-07: 41/108 correct statements
    # credited, 4/162 wrong ones
    credited, wrong = [int(part.split("/")[0].split()[-1]) for part in line.split(";")]
    assert credited >= 35 and wrong <= 6, line
