"""Keyword stuffing: one message that strings stock phrases together without saying anything specific.

Both the customer (who is not calmed by it) and the scorecard (which gives it no credit) use
this one rule.
"""

from __future__ import annotations

from typing import Sequence

MIN_MOVES = 5  # at least this many service moves in one message...
WORDS_PER_MOVE = 6  # ...in fewer than this many words per move


def is_keyword_stuffing(normalised_text: str, service_moves: Sequence[str]) -> bool:
    """True when ``service_moves`` are packed into too few words to be about anything in particular."""
    count = len(service_moves)
    return count >= MIN_MOVES and len(normalised_text.split()) < WORDS_PER_MOVE * count
