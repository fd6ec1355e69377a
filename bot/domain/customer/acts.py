"""What the learner said, as a typed act: questions, options, commitments, checks, closing.

``ActParser(scenario).parse(text, moves)`` reads one learner message with the shared spaCy
pipeline and returns a ``LearnerAct``. Remedies and facts are recognised through the course
lexicon's concepts (see ``lexicon.py``) and the scenario's own keywords: a remedy is
described by the concepts its label names, and a mention goes to the remedy it covers best,
so "refund the postage" is the delivery refund and "refund you in full" the full refund.

Each option carries a polarity from its own clause: *refused* when a negator stands shortly
before it or a denial follows it ("a refund isn't possible"); *conditional* when its sentence
holds a condition ("if it hasn't arrived by Friday, I'll…"); *offered* when the learner
proposes it; *mentioned* otherwise. The parse is deterministic and pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Dict, List, Optional, Set, Tuple

from pydantic import BaseModel, Field

from bot.domain.customer.cues import TimeWords, default_cues
from bot.domain.customer.lexicon import Lexicon, default_lexicon, phrase_pattern
from bot.domain.moves.language import matcher_classes, pipeline
from bot.domain.moves.text import normalise
from bot.domain.scenarios.schema import Scenario

Polarity = str  # offered | refused | conditional | mentioned

NEGATORS = frozenset({"not", "n't", "never", "no", "cannot", "unable", "nobody", "nothing"})
DENIALS = frozenset(
    {"possible", "option", "available", "allowed", "able", "something", "permitted", "offer", "work", "happen", "be"}
)
CLAUSE_BREAKS = frozenset({".", ";", "!", "?", "but", "however", "although", "though", "instead", "whereas"})
OPTION_BREAKS = frozenset({",", ";", ":", "or", "but", "instead", "alternatively", "otherwise", "–"})
CONDITIONS = frozenset({"if", "once", "provided", "providing", "unless", "assuming", "should"})
CONDITION_PHRASES = (("as", "long", "as"), ("on", "condition"), ("subject", "to"), ("in", "case"))
PREFERENCE_WORDS = frozenset({"prefer", "like", "want", "rather", "wish", "choose", "fancy", "'d", "would"})
OFFER_MARKERS = frozenset(
    {
        "i",
        "we",
        "'ll",
        "will",
        "can",
        "could",
        "shall",
        "let",
        "happy",
        "able",
        "offer",
        "arrange",
        "option",
        "options",
        "how",
        "would",
        "prefer",
        "rather",
        "'d",
        "us",
        "me",
    }
)
CHOICE_WORDS = frozenset({"or", "which", "prefer", "rather", "either", "option", "options", "choice", "choose"})
WH_WORDS = frozenset({"what", "how", "why", "when", "where", "which", "who", "whose", "whats", "hows", "wat"})
AUX_OPENERS = frozenset(
    {
        "could",
        "can",
        "would",
        "do",
        "did",
        "does",
        "is",
        "are",
        "was",
        "were",
        "have",
        "has",
        "may",
        "will",
        "any",
        "should",
        "shall",
    }
)


def time_patterns(words: TimeWords) -> List[List[Dict[str, Any]]]:
    """spaCy ``Matcher`` patterns for a time: a weekday, "tomorrow", "next week", "2-3 working days",
    "4pm", "the 12th of March", "end of day", "first thing", a date."""
    weekdays, months, units = list(words.weekdays), list(words.months), list(words.units)
    return [
        [{"LOWER": {"IN": weekdays}}],
        [
            {
                "LOWER": {
                    "IN": [
                        "today",
                        "tomorrow",
                        "tonight",
                        "tmrw",
                        "tmr",
                        "tomorow",
                        "tommorow",
                        "tommorrow",
                        "midday",
                        "noon",
                        "midnight",
                        "asap",
                        "immediately",
                        "shortly",
                    ]
                }
            }
        ],
        [
            {"LOWER": {"IN": ["this", "next", "later", "tomorrow", "by"]}},
            {
                "LOWER": {
                    "IN": [
                        "morning",
                        "afternoon",
                        "evening",
                        "week",
                        "weekend",
                        "month",
                        "today",
                        "tonight",
                        "am",
                        "pm",
                    ]
                    + weekdays
                }
            },
        ],
        [{"LIKE_NUM": True}, {"LOWER": "-", "OP": "?"}, {"LIKE_NUM": True, "OP": "?"}, {"LOWER": {"IN": units}}],
        [
            {"LOWER": {"IN": ["a", "an", "one", "the", "few", "couple"]}},
            {"LOWER": "of", "OP": "?"},
            {"LOWER": {"IN": units}},
        ],
        [{"LOWER": {"REGEX": r"^\d{1,2}([:.]\d\d)?(am|pm)$"}}],
        [{"LOWER": {"REGEX": r"^\d{1,2}([:.]\d\d)?$"}}, {"LOWER": {"IN": ["am", "pm", "a.m.", "p.m.", "o'clock"]}}],
        [{"LOWER": {"REGEX": r"^\d{1,3}(h|hr|hrs|hours?|d|days?|wks?)$"}}],
        [{"LOWER": {"REGEX": r"^\d{1,2}(st|nd|rd|th)?$"}}, {"LOWER": "of", "OP": "?"}, {"LOWER": {"IN": months}}],
        [{"LOWER": {"IN": months}}, {"LOWER": {"REGEX": r"^\d{1,2}(st|nd|rd|th)?$"}}],
        [{"LOWER": "end"}, {"LOWER": "of"}, {"OP": "?"}, {"LOWER": {"IN": ["day", "week", "month", "today", "play"]}}],
        [{"LOWER": {"IN": ["eod", "cob", "eow"]}}],
        [{"LOWER": "within"}, {"LOWER": {"IN": ["the", "an", "a"]}}, {"LOWER": {"IN": units}}],
        [{"LOWER": "first"}, {"LOWER": "thing"}],
        [{"LOWER": {"IN": ["straight", "right"]}}, {"LOWER": "away"}],
        [{"LOWER": "right"}, {"LOWER": "now"}],
        [{"LOWER": {"REGEX": r"^\d{1,2}/\d{1,2}(/\d{2,4})?$"}}],
    ]


FUTURE_MARKERS = frozenset(
    {
        "'ll",
        "will",
        "shall",
        "going",
        "gon",
        "promise",
        "expect",
        "aim",
        "should",
        "can",
        "by",
        "within",
        "'d",
        "would",
        "arrive",
        "booked",
        "scheduled",
        "guarantee",
        "make",
        "ensure",
        "commit",
        "plan",
        "intend",
        "hear",
        "receive",
        "get",
        "before",
        "until",
        "latest",
    }
)


class Question(BaseModel):
    kind: str = Field(..., description="open (invites the story) or closed")
    facts: List[str] = Field(default_factory=list, description="scenario fact ids it asks about")
    text: str


class Option(BaseModel):
    remedy: str
    polarity: Polarity
    quote: str


class Commitment(BaseModel):
    what: str
    when: str


class LearnerAct(BaseModel):
    """One learner message, read for what the customer must understand."""

    text: str
    moves: List[str] = Field(default_factory=list)
    questions: List[Question] = Field(default_factory=list)
    options: List[Option] = Field(default_factory=list)
    asks_choice: bool = False
    asks_agreement: bool = False
    commitments: List[Commitment] = Field(default_factory=list)
    checks_satisfaction: bool = False
    closing: bool = False
    handover: bool = False
    readable: bool = True

    def remedies(self, *polarities: str) -> List[str]:
        wanted = polarities or ("offered",)
        return [option.remedy for option in self.options if option.polarity in wanted]

    def facts_asked(self) -> List[str]:
        seen: List[str] = []
        for question in self.questions:
            seen += [fact for fact in question.facts if fact not in seen]
        return seen

    def asks_open(self) -> bool:
        return any(question.kind == "open" for question in self.questions)


@dataclass(frozen=True)
class _Target:
    """A remedy or fact with the concepts its label names."""

    id: str
    signature: Tuple[str, ...]


def _phrase_matcher(groups: Dict[str, List[str]]) -> Any:
    Matcher, _ = matcher_classes()
    matcher = Matcher(pipeline().vocab)
    for key, phrases in groups.items():
        patterns = [phrase_pattern(p) for p in phrases if any(ch.isalnum() for ch in p)]
        patterns = [p for p in patterns if p]
        if patterns:
            matcher.add(key, patterns)
    return matcher


@lru_cache(maxsize=1)
def _shared_matchers() -> Tuple[Any, Any]:
    Matcher, _ = matcher_classes()
    cues = default_cues()
    phrases = _phrase_matcher(cues.phrases.dict())
    times = Matcher(pipeline().vocab)
    times.add("time", time_patterns(cues.time_words))
    return phrases, times


MEMO_SIZE = 20000  # messages remembered per scenario: a replayed conversation is not parsed again


class ActParser:
    """Reads learner messages for one scenario."""

    def __init__(self, scenario: Scenario, lexicon: Optional[Lexicon] = None):
        self.scenario = scenario
        self._memo: Dict[Tuple[str, Tuple[str, ...]], LearnerAct] = {}
        self.lexicon = lexicon or default_lexicon()
        self.nlp = pipeline()
        self.remedies = [_Target(r.id, tuple(self._signature(r.label, r.concepts, True))) for r in scenario.remedies]
        self.facts = [_Target(f.id, tuple(self._signature(f.label, f.concepts, False))) for f in scenario.facts]
        keywords = {f"remedy:{r.id}": [k for k in r.keywords if not _is_time(k)] for r in scenario.remedies}
        keywords.update({f"fact:{f.id}": list(f.ask_keywords) for f in scenario.facts})
        self.keywords = _phrase_matcher(keywords)

    def _signature(self, label: str, concepts: List[str], remedy: bool) -> List[str]:
        unknown = [c for c in concepts if c not in self.lexicon.concepts]
        if unknown:
            raise ValueError(f"scenario {self.scenario.id}: concept {unknown[0]!r} is not in the course lexicon")
        return list(concepts) or self.lexicon.concepts_in(label, remedies_only=remedy)

    # -- the whole message ---------------------------------------------------
    def parse(self, text: str, moves: Optional[List[str]] = None) -> LearnerAct:
        """The act of one message. Pure, so a replayed message is read from the memo, not parsed again."""
        key = (text or "", tuple(moves or ()))
        act = self._memo.get(key)
        if act is None:
            act = self._parse(text, moves)
            if len(self._memo) >= MEMO_SIZE:
                self._memo.pop(next(iter(self._memo)))
            self._memo[key] = act
        return act.copy(deep=True)

    def _parse(self, text: str, moves: Optional[List[str]] = None) -> LearnerAct:
        moves = list(moves or [])
        norm = normalise(text or "")
        act = LearnerAct(text=text or "", moves=moves, readable=any(ch.isalpha() for ch in norm))
        if not act.readable:
            return act
        doc = self.nlp(norm)
        cues, times = _shared_matchers()
        for sentence in doc.sents:
            self._read_sentence(sentence, cues, times, act)
        act.options = _merge_options(act.options)
        offered = act.remedies("offered", "conditional")
        act.asks_choice = act.asks_choice and len(set(offered)) >= 2
        act.checks_satisfaction = act.checks_satisfaction or "check_satisfaction" in moves
        act.closing = act.closing or "close" in moves
        act.handover = act.handover or "escalate" in moves
        return act

    def _read_sentence(self, sentence: Any, cues: Any, times: Any, act: LearnerAct) -> None:
        span = sentence.as_doc()
        found = {self.nlp.vocab.strings[key] for key, _, _ in cues(span)}
        concept_hits = self.lexicon.find(span)
        keyword_hits = [(self.nlp.vocab.strings[k], s, e) for k, s, e in self.keywords(span)]
        options = self._options(span, concept_hits, keyword_hits)
        act.options += options
        if options and _has_any(span, CHOICE_WORDS):
            act.asks_choice = True
        if "agreement" in found and (options or act.options):
            act.asks_agreement = True
        if _is_question(span, found) and not (options and not self._facts(concept_hits, keyword_hits)):
            act.questions.append(self._question(span, found, concept_hits, keyword_hits))
        if "satisfaction" in found:
            act.checks_satisfaction = True
        if "closing" in found:
            act.closing = True
        if "handover" in found:
            act.handover = True
        act.commitments += _commitments(span, times)

    # -- questions -------------------------------------------------------------
    def _question(self, span: Any, found: Set[str], concepts: List, keywords: List) -> Question:
        facts = self._facts(concepts, keywords)
        kind = "open" if "open" in found else "closed"
        return Question(kind=kind, facts=facts, text=span.text)

    def _facts(self, concepts: List, keywords: List) -> List[str]:
        direct = {key.split(":", 1)[1] for key, _, _ in keywords if key.startswith("fact:")}
        owned = _owners(self.facts, [c for c, _, _ in concepts], direct)
        return [f.id for f in self.facts if f.id in owned]

    # -- options ---------------------------------------------------------------
    def _options(self, span: Any, concepts: List, keywords: List) -> List[Option]:
        """Options clause by clause: "express delivery, or a refund" names two remedies, not one."""
        options: List[Option] = []
        clause_of = _clause_index(span)
        for clause in sorted({clause_of[start] for _, start, _ in concepts + keywords}):
            here = [hit for hit in concepts if clause_of[hit[1]] == clause]
            direct = [hit for hit in keywords if clause_of[hit[1]] == clause]
            options += self._clause_options(span, here, direct)
        return options

    def _clause_options(self, span: Any, concepts: List, keywords: List) -> List[Option]:
        direct_spans: Dict[str, List[Tuple[int, int]]] = {}
        for key, start, end in keywords:
            if key.startswith("remedy:"):
                direct_spans.setdefault(key.split(":", 1)[1], []).append((start, end))
        owners = _owners(self.remedies, [c for c, _, _ in concepts], set(direct_spans))
        for remedy_id in list(direct_spans):
            if _claimed_elsewhere(remedy_id, direct_spans[remedy_id], concepts, owners):
                owners.pop(remedy_id, None)
                direct_spans.pop(remedy_id)
        options = []
        for remedy in self.remedies:
            if remedy.id not in owners:
                continue
            spans = direct_spans.get(remedy.id, []) + [
                (s, e) for c, s, e in concepts if c in remedy.signature and c in owners[remedy.id]
            ]
            polarity = _best_polarity([_polarity(span, s, e) for s, e in spans])
            first = min(spans)
            options.append(Option(remedy=remedy.id, polarity=polarity, quote=span[first[0] : first[1]].text))
        return options


def _claimed_elsewhere(
    remedy_id: str, spans: List[Tuple[int, int]], concepts: List, owners: Dict[str, Set[str]]
) -> bool:
    """A keyword hit ("rebook") that lies inside a concept another remedy covers better ("whole meal ... rebook")."""
    for start, end in spans:
        inside = [c for c, s, e in concepts if s < end and start < e]
        others = [tid for tid, owned in owners.items() if tid != remedy_id and set(inside) & owned]
        if not inside or not others or set(inside) & owners.get(remedy_id, set()):
            return False
    return True


def _clause_index(span: Any) -> List[int]:
    """The clause number of every token; clauses end at commas, "or", "but", "instead"..."""
    numbers, clause = [], 0
    for token in span:
        if token.lower_ in OPTION_BREAKS:
            clause += 1
        numbers.append(clause)
    return numbers


def _is_time(keyword: str) -> bool:
    """A scenario keyword that is only a time ("tomorrow") names no remedy: a callback can be tomorrow too."""
    doc = pipeline().make_doc(keyword.lower())
    return any(start == 0 and end == len(doc) for _, start, end in _shared_matchers()[1](doc))


def _owners(targets: List[_Target], concepts: List[str], direct: Set[str]) -> Dict[str, Set[str]]:
    """Give each concept found to the target it covers best; a keyword hit claims its target outright.

    A target's score is the share of its signature found, then how many of its concepts were
    found: "refund the postage" covers {refund, delivery_charge} fully and beats {refund}.
    """
    found = set(concepts)
    scores = {}
    for target in targets:
        matched = found & set(target.signature)
        if matched or target.id in direct:
            share = len(matched) / len(target.signature) if target.signature else 0.0
            scores[target.id] = (share, len(matched), matched)
    owners: Dict[str, Set[str]] = {tid: set() for tid in direct if tid in scores}
    for concept in found:
        claimants = [tid for tid, (_, _, matched) in scores.items() if concept in matched]
        if not claimants:
            continue
        best = max(scores[tid][:2] for tid in claimants)
        for tid in claimants:
            if scores[tid][:2] == best:
                owners.setdefault(tid, set()).add(concept)
    return owners


def _polarity(span: Any, start: int, end: int) -> Polarity:
    if _negated_before(span, start) or _denied_after(span, end):
        return "refused"
    if _conditional(span, start):
        return "conditional"
    if _has_any(span, OFFER_MARKERS):
        return "offered"
    return "mentioned"


def _negated_before(span: Any, start: int) -> bool:
    """A negator earlier in the same clause: "I'm not able to book another engineer visit"."""
    for position in range(start - 1, -1, -1):
        word = span[position].lower_
        if word in CLAUSE_BREAKS or word in OPTION_BREAKS:
            return False
        if word in NEGATORS:
            return True
    return False


def _denied_after(span: Any, end: int) -> bool:
    """ "a refund isn't possible", "a voucher is not something we offer" """
    window = [t.lower_ for t in span[end : end + 5]]
    for number, word in enumerate(window):
        if word in CLAUSE_BREAKS or word == ",":
            return False
        if word in NEGATORS and any(w in DENIALS for w in window[number + 1 : number + 4]):
            return True
    return False


def _conditional(span: Any, start: int) -> bool:
    words = [t.lower_ for t in span]
    for position, word in enumerate(words):
        if word in CONDITIONS and not set(words[position + 1 : position + 4]) & PREFERENCE_WORDS:
            if word == "should" and position > 0:
                continue  # "should" opens a condition only at the start ("Should it fail, ...")
            return True
    return any(_contains(words, phrase) for phrase in CONDITION_PHRASES)


def _contains(words: List[str], phrase: Tuple[str, ...]) -> bool:
    size = len(phrase)
    return any(tuple(words[i : i + size]) == phrase for i in range(len(words) - size + 1))


def _best_polarity(polarities: List[Polarity]) -> Polarity:
    for polarity in ("offered", "conditional", "refused", "mentioned"):
        if polarity in polarities:
            return polarity
    return "mentioned"


def _merge_options(options: List[Option]) -> List[Option]:
    by_remedy: Dict[str, Option] = {}
    for option in options:
        kept = by_remedy.get(option.remedy)
        if kept is None or _best_polarity([option.polarity, kept.polarity]) != kept.polarity:
            by_remedy[option.remedy] = option
    return list(by_remedy.values())


def _has_any(span: Any, words: frozenset) -> bool:
    return any(token.lower_ in words for token in span)


def _is_question(span: Any, found: Set[str]) -> bool:
    words = [t.lower_ for t in span if not t.is_punct or t.text == "?"]
    if not words:
        return False
    if "?" in words or "request" in found or "open" in found:
        return True
    return words[0] in WH_WORDS and len(words) > 2


def _commitments(span: Any, times: Any) -> List[Commitment]:
    matches = sorted(times(span), key=lambda m: (m[1], -(m[2] - m[1])))
    if not matches or not _has_any(span, FUTURE_MARKERS):
        return []
    kept, last_end = [], -1
    for _, start, end in matches:
        if start >= last_end:
            kept.append(span[start:end].text)
            last_end = end
    return [Commitment(what=span.text, when=" ".join(kept))]
