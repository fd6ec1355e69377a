"""Hand-written regular-expression rules for each move, kept as data in ``data/patterns/regex/``.

Each rule is named so that a tutor can see *why* a move was detected. Rules are regular
expressions over the normalised text of one segment (lowercase, text-speak expanded,
``? ! , .`` spaced out). A *veto* removes a move that a positive rule or the classifier
proposed when the segment shows the keyword without the act ("what are you sorry for?",
"no need to thank me").

One file per move holds its rules (under ``expressions``) and vetoes; ``fragments.yml`` holds the pieces several
rules share (the ways to say "I will", a list of feelings, of teams, of times), which a rule
names as ``${NAME}``::

    move: take_ownership
    expressions:             # not `rules:`, which Rasa would read as its own training data
      - name: 'personal commitment'
        strong: false        # true: the hit stands without the classifier's agreement
        regex: '\\b${ILL} (?:sort|fix) (?:this|it)\\b'
    vetoes:
      - name: 'a question, not a promise'
        regex: '^(?:will|can) you\\b'

Strong rules are those whose construction *is* the act (a counterfactual that pins the fault
on the customer, "that's the courier's fault, not ours", "thanks for shouting"); each was
checked against the training examples (precision >= 0.95 there). The other rules are hints
the classifier may overrule. The spaCy patterns beside this folder (``data/patterns/*.yml``)
are read by :mod:`bot.domain.moves.patterns`.

Errors name the file, the rule and the field, so a broken file is easy to mend.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, FrozenSet, List, Pattern, Tuple

from pydantic import BaseModel, Extra, Field

from bot.domain.content import read_content
from bot.domain.moves.patterns import PATTERNS_DIR, PatternError
from bot.domain.vocabulary import MOVES

RULES_DIR = PATTERNS_DIR / "regex"
FRAGMENTS_FILE = "fragments.yml"
_FRAGMENT = re.compile(r"\$\{(\w+)\}")


class RuleError(PatternError):
    """A rule file that cannot be used; the message names the file, the rule and the field."""


class _RegexSpec(BaseModel):
    name: str = Field(..., min_length=1)
    regex: str = Field(..., min_length=1)

    class Config:
        extra = Extra.forbid


class RuleSpec(_RegexSpec):
    strong: bool = False


class RuleFile(BaseModel):
    move: str
    expressions: List[RuleSpec] = []
    vetoes: List[_RegexSpec] = []

    class Config:
        extra = Extra.forbid


class FragmentFile(BaseModel):
    fragments: Dict[str, str]

    class Config:
        extra = Extra.forbid


@dataclass(frozen=True)
class Rule:
    move: str
    name: str
    pattern: Pattern[str]


@dataclass(frozen=True)
class RuleSet:
    positive: Tuple[Rule, ...]
    vetoes: Dict[str, Tuple[Tuple[str, Pattern[str]], ...]]
    strong: FrozenSet[Tuple[str, str]]


@dataclass(frozen=True)
class RuleHit:
    move: str
    rule: str


def expand(template: str, fragments: Dict[str, str], where: str, depth: int = 0) -> str:
    """``template`` with every ``${NAME}`` replaced by its fragment (fragments may name others)."""
    if depth > 8:
        raise RuleError(f"{where}: fragments name each other in a loop")

    def piece(found: "re.Match[str]") -> str:
        name = found.group(1)
        if name not in fragments:
            raise RuleError(f"{where}: unknown fragment ${{{name}}}; the fragments are {', '.join(sorted(fragments))}")
        return expand(fragments[name], fragments, where, depth + 1)

    return _FRAGMENT.sub(piece, template)


def _compiled(spec: _RegexSpec, fragments: Dict[str, str], where: str) -> Pattern[str]:
    try:
        return re.compile(expand(spec.regex, fragments, where))
    except re.error as exc:
        raise RuleError(f"{where}: not a valid regular expression: {exc}")


def load_rules(folder: Path = RULES_DIR) -> RuleSet:
    """Read and compile every move's rules; RuleError names what is wrong and where."""
    fragments = read_content(folder / FRAGMENTS_FILE, FragmentFile, RuleError).fragments
    known = {f"{move}.yml" for move in MOVES} | {FRAGMENTS_FILE}
    stray = sorted(p.name for p in Path(folder).glob("*.yml") if p.name not in known)
    if stray:
        raise RuleError(
            f"{folder / stray[0]}: no move is called {Path(stray[0]).stem!r}; a rule file is named after its move"
        )
    positive: List[Rule] = []
    vetoes: Dict[str, Tuple[Tuple[str, Pattern[str]], ...]] = {}
    strong = set()
    for move in MOVES:
        path = folder / f"{move}.yml"
        if not path.exists():
            continue
        spec = read_content(path, RuleFile, RuleError)
        if spec.move != move:
            raise RuleError(f"{path}: field 'move': {spec.move!r}, but the file is named after {move!r}")
        for rule in spec.expressions:
            positive.append(
                Rule(move, rule.name, _compiled(rule, fragments, f"{path}: rule {rule.name!r} field 'regex'"))
            )
            if rule.strong:
                strong.add((move, rule.name))
        vetoes[move] = tuple(
            (veto.name, _compiled(veto, fragments, f"{path}: veto {veto.name!r} field 'regex'")) for veto in spec.vetoes
        )
    return RuleSet(tuple(positive), vetoes, frozenset(strong))


@lru_cache(maxsize=1)
def default_rules() -> RuleSet:
    """The shipped rules in ``data/patterns/regex/``, compiled once per process."""
    return load_rules()


def is_strong(move: str, rule: str) -> bool:
    """Whether a hit of this rule stands without the classifier's agreement."""
    return (move, rule) in default_rules().strong


def match(normalised_segment: str) -> List[RuleHit]:
    """Every positive rule that fires on one normalised segment."""
    return [
        RuleHit(rule.move, rule.name) for rule in default_rules().positive if rule.pattern.search(normalised_segment)
    ]


def vetoed(move: str, normalised_segment: str) -> str:
    """The name of the veto that removes ``move`` from this segment, or ''."""
    for name, pattern in default_rules().vetoes.get(move, ()):
        if pattern.search(normalised_segment):
            return name
    return ""
