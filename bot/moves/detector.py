"""The move detector: rules and classifier combined, per segment of a message."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Dict, List, Optional

from bot.moves import rules
from bot.moves.classifier import MoveClassifier, features
from bot.moves.labels import MOVES
from bot.moves.text import clean, normalise, segments

# Rasa reads "/intent{...}" as a command; from a learner it is plain text that earns nothing.
SLASH_COMMAND = re.compile(r"^\s*/\S")
QUOTE_LIMIT = 240


@dataclass(frozen=True)
class MoveHit:
    move: str
    start: int
    end: int
    quote: str
    source: str  # "rule: <name>" or "model"
    confidence: float


@dataclass
class Detection:
    text: str
    hits: List[MoveHit] = field(default_factory=list)

    @property
    def moves(self) -> List[str]:
        found = {hit.move for hit in self.hits}
        return [move for move in MOVES if move in found]

    def evidence(self, move: str) -> Optional[MoveHit]:
        return next((hit for hit in self.hits if hit.move == move), None)

    def as_dict(self) -> Dict:
        return {"moves": self.moves, "hits": [asdict(hit) for hit in self.hits]}


class MoveDetector:
    """Detects every move in a message.

    ``mode`` is ``hybrid`` (rules and classifier), ``rules`` or ``model``;
    the benchmark compares them.
    """

    RULE_FLOOR = 0.15  # a rule hit stands unless the classifier is this sure it is wrong

    def __init__(self, classifier: Optional[MoveClassifier] = None, mode: str = "hybrid",
                 threshold: float = 0.5):
        if mode != "rules" and classifier is None:
            mode = "rules"
        self.classifier = classifier
        self.mode = mode
        self.threshold = threshold

    def detect(self, text: str) -> Detection:
        text = clean(text)
        detection = Detection(text)
        if not text or SLASH_COMMAND.match(text):
            return detection
        for segment in segments(text):
            norm = normalise(segment.text)
            if not re.search(r"[a-z]", norm):
                continue
            detection.hits.extend(self._segment_hits(segment, norm))
        return detection

    def _segment_hits(self, segment, norm: str) -> List[MoveHit]:
        rule_hits: Dict[str, str] = {}
        for hit in rules.match(norm):
            rule_hits.setdefault(hit.move, hit.rule)
        probs: Dict[str, float] = {}
        if self.mode != "rules":
            probs = self.classifier.probabilities(features(norm, rule_hits))
        quote = segment.text[:QUOTE_LIMIT]
        found = []
        for move in MOVES:
            rule = rule_hits.get(move)
            prob = probs.get(move, 0.0)
            if self.mode == "rules":
                present, confidence = rule is not None, 1.0
            elif self.mode == "model":
                present, confidence = prob >= self.threshold, prob
            else:
                present = prob >= self.threshold or (rule is not None and prob >= self.RULE_FLOOR)
                confidence = max(prob, 0.9 if rule else 0.0)
            if not present or rules.vetoed(move, norm):
                continue
            source = f"rule: {rule}" if rule and self.mode != "model" else "model"
            found.append(MoveHit(move, segment.start, segment.end, quote, source, round(confidence, 3)))
        return found
