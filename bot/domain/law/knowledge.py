"""The course's legal knowledge base (data/course/law.yml), validated, and its contradiction matcher.

Training material, not legal advice. Each right has its act, section, conditions, a correct
way to say it, and patterns for statements that contradict it (spaCy ``Matcher`` tokens or
exact phrases, as in data/patterns/). ``allows`` patterns veto a contradiction in the same
sentence ("within 30 days you can have a full refund" is not "refunds only within 14 days"),
unless the contradiction is ``strong`` ("by phone, but with a £3 surcharge" stays wrong).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

from pydantic import BaseModel, Extra, Field, constr, validator

from bot.domain.content import read_content
from bot.domain.law.model import (
    EXAMPLES_FILE,
    ContradictionModel,
    Pair,
    fingerprint,
    kept_or_trained,
    nlu_files,
    read_examples,
)
from bot.domain.moves.language import matcher_classes, pipeline
from bot.domain.moves.patterns import PatternError, PatternSpec, negated
from bot.domain.moves.text import normalise
from bot.domain.moves.training import read_nlu_examples
from bot.settings import PROJECT_ROOT, settings

LAW_FILE = PROJECT_ROOT / "data" / "course" / "law.yml"
# The flag each kind of right raises when a learner's sentence contradicts it.
LEGAL_FLAGS = {"legal_inaccuracy": "statement", "data_protection_breach": "disclosure"}
# A sentence that restricts ("only ...", "unless ...") is not credited as stating a right: restrictions
# are where statements of the law go wrong, and the contradiction patterns cannot foresee them all.
RESTRICTING = frozenset({"only", "unless", "except", "afraid"})
# Learner examples with these moves are not taken as harmless on-topic text for the legal model:
# "no refunds after 14 days" is a dismissal in the NLU data and a wrong statement in law.
NOT_HARMLESS = frozenset({"blame", "dismiss", "rude"})
MODEL_HIT = "worded like a wrong statement of this right (learned from the dev statements)"


class Right(BaseModel):
    act: constr(min_length=1)  # type: ignore[valid-type]
    section: constr(min_length=1)  # type: ignore[valid-type]
    title: constr(min_length=1)  # type: ignore[valid-type]
    conditions: constr(min_length=1)  # type: ignore[valid-type]
    correct: constr(min_length=1)  # type: ignore[valid-type]
    pushback: constr(min_length=1)  # type: ignore[valid-type]
    kind: constr(regex=r"^(statement|disclosure)$") = "statement"  # type: ignore[valid-type]
    contradicts: List[PatternSpec] = Field(..., min_items=1)
    allows: List[PatternSpec] = []
    affirms: List[PatternSpec] = Field(
        default_factory=list,
        description="Wording that states the right correctly (with `allows`, it earns RATER Assurance credit).",
    )
    topic: List[constr(min_length=1)] = Field(  # type: ignore[valid-type]
        ..., min_items=1, description="Words (or their lemmas), one of which a contradicting sentence must contain."
    )

    class Config:
        extra = Extra.forbid

    def cited(self) -> str:
        """How feedback names it: "the short-term right to reject faulty goods (Consumer Rights Act 2015, ss. 20-22)"."""
        return f"{self.title} ({self.act}, {self.section})"


class LawFile(BaseModel):
    rights: Dict[str, Right]

    class Config:
        extra = Extra.forbid

    @validator("rights")
    def some_rights(cls, rights):
        if not rights:
            raise ValueError("the knowledge base names no rights")
        return rights


@dataclass(frozen=True)
class LegalHit:
    right: str
    pattern: str
    quote: str  # the learner's sentence that contradicts the right


class LawChecker:
    """Every right's contradictions in one ``Matcher`` and ``PhraseMatcher``, run per sentence,
    and, when given, the learned ``ContradictionModel`` for the wordings no pattern foresaw."""

    def __init__(self, law: LawFile, source: Path = LAW_FILE, model: Optional[ContradictionModel] = None):
        self.law = law
        self.model = model
        self.nlp = pipeline()
        Matcher, PhraseMatcher = matcher_classes()
        self.matcher = Matcher(self.nlp.vocab, validate=True)
        self.phrases = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        # key -> (right, kind, spec): kind "contradicts", "allows" or "affirms"
        self.entries: Dict[str, Tuple[str, str, PatternSpec]] = {}
        self.topics = {right_id: frozenset(w.lower() for w in right.topic) for right_id, right in law.rights.items()}
        for right_id, right in law.rights.items():
            for number, spec in enumerate(right.contradicts):
                self._add(source, f"{right_id}/c{number}", right_id, "contradicts", spec)
            for number, spec in enumerate(right.allows):
                self._add(source, f"{right_id}/a{number}", right_id, "allows", spec)
            for number, spec in enumerate(right.affirms):
                self._add(source, f"{right_id}/s{number}", right_id, "affirms", spec)

    def _add(self, source: Path, key: str, right_id: str, kind: str, spec: PatternSpec) -> None:
        try:
            if spec.tokens:
                self.matcher.add(key, [spec.tokens])
            else:
                self.phrases.add(key, [self.nlp.make_doc(normalise(p)) for p in spec.phrases or []])
        except Exception as exc:  # spaCy raises ValueError or its own MatchPatternError
            detail = str(exc).strip().splitlines()[-1]
            raise PatternError(f"{source.name}: rights.{right_id} pattern {spec.name!r}: {detail}")
        self.entries[key] = (right_id, kind, spec)

    def check(self, text: str, rights: Iterable[str]) -> List[LegalHit]:
        """The sentences of ``text`` that contradict one of ``rights``.

        One hit per sentence: the first of ``rights`` (in the scenario's order) that it
        contradicts, so "after two weeks it's repair only" is named once, by the right it breaks first.
        """
        order = list(dict.fromkeys(rights))
        statements = list(self._statements(text)) if order else []
        hits: List[LegalHit] = []
        for quote, doc in statements:
            found = self._sentence(doc, set(order), quote)
            if found:
                hits.append(min(found, key=lambda hit: order.index(hit.right)))
        return hits + self._learned(statements, order, hits)

    def _statements(self, text: str) -> Iterator[Tuple[str, Any]]:
        """Each sentence of ``text`` that states something (a question asks; it states nothing about the law),
        with its normalised parse."""
        for sentence in self.nlp(text).sents:
            quote = sentence.text.strip()
            if not quote.endswith("?"):
                yield quote, self.nlp(normalise(sentence.text))

    def affirmations(self, text: str, rights: Iterable[str]) -> List[LegalHit]:
        """The sentences of ``text`` that state one of ``rights`` correctly: wording that states or
        respects the right (its ``allows`` and ``affirms``), on the right's topic, not negated, and
        no contradiction of that right in the same sentence. One hit per sentence."""
        order = list(dict.fromkeys(rights))
        hits: List[LegalHit] = []
        for quote, doc in self._statements(text) if order else []:
            if any(token.lower_ in RESTRICTING for token in doc):
                continue
            stated = self._stated(doc, set(order))
            if stated:
                right_id = min(stated, key=order.index)
                hits.append(LegalHit(right_id, stated[right_id], quote))
        return hits

    def _stated(self, doc: Any, wanted: set) -> Dict[str, str]:
        """Rights the sentence states, less any it also contradicts (even where an ``allows`` would excuse it)."""
        stated: Dict[str, str] = {}
        contradicted = set()
        for key_hash, start, _end in sorted(list(self.matcher(doc)) + list(self.phrases(doc)), key=lambda m: m[1]):
            right_id, kind, spec = self.entries[self.nlp.vocab.strings[key_hash]]
            if right_id not in wanted or not self._on_topic(doc, right_id) or (spec.negatable and negated(doc, start)):
                continue
            if kind == "contradicts":
                contradicted.add(right_id)
            else:
                stated.setdefault(right_id, spec.name)
        return {right_id: name for right_id, name in stated.items() if right_id not in contradicted}

    def _on_topic(self, doc: Any, right_id: str) -> bool:
        """A sentence can only get a right wrong if it is about what the right covers."""
        topic = self.topics[right_id]
        return any(token.lower_ in topic or token.lemma_ in topic for token in doc)

    def _sentence(self, doc: Any, wanted: set, quote: str) -> List[LegalHit]:
        matches = list(self.matcher(doc)) + list(self.phrases(doc))
        found: Dict[str, str] = {}
        strong = set()
        allowed = set()
        for key_hash, start, _end in sorted(matches, key=lambda m: (m[1], m[2])):
            right_id, kind, spec = self.entries[self.nlp.vocab.strings[key_hash]]
            if right_id not in wanted or kind == "affirms" or not self._on_topic(doc, right_id):
                continue
            if kind == "allows":
                if not (spec.negatable and negated(doc, start)):  # "not entitled to" allows nothing
                    allowed.add(right_id)
            elif not (spec.negatable and negated(doc, start)):
                found.setdefault(right_id, spec.name)
                if spec.strong:
                    strong.add(right_id)
        return [LegalHit(r, name, quote) for r, name in found.items() if r not in allowed or r in strong]

    def _learned(self, statements: List[Tuple[str, Any]], order: List[str], hits: List[LegalHit]) -> List[LegalHit]:
        """The model's hits for the rights the patterns passed over, at most one per right.

        Both the message's sentences on the right's topic, read together, and the likeliest of
        them alone must look wrong: a refusal that the next sentence puts right ("I can't send your
        data in chat. It comes from our data team within a month") is read as a whole."""
        model = self.model
        if model is None:
            return []
        quoted, done = {hit.quote for hit in hits}, {hit.right for hit in hits}
        learned: List[LegalHit] = []
        for right_id in (r for r in order if r not in done):
            on_topic = [(q, doc.text) for q, doc in statements if q not in quoted and self._on_topic(doc, right_id)]
            if not on_topic:
                continue
            best, quote = max(((model.probability(text, right_id), q) for q, text in on_topic), key=lambda s: s[0])
            whole = " ".join(text for _, text in on_topic)
            if best >= model.threshold and model.contradicts(whole, right_id):
                learned.append(LegalHit(right_id, MODEL_HIT, quote))
                quoted.add(quote)
        return learned

    def harmless_pairs(self, texts: Iterable[str]) -> List[Pair]:
        """(normalised text, right) for each learner text on a right's topic that no pattern flags for it."""
        pairs: List[Pair] = []
        for text in texts:
            doc = self.nlp(normalise(text))
            pairs += [(doc.text, r) for r in self.topics if self._on_topic(doc, r) and not self.check(text, [r])]
        return pairs


def read_law(path: Path = LAW_FILE) -> LawFile:
    """The validated knowledge base; a broken file raises PatternError naming the file and the field."""
    return read_content(path, LawFile, PatternError)


@lru_cache(maxsize=1)
def default_law() -> LawFile:
    """The shipped knowledge base, read and validated once per process."""
    return read_law()


def train_model(
    checker: LawChecker, examples_file: Path = EXAMPLES_FILE, nlu: Sequence[Path] = ()
) -> ContradictionModel:
    """The legal model from the dev statements and the harmless on-topic learner examples."""
    examples = read_examples(examples_file)
    positives = [(normalise(e.text), e.right) for e in examples if e.label == "contradicts"]
    negatives = [(normalise(e.text), e.right) for e in examples if e.label == "correct"]
    harmless = [text for text, moves in read_nlu_examples(nlu) if not NOT_HARMLESS & set(moves)]
    return ContradictionModel.train(positives, negatives + checker.harmless_pairs(harmless))


def model_for(checker: LawChecker, source: Path = LAW_FILE) -> ContradictionModel:
    """The kept model for these files, trained first if none is kept (see ``bot.domain.law.model``)."""
    nlu = nlu_files()
    key = fingerprint([source, EXAMPLES_FILE, *nlu])
    return kept_or_trained(settings().model.parent / "law", key, lambda: train_model(checker, EXAMPLES_FILE, nlu))


@lru_cache(maxsize=1)
def default_checker() -> LawChecker:
    """The shipped knowledge base with its learned model, built once per process. The model is
    trained (if none is kept) through this same checker while it has no model: patterns only."""
    checker = LawChecker(default_law())
    checker.model = model_for(checker)
    return checker


def known_rights() -> Tuple[str, ...]:
    """The right ids a scenario may name (an unreadable file names none)."""
    try:
        return tuple(default_law().rights)
    except PatternError:
        return ()


def right(right_id: str) -> Right:
    """A right by id (a hit's right always exists: the checker only finds rights it has)."""
    return default_law().rights[right_id]


def raises(hit: LegalHit, flag_id: str) -> bool:
    """Whether this contradiction raises ``flag_id`` (a disclosure raises the data-protection flag)."""
    return LEGAL_FLAGS.get(flag_id) == right(hit.right).kind
