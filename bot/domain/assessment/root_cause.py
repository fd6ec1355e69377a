"""The root-cause review: how deep a learner's answer to "what caused this?" goes in the scenario's cause chain.

Each scenario lists its chain (symptom, immediate cause, root cause, prevention) with cues: terms
that must appear together in one sentence, matched on lemmas by the shared spaCy pipeline
(``bot.domain.moves.language``). The review names the deepest link an answer reaches. Stopping
at a symptom or an immediate cause raises ``symptom_as_root_cause`` and suggests the next "why".
The same reviewer reads case notes where a scenario needs the root cause recorded there.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Dict, List, Optional, Pattern, Set, Tuple

from bot.domain.assessment.scorecard import RootCauseReview
from bot.domain.customer.lexicon import phrase_pattern
from bot.domain.moves.language import matcher_classes, pipeline
from bot.domain.scenarios.schema import CUE_JOIN, CauseLink, PreventionWords, Scenario

# deepest first: the verdict is the deepest level an answer names
DEPTH = ("root_cause", "immediate_cause", "symptom")
SHALLOW = frozenset({"symptom", "immediate_cause"})


class CauseReader:
    """Every cue term of one scenario's chain in one spaCy ``Matcher``, built once per scenario."""

    def __init__(self, chain: List[CauseLink]):
        Matcher, _ = matcher_classes()
        self.nlp = pipeline()
        self.matcher = Matcher(self.nlp.vocab)
        self.chain = chain
        # per link, per cue: the matcher keys of its terms
        self.cues: List[List[List[str]]] = []
        for number, link in enumerate(chain):
            link_cues = []
            for cue_number, cue in enumerate(link.cues):
                keys = []
                for term_number, term in enumerate(cue.split(CUE_JOIN)):
                    key = f"{number}.{cue_number}.{term_number}"
                    self.matcher.add(key, [phrase_pattern(term.strip())])
                    keys.append(key)
                link_cues.append(keys)
            self.cues.append(link_cues)

    def sentences(self, text: str) -> List[Tuple[str, Set[int]]]:
        """Each sentence of the text with the links (by position in the chain) whose cues all appear in it."""
        doc = self.nlp(text.lower())
        found: Set[Tuple[str, int]] = set()  # (term key, sentence start)
        for key_hash, start, _end in self.matcher(doc):
            found.add((self.nlp.vocab.strings[key_hash], doc[start].sent.start))
        out = []
        for sentence in doc.sents:
            named = {
                number
                for number, link_cues in enumerate(self.cues)
                if any(all((key, sentence.start) in found for key in keys) for keys in link_cues)
            }
            out.append((sentence.text, named))
        return out

    def named_in(self, sentences: List[Tuple[str, Set[int]]]) -> List[CauseLink]:
        """The links named in any of the sentences, in chain order."""
        named = set().union(*(links for _, links in sentences))
        return [link for number, link in enumerate(self.chain) if number in named]

    def links_named(self, text: str) -> List[CauseLink]:
        """The links whose cues all appear in one sentence of the text, in chain order."""
        return self.named_in(self.sentences(text))


@lru_cache(maxsize=8)
def _fix_patterns(fixes: Tuple[str, ...], not_fixes: Tuple[str, ...]) -> Tuple[Pattern[str], Optional[Pattern[str]]]:
    def alternation(words: Tuple[str, ...]) -> str:
        return (
            r"(?<![a-z0-9'])(?:"
            + "|".join(re.escape(w.lower()) for w in sorted(words, key=len, reverse=True))
            + r")(?![a-z0-9])"
        )

    return re.compile(alternation(fixes) if fixes else r"(?!)"), re.compile(
        alternation(not_fixes)
    ) if not_fixes else None


def says_a_fix(sentence: str, words: PreventionWords) -> bool:
    """Does the sentence say what should change ("we should...", "next time...") rather than look back ("should have")?"""
    fixes, hindsight = _fix_patterns(tuple(words.fixes), tuple(words.not_fixes))
    text = hindsight.sub(" ", sentence.lower()) if hindsight else sentence.lower()
    return bool(fixes.search(text.replace("\u2019", "'")))


_READERS: Dict[int, Tuple[Scenario, CauseReader]] = {}


def reader_for(scenario: Scenario) -> CauseReader:
    """The scenario's reader, built once (keyed by the loaded scenario object, which it keeps alive)."""
    held = _READERS.get(id(scenario))
    if held is None or held[0] is not scenario:
        held = (scenario, CauseReader(scenario.cause_chain))
        _READERS[id(scenario)] = held
    return held[1]


def names_root_cause(scenario: Scenario, text: str) -> bool:
    """Does the text (case notes, say) name a root-cause link of the scenario's chain?"""
    return any(link.level == "root_cause" for link in reader_for(scenario).links_named(text))


def review_answer(
    scenario: Scenario, answer: Optional[str], words: PreventionWords, trusted: bool = True
) -> Optional[RootCauseReview]:
    """The review of one reflection answer; None when the scenario has no chain or there is no answer.

    An answer Rasa read as a ``/command`` is plain text that earns nothing: it is reviewed as vague.
    """
    if not scenario.cause_chain or not answer or not answer.strip():
        return None
    reader = reader_for(scenario)
    sentences = reader.sentences(answer) if trusted else []
    named = reader.named_in(sentences)
    levels = {link.level for link in named}
    verdict = next((level for level in DEPTH if level in levels), "vague")
    reached = next((link for link in named if link.level == verdict), None)
    # a way to stop it: a sentence that says what should change and names a link of the chain
    prevention = any(links and says_a_fix(text, words) for text, links in sentences)
    why = _next_why(scenario, verdict, reached)
    return RootCauseReview(
        verdict=verdict,
        named=reached.label if reached else None,
        next_why=why,
        prevention=prevention,
        root_cause=scenario.links("root_cause")[0].label,
        message=_message(scenario, verdict, reached.label if reached else "", prevention, why),
    )


def _next_why(scenario: Scenario, verdict: str, reached: Optional[CauseLink]) -> Optional[str]:
    if verdict == "root_cause":
        return None
    if reached is not None:
        return reached.why
    first = scenario.links("symptom")[0]
    return first.why


def _message(scenario: Scenario, verdict: str, named: str, prevention: bool, why: Optional[str]) -> str:
    """The coach's reply to the answer: credit, the mistake named, and the next question to ask."""
    if verdict == "root_cause":
        said = f"You found the root cause: {named}."
        if prevention:
            return said + " And your fix goes at that cause, so it would stop it happening again."
        fix = scenario.links("prevention")
        example = f" For example: {fix[0].label}." if fix else ""
        return said + " Next time, also say what would stop it happening again." + example
    if verdict == "symptom":
        head = f"That is a symptom, what the customer experienced ({named}), not its cause."
    elif verdict == "immediate_cause":
        head = f"That is the immediate cause ({named}). Fixing only that would not stop it happening again."
    else:
        head = "Your answer doesn't name a cause in this case yet."
    return f'{head} Ask the next "why": {why}'
