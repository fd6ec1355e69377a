"""A small multi-label linear classifier over word and character n-grams.

It covers what the rules miss (new phrasings, typos) and is trained by Rasa
from the NLU examples (see ``bot.nlu_component``). Training uses scikit-learn;
prediction needs only NumPy, so loading and scoring one message takes well
under a millisecond. Weights are stored as plain JSON + ``.npy`` files.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, Iterable, List, Sequence

import numpy as np

from bot.moves.labels import MOVES
from bot.moves.text import tokens

FILE_VOCAB = "move_vocab.json"
FILE_WEIGHTS = "move_weights.npy"


def features(normalised_segment: str, rule_moves: Iterable[str]) -> List[str]:
    """Feature names for one normalised text.

    ``rule_moves`` are the moves the rule layer proposed for it: the classifier
    learns how far to trust each rule.
    """
    words = tokens(normalised_segment)
    feats = ["BIAS"]
    feats += ["W=" + w for w in words]
    feats += ["B=" + a + "_" + b for a, b in zip(["<s>"] + words, words + ["</s>"])]
    for word in words:
        padded = "<" + word + ">"
        for n in (3, 4, 5):
            if len(padded) > n:
                feats += ["C=" + padded[i:i + n] for i in range(len(padded) - n + 1)]
    feats += ["R=" + m for m in sorted(set(rule_moves))]
    if len(words) <= 3:
        feats.append("SHORT")
    return feats


class MoveClassifier:
    """One-vs-rest logistic regression, one weight column per move."""

    def __init__(self, vocab: Dict[str, int], weights: np.ndarray, labels: Sequence[str] = MOVES):
        self.vocab = vocab
        self.weights = weights  # (len(vocab), len(labels)); row 0 is the bias feature
        self.labels = tuple(labels)

    def probabilities(self, feats: Sequence[str]) -> Dict[str, float]:
        rows = [self.vocab[f] for f in set(feats) if f in self.vocab]
        if not rows:
            return {label: 0.0 for label in self.labels}
        logits = self.weights[rows].sum(axis=0)
        probs = 1.0 / (1.0 + np.exp(-np.clip(logits, -30, 30)))
        return dict(zip(self.labels, probs.tolist()))

    @classmethod
    def train(cls, samples: Sequence[Sequence[str]], targets: Sequence[Iterable[str]],
              c: float = 4.0, min_count: int = 2) -> "MoveClassifier":
        """Fit on feature lists and their move sets."""
        from scipy.sparse import csr_matrix
        from sklearn.linear_model import LogisticRegression

        counts: Dict[str, int] = {}
        for feats in samples:
            for f in set(feats):
                counts[f] = counts.get(f, 0) + 1
        names = ["BIAS"] + sorted(f for f, n in counts.items() if n >= min_count and f != "BIAS")
        vocab = {f: i for i, f in enumerate(names)}
        rows, cols = [], []
        for r, feats in enumerate(samples):
            for f in set(feats):
                if f in vocab and f != "BIAS":
                    rows.append(r)
                    cols.append(vocab[f])
        x = csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)),
                       shape=(len(samples), len(vocab)))
        target_sets = [set(t) for t in targets]
        weights = np.zeros((len(vocab), len(MOVES)), dtype=np.float32)
        for j, move in enumerate(MOVES):
            y = np.array([move in t for t in target_sets], dtype=np.int32)
            if y.min() == y.max():
                weights[0, j] = 5.0 if y[0] else -5.0
                continue
            model = LogisticRegression(C=c, solver="liblinear", max_iter=200)
            model.fit(x, y)
            weights[:, j] = model.coef_[0]
            weights[0, j] += float(model.intercept_[0])
        return cls(vocab, weights)

    def save(self, directory: Path) -> None:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        names = sorted(self.vocab, key=self.vocab.get)
        (directory / FILE_VOCAB).write_text(json.dumps({"labels": list(self.labels), "features": names}))
        np.save(directory / FILE_WEIGHTS, self.weights.astype(np.float32))

    @classmethod
    def load(cls, directory: Path) -> "MoveClassifier":
        directory = Path(directory)
        meta = json.loads((directory / FILE_VOCAB).read_text())
        vocab = {f: i for i, f in enumerate(meta["features"])}
        return cls(vocab, np.load(directory / FILE_WEIGHTS), meta["labels"])
