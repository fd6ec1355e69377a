"""The course lexicon (``data/course/lexicon.yml``): generic concepts matched on lemmas by spaCy.

A concept is a list of phrases. Each phrase becomes a spaCy ``Matcher`` pattern over lemmas,
so "refunded" matches "refund"; ``...`` in a phrase stands for up to three words, so
"send ... another" matches "send you another". Scenario remedies and facts are described by
the concepts their labels name, so a course author writes a label, not every synonym.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Tuple

import yaml
from pydantic import BaseModel, Extra, Field, ValidationError, constr, validator

from bot.domain.moves.language import lemma, matcher_classes, pipeline
from bot.settings import PROJECT_ROOT

LEXICON_FILE = PROJECT_ROOT / "data" / "course" / "lexicon.yml"
GAP = "..."
GAP_WORDS = 3


class LexiconError(ValueError):
    """A lexicon that cannot be used; the message names the file and the concept."""


class ConceptSpec(BaseModel):
    id: constr(regex=r"^[a-z][a-z0-9_]*$")  # type: ignore[valid-type]
    phrases: List[constr(min_length=1, max_length=80)] = Field(..., min_items=1)  # type: ignore[valid-type]

    class Config:
        extra = Extra.forbid

    @validator("phrases", each_item=True, pre=True)
    def _phrase_is_text(cls, phrase):
        if not isinstance(phrase, str):
            raise ValueError(f"{phrase!r} is not text (quote it in YAML)")
        return phrase


class LexiconFile(BaseModel):
    remedies: List[ConceptSpec] = Field(..., min_items=1, description="What a learner can offer.")
    topics: List[ConceptSpec] = Field(default_factory=list, description="What a question can be about.")

    class Config:
        extra = Extra.forbid


def phrase_pattern(phrase: str) -> List[Dict[str, Any]]:
    """One phrase as a Matcher pattern over lemmas, with ``...`` as an optional gap."""
    pattern: List[Dict[str, Any]] = []
    for number, part in enumerate(phrase.lower().split(GAP)):
        if number:
            pattern += [{"OP": "?"}] * GAP_WORDS
        for token in pipeline().make_doc(part.strip()):
            pattern.append({"LEMMA": lemma(token.lower_)})
    return pattern


class Lexicon:
    """Every concept's phrases in one spaCy ``Matcher``; ``find`` returns concept spans."""

    def __init__(self, spec: LexiconFile, source: str = "lexicon"):
        Matcher, _ = matcher_classes()
        self.nlp = pipeline()
        self.matcher = Matcher(self.nlp.vocab)
        self.concepts: List[str] = []
        self.remedy_concepts = frozenset(c.id for c in spec.remedies)
        for concept in list(spec.remedies) + list(spec.topics):
            if concept.id in self.concepts:
                raise LexiconError(f"{source}: concept {concept.id!r} is listed twice")
            self.concepts.append(concept.id)
            self.add(concept.id, concept.phrases, source)

    def add(self, key: str, phrases: List[str], source: str) -> None:
        patterns = [phrase_pattern(p) for p in phrases]
        empty = [p for p, pattern in zip(phrases, patterns) if not [t for t in pattern if "LEMMA" in t]]
        if empty:
            raise LexiconError(f"{source}: {key!r} has a phrase with no words: {empty[0]!r}")
        self.matcher.add(key, patterns)

    def find(self, doc: Any) -> List[Tuple[str, int, int]]:
        """(concept, start, end) for each match, longest first where matches overlap."""
        found = []
        for key_hash, start, end in self.matcher(doc):
            found.append((self.nlp.vocab.strings[key_hash], start, end))
        return sorted(set(found), key=lambda hit: (hit[1], -(hit[2] - hit[1]), hit[0]))

    def concepts_in(self, text: str, remedies_only: bool = False) -> List[str]:
        """The concepts a short text (a remedy's or fact's label) names."""
        known = self.remedy_concepts if remedies_only else set(self.concepts)
        return sorted({key for key, _, _ in self.find(self.nlp(text.lower())) if key in known})


def read_lexicon(path: Path = LEXICON_FILE) -> LexiconFile:
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise LexiconError(f"{path}: cannot be read as YAML: {exc}")
    try:
        return LexiconFile.parse_obj(raw if isinstance(raw, dict) else {})
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            where = ".".join(str(part) for part in error["loc"])
            problems.append(f"{path}: field {where}: {error['msg']}")
        raise LexiconError("; ".join(problems))


def load_lexicon(path: Path = LEXICON_FILE) -> Lexicon:
    return Lexicon(read_lexicon(path), str(path))


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The shipped lexicon, loaded once per process."""
    return load_lexicon()
