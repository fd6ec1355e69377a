"""Near-duplicate check between the training examples and an evaluation set.

An evaluation figure means nothing if the set shares messages with the training data. Two
messages count as near-duplicates when, after folding case, punctuation and spacing, they are
equal, or their word 3-grams overlap with a Jaccard similarity of at least ``THRESHOLD``
(short messages use word pairs, so "thanks so much" and "thanks so much!!" still match).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Dict, FrozenSet, Iterable, List, Sequence, Set

from bot.domain.moves.text import segments

THRESHOLD = 0.8
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class NearDuplicate:
    evaluation_text: str
    training_text: str
    similarity: float


def folded_words(text: str) -> List[str]:
    return _WORD.findall(text.lower().replace("\u2019", "'").replace("'", ""))


def shingles(text: str) -> FrozenSet[str]:
    words = folded_words(text)
    size = 3 if len(words) >= 6 else 2 if len(words) >= 2 else 1
    return frozenset(" ".join(words[i : i + size]) for i in range(max(1, len(words) - size + 1)))


def folded_sentences(text: str, min_words: int = 1) -> List[str]:
    """The message's sentences (the detector's segments) folded to lowercase words, those of at
    least ``min_words`` words: the unit of the exact-sentence overlap checks."""
    folded = (re.sub(r"[^a-z0-9]+", " ", s.text.lower()).strip() for s in segments(text))
    return [f for f in folded if len(f.split()) >= max(1, min_words)]


def _jaccard(left: FrozenSet[str], right: FrozenSet[str]) -> float:
    return len(left & right) / len(left | right) if left or right else 1.0


def near_duplicates(
    evaluation: Iterable[str], training: Sequence[str], threshold: float = THRESHOLD
) -> List[NearDuplicate]:
    """Every evaluation message with a training message at or above ``threshold``."""
    training_shingles = [shingles(text) for text in training]
    index: Dict[str, Set[int]] = defaultdict(set)
    for position, grams in enumerate(training_shingles):
        for gram in grams:
            index[gram].add(position)
    found = []
    for text in evaluation:
        grams = shingles(text)
        candidates = set().union(*(index.get(gram, set()) for gram in grams)) if grams else set()
        best = max(((_jaccard(grams, training_shingles[c]), c) for c in candidates), default=(0.0, -1))
        if best[0] >= threshold:
            found.append(NearDuplicate(text, training[best[1]], round(best[0], 3)))
    return found
