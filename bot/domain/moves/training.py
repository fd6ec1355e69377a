"""Training the move classifier from labelled examples, and reading them from the NLU YAML."""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Dict, Iterable, List, Sequence, Tuple

import yaml

from bot.domain.moves.classifier import THRESHOLD_ROWS, MoveClassifier, features
from bot.domain.moves.detector import MoveDetector, proposals
from bot.domain.moves.patterns import default_patterns
from bot.domain.moves.text import normalise
from bot.domain.vocabulary import MOVES, NEGATIVE_MOVES

Example = Tuple[str, List[str]]  # (text, moves)

# Threshold search grid (per move) and how far a tuned threshold may move from the default:
# the training set is small, so the choice is shrunk towards the default.
THRESHOLD_GRID = [round(0.2 + 0.05 * i, 2) for i in range(11)]  # 0.20 .. 0.70
FLOOR_GRID = [0.02, 0.05, 0.1, 0.15, 0.2, 0.3]
DEFAULT_THRESHOLD = 0.45
DEFAULT_FLOOR = 0.15
TUNING_FOLDS = 5
# Cross-validation is repeated with other fold splits: with one split the chosen thresholds
# moved by up to 0.1 (and a move's F1 by 0.03) with the order of the training examples.
TUNING_REPEATS = 2
# F1 a threshold must gain per 0.05 step away from the default before it is chosen.
SHRINK = 0.002


def example_features(text: str) -> List[str]:
    norm = normalise(text)
    return features(norm, proposals(norm, default_patterns())[0])


def casual_variant(text: str) -> str:
    """The same message typed fast: lowercase, no punctuation, apostrophes dropped.

    Learners (and real agents on chat) often write like this; training on both
    forms keeps the classifier from leaning on punctuation it may not get.
    """
    text = re.sub(r"[.,!?;:\"()\u2014\u2013]+", " ", text.lower()).replace("'", "").replace("\u2019", "")
    return re.sub(r"\s+", " ", text).strip()


def _fit(examples: Sequence[Example], augment: bool = True) -> MoveClassifier:
    usable = [(t, [m for m in moves if m in MOVES]) for t, moves in examples if t and t.strip()]
    samples = [example_features(t) for t, _ in usable]
    targets = [m for _, m in usable]
    if augment:
        for text, moves in usable:
            variant = casual_variant(text)
            if variant and normalise(variant) != normalise(text):
                samples.append(example_features(variant))
                targets.append(moves)
    return MoveClassifier.train(samples, targets)


def _best_f1(pairs: List[Tuple[bool, bool]]) -> float:
    tp = sum(1 for pred, gold in pairs if pred and gold)
    fp = sum(1 for pred, gold in pairs if pred and not gold)
    fn = sum(1 for pred, gold in pairs if not pred and gold)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def _smoothed(values: List[float]) -> List[float]:
    """Each value averaged with its neighbours on the grid (the ends with their one neighbour)."""
    return [sum(values[max(0, i - 1) : i + 2]) / len(values[max(0, i - 1) : i + 2]) for i in range(len(values))]


def tune_thresholds(
    examples: Sequence[Example], folds: int = TUNING_FOLDS, seed: int = 13, augment: bool = True
) -> Dict[str, Dict[str, float]]:
    """Per-move thresholds chosen by k-fold cross-validation on the training examples.

    Returns ``{row: {move: value}}`` for the rows in ``THRESHOLD_ROWS``: the hybrid
    threshold, the hybrid rule floor and the model-only threshold.
    """

    scored: List[Tuple[Dict[str, Tuple[float, bool, bool]], set]] = []
    for repeat in range(TUNING_REPEATS):
        order = list(range(len(examples)))
        random.Random(seed + repeat).shuffle(order)
        for k in range(folds):
            held = set(order[k::folds])
            clf = _fit([examples[i] for i in order if i not in held], augment=augment)
            detector = MoveDetector(clf, mode="hybrid", tuned=False)
            for i in sorted(held):
                text, moves = examples[i]
                scored.append((detector.scores(text), set(moves)))
    # Tune what the detector will do: in hybrid mode the classifier alone must clear the
    # accusation bar for a negative move, and a strong rule's hit stands on its own.
    hybrid, floors, model = {}, {}, {}
    for move in MOVES:
        low = MoveDetector.ACCUSATION_BAR if move in NEGATIVE_MOVES else 0.0
        rows = [(*s[move], move in gold) for s, gold in scored]  # (prob, rule fired, strong rule, gold)
        # F1 over the grid, smoothed along the threshold axis: with a few hundred examples per
        # move the curve is noisy, and the middle of a plateau generalises better than a spike.
        table = {
            floor: _smoothed(
                [
                    _best_f1([(p >= max(thr, low) or strong or (r and p >= floor), g) for p, r, strong, g in rows])
                    for thr in THRESHOLD_GRID
                ]
            )
            for floor in FLOOR_GRID
        }
        best = (-1.0, DEFAULT_THRESHOLD, DEFAULT_FLOOR)
        for i, thr in enumerate(THRESHOLD_GRID):
            for floor in FLOOR_GRID:
                if floor > thr:
                    continue
                # prefer the default on ties: small data, small steps
                f1 = table[floor][i] - SHRINK * (
                    abs(thr - DEFAULT_THRESHOLD) / 0.05 + abs(floor - DEFAULT_FLOOR) / 0.05
                )
                if f1 > best[0]:
                    best = (f1, thr, floor)
        hybrid[move], floors[move] = best[1], best[2]
        curve = _smoothed([_best_f1([(p >= thr, g) for p, _, _, g in rows]) for thr in THRESHOLD_GRID])
        best_model = (-1.0, DEFAULT_THRESHOLD)
        for i, thr in enumerate(THRESHOLD_GRID):
            f1 = curve[i] - SHRINK * abs(thr - DEFAULT_THRESHOLD) / 0.05
            if f1 > best_model[0]:
                best_model = (f1, thr)
        model[move] = best_model[1]
    return dict(zip(THRESHOLD_ROWS, (hybrid, floors, model)))


def train_classifier(examples: Sequence[Example], tune: bool = True, augment: bool = True) -> MoveClassifier:
    """Fit the classifier on whole messages with their move sets.

    With ``tune`` the per-move decision thresholds are chosen by cross-validation
    on the same examples and stored with the weights; ``augment`` adds a casual
    (lowercase, unpunctuated) copy of each example.
    """
    usable = [(t, [m for m in moves if m in MOVES]) for t, moves in examples if t and t.strip()]
    classifier = _fit(usable, augment=augment)
    if tune and len(usable) >= 10 * TUNING_FOLDS:
        for row, values in tune_thresholds(usable, augment=augment).items():
            classifier.set_tuned(row, values)
    return classifier


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
