"""Coaching-move detection: what a team leader does in a message, and pattern files that say what is wrong."""

from __future__ import annotations

import pytest

from bot.domain.coaching.detector import default_coaching_detector, load_coaching_detector
from bot.domain.moves.patterns import PatternError


@pytest.mark.parametrize(
    "text, present, absent",
    [
        ("How did you think the Harper chat went?", ["open_question"], ["check_understanding"]),
        ("Did the queue get busy?", [], ["open_question"]),
        ("You're honestly just careless.", ["criticise_person"], []),
        ("I'm not saying you're lazy.", [], ["criticise_person"]),
        ("When you typed 'Order number?' and nothing else, she felt ignored.", ["specific_feedback"], []),
        ("You should have booked the replacement there and then.", ["tell_instead_of_ask"], ["open_question"]),
        ("From now on you can offer up to £25 without checking with me.", ["delegate"], []),
        ("Nothing goes out without my say-so.", [], ["delegate"]),
        ("Can you tell me back what we agreed?", ["check_understanding"], ["open_question"]),
        ("Let's agree you'll apologise first from tomorrow.", ["agree_action", "time_given"], []),
        ("Nice work getting the order number so quickly.", ["praise", "specific_feedback"], []),
        ("It was one of the worst chats I've seen this month.", [], ["agree_action"]),
    ],
)
def test_the_moves_a_team_leader_makes(text, present, absent):
    moves, hits = default_coaching_detector().detect(text)
    assert set(present) <= set(moves), moves
    assert not set(absent) & set(moves), moves
    assert {hit.move for hit in hits} == set(moves)


def test_a_slash_message_is_text_like_any_other():
    moves, _ = default_coaching_detector().detect("/open_question")
    assert moves == []


@pytest.mark.parametrize(
    "content, expected",
    [
        ("move: apologize\npatterns: []\n", "unknown move 'apologize'"),
        ("move: praise\npatterns:\n  - name: bad key\n    tokens: [{LOWR: good}]\n", "pattern 'bad key'"),
        ("move: praise\nvetoes:\n  - name: v\n    moves: [blame]\n    phrases: [a]\n", "pattern 'v'"),
    ],
)
def test_a_broken_coaching_pattern_file_names_the_file_and_the_pattern(tmp_path, content, expected):
    (tmp_path / "praise.yml").write_text(content, encoding="utf-8")
    with pytest.raises(PatternError) as raised:
        load_coaching_detector(tmp_path)
    assert "praise.yml" in str(raised.value) and expected in str(raised.value)
