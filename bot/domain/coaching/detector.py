"""Coaching-move detection: what a team leader does in one message (docs/coaching.md).

Two layers, as for the learner moves. The rules: each message is split into sentence-like
segments, normalised, and matched against the Matcher and PhraseMatcher patterns in
``data/coaching/patterns/`` (one YAML file per move, the format of ``data/patterns/``). The
classifier: the same small linear model as the learner moves' (word, stem, lemma and character
n-grams, plus which rules fired), trained when the detector loads, deterministically, on the
labelled examples in ``data/coaching/examples/``. A move is detected when either layer finds it.
``coach bench-coaching --release`` measures both on a frozen, independently written test set.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import yaml

from bot.domain.moves.classifier import MoveClassifier, features
from bot.domain.moves.patterns import MovePatterns, PatternError, load_patterns
from bot.domain.moves.text import normalise, segments
from bot.domain.vocabulary import COACHING_EXTRA_MOVES, COACHING_MOVES
from bot.settings import PROJECT_ROOT

COACHING_PATTERNS_DIR = PROJECT_ROOT / "data" / "coaching" / "patterns"
COACHING_WORDS_FILE = PROJECT_ROOT / "data" / "coaching" / "words.yml"
COACHING_EXAMPLES_DIR = PROJECT_ROOT / "data" / "coaching" / "examples"
# Chosen by leave-one-writer-out cross-validation on the examples (docs/benchmarks.md), never on the test set.
CLASSIFIER_C = 2.0
CLASSIFIER_THRESHOLD = 0.5
KNOWN_MOVES: Tuple[str, ...] = COACHING_MOVES + COACHING_EXTRA_MOVES
# A line quoted from the call ('Order number?', "Please calm down"): an opening quote after a space or
# the start, a closing one before a space, a mark or the end, so apostrophes (she'd, isn't) are not quotes.
_QUOTED = re.compile(r"(?:(?<=[\s(:])|^)['\u2018\"\u201c](?=\S)(?:.+?)(?<=\S)['\u2019\"\u201d](?=[\s.,;:!?)]|$)")
QUOTE_TOKEN = " quotedline "  # what a pattern names a quoted line by


@dataclass(frozen=True)
class CoachingHit:
    move: str
    quote: str  # the segment of the message that carries it
    pattern: str  # the pattern's name, for the tutor's "why"

    def as_dict(self) -> Dict[str, str]:
        return {"move": self.move, "quote": self.quote, "pattern": self.pattern}


class CoachingDetector:
    def __init__(
        self,
        patterns: MovePatterns,
        words: Optional[Dict[str, str]] = None,
        classifier: Optional[MoveClassifier] = None,
    ):
        self.patterns = patterns
        self.words = words or {}
        self.classifier = classifier

    def _prepared(self, text: str) -> str:
        """What the patterns and the classifier read: quoted lines as one token, normalised, dialect made standard."""
        normalised = normalise(_QUOTED.sub(QUOTE_TOKEN, text))
        if not self.words:
            return normalised
        return " ".join(self.words.get(word, word) for word in normalised.split(" "))

    def _analyse(self, text: str) -> Tuple[List[CoachingHit], set]:
        """The rule hits, and the moves the rules ruled out (vetoed, or matched inside a negation)."""
        found: List[CoachingHit] = []
        ruled_out: set = set()
        for segment in segments(text):
            analysed = self.patterns.analyse(self._prepared(segment.text))
            ruled_out |= set(analysed.vetoes) | set(analysed.negated)
            seen = set()
            for hit in analysed.hits:
                if hit.move not in seen:
                    seen.add(hit.move)
                    found.append(CoachingHit(hit.move, segment.text, hit.name))
        return found, ruled_out

    def features(self, text: str, rule_moves: List[str]) -> List[str]:
        return features(self._prepared(text), rule_moves)

    def detect(self, text: str) -> Tuple[List[str], List[CoachingHit]]:
        """The moves in ``text`` (in vocabulary order, extra moves last) and the hits that show them."""
        hits, ruled_out = self._analyse(text)
        present = {hit.move for hit in hits}
        if self.classifier is not None and text.strip():
            scores = self.classifier.probabilities(self.features(text, sorted(present)))
            for move in COACHING_MOVES:
                # the classifier adds what the rules missed, never what they ruled out
                if move not in present | ruled_out and scores[move] >= CLASSIFIER_THRESHOLD:
                    present.add(move)
                    hits.append(CoachingHit(move, text.strip()[:300], "classifier"))
        return [move for move in KNOWN_MOVES if move in present], hits


def read_words(path: Path) -> Dict[str, str]:
    """The spellings file: a mapping of lowercase words to their standard form; PatternError when broken."""
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) if Path(path).exists() else {}
    except (OSError, yaml.YAMLError) as exc:
        raise PatternError(f"{path}: cannot read it as YAML: {exc}")
    raw = raw or {}
    if not isinstance(raw, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in raw.items()):
        raise PatternError(f"{path}: expected a mapping of words to their standard spelling")
    return {key.lower(): value.lower() for key, value in raw.items()}


def read_examples(folder: Path) -> List[Tuple[str, List[str]]]:
    """The labelled messages the classifier learns from; PatternError naming the file and line when broken."""
    examples = []
    for path in sorted(Path(folder).glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                text, moves = str(row["text"]), list(row["moves"])
            except (ValueError, KeyError, TypeError) as exc:
                raise PatternError(f"{path}: line {number}: needs a JSON object with text and moves ({exc})")
            unknown = [move for move in moves if move not in COACHING_MOVES]
            if unknown:
                raise PatternError(f"{path}: line {number}: unknown move(s) {unknown}")
            examples.append((text, moves))
    return examples


def load_coaching_detector(
    folder: Path = COACHING_PATTERNS_DIR,
    words_file: Path = COACHING_WORDS_FILE,
    examples_dir: Optional[Path] = COACHING_EXAMPLES_DIR,
) -> CoachingDetector:
    """Rules, spellings and (when there are examples) the classifier trained on them.

    Raises PatternError, naming the file, when a pattern, spellings or examples file is broken.
    """
    detector = CoachingDetector(load_patterns(folder, KNOWN_MOVES), read_words(words_file))
    examples = read_examples(examples_dir) if examples_dir is not None else []
    return with_classifier(detector, examples) if examples else detector


def with_classifier(rules: CoachingDetector, examples: Sequence[Tuple[str, List[str]]]) -> CoachingDetector:
    """The rules plus a classifier trained on ``examples`` (deterministic: the same examples, the same weights)."""
    plain = CoachingDetector(rules.patterns, rules.words)
    samples = [plain.features(text, plain.detect(text)[0]) for text, _ in examples]
    classifier = MoveClassifier.train(
        samples, [moves for _, moves in examples], c=CLASSIFIER_C, labels=COACHING_MOVES, random_state=0
    )
    return CoachingDetector(rules.patterns, rules.words, classifier)


@lru_cache(maxsize=1)
def default_coaching_detector() -> CoachingDetector:
    """The shipped coaching patterns, loaded once per process."""
    return load_coaching_detector()
