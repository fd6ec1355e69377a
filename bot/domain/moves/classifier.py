"""A small multi-label linear classifier over word and character n-grams.

It covers what the rules miss (new phrasings, typos) and is trained by Rasa
from the NLU examples (see ``bot.adapters.nlu_component``). Training uses scikit-learn;
prediction needs only NumPy, so loading and scoring one message takes well
under a millisecond. Weights are stored as plain JSON + ``.npy`` files.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence

import numpy as np

from bot.domain.moves.language import lemma
from bot.domain.moves.text import tokens
from bot.domain.vocabulary import MOVES

FILE_VOCAB = "move_vocab.json"
FILE_WEIGHTS = "move_weights.npy"


# Words that open a negation scope: the next few words get an extra "N=" feature,
# so "can't refund" and "can refund" do not look alike to the model.
_NEGATORS = frozenset(
    {
        "not",
        "no",
        "never",
        "nothing",
        "nobody",
        "none",
        "cannot",
        "can't",
        "won't",
        "don't",
        "doesn't",
        "didn't",
        "isn't",
        "wasn't",
        "aren't",
        "weren't",
        "haven't",
        "hasn't",
        "couldn't",
        "wouldn't",
        "shouldn't",
        "unable",
    }
)
_NEG_SCOPE = 3
# Character n-grams inside words (typos, inflections). 3-grams were dropped: at a word edge
# ("ve>", "<th") they match almost anything and let a few odd examples tilt unrelated text;
# cross-validation on the training data agreed (macro-F1 +0.004, exact match +0.01).
CHAR_NGRAMS = (4, 5)
# A light suffix-stripping stemmer ("refunded", "refunding", "refunds" -> "refund"): unseen
# inflections of a known word still reach its weight. Longest suffix first.
_SUFFIXES = (("ingly", ""), ("ies", "y"), ("ied", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("ly", ""), ("s", ""))


def stem(word: str) -> str:
    """A crude stem of one lowercase word (no dictionary, so no start-up cost)."""
    if len(word) <= 4 or not word.isalpha():
        return word
    for suffix, repl in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: len(word) - len(suffix)] + repl
    return word


# Sentence shape: who the subject is, whether a modal or a question mark is there. A plain
# statement about a thing ("deleted files stay in the bin for 30 days") is how most
# explanations read, and it carries no tell-tale word a bag of n-grams could weigh.
_OPENERS = frozenset(
    {
        "so",
        "ok",
        "okay",
        "hi",
        "hello",
        "hey",
        "well",
        "basically",
        "unfortunately",
        "sadly",
        "actually",
        "just",
        "right",
        "oh",
        "hmm",
        "and",
        "but",
        "also",
        "yes",
        "yeah",
        "no",
        "sorry",
        "thanks",
        "great",
        "sure",
        "apparently",
        "honestly",
        "ah",
        ",",
        "!",
        ".",
    }
)
_SUBJECTS = {
    "i": "i",
    "i'm": "i",
    "i've": "i",
    "i'll": "i",
    "i'd": "i",
    "we": "we",
    "we're": "we",
    "we've": "we",
    "we'll": "we",
    "we'd": "we",
    "let's": "we",
    "you": "you",
    "you're": "you",
    "you've": "you",
    "you'll": "you",
    "you'd": "you",
    "your": "your",
    "they": "they",
    "they're": "they",
    "it": "it",
    "it's": "it",
    "its": "it",
    "this": "det",
    "that": "det",
    "that's": "det",
    "these": "det",
    "those": "det",
    "the": "det",
    "a": "det",
    "an": "det",
    "our": "det",
    "their": "det",
    "all": "det",
    "any": "det",
    "every": "det",
    "some": "det",
    "most": "det",
    "each": "det",
    "there": "there",
    "there's": "there",
    "please": "please",
}
_WH = frozenset(
    {
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "how",
        "can",
        "could",
        "would",
        "will",
        "do",
        "does",
        "did",
        "is",
        "are",
        "have",
        "has",
    }
)
_FUTURE = frozenset({"will", "i'll", "we'll", "you'll", "it'll", "they'll", "going", "shall", "won't"})
_ABILITY = frozenset({"can", "could", "can't", "cannot", "couldn't", "may", "might", "should", "would"})


def sentence_shape(words: Sequence[str]) -> List[str]:
    """Shape features of one sentence: its subject class, modal and question mark."""
    start = 0
    while start < len(words) and words[start] in _OPENERS:
        start += 1
    if start == len(words):
        return []
    first, rest = words[start], set(words[start:])
    subject = _SUBJECTS.get(first) or ("wh" if first in _WH else "thing")
    modal = "future" if _FUTURE & rest else "ability" if _ABILITY & rest else "plain"
    question = "q" if "?" in rest else "s"
    return ["SH=" + subject, "SH=" + subject + "_" + modal, "SH=" + subject + "_" + modal + "_" + question]


def features(normalised_segment: str, rule_moves: Iterable[str]) -> List[str]:
    """Feature names for one normalised text.

    ``rule_moves`` are the moves the rule layer proposed for it: the classifier
    learns how far to trust each rule. Besides word and character n-grams there
    are stems, the words inside a negation's scope and the opening words (who
    speaks to whom: "you should...", "i'll...", "please...").
    """
    words = tokens(normalised_segment)
    feats = ["BIAS"]
    feats += ["W=" + w for w in words]
    feats += ["B=" + a + "_" + b for a, b in zip(["<s>"] + words, words + ["</s>"])]
    for word in words:
        padded = "<" + word + ">"
        for n in CHAR_NGRAMS:
            if len(padded) > n:
                feats += ["C=" + padded[i : i + n] for i in range(len(padded) - n + 1)]
    stems = [stem(w) for w in words]
    feats += ["S=" + s for s in stems]
    # spaCy's lookup lemmas catch the irregular forms a suffix stemmer misses (sent -> send, was -> be)
    feats += ["L=" + lemma(w) for w in words if lemma(w) != w]
    feats += ["SB=" + a + "_" + b for a, b in zip(stems, stems[1:])]
    scope = 0
    for word in words:
        if word in _NEGATORS or word.endswith("n't"):
            scope = _NEG_SCOPE
            continue
        if scope:
            feats.append("N=" + stem(word))
            scope -= 1
    if words:
        feats.append("F=" + words[0])
        if len(words) > 1:
            feats.append("F2=" + words[0] + "_" + words[1])
    feats += ["R=" + m for m in sorted(set(rule_moves))]
    feats += sentence_shape(words)
    if len(words) <= 3:
        feats.append("SHORT")
    return feats


# Pseudo-features holding the per-move decision thresholds chosen by cross-validation at
# training time. They are stored as extra rows of the weight matrix, so every reader of
# the model files (including ``model_archive``) carries them without knowing about them;
# ``features()`` never produces these names, so they never add to a score.
THRESHOLD_ROWS = ("__THRESHOLD__", "__RULE_FLOOR__", "__MODEL_THRESHOLD__")


class MoveClassifier:
    """One-vs-rest logistic regression, one weight column per move."""

    def __init__(self, vocab: Dict[str, int], weights: np.ndarray, labels: Sequence[str] = MOVES):
        self.vocab = vocab
        self.weights = weights  # (len(vocab), len(labels)); row 0 is the bias feature
        self.labels = tuple(labels)

    def tuned(self, row: str) -> Optional[Dict[str, float]]:
        """Per-move values of a threshold row (see ``THRESHOLD_ROWS``), or None if untuned."""
        index = self.vocab.get(row)
        if index is None:
            return None
        return dict(zip(self.labels, (float(v) for v in self.weights[index])))

    def set_tuned(self, row: str, values: Dict[str, float]) -> None:
        column = np.array([values.get(label, 0.5) for label in self.labels], dtype=np.float32)
        if row in self.vocab:
            self.weights[self.vocab[row]] = column
        else:
            self.vocab[row] = len(self.vocab)
            self.weights = np.vstack([self.weights, column[None, :]]).astype(np.float32)

    def probabilities(self, feats: Sequence[str]) -> Dict[str, float]:
        rows = [self.vocab[f] for f in set(feats) if f in self.vocab]
        if not rows:
            return {label: 0.0 for label in self.labels}
        logits = self.weights[rows].sum(axis=0)
        probs = 1.0 / (1.0 + np.exp(-np.clip(logits, -30, 30)))
        return dict(zip(self.labels, probs.tolist()))

    @classmethod
    def train(
        cls,
        samples: Sequence[Sequence[str]],
        targets: Sequence[Iterable[str]],
        c: float = 4.0,
        min_count: int = 2,
        labels: Sequence[str] = MOVES,
        random_state: Optional[int] = None,
    ) -> "MoveClassifier":
        """Fit on feature lists and their move sets (``labels``: the learner moves, or the coaching moves)."""
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
        x = csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(samples), len(vocab)))
        target_sets = [set(t) for t in targets]
        weights = np.zeros((len(vocab), len(labels)), dtype=np.float32)
        for j, move in enumerate(labels):
            y = np.array([move in t for t in target_sets], dtype=np.int32)
            if y.min() == y.max():
                weights[0, j] = 5.0 if y[0] else -5.0
                continue
            model = LogisticRegression(C=c, solver="liblinear", max_iter=200, random_state=random_state)
            model.fit(x, y)
            weights[:, j] = model.coef_[0]
            weights[0, j] += float(model.intercept_[0])
        return cls(vocab, weights, labels)

    def save(self, directory: Path) -> None:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        names = sorted(self.vocab, key=self.vocab.__getitem__)
        (directory / FILE_VOCAB).write_text(json.dumps({"labels": list(self.labels), "features": names}))
        np.save(directory / FILE_WEIGHTS, self.weights.astype(np.float32))

    @classmethod
    def load(cls, directory: Path) -> "MoveClassifier":
        directory = Path(directory)
        meta = json.loads((directory / FILE_VOCAB).read_text())
        vocab = {f: i for i, f in enumerate(meta["features"])}
        return cls(vocab, np.load(directory / FILE_WEIGHTS), meta["labels"])
