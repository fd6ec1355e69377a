"""The independent sets share no message with the training data (a near-duplicate check)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.bench.evaluation import read_jsonl
from bot.bench.moves import DEV_EXAMPLES, dev_examples_yaml
from bot.bench.overlap import near_duplicates
from bot.domain.moves.training import read_nlu_examples
from tests.conftest import ROOT

INDEPENDENT = [
    ROOT / "tests" / "data" / name for name in ("moves_independent_dev.jsonl", "moves_independent_test.jsonl")
]
SECOND_DEV = ROOT / "tests" / "data" / "moves_independent_dev2.jsonl"
THIRD_DEV = ROOT / "tests" / "data" / "moves_independent_dev3.jsonl"
FOURTH_DEV = ROOT / "tests" / "data" / "moves_independent_dev4.jsonl"


def texts_of(path):
    return [text for text, _ in read_jsonl(path)]


def test_near_duplicates_survive_case_punctuation_and_small_edits():
    training = ["Thanks so much for waiting, I've found your order now.", "Hi there"]
    found = near_duplicates(["thanks SO much for waiting - ive found your order now!!", "hi there :)"], training)
    assert [d.training_text for d in found] == training


def test_different_messages_on_the_same_topic_are_not_duplicates():
    training = ["I'm sorry your parcel is late, I'll chase the courier now."]
    assert near_duplicates(["Sorry the parcel is late. Could you give me the order number?"], training) == []


def training_texts():
    return [text for text, _ in read_nlu_examples(sorted((ROOT / "data" / "nlu").glob("*.yml")))]


def test_the_held_out_test_part_shares_no_message_with_the_training_data():
    texts = texts_of(INDEPENDENT[1])
    assert len(texts) >= 700
    assert near_duplicates(texts, training_texts()) == []


@pytest.mark.parametrize("path", [INDEPENDENT[0], SECOND_DEV, THIRD_DEV, FOURTH_DEV], ids=lambda p: Path(p).name)
def test_the_dev_parts_are_training_examples_exactly_as_labelled(path):
    """The four dev parts train the classifier (data/nlu/independent_dev.yml), with their decided labels."""
    rows = read_jsonl(path)
    examples = dict(read_nlu_examples([DEV_EXAMPLES]))
    assert len(rows) >= 600
    present = [(text, moves) for text, moves in rows if text.strip() in examples]
    assert len(present) >= 0.97 * len(rows)  # the few that share a sentence with the own held-out set are left out
    assert all(examples[text.strip()] == moves for text, moves in present)


def test_the_dev_examples_file_is_what_the_dev_parts_give():
    assert DEV_EXAMPLES.read_text(encoding="utf-8") == dev_examples_yaml(), (
        "run `coach bench-moves --write-dev-examples` and `make model`"
    )


def test_the_second_dev_part_shares_no_message_with_the_first_or_the_test_part():
    assert near_duplicates(texts_of(SECOND_DEV), texts_of(INDEPENDENT[0]) + texts_of(INDEPENDENT[1])) == []


def test_dev_and_test_parts_share_no_message():
    dev, test = (texts_of(p) for p in INDEPENDENT)
    assert near_duplicates(test, dev) == []


def test_the_third_dev_part_shares_no_message_with_the_other_parts():
    others = texts_of(INDEPENDENT[0]) + texts_of(INDEPENDENT[1]) + texts_of(SECOND_DEV)
    assert near_duplicates(texts_of(THIRD_DEV), others) == []


def test_the_fourth_dev_part_shares_no_message_with_the_other_parts():
    others = texts_of(INDEPENDENT[0]) + texts_of(INDEPENDENT[1]) + texts_of(SECOND_DEV) + texts_of(THIRD_DEV)
    assert near_duplicates(texts_of(FOURTH_DEV), others) == []
