"""Training the move classifier from labelled examples, and reading them from the NLU YAML."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, List, Sequence, Tuple

import yaml

from bot.moves import rules
from bot.moves.classifier import MoveClassifier, features
from bot.moves.labels import MOVES
from bot.moves.text import normalise

Example = Tuple[str, List[str]]  # (text, moves)


def example_features(text: str) -> List[str]:
    norm = normalise(text)
    return features(norm, {hit.move for hit in rules.match(norm)})


def train_classifier(examples: Sequence[Example]) -> MoveClassifier:
    """Fit the classifier on whole messages with their move sets."""
    usable = [(t, [m for m in moves if m in MOVES]) for t, moves in examples if t and t.strip()]
    return MoveClassifier.train([example_features(t) for t, _ in usable], [m for _, m in usable])


def read_nlu_examples(paths: Iterable[Path]) -> List[Example]:
    """Learner-message examples with their moves from Rasa NLU YAML files (no Rasa needed)."""
    examples: List[Example] = []
    for path in paths:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        for block in data.get("nlu", []) or []:
            if block.get("intent") != "learner_message":
                continue
            for item in block.get("examples", []) or []:
                if isinstance(item, dict) and "text" in item:
                    moves = ((item.get("metadata") or {}).get("moves")) or []
                    examples.append((str(item["text"]).strip(), list(moves)))
    return examples
