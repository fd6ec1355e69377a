"""What a learner offers or promises, checked against the scenario's policy."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import List, Optional

from bot.domain.moves.text import normalise
from bot.domain.scenarios.schema import Scenario

_AMOUNT = re.compile(r"(?:£|\$|€)\s?(\d+(?:[.,]\d{1,2})?)|(\d+(?:\.\d{1,2})?)\s?(?:pounds|quid|gbp|dollars|euros)\b")
_CHOICE = re.compile(
    r"\b(?:or|either|options?|prefer|which (?:would|do) you|would you (?:like|rather|prefer)|"
    r"what would (?:you like|work best|suit you)|up to you|your choice|choose|happy with that|"
    r"does that (?:work|sound|suit)|would that (?:work|help|suit|be ok)|is that (?:ok|okay|alright))\b"
)
PROMISE_MOVES = frozenset({"offer_solution", "set_expectations", "take_ownership", "follow_up"})
# A remedy named after one of these in the same clause is being refused, not offered.
_NEGATION = re.compile(
    r"\b(?:can't|cannot|can not|unable to|not able to|won't|will not|don't|do not|isn't|is not|"
    r"aren't|no longer|not possible|not allowed|never|no)\b"
)
# "at no cost" and "no extra charge" say the offer is free; their "no" refuses nothing.
_FREE = re.compile(r"\bno (?:extra |additional |further )?(?:cost|charge|fee|expense)s?\b")
_CLAUSE = re.compile(r"\s(?:but|however|although|though|instead|what i can do|what we can do)\b|[;!?]|[,.](?=\s|$)")


@dataclass
class OfferAnalysis:
    remedies: List[str] = field(default_factory=list)  # scenario remedy ids recognised
    amounts: List[float] = field(default_factory=list)
    over_promises: List[str] = field(default_factory=list)  # one reason each
    choice: bool = False  # options offered, or agreement sought


def _has(text: str, phrase: str) -> bool:
    phrase = phrase.lower().strip()
    if not phrase[0].isalnum() or not phrase[-1].isalnum():
        return phrase in text
    return re.search(r"(?<![a-z0-9])" + re.escape(phrase) + r"(?![a-z0-9])", text) is not None


def _offered_clauses(norm: str) -> List[str]:
    """The clauses of a message that are not refusals ("we can't refund it, but ..." keeps the rest)."""
    return [
        clause for clause in _CLAUSE.split(norm) if clause.strip() and not _NEGATION.search(_FREE.sub("free", clause))
    ]


def _known_amounts(scenario: Scenario) -> set:
    """Amounts that restate the case (charges, prices, fixed remedies) rather than offer money."""
    values = {r.value for r in scenario.remedies if r.value is not None}
    for fact in scenario.facts:
        for match in _AMOUNT.finditer(fact.value.lower()):
            values.add(float((match.group(1) or match.group(2)).replace(",", ".")))
    return values


def analyse(text: str, moves: List[str], scenario: Scenario, remedies: Optional[List[str]] = None) -> OfferAnalysis:
    """Recognise remedies, money and promises in one learner message.

    ``remedies`` are the remedies the act parser read as offered; without them the scenario's
    keywords decide (the reading before the parser, kept as the benchmark's baseline).
    """
    norm = normalise(text)
    analysis = OfferAnalysis()
    if not PROMISE_MOVES.intersection(moves) and not remedies:
        return analysis
    offered = " | ".join(_offered_clauses(norm))
    if remedies is None:
        remedies = [r.id for r in scenario.remedies if any(_has(offered, k) for k in r.keywords)]
    analysis.remedies = list(remedies)
    for match in _AMOUNT.finditer(offered):
        analysis.amounts.append(float((match.group(1) or match.group(2)).replace(",", ".")))
    authority = scenario.policy.authority
    fixed_values = _known_amounts(scenario)
    for amount in analysis.amounts:
        if amount > authority.goodwill_max and amount not in fixed_values:
            analysis.over_promises.append(
                f"offered {authority.currency}{amount:g}, above the {authority.currency}{authority.goodwill_max:g} "
                "you may give without a manager"
            )
    for remedy in scenario.remedies:
        if remedy.id not in analysis.remedies:
            continue
        if not remedy.within_policy:
            analysis.over_promises.append(f"offered {remedy.label}, which policy does not allow")
        elif remedy.needs_manager:
            analysis.over_promises.append(f"offered {remedy.label}, which only a manager may agree")
    for phrase in scenario.policy.cannot_promise:
        if _has(offered, phrase):
            analysis.over_promises.append(f'promised "{phrase}", which policy cannot guarantee')
    analysis.choice = len(analysis.remedies) >= 2 or bool(_CHOICE.search(norm))
    return analysis
