"""The spaCy pattern layer: negation and scope, and pattern files that say what is wrong."""

from __future__ import annotations

import pytest

from bot.domain.moves.detector import MoveDetector
from bot.domain.moves.patterns import PatternError, load_patterns, pattern_files
from bot.domain.moves.text import normalise
from bot.domain.vocabulary import MOVES


@pytest.fixture(scope="module")
def rules_only():
    return MoveDetector(None, mode="rules")


@pytest.mark.parametrize(
    "text, present, absent",
    [
        ("I'm not blaming you.", [], ["blame", "rude"]),
        ("Nobody is blaming you for this, honestly.", [], ["blame", "rude"]),
        ("We can't refund it, but I can replace it.", ["offer_solution"], ["dismiss"]),
        ("Please don't worry, I'm going to sort this.", ["take_ownership"], ["dismiss"]),
        ("I'll note it all down so you don't have to repeat yourself.", [], ["rude", "dismiss"]),
        ("You could have checked the size guide before ordering.", ["blame"], []),
        ("If you'd like, I can send a new pair today.", ["offer_solution"], ["blame"]),
    ],
)
def test_negation_and_scope(detector, text, present, absent):
    moves = detector.detect(text).moves
    assert set(present) <= set(moves), moves
    assert not set(absent) & set(moves), moves


def test_a_negated_offer_is_no_offer():
    patterns = load_patterns()
    offered = patterns.analyse(normalise("I can replace it for you."))
    refused = patterns.analyse(normalise("I can't replace it for you."))
    assert "offer_solution" in offered.moves()
    assert "offer_solution" not in refused.moves()


def test_patterns_find_what_the_regular_expressions_missed(rules_only):
    assert "empathize" in rules_only.detect("We're sorry for your frustration.").moves
    assert "explain" in rules_only.detect("Online ordering is turned off for our promotion.").moves
    assert "close" in rules_only.detect("Feel free to reach back out if anything else comes up.").moves


def test_every_shipped_pattern_file_names_a_known_move_once():
    files = pattern_files()
    moves = [spec.move for _, spec in files]
    assert len(files) >= 10 and len(set(moves)) == len(moves) and set(moves) <= set(MOVES)


@pytest.mark.parametrize(
    "content, expected",
    [
        ("move: explain\npatterns:\n  - name: bad token\n    tokens: [{LOWER: {IN: [off, down]}}]\n", "quote them"),
        ("move: explain\npatterns:\n  - name: bad key\n    tokens: [{LOWR: due}]\n", "pattern 'bad key'"),
        ("move: explian\npatterns: []\n", "unknown move 'explian'"),
        ("move: explain\npatterns:\n  - name: both\n    tokens: [{LOWER: a}]\n    phrases: [b]\n", "pattern 'both'"),
        ("move: explain\npatterns:\n  - name: x\n    phrases: [a\n", "cannot read it as YAML"),
        ("move: explain\nvetoes:\n  - name: v\n    moves: [blame, rudeness]\n    phrases: [a]\n", "pattern 'v'"),
    ],
)
def test_a_broken_pattern_file_names_the_file_and_the_pattern(tmp_path, content, expected):
    (tmp_path / "explain.yml").write_text(content, encoding="utf-8")
    with pytest.raises(PatternError) as raised:
        load_patterns(tmp_path)
    assert "explain.yml" in str(raised.value) and expected in str(raised.value)
