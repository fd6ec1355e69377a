"""The move detector: rules and classifier combined, per segment of a message."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Dict, List, Optional, Tuple

from bot.domain.moves import rules
from bot.domain.moves.classifier import THRESHOLD_ROWS, MoveClassifier, features
from bot.domain.moves.patterns import MovePatterns, PatternHit, default_patterns
from bot.domain.moves.text import Segment, clean, normalise, segments
from bot.domain.vocabulary import MOVES, NEGATIVE_MOVES

# Rasa reads "/intent{...}" as a command; from a learner it is plain text that earns nothing.
SLASH_COMMAND = re.compile(r"^\s*/\S")
QUOTE_LIMIT = 240
SCORINGS = ("segment", "message", "both")


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


@dataclass
class _Piece:
    """One segment of a message with what both layers said about it."""

    segment: Segment
    norm: str
    rule_hits: Dict[str, str]  # move -> rule name (vetoed hits removed)
    vetoed: Dict[str, bool]
    probs: Dict[str, float]


# Where one clause of a normalised sentence ends and the next begins.
_CLAUSE_BREAK = re.compile(
    r"\s(?:,\s)?(?:but|so|so that|which means|and so|though|although|however|whereas)\s|\s,\s(?=(?:you|we|i|it|they|this|that|there|the|our|your)\b)"
)


def clauses(normalised: str) -> List[str]:
    """The clauses of a normalised sentence, when it has more than one."""
    parts = [p.strip(" ,.!") for p in _CLAUSE_BREAK.split(normalised)]
    parts = [p for p in parts if len(p.split()) >= 3]
    return parts if len(parts) > 1 else []


def proposals(normalised: str, patterns: MovePatterns) -> Tuple[Dict[str, str], Dict[str, str]]:
    """What the rule layers propose for one normalised text: move -> rule name, and the
    pattern files' vetoes (move -> veto name).

    Both the regular-expression rules and the spaCy patterns (``data/patterns/``) propose;
    a strong rule's name wins, since its hit stands on its own. The classifier is trained and
    run on the same proposals (``bot.domain.moves.training``).
    """
    found: Dict[str, str] = {}
    candidates = [(hit.move, hit.rule) for hit in rules.match(normalised)]
    analysed = patterns.analyse(normalised)
    candidates += [(hit.move, pattern_rule_name(hit)) for hit in analysed.hits]
    for move, rule in candidates:
        known = found.get(move)
        if known is None or (is_strong(move, rule) and not is_strong(move, known)):
            found[move] = rule
    return found, analysed.vetoes


def pattern_rule_name(hit: PatternHit) -> str:
    return f"{hit.name} ({'strong ' if hit.strong else ''}pattern in {hit.move}.yml)"


def is_strong(move: str, rule: str) -> bool:
    """Whether a hit of this rule stands without the classifier's agreement."""
    return rules.is_strong(move, rule) or rule.endswith(f"(strong pattern in {move}.yml)")


class MoveDetector:
    """Detects every move in a message.

    ``mode`` is ``hybrid`` (rules and classifier), ``rules`` or ``model``;
    the benchmark compares them. ``scoring`` says where the classifier looks:
    ``segment`` (each sentence-like segment on its own), ``message`` (the whole
    message at once) or ``both`` (a move is found if either view finds it; the
    default). Decision thresholds are per move when the trained classifier
    carries them (chosen by cross-validation on the training data), otherwise
    ``threshold`` and ``RULE_FLOOR`` for every move.
    """

    RULE_FLOOR = 0.15  # a rule hit stands unless the classifier is this sure it is wrong
    # Blame, dismissal and rudeness cost the learner marks and inflame the customer, so the
    # classifier alone (no rule behind it) must be this sure before it accuses anyone.
    ACCUSATION_BAR = 0.7
    # Moves the classifier also looks for in each clause of a sentence: an explanation is
    # often joined to a remedy ("prepaid plans don't support it yet, but you can dial 123"),
    # and the remedy's words would otherwise drown it.
    CLAUSE_MOVES = ("explain",)

    def __init__(
        self,
        classifier: Optional[MoveClassifier] = None,
        mode: str = "hybrid",
        threshold: float = 0.5,
        scoring: str = "both",
        tuned: bool = True,
        patterns: Optional[MovePatterns] = None,
    ):
        if mode != "rules" and classifier is None:
            mode = "rules"
        if scoring not in SCORINGS:
            raise ValueError(f"scoring must be one of {SCORINGS}")
        self.classifier = classifier
        self.patterns = patterns if patterns is not None else default_patterns()
        self.mode = mode
        self.threshold = threshold
        self.scoring = scoring
        hybrid_thr, floor, model_thr = (
            classifier.tuned(row) if classifier is not None and tuned else None for row in THRESHOLD_ROWS
        )
        self.thresholds: Dict[str, float] = (model_thr if mode == "model" else hybrid_thr) or {}
        self.floors: Dict[str, float] = floor or {}

    # -- analysis ---------------------------------------------------------------------
    def _pieces(self, text: str) -> List[_Piece]:
        pieces = []
        for segment in segments(text):
            norm = normalise(segment.text)
            if not re.search(r"[a-z]", norm):
                continue
            rule_hits, pattern_vetoes = proposals(norm, self.patterns)
            probs: Dict[str, float] = {}
            if self.mode != "rules":
                assert self.classifier is not None  # __init__ falls back to "rules" without a classifier
                probs = self.classifier.probabilities(features(norm, rule_hits))
                if self.CLAUSE_MOVES:
                    for clause in clauses(norm):
                        clause_rules = proposals(clause, self.patterns)[0]
                        clause_probs = self.classifier.probabilities(features(clause, clause_rules))
                        for move in self.CLAUSE_MOVES:
                            probs[move] = max(probs.get(move, 0.0), clause_probs.get(move, 0.0))
            vetoed = {move: move in pattern_vetoes or bool(rules.vetoed(move, norm)) for move in MOVES}
            rule_hits = {m: r for m, r in rule_hits.items() if not vetoed[m]}
            pieces.append(_Piece(segment, norm, rule_hits, vetoed, probs))
        return pieces

    def _message_probs(self, pieces: List[_Piece]) -> Dict[str, float]:
        if self.mode == "rules" or self.scoring == "segment" or len(pieces) < 2:
            return {}
        assert self.classifier is not None  # __init__ falls back to "rules" without a classifier
        moves = set().union(*(p.rule_hits.keys() for p in pieces))
        return self.classifier.probabilities(features(" ".join(p.norm for p in pieces), moves))

    def scores(self, text: str) -> Dict[str, Tuple[float, bool, bool]]:
        """Per move: the classifier's best probability, whether an unvetoed rule fired and
        whether one of them was a strong rule (which stands without the classifier).

        Used to choose the per-move thresholds by cross-validation (``bot.domain.moves.training``).
        """
        pieces = self._pieces(clean(text))
        whole = self._message_probs(pieces)
        out = {}
        for move in MOVES:
            seg = [p.probs.get(move, 0.0) for p in pieces if not p.vetoed[move]]
            prob = max(seg, default=0.0) if self.scoring != "message" or len(pieces) < 2 else 0.0
            if whole and pieces and not all(p.vetoed[move] for p in pieces):
                prob = max(prob, whole.get(move, 0.0))
            out[move] = (
                prob,
                any(move in p.rule_hits for p in pieces),
                any(is_strong(move, p.rule_hits[move]) for p in pieces if move in p.rule_hits),
            )
        return out

    # -- detection ----------------------------------------------------------------------
    def detect(self, text: str) -> Detection:
        text = clean(text)
        detection = Detection(text)
        if not text or SLASH_COMMAND.match(text):
            return detection
        pieces = self._pieces(text)
        if not pieces:
            return detection
        whole = self._message_probs(pieces)
        blame = self._find("blame", pieces, whole)
        self._shifted_fault_is_not_explained(pieces, blame)
        for move in MOVES:
            hit = blame if move == "blame" else self._find(move, pieces, whole)
            if hit:
                detection.hits.append(hit)
        detection.hits.sort(key=lambda h: (h.start, MOVES.index(h.move)))
        return detection

    @staticmethod
    def _shifted_fault_is_not_explained(pieces: List[_Piece], blame: Optional[MoveHit]) -> None:
        """A cause that shifts the fault ("the delay was caused by your bank") is ``blame``,
        not ``explain`` (the spec's labelling note): a segment found to blame cannot also be
        the evidence that the learner explained. Another segment still can."""
        if blame is None:
            return
        for piece in pieces:
            if "blame" in piece.rule_hits or piece.segment.start == blame.start:
                piece.vetoed["explain"] = True

    def _find(self, move: str, pieces: List[_Piece], whole: Dict[str, float]) -> Optional[MoveHit]:
        threshold = self.thresholds.get(move, self.threshold)
        if move in NEGATIVE_MOVES and self.mode == "hybrid":
            threshold = max(threshold, self.ACCUSATION_BAR)
        floor = self.floors.get(move, self.RULE_FLOOR)
        best: Optional[Tuple[float, _Piece, str]] = None
        use_segments = self.scoring != "message" or len(pieces) < 2
        for piece in pieces:
            if piece.vetoed[move]:
                continue
            rule = piece.rule_hits.get(move)
            prob = piece.probs.get(move, 0.0)
            if self.mode == "rules":
                present, confidence = rule is not None, 1.0
            elif self.mode == "model":
                present, confidence = use_segments and prob >= threshold, prob
            else:
                present = (use_segments and prob >= threshold) or (
                    rule is not None and (prob >= floor or is_strong(move, rule))
                )
                confidence = max(prob, 0.9 if rule else 0.0)
            if present and (best is None or confidence > best[0]):
                best = (confidence, piece, f"rule: {rule}" if rule and self.mode != "model" else "model")
        if best is None and whole.get(move, 0.0) >= threshold:
            # The whole message shows the move: quote the segment the classifier likes best for it.
            candidates = [p for p in pieces if not p.vetoed[move]]
            if candidates:
                piece = max(candidates, key=lambda p: p.probs.get(move, 0.0))
                best = (whole[move], piece, "model")
        if best is None:
            return None
        confidence, piece, source = best
        segment = piece.segment
        return MoveHit(move, segment.start, segment.end, segment.text[:QUOTE_LIMIT], source, round(confidence, 3))
