"""A better phrasing built on the learner's own message, not only the scenario's model line.

An improvement quotes the turn where something went wrong. Its "Better:" line shows that same
message mended: the sentences that did harm (blame, dismissal, rudeness, and for a scripted
apology the apology itself) are taken out, and the scenario's model phrasing for the missing
step goes where it belongs: before the rest of the message for an opening step (hear,
empathise, apologise), after it but before any goodbye for a closing one (confirm, follow up,
set expectations), and for a sentence taken out, in its place. What the learner did well in
that message stays in their own words, so they can see the one change that would have helped.

Nothing is added after a question the learner asked (a satisfaction check after "Which would
you prefer?" would talk over it). Where the fault is not in one sentence (an over-promise, a missed escalation, a solution imposed
without asking), or the message is too long to show whole, the model phrasing is shown alone.
"""

from __future__ import annotations

import re
from typing import Dict, FrozenSet, List, Optional, Set

from bot.domain.moves.text import Segment, segments
from bot.domain.vocabulary import NEGATIVE_MOVES

# Model phrasings that open a reply, and those that go at its end (before a goodbye).
_OPENING = frozenset({"hear", "empathise", "apologise", "acknowledge"})
_CLOSING = frozenset({"confirm", "follow_up", "set_expectations", "ask_question"})
# For these flags the harm is in the sentences carrying these moves: the model line replaces them.
_REPLACED: Dict[str, FrozenSet[str]] = {
    "blamed_customer": frozenset({"blame"}),
    "dismissive_language": frozenset({"dismiss"}),
    "scripted_apology": frozenset({"apologize"}),
}
# Flags mended by adding the model line to the quoted message; any other flag shows the line alone.
_ADDED = frozenset({"action_before_empathy", "no_expectations_set", "no_satisfaction_check", "details_not_captured"})
_GOODBYE = frozenset({"close"})
LONGEST_KEPT = 280  # characters of the learner's own text worth showing around the change


def mended(text: str, hits: List[Dict], phrase: str, key: str, fault: Optional[str] = None) -> str:
    """The learner's ``text`` with ``phrase`` (the model line for step ``key``) worked in.

    ``fault`` is the flag being mended, or ``None`` for a step that was missed.
    """
    if not phrase or not text.strip() or not _mendable(key, fault):
        return phrase
    pieces = segments(text)
    moves = _moves_by_segment(pieces, hits)
    harmful = NEGATIVE_MOVES | _REPLACED.get(fault or "", frozenset())
    dropped = [i for i, seg in enumerate(pieces) if moves[i] & harmful]
    kept = [i for i in range(len(pieces)) if i not in dropped]
    if sum(len(pieces[i].text) for i in kept) > LONGEST_KEPT:
        return phrase
    if fault in _REPLACED and not dropped:
        return phrase
    at = _position(pieces, moves, kept, dropped, key)
    parts = [pieces[i].text for i in kept]
    if not dropped and key not in _OPENING and at and parts[at - 1].rstrip().endswith("?"):
        return phrase  # a line added after the learner's own question would talk over it
    parts.insert(at, phrase)
    return " ".join(_ended(part) if n < len(parts) - 1 else part for n, part in enumerate(parts))


def _mendable(key: str, fault: Optional[str]) -> bool:
    if fault is None:
        return key in _OPENING or key in _CLOSING
    return fault in _REPLACED or fault in _ADDED


def _moves_by_segment(pieces: List[Segment], hits: List[Dict]) -> List[Set[str]]:
    found: List[Set[str]] = [set() for _ in pieces]
    for hit in hits:
        start, quote = hit.get("start"), str(hit.get("quote") or "").strip()
        for i, seg in enumerate(pieces):
            placed = seg.start <= start < seg.end if isinstance(start, int) else bool(quote) and quote in seg.text
            if placed:
                found[i].add(str(hit.get("move")))
    return found


def _position(pieces: List[Segment], moves: List[Set[str]], kept: List[int], dropped: List[int], key: str) -> int:
    """Where, among the kept sentences, the model line goes."""
    if dropped:
        return sum(1 for i in kept if i < dropped[0])
    if key in _OPENING:
        greetings = 0
        for i in kept:
            if moves[i] and moves[i] <= {"greet"}:
                greetings += 1
            else:
                break
        return greetings
    goodbyes = [n for n, i in enumerate(kept) if moves[i] and moves[i] <= _GOODBYE]
    return goodbyes[0] if goodbyes and goodbyes[0] == len(kept) - len(goodbyes) else len(kept)


def _ended(part: str) -> str:
    """A sentence followed by another needs its own full stop."""
    return part if re.search(r"[.!?…:)\]\"'”’]$", part.rstrip()) else part.rstrip() + "."
