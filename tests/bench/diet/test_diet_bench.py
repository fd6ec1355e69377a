"""The DIET benchmark's multi-intent names (no Rasa, no training)."""

from __future__ import annotations

from bot.bench.diet.bench import intent_to_moves, moves_to_intent
from bot.domain.vocabulary import MOVES


def test_intent_names_round_trip_in_canonical_order():
    assert moves_to_intent(["ask_question", "apologize"]) == "apologize+ask_question"
    assert moves_to_intent([]) == "none" and intent_to_moves("none") == []
    for moves in (["close"], ["rude", "greet", "acknowledge"], ["follow_up", "thank", "follow_up"]):
        name = moves_to_intent(moves)
        assert intent_to_moves(name) == sorted(set(moves), key=MOVES.index)
        assert moves_to_intent(intent_to_moves(name)) == name
