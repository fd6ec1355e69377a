"""The simulated customer: a deterministic, explainable mood and in-role replies.

The mood (``bot.domain.customer.mood``) is the customer's upset level, 0 (calm) to
10 (furious), with every change's reason. Wording varies with a seeded random
generator, so the same conversation and seed always give the same replies, and no
reply repeats the one before.
"""

from __future__ import annotations

import hashlib
import random
import re
import string
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Tuple

from bot.domain.customer.acts import ActParser, LearnerAct
from bot.domain.customer.mood import LEGAL_INFLAME, Mood, MoodChange
from bot.domain.customer.offers import OfferAnalysis, analyse
from bot.domain.law.knowledge import LegalHit, default_checker
from bot.domain.law.knowledge import right as law_right
from bot.domain.moves.text import normalise
from bot.domain.scenarios.schema import Course, Difficulty, Persona, Remedy, Scenario
from bot.domain.vocabulary import NEGATIVE_MOVES

MAX_TURNS = 25  # a customer gives up after this many turns without a resolution
TURNS_AFTER_ACCEPT = 3  # after accepting, the customer winds up if the learner does not
INFORMING_MOVES = frozenset({"explain", "set_expectations", "take_ownership", "follow_up", "offer_solution"})
_VALUE_WORD = re.compile(r"[a-z0-9£$€][a-z0-9£$€.,:/-]*")
_PARSERS: Dict[int, Tuple[Scenario, ActParser]] = {}


def warm_up(scenarios: Iterable[Scenario]) -> None:
    """Build the language pipeline and every scenario's parser now, not on a learner's first turn.

    The first build loads spaCy and the lexicon (about a second). In a server that blocks every
    conversation queued behind it, so the action server does it at start-up.
    """
    for scenario in scenarios:
        parser_for(scenario)


def parser_for(scenario: Scenario) -> ActParser:
    """One act parser per loaded scenario: its matchers are built once, not per message."""
    held = _PARSERS.get(id(scenario))
    if held is None or held[0] is not scenario:
        held = (scenario, ActParser(scenario))
        _PARSERS[id(scenario)] = held
    return held[1]


@dataclass
class TurnResult:
    """What one learner message did to the customer."""

    index: int
    text: str
    moves: List[str]
    mood_before: float
    mood_after: float
    changes: List[MoodChange]
    reply: str
    reply_kind: str
    revealed: List[str] = field(default_factory=list)
    offer: Optional[OfferAnalysis] = None
    events: List[str] = field(default_factory=list)  # accepted, declined, escalated, manager_requested, left...
    understood: Dict = field(default_factory=dict)  # what the customer read in the message (the act, compact)
    legal: List[LegalHit] = field(default_factory=list)  # sentences that contradict a right of this scenario

    def as_dict(self) -> Dict:
        data = {
            "turn": self.index,
            "mood_before": round(self.mood_before, 2),
            "mood_after": round(self.mood_after, 2),
            "changes": [{"delta": round(c.delta, 2), "reason": c.reason} for c in self.changes],
            "reply_kind": self.reply_kind,
            "revealed": self.revealed,
            "events": self.events,
        }
        if self.understood:
            data["understood"] = self.understood
        if self.offer is not None:
            data["offer"] = {
                "remedies": self.offer.remedies,
                "amounts": self.offer.amounts,
                "over_promises": self.offer.over_promises,
                "choice": self.offer.choice,
            }
        return data


def _is_compensation(remedy) -> bool:
    return remedy.compensation if remedy.compensation is not None else remedy.value is not None


class _Template(string.Formatter):
    def get_value(self, key, args, kwargs):
        return kwargs.get(key, "{" + str(key) + "}")


def stable_seed(*parts) -> int:
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).hexdigest()
    return int(digest[:12], 16)


class Customer:
    """One simulated customer in one conversation.

    Each reply first answers what the learner just said (a fact asked for gets the fact, an
    open question the story, a choice gets the option they prefer), then moves the customer's
    agenda on: to be heard, to give the key facts, to get a remedy they accept, to hear when
    it happens, and to say goodbye. A handover is a step: the customer stays to hear what
    happens next, answers the satisfaction check and then leaves.
    """

    def __init__(self, scenario: Scenario, persona: Persona, difficulty: Difficulty, course: Course, seed: int):
        self.scenario, self.persona, self.difficulty, self.course = scenario, persona, difficulty, course
        self.seed = seed
        self.parser = parser_for(scenario)
        self._value_words = {f.id: _value_words(f.value) for f in scenario.facts}
        self.feeling = Mood(persona, difficulty)
        self.turn = 0
        self.revealed: List[str] = []
        self.known_to_learner: List[str] = []  # facts the learner stated themselves, or the customer volunteered
        self.compensation_offered = False
        self.accepted: Optional[str] = None  # a remedy id, or "handover"
        self.pending: Optional[Remedy] = None  # a remedy they want, offered before they were ready
        self.handed_over = False
        self.heard_when = False  # told when the remedy or handover happens
        self.turns_since_accept = 0
        self.escalation_pushed_back = False
        self.manager_requested = False
        self.compensation_asks = 0
        self.outcome: Optional[str] = None
        self.last_reply = ""
        self._accepted_remedy: Optional[Remedy] = None
        self._declined_remedy: Optional[Remedy] = None
        self._chosen_quote = ""

    @property
    def mood(self) -> float:
        """Upset, 0 (calm) to 10 (furious)."""
        return self.feeling.value

    @property
    def move_counts(self) -> Dict[str, int]:
        return self.feeling.move_counts

    # -- wording ---------------------------------------------------------
    def _lines(self, kind: str) -> List[str]:
        return self.scenario.replies.get(kind) or self.course.replies[kind]

    def _fill(self, line: str) -> str:
        problem = self.scenario.problem.rstrip(".")
        values = {
            "customer": self.scenario.customer.name,
            "organisation": self.scenario.organisation,
            "problem": problem,
            "problem_short": problem[0].upper() + problem[1:] + ".",
            "option": self._chosen_quote,
            "Option": self._chosen_quote[:1].upper() + self._chosen_quote[1:],
        }
        facts = {f.id: f.value for f in self.scenario.facts}
        values.update(facts)
        values["last_fact"] = facts.get(self.revealed[-1], "I told you") if self.revealed else "I told you"
        return _Template().format(line, **values)

    def _pick(self, lines: List[str], kind: str, avoid: str = "") -> str:
        rng = random.Random(stable_seed(self.seed, self.turn, kind))
        choices = [self._fill(line) for line in lines]
        fresh = [c for c in choices if c != avoid and c not in self.last_reply] or choices
        return rng.choice(fresh)

    def opening(self) -> str:
        text = self._pick(self.scenario.opening, "opening")
        self.last_reply = text
        return text

    # -- one learner message ----------------------------------------------
    def respond(
        self, text: str, moves: List[str], questions: Optional[List[str]] = None, trusted: bool = True
    ) -> TurnResult:
        """React to one learner message. ``questions`` are the parts of it that ask something.

        An untrusted message (one Rasa read as a ``/command``) is plain text that steers nothing.
        """
        self.turn += 1
        before = self.mood
        present = list(moves)
        act = self.parser.parse(text, present) if trusted else LearnerAct(text=text or "", readable=False)
        changes: List[MoodChange] = []
        events: List[str] = []
        norm = normalise(text)
        late = self.turn > 8 and self.accepted is None
        inflamed = self.feeling.react(norm, present, act, changes, self.turn, late)
        legal = default_checker().check(text, self.scenario.rights) if self.scenario.rights else []
        pushback = self._legal_pushback(legal, changes, events) if trusted else ""
        revealed, known = self._facts_asked(act, present, questions, norm)
        offer = self._offer(text, present, act)
        outcome_kind = None
        # An offer made in the same breath as a brush-off is still heard (and may be kept on hold).
        if self.outcome is None and (not inflamed or offer.remedies):
            outcome_kind = self._resolve(present, act, offer, events, changes)
        if self.outcome is None:
            outcome_kind = self._patience(inflamed, outcome_kind, events)
        parts = self._reply_parts(present, act, inflamed, outcome_kind, revealed, known, norm)
        reply, kind = self._compose(parts)
        if pushback and "declined" not in events:  # a refusal already answers the learner
            reply = f"{pushback} {reply}"
        self.last_reply = reply
        return TurnResult(
            self.turn,
            text,
            present,
            before,
            self.mood,
            changes,
            reply,
            kind,
            revealed,
            offer if (offer.remedies or offer.amounts or offer.over_promises) else None,
            events,
            _compact(act),
            legal,
        )

    def end_by_learner(self) -> str:
        """The learner ended the conversation; the outcome follows from where it stands."""
        if self.outcome is None:
            if self.handed_over:
                self.outcome = "escalated"
            else:
                self.outcome = "satisfied" if self.accepted else "unsatisfied"
        return self.outcome

    def _legal_pushback(self, hits: List[LegalHit], changes: List[MoodChange], events: List[str]) -> str:
        """Told something wrong about their rights: upset, and a customer who knows the law says so."""
        if not hits:
            return ""
        right = law_right(hits[0].right)
        change = MoodChange(LEGAL_INFLAME, f"told something wrong about their rights ({right.act})")
        changes.append(change)
        self.feeling.apply([change])
        events.append("legal_pushback")
        return right.pushback if self.persona.knows_rights else ""

    # -- facts -----------------------------------------------------------
    def _facts_asked(
        self, act: LearnerAct, present: List[str], questions: Optional[List[str]], norm: str
    ) -> Tuple[List[str], List[str]]:
        """The facts this message draws out (new ones) and those it asks for again."""
        asked = set(act.facts_asked())
        if "ask_question" in present:
            text = normalise(" ".join(questions)) if questions else norm
            asked |= {f.id for f in self.scenario.facts if _names_any(text, f.ask_keywords)}
        if not asked and act.asks_open():
            unrevealed = [f for f in self.scenario.facts if f.id not in self.revealed]
            unrevealed.sort(key=lambda f: not f.required)
            asked = {f.id for f in unrevealed[:2]}
        self.known_to_learner += [f for f in self._stated_facts(norm) if f not in self.known_to_learner]
        ordered = [f.id for f in self.scenario.facts if f.id in asked]
        revealed = [fact_id for fact_id in ordered if fact_id not in self.revealed]
        self.revealed += revealed
        return revealed, [fact_id for fact_id in ordered if fact_id not in revealed]

    def _stated_facts(self, norm: str) -> List[str]:
        """The facts whose values the learner states ("so it was due on Tuesday?")."""
        words = set(_VALUE_WORD.findall(norm))
        return [fact_id for fact_id, value in self._value_words.items() if value & words]

    # -- offers, handover and closing ---------------------------------------
    def _offer(self, text: str, present: List[str], act: LearnerAct) -> OfferAnalysis:
        polarities = ("offered", "conditional") + (("mentioned",) if "offer_solution" in present else ())
        offered = list(dict.fromkeys(act.remedies(*polarities)))
        offer = analyse(text, present, self.scenario, remedies=offered)
        offer.choice = offer.choice or act.asks_choice or act.asks_agreement
        if any(_is_compensation(r) for r in self.scenario.remedies if r.id in offer.remedies):
            self.compensation_offered = True
        if act.commitments or "set_expectations" in present:
            self.heard_when = True
        return offer

    def _resolve(
        self, present: List[str], act: LearnerAct, offer: OfferAnalysis, events: List[str], changes: List[MoodChange]
    ) -> Optional[str]:
        if self.accepted is not None:
            return self._wind_up(act, present, events)
        if "escalate" in present:
            return self._handover(present, events, changes)
        if offer.remedies or ("offer_solution" in present and not act.questions):
            return self._consider(offer, act, events, changes)
        progress = act.checks_satisfaction or act.asks_agreement or bool(act.commitments)
        progress = progress or bool({"set_expectations", "take_ownership", "follow_up"} & set(present))
        if self.pending is not None and progress:
            kind = self._accept_pending(events, changes, fresh=False)
            if kind is not None:
                return kind
        # A greeting's "thanks for contacting us" is not a wrap-up, nor is a question for facts.
        wrap_up = (act.checks_satisfaction or act.closing) and self.turn > 1
        if wrap_up and not act.facts_asked() and not act.asks_open():
            if self.pending is not None:
                return "needs_facts" if self._needs_met()[1] == "key facts not asked for" else "pending"
            self.feeling.change(changes, 0.5, "asked to wrap up with nothing resolved")
            return "not_resolved"
        return None

    def _wind_up(self, act: LearnerAct, present: List[str], events: List[str]) -> Optional[str]:
        """After a remedy or handover is agreed: hear when, answer the check, say goodbye."""
        informing = act.commitments or act.options or act.questions or INFORMING_MOVES & set(present)
        if not informing:
            self.turns_since_accept += 1  # only a learner with nothing more to say is wound up
        done = act.closing or self.turns_since_accept >= TURNS_AFTER_ACCEPT
        if act.checks_satisfaction and not self.heard_when and not done:
            return "ask_when"
        if act.checks_satisfaction or done:
            self.outcome = "escalated" if self.handed_over else "satisfied"
            events.append("closed")
            return "handover_close" if self.handed_over else "satisfied_close"
        return None

    def _handover(self, present: List[str], events: List[str], changes: List[MoodChange]) -> str:
        rule = self.scenario.escalation.rule
        reasoned = bool({"explain", "set_expectations"} & set(present)) or self.move_counts.get("explain", 0) > 0
        if self.manager_requested or self.escalation_pushed_back or (rule != "unnecessary" and reasoned):
            self.handed_over = True
            self.accepted = "handover"
            self.pending = None
            events.append("escalated")
            self.feeling.change(changes, -1.0, "handed to someone who can help")
            return "escalation_accept"
        self.escalation_pushed_back = True
        events.append("escalation_pushed_back")
        return "escalation_pushback"

    def _consider(
        self, offer: OfferAnalysis, act: LearnerAct, events: List[str], changes: List[MoodChange]
    ) -> Optional[str]:
        """An offer: pick the best option they would accept, or say why not yet."""
        if not offer.remedies:
            return "offer_vague"
        satisfying = [r for r in self.scenario.remedies if r.id in offer.remedies and r.satisfies]
        if not satisfying and self.pending is not None and self.compensation_offered:
            return self._accept_pending(events, changes)
        if not satisfying:
            events.append("declined")
            self.feeling.change(changes, 0.4, "offered something that does not meet what they want")
            self._declined_remedy = next(r for r in self.scenario.remedies if r.id in offer.remedies)
            return "declined_remedy"
        if len(set(offer.remedies)) >= 2 and act.asks_choice:  # offered together, not to choose between: no pick
            self._chosen_quote = next((o.quote for o in act.options if o.remedy == satisfying[0].id), "")
        self.pending = satisfying[0]
        return self._accept_pending(events, changes)

    def _accept_pending(self, events: List[str], changes: List[MoodChange], fresh: bool = True) -> Optional[str]:
        """Accept the remedy they want once their needs are met; say what is still missing if asked."""
        remedy = self.pending
        assert remedy is not None
        ready, why = self._needs_met()
        if not ready:
            if not fresh:
                return None
            events.append("offer_too_soon")
            self.feeling.change(changes, -0.3, f"a fair offer, but {why}")
            return "needs_facts" if why == "key facts not asked for" else "offer_too_soon"
        if self._wants_compensation():
            self.compensation_asks += 1
            if self.compensation_asks <= 2:
                events.append("wants_compensation")
                return "wants_compensation"
        self.accepted, self._accepted_remedy, self.pending = remedy.id, remedy, None
        events.append("accepted")
        self.feeling.change(changes, -2.5, f"accepted: {remedy.label}")
        if self._wants_compensation():
            return "accepted_grudgingly"
        return "choice_made" if self._chosen_quote else "accepted"

    def _wants_compensation(self) -> bool:
        possible = any(_is_compensation(r) and r.within_policy for r in self.scenario.remedies)
        return self.persona.wants_compensation and possible and not self.compensation_offered

    def _needs_met(self) -> Tuple[bool, str]:
        if self.feeling.heard < self.difficulty.heard_needed:
            return False, "not heard yet"
        if self.difficulty.facts_needed:
            missing = self._missing_facts()
            if missing:
                return False, "key facts not asked for"
        if self.mood > self.difficulty.accept_at - self.scenario.calm_needed + 1.5:
            return False, "still too upset"
        return True, ""

    def _missing_facts(self) -> List[str]:
        known = set(self.revealed) | set(self.known_to_learner)
        return [f.id for f in self.scenario.required_facts if f.id not in known]

    def _volunteer(self) -> List[str]:
        """A customer who wants the offer gives the key facts nobody asked for (two at most)."""
        told = self._missing_facts()[:2]
        self.known_to_learner += told
        return told

    def _patience(self, inflamed: List[str], outcome_kind: Optional[str], events: List[str]) -> Optional[str]:
        """Boiling for too long: ask for a manager, then leave."""
        boiling = self.feeling.count_boiling()
        negative = sum(self.move_counts.get(m, 0) for m in NEGATIVE_MOVES)
        if inflamed and self.mood >= 9.5 and negative >= 2:
            leave = True
        elif self.manager_requested and boiling >= self.persona.patience + 2:
            leave = True
        elif not self.manager_requested and boiling >= self.persona.patience:
            self.manager_requested = True
            events.append("manager_requested")
            return outcome_kind or "demand_manager"
        else:
            leave = self.turn >= MAX_TURNS and self.accepted is None
        if leave:
            self.outcome = "abandoned"
            events.append("left")
            return "leave"
        return outcome_kind

    # -- the reply ---------------------------------------------------------
    def _reply_parts(
        self,
        present: List[str],
        act: LearnerAct,
        inflamed: List[str],
        outcome_kind: Optional[str],
        revealed: List[str],
        known: List[str],
        norm: str,
    ) -> List[Tuple[str, str]]:
        """Answer what was said first, then the customer's own next step."""
        if inflamed and outcome_kind != "leave":
            return [("inflamed", "")] + ([(outcome_kind, "")] if outcome_kind else [])
        answer = [("reveal", fact_id) for fact_id in revealed[:2]]
        if outcome_kind == "needs_facts":
            return answer[:1] + [(outcome_kind, "")] + [("reveal", fact_id) for fact_id in self._volunteer()]
        if outcome_kind:
            return answer[:1] + [(outcome_kind, "")]
        if answer:
            return answer
        asked = bool(act.questions) or "ask_question" in present
        if known:
            confirmed = set(known) & set(self._stated_facts(norm))
            return [("confirmed" if confirmed else "already_told", "")]
        # once a remedy is agreed, a closed question about nothing the customer knows is about the agreement
        if asked and (act.asks_open() or self.accepted is None):
            return [("story" if act.asks_open() else "asked_other", "")]
        return [(self._plain_kind(present), "")]

    def _plain_kind(self, present: List[str]) -> str:
        moves = set(present)
        if self.accepted is not None and not self.heard_when:
            return "handover_when" if self.handed_over else "ask_when"
        if self.accepted is not None:
            return "after_accept"
        if {"take_ownership", "set_expectations", "follow_up"} & moves:
            return "ownership"
        if {"apologize", "empathize", "acknowledge", "thank"} & moves:
            return "heard_high" if self.mood >= 6 else "heard_low"
        if "explain" in moves:
            return "explained"
        if present == ["greet"]:
            return "greeted"
        return "clarify" if self.feeling.unclear_streak <= 1 else "unclear"

    def _compose(self, parts: List[Tuple[str, str]]) -> Tuple[str, str]:
        lines: List[str] = []
        for kind, arg in parts:
            lines += self._say(kind, arg)
        main_kind = next((kind for kind, _ in reversed(parts) if kind != "reveal"), "reveal")
        rng = random.Random(stable_seed(self.seed, self.turn, "aside"))
        if self.mood >= 7 and self.persona.asides and self.outcome is None and rng.random() < 0.35:
            lines.append(rng.choice(self.persona.asides))
        reply = " ".join(lines)
        if reply == self.last_reply:
            reply = (
                " ".join(lines[:-1] + [self._pick(self._lines("unclear"), "unclear-alt", avoid=lines[-1])])
                if main_kind == "reveal"
                else reply + " " + self._pick(self.persona.asides or ["Well?"], "aside2")
            )
        return reply, main_kind

    def _say(self, kind: str, arg: str) -> List[str]:
        if kind == "reveal":
            fact = next(f for f in self.scenario.facts if f.id == arg)
            return [self._pick(fact.replies, "reveal:" + arg)]
        remedy = self._accepted_remedy
        if kind == "choice_made":
            lines = [self._pick(self._lines("choice_made"), kind)]
            return lines + [
                self._pick(remedy.accepted if remedy and remedy.accepted else self._lines("accepted"), "ok")
            ]
        if kind == "accepted" and remedy is not None and remedy.accepted:
            return [self._pick(remedy.accepted, "accepted")]
        if kind == "declined_remedy" and self._declined_remedy is not None:
            return [self._pick(self._declined_remedy.declined or self._lines("offer_declined"), "declined")]
        return [self._pick(self._lines(kind), kind)]


def _value_words(value: str) -> set:
    """The words of a fact's value that identify it when read back: numbers and longer words."""
    words = {w.strip(".,:") for w in _VALUE_WORD.findall(value.lower())}
    return {w for w in words if len(w) > 3 or any(c.isdigit() for c in w)}


def _names_any(text: str, keywords: List[str]) -> bool:
    return any(re.search(r"(?<![a-z])" + re.escape(k.lower()) + r"(?![a-z])", text) for k in keywords)


def _compact(act: LearnerAct) -> Dict:
    """What the customer understood, for the tutor's turn detail and for replay checks."""
    data: Dict = {}
    if act.questions:
        data["questions"] = [{"kind": q.kind, "facts": q.facts} for q in act.questions]
    if act.options:
        data["options"] = [{"remedy": o.remedy, "polarity": o.polarity} for o in act.options]
    flags = ("asks_choice", "asks_agreement", "checks_satisfaction", "closing", "handover")
    data.update({flag: True for flag in flags if getattr(act, flag)})
    if act.commitments:
        data["commitments"] = [c.when for c in act.commitments]
    return data
