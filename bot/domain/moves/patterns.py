"""Move patterns kept as data: one YAML file per move in ``data/patterns/``, run by spaCy.

Each file names its move and lists patterns and vetoes. A pattern is either ``tokens``, a
spaCy ``Matcher`` pattern (one dict per token: ``LOWER``, ``LEMMA``, ``IN``, ``OP``...), or
``phrases``, exact word sequences for a ``PhraseMatcher`` on lowercased text::

    move: explain
    patterns:
      - name: cause with "due to"
        tokens: [{LEMMA: be}, {LOWER: {IN: [due, owing]}}, {LOWER: to}]
      - name: stock and supply
        phrases: [out of stock, sold out]
    vetoes:
      - name: not blaming you
        moves: [blame, rude]
        tokens: [{LOWER: {IN: [not, "n't", never]}}, {LEMMA: blame}]

Negation and scope: a pattern hit does not count when a negator ("not", "n't", "never",
"no") stands in the same clause shortly before it ("we can't refund it" offers no refund),
unless the pattern says ``negatable: false`` (its own words carry the negation). Clauses end
at punctuation and at "but", "so", "although"..., so "we can't refund it, but I can replace
it" still offers the replacement. A veto removes its moves from the whole segment: "I'm not
blaming you" is neither blame nor rudeness.

Errors name the file and the pattern, so a course author can fix a broken file.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

import yaml
from pydantic import BaseModel, Extra, Field, ValidationError, root_validator, validator

from bot.domain.moves.language import matcher_classes, pipeline
from bot.domain.vocabulary import MOVES
from bot.settings import PROJECT_ROOT

PATTERNS_DIR = PROJECT_ROOT / "data" / "patterns"
NEGATORS = frozenset({"not", "n't", "never", "no", "cannot"})
NEGATION_REACH = 4  # tokens before a hit that a negator can reach
CLAUSE_ENDS = frozenset({",", ".", ";", ":", "!", "?", "but", "so", "although", "though", "however", "whereas", "and"})


class PatternError(ValueError):
    """A pattern file that cannot be used; the message names the file and the pattern."""


class _Entry(BaseModel):
    name: str = Field(..., min_length=1)
    tokens: Optional[List[Dict[str, Any]]] = None
    phrases: Optional[List[str]] = None

    class Config:
        extra = Extra.forbid

    @root_validator(skip_on_failure=True)
    def _one_kind(cls, values):
        if bool(values.get("tokens")) == bool(values.get("phrases")):
            raise ValueError("give either `tokens` (a Matcher pattern) or `phrases`, not both or neither")
        return values

    @validator("tokens")
    def _no_yaml_booleans(cls, tokens):
        if tokens and any(_holds_boolean(token) for token in tokens):
            raise ValueError(
                'a word became true/false: YAML reads on, off, yes and no as booleans, so quote them ("no")'
            )
        return tokens

    @validator("phrases", each_item=True)
    def _phrase_has_words(cls, phrase):
        if not phrase.strip():
            raise ValueError("a phrase is empty")
        return phrase


def _holds_boolean(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_holds_boolean(v) for key, v in value.items() if not str(key).startswith(("IS_", "LIKE_")))
    if isinstance(value, list):
        return any(_holds_boolean(v) for v in value)
    return isinstance(value, bool)


class PatternSpec(_Entry):
    negatable: bool = True
    strong: bool = False  # a strong hit stands without the classifier's agreement


class VetoSpec(_Entry):
    moves: List[str] = Field(..., min_items=1)


class PatternFile(BaseModel):
    """One move's patterns and vetoes. Which moves exist depends on the set: learner or coaching moves."""

    move: str
    patterns: List[PatternSpec] = []
    vetoes: List[VetoSpec] = []

    class Config:
        extra = Extra.forbid

    def unknown_move(self, known: Sequence[str]) -> Optional[str]:
        """What is wrong when the file names a move outside ``known``, else None."""
        if self.move not in known:
            return f"field move: unknown move {self.move!r}; the moves are {', '.join(known)}"
        for veto in self.vetoes:
            for move in veto.moves:
                if move not in known:
                    return f"pattern {veto.name!r} field moves: unknown move {move!r}"
        return None


@dataclass(frozen=True)
class PatternHit:
    move: str
    name: str
    strong: bool
    start: int  # token offsets in the segment
    end: int


@dataclass(frozen=True)
class SegmentPatterns:
    hits: Tuple[PatternHit, ...]
    vetoes: Dict[str, str]  # move -> the veto's name
    negated: Tuple[str, ...] = ()  # moves a pattern matched inside a negation ("not saying you're lazy")

    def moves(self) -> List[str]:
        return sorted({hit.move for hit in self.hits})


def _where(path: Path, name: str) -> str:
    return f"{path.name}: pattern {name!r}"


def read_pattern_file(path: Path, known: Sequence[str] = MOVES) -> PatternFile:
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PatternError(f"{path}: cannot read it as YAML: {exc}")
    if not isinstance(raw, dict):
        raise PatternError(f"{path}: expected a mapping with `move`, `patterns` and `vetoes`")
    try:
        spec = PatternFile.parse_obj(raw)
    except ValidationError as exc:
        raise PatternError(f"{path}: {_explain(raw, exc)}")
    problem = spec.unknown_move(known)
    if problem:
        raise PatternError(f"{path}: {problem}")
    return spec


def _explain(raw: Dict, exc: ValidationError) -> str:
    """The first validation error, naming the pattern by its name when it has one."""
    error = exc.errors()[0]
    location = list(error["loc"])
    if len(location) >= 2 and location[0] in ("patterns", "vetoes") and isinstance(location[1], int):
        entries = raw.get(location[0]) or []
        entry = entries[location[1]] if location[1] < len(entries) else {}
        name = entry.get("name") if isinstance(entry, dict) else None
        label = f"pattern {name!r}" if name else f"{location[0]} entry {location[1] + 1}"
        field = ".".join(str(part) for part in location[2:] if part != "__root__")
        return f"{label}{' field ' + field if field else ''}: {error['msg']}"
    return f"field {'.'.join(str(part) for part in location)}: {error['msg']}"


class MovePatterns:
    """Every pattern file's patterns in one spaCy ``Matcher`` and ``PhraseMatcher``."""

    def __init__(self, files: Iterable[Tuple[Path, PatternFile]]):
        self.nlp = pipeline()
        Matcher, PhraseMatcher = matcher_classes()
        self.matcher = Matcher(self.nlp.vocab, validate=True)
        self.phrases = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.entries: Dict[str, Tuple[str, Any]] = {}  # key -> (move or "veto", spec)
        for path, spec in files:
            for number, entry in enumerate(list(spec.patterns) + list(spec.vetoes)):
                kind = "veto" if isinstance(entry, VetoSpec) else spec.move
                self._add(path, f"{spec.move}/{number}", kind, entry)

    def _add(self, path: Path, key: str, kind: str, entry: _Entry) -> None:
        try:
            if entry.tokens:
                self.matcher.add(key, [entry.tokens])
            else:
                self.phrases.add(key, [self.nlp.make_doc(p.lower()) for p in entry.phrases or []])
        except Exception as exc:  # spaCy raises ValueError or its own MatchPatternError
            raise PatternError(f"{_where(path, entry.name)}: {str(exc).strip().splitlines()[-1]}")
        self.entries[key] = (kind, entry)

    def analyse(self, normalised_segment: str) -> SegmentPatterns:
        doc = self.nlp(normalised_segment)
        matches = list(self.matcher(doc)) + list(self.phrases(doc))
        hits: List[PatternHit] = []
        vetoes: Dict[str, str] = {}
        negated_moves: List[str] = []
        for key_hash, start, end in sorted(matches, key=lambda m: (m[1], m[2])):
            kind, entry = self.entries[self.nlp.vocab.strings[key_hash]]
            if kind == "veto":
                for move in entry.moves:
                    vetoes.setdefault(move, entry.name)
            elif entry.negatable and negated(doc, start):
                negated_moves.append(kind)
            else:
                hits.append(PatternHit(kind, entry.name, entry.strong, start, end))
        kept = tuple(hit for hit in hits if hit.move not in vetoes)
        return SegmentPatterns(kept, vetoes, tuple(sorted(set(negated_moves))))


def negated(doc: Any, start: int) -> bool:
    """Whether a negator stands in the same clause within ``NEGATION_REACH`` tokens before ``start``."""
    for position in range(start - 1, max(-1, start - 1 - NEGATION_REACH), -1):
        word = doc[position].lower_
        if word in CLAUSE_ENDS:
            return False
        if word in NEGATORS:
            return True
    return False


def pattern_files(folder: Path = PATTERNS_DIR, known: Sequence[str] = MOVES) -> List[Tuple[Path, PatternFile]]:
    paths = sorted(Path(folder).glob("*.yml"))
    files = [(path, read_pattern_file(path, known)) for path in paths]
    seen: Dict[str, Path] = {}
    for path, spec in files:
        if spec.move in seen:
            raise PatternError(f"{path}: move {spec.move!r} already has a file, {seen[spec.move].name}")
        seen[spec.move] = path
    return files


def load_patterns(folder: Path = PATTERNS_DIR, known: Sequence[str] = MOVES) -> MovePatterns:
    return MovePatterns(pattern_files(folder, known))


@lru_cache(maxsize=1)
def default_patterns() -> MovePatterns:
    """The shipped patterns in ``data/patterns/``, loaded once per process."""
    return load_patterns()
