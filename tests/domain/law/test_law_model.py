"""The learned legal model: wrong statements no pattern foresaw, trained once and kept."""

from __future__ import annotations

import logging

import pytest

from bot.bench import law as law_bench
from bot.domain.law import model as law_model
from bot.domain.law.knowledge import MODEL_HIT, LawChecker, default_checker, read_law
from bot.domain.moves.patterns import PatternError

# Wrong in law, in words that no contradiction pattern in law.yml matches.
UNFORESEEN = [
    ("Our fitters did the job and signed it off, so a redo would be chargeable.", "cra_services_care_skill"),
    (
        "Older customers tend to struggle with the online form, so we only do the discount for under 60s.",
        "eqa_less_favourable",
    ),
]


@pytest.mark.parametrize("text, right_id", UNFORESEEN)
def test_a_wrong_statement_no_pattern_foresaw_is_caught_and_quoted(text, right_id):
    assert LawChecker(read_law()).check(text, [right_id]) == []
    (hit,) = default_checker().check("Thanks for your patience. " + text, [right_id])
    assert (hit.right, hit.pattern, hit.quote) == (right_id, MODEL_HIT, text)


def test_the_model_only_speaks_for_the_scenarios_rights_and_their_topics():
    text, right_id = UNFORESEEN[0]
    assert default_checker().check(text, ["dpa_subject_access"]) == []
    assert default_checker().check("Thanks for waiting, I've booked the engineer for Thursday.", [right_id]) == []


def test_the_training_examples_are_the_dev_parts_and_never_the_held_out_set():
    assert law_model.EXAMPLES_FILE.read_text(encoding="utf-8") == law_bench.examples_yaml(), (
        "run `coach bench-law --write-dev-examples`"
    )
    trained_on = {example.text for example in law_model.read_examples()}
    assert len(trained_on) > 900
    assert not trained_on & {item["text"] for item in law_bench.read_items(law_bench.TEST)}


def test_a_broken_examples_file_names_the_file_and_the_field(tmp_path):
    broken = tmp_path / "law_examples.yml"
    broken.write_text("examples:\n- right: cra_refund\n  label: maybe\n  text: No refunds.\n", encoding="utf-8")
    with pytest.raises(PatternError) as caught:
        law_model.read_examples(broken)
    assert "law_examples.yml" in str(caught.value) and "examples.0.label" in str(caught.value)


def _tiny_model():
    wrong = [("no refunds after 14 days", "cra_refund"), ("refunds only within a week", "cra_refund")]
    fine = [("your refund is on its way", "cra_refund"), ("thanks for waiting", "cra_refund")]
    return law_model.ContradictionModel.train(wrong * 3, fine * 3)


def test_a_kept_model_is_reused_and_changed_inputs_train_a_new_one(tmp_path):
    examples = tmp_path / "examples.yml"
    examples.write_text("examples: []\n", encoding="utf-8")
    trained = []

    def train():
        trained.append(1)
        return _tiny_model()

    key = law_model.fingerprint([examples])
    first = law_model.kept_or_trained(tmp_path / "store", key, train)
    again = law_model.kept_or_trained(tmp_path / "store", key, train)
    assert len(trained) == 1
    assert again.probability("no refunds after 14 days", "cra_refund") == pytest.approx(
        first.probability("no refunds after 14 days", "cra_refund"), abs=1e-6
    )
    examples.write_text("examples: [{right: cra_refund, label: correct, text: Refunded.}]\n", encoding="utf-8")
    new_key = law_model.fingerprint([examples])
    assert new_key != key
    law_model.kept_or_trained(tmp_path / "store", new_key, train)
    assert len(trained) == 2 and [p.name for p in (tmp_path / "store").iterdir()] == [new_key]  # the stale one is gone


def test_an_unreadable_kept_model_is_trained_again_with_a_warning(tmp_path, caplog):
    (tmp_path / "k1").mkdir()
    (tmp_path / "k1" / "move_vocab.json").write_text("{not json", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        model = law_model.kept_or_trained(tmp_path, "k1", _tiny_model)
    assert "cannot be read" in caplog.text
    assert model.probability("no refunds after 14 days", "cra_refund") > 0.5
    assert law_model.kept_or_trained(tmp_path, "k1", lambda: pytest.fail("trained twice")) is not None
