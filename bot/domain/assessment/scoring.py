"""Scores one attempt: every model step with evidence, every flag with its turns.

Credit needs a real turn at a sensible point: a message repeated word for
word, or a string of stock phrases with nothing specific in it, earns nothing;
a satisfaction check only counts after something was resolved.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from functools import partial
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from bot.domain.assessment.breakdown import course_sum, flag_results, model_results, model_score
from bot.domain.assessment.feedback import feedback
from bot.domain.assessment.kpis import service_kpis
from bot.domain.assessment.root_cause import SHALLOW, names_root_cause, review_answer
from bot.domain.assessment.rubrics import pass_mark, rubrics
from bot.domain.assessment.scorecard import AssessmentResult, FlagResult, ModelResult, Scorecard, StepResult
from bot.domain.law.knowledge import LEGAL_FLAGS, LegalHit, default_checker, raises, right
from bot.domain.moves.stock import is_keyword_stuffing
from bot.domain.moves.text import normalise
from bot.domain.vocabulary import ACTION_MOVES, NEGATIVE_MOVES

# The customer's replies to a message it could not make sense of (see Customer.respond).
LOST_CUSTOMER_REPLIES = frozenset({"clarify", "unclear"})

QUOTE_LIMIT = 200
_NEGATIVE = re.compile(
    r"\b(?:can't|cannot|can not|unable to|not able to|not possible|impossible|not allowed|"
    r"won't be able|no way|don't do|do not do|we don't|i don't think we can|not permitted|"
    r"not something (?:we|i) can|there's nothing|there is nothing)\b"
)
_SPECIFIC = re.compile(
    r"\d|£|\$|€|\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|tomorrow|"
    r"tonight|morning|afternoon|evening|hours?|working days?|am|pm|ref(?:erence)?)\b"
)
# Written, checkable things an agent can give: a confirmation, a reference, a record.
_WRITTEN = re.compile(
    r"\b(?:e-?mails?|texts?|sms|letters?|in writing|confirmation|receipt|case (?:number|note|ref\w*)|"
    r"ticket (?:number|ref\w*)|written)\b"
)
# Moves that give the customer something (so a concrete detail in them is a tangible).
GIVING_MOVES = frozenset({"explain", "offer_solution", "set_expectations", "follow_up", "take_ownership", "escalate"})
_FORMULAIC = re.compile(
    r"\b(?:sorry|apologi[sz]e|apologies) (?:for|about) (?:any|the) (?:inconvenience|trouble|"
    r"issues?|problems?)(?: (?:this|that) (?:may have|has|might have) caused)?\b"
)
_ACTION_WORDS = re.compile(
    r"\b(?:offer\w*|sent|send|refund\w*|replace\w*|credit\w*|voucher|escalat\w*|refer\w*|"
    r"pass\w*|arrang\w*|book\w*|rebook\w*|re-?ship\w*|express|resen\w*|agreed|apologi[sz]\w*|"
    r"explain\w*|chase\w*|raised|processed|issued|hand\w* over|transferr\w*|collect\w*|"
    r"advised|checked|logged|dispatch\w*|cancel\w*|fix\w*|repair\w*|waiv\w*|discount\w*)\b"
)
_OUTCOME_WORDS = re.compile(
    r"\b(?:satisf\w*|accept\w*|agreed|agree|happy|resolved|unresolved|escalat\w*|handed|"
    r"pending|declined|refused|left|closed|outcome|awaiting|waiting|will call|callback|"
    r"confirmed|content|not happy|unhappy|abandon\w*|ended|sorted)\b"
)
_RATIONALE_WORDS = re.compile(
    r"\b(?:because|due to|as (?:it|the|this|they|he|she)|since|reason|so that|beyond|"
    r"authority|policy|requires?|needs? (?:a|the)|third|repeat\w*|history|previous)\b"
)


_STOP_WORDS = {
    "with",
    "from",
    "that",
    "this",
    "have",
    "your",
    "been",
    "will",
    "they",
    "them",
    "there",
    "their",
    "what",
    "when",
    "which",
    "needed",
    "need",
    "about",
    "into",
    "only",
    "were",
    "than",
    "then",
    "some",
}


@dataclass
class Turn:
    index: int
    text: str
    moves: List[str]
    hits: List[Dict]
    events: List[str]
    offer: Optional[Dict]
    credited: bool
    time: Optional[float]
    norm: str = ""  # the normalised text, computed once

    def quote(self, *moves: str) -> str:
        for hit in self.hits:
            if hit.get("move") in moves and hit.get("quote"):
                return hit["quote"][:QUOTE_LIMIT]
        return self.text[:QUOTE_LIMIT]


def turns_of(attempt) -> List[Turn]:
    seen = set()
    turns = []
    for position, result in enumerate(attempt.turns):
        norm = normalise(result.text)
        service = [m for m in result.moves if m not in ("blame", "dismiss", "rude")]
        stuffed = is_keyword_stuffing(norm, service)
        credited = norm not in seen and not stuffed
        seen.add(norm)
        hits = attempt.hits[position] if position < len(attempt.hits) else []
        offer = result.as_dict().get("offer")
        time = attempt.times[position] if position < len(attempt.times) else None
        turns.append(
            Turn(result.index, result.text, list(result.moves), hits, list(result.events), offer, credited, time, norm)
        )
    return turns


class Evidence:
    """Questions about the conversation that steps and flags are built from."""

    def __init__(self, attempt):
        self.attempt = attempt
        self.scenario = attempt.scenario
        self.turns = turns_of(attempt)
        self.credited = [t for t in self.turns if t.credited]
        words = set(self.scenario.problem_keywords)
        for fact in self.scenario.facts:
            words |= {w for w in re.findall(r"[a-z0-9-]{4,}", fact.value.lower())} - _STOP_WORDS
        # the contradictions the customer found in each turn (it reacts to them as they come)
        self.legal = {r.index: r.legal for r in attempt.turns if r.legal}
        # sentences that state one of the scenario's rights correctly (RATER assurance, LATER explain)
        rights = list(self.scenario.rights)
        self.affirmed: Dict[int, List[LegalHit]] = {}
        if rights:
            checker = default_checker()
            for turn in self.credited:
                found = checker.affirmations(turn.text, rights)
                if found:
                    self.affirmed[turn.index] = found
        self.notes = " ".join(n["text"] for n in attempt.notes)
        # case notes that must record the root cause (root_cause_in_notes) and do not
        self.notes_miss_root_cause = (
            self.scenario.root_cause_in_notes
            and bool(self.notes.strip())
            and not names_root_cause(self.scenario, self.notes)
        )
        self.review = review_answer(
            self.scenario, attempt.reflection, attempt.customer.course.prevention, trusted=attempt.reflection_trusted
        )
        self._situation = re.compile(
            r"(?<![a-z0-9])(?:" + "|".join(re.escape(w.lower()) for w in sorted(words)) + r")(?![a-z0-9])"
        )

    def with_move(self, *moves: str, after: int = 0, before: int = 10**6) -> List[Turn]:
        return [t for t in self.credited if set(moves) & set(t.moves) and after <= t.index < before]

    def all_with_move(self, *moves: str) -> List[Turn]:
        """Every turn with the move, credited or not (mistakes count even when repeated)."""
        return [t for t in self.turns if set(moves) & set(t.moves)]

    def cite(self, turns: Sequence[Turn], *moves: str, limit: int = 3) -> List[Dict]:
        return [{"turn": t.index, "quote": t.quote(*moves)} for t in turns[:limit]]

    def first(self, *moves: str) -> Optional[int]:
        turns = self.with_move(*moves)
        return turns[0].index if turns else None

    def resolution_turn(self) -> Optional[int]:
        rule = self.scenario.escalation.rule
        for t in self.turns:
            if "accepted" in t.events or ("escalated" in t.events and rule != "unnecessary"):
                return t.index
        return None

    def action_turns(self) -> List[Turn]:
        """Turns that do or arrange something: a vague "I'll look into it" with nothing specific is not action."""
        return [t for t in self.with_move(*ACTION_MOVES) if not _vague_promise(t)]

    def situational(self, turn: Turn) -> bool:
        """Does the message speak about this customer's situation, not just stock phrases?"""
        return bool(self._situation.search(turn.norm))

    def legal_findings(self, flag_id: str) -> List[Tuple[int, LegalHit]]:
        """(turn, contradiction) for each one that raises ``flag_id``, in turn order."""
        return [(i, h) for i in sorted(self.legal) for h in self.legal[i] if raises(h, flag_id)]


_VAGUE = re.compile(
    r"\b(?:look into|looking into|see what i can|find out|check on|look at this|look at it|get back to you)\b"
)


def _vague_promise(t: Turn) -> bool:
    only_ownership = set(t.moves) & ACTION_MOVES == {"take_ownership"}
    return (
        only_ownership
        and bool(_VAGUE.search(t.norm))
        and not (_SPECIFIC.search(t.norm) or _ACTION_WORDS.search(t.norm))
    )


# -- model steps -------------------------------------------------------------------------
def _step(ev: Evidence, turns: Sequence[Turn], *moves: str) -> Dict:
    return {"met": bool(turns), "evidence": ev.cite(turns, *moves)}


def _resolve(ev: Evidence) -> Dict:
    turn = ev.resolution_turn()
    if turn is None:
        return {"met": False, "evidence": []}
    t = next(t for t in ev.turns if t.index == turn)
    return {"met": True, "evidence": [{"turn": t.index, "quote": t.quote("offer_solution", "escalate")}]}


def _after_resolution(ev: Evidence, *moves: str) -> Dict:
    start = ev.resolution_turn()
    if start is None:
        first_action = ev.action_turns()
        start = first_action[0].index if first_action else None
    if start is None:
        return {"met": False, "evidence": []}
    return _step(ev, ev.with_move(*moves, after=start), *moves)


def _understand(ev: Evidence) -> Dict:
    """A restatement of this customer's problem: "Yeah, I understand." acknowledges but restates nothing."""
    turns = [t for t in ev.with_move("acknowledge") if ev.situational(t)]
    return _step(ev, turns, "acknowledge")


def _reliability(ev: Evidence) -> Dict:
    """A specific commitment: a timeline, or ownership and follow-up that say when ("at some point" is not one)."""
    commitments = [
        t
        for t in ev.with_move("take_ownership", "set_expectations", "follow_up")
        if "set_expectations" in t.moves or _SPECIFIC.search(t.norm)
    ]
    broken = [t for t in ev.turns if t.offer and t.offer.get("over_promises")]
    return {
        "met": bool(commitments) and not broken,
        "evidence": ev.cite(commitments, "set_expectations", "take_ownership", "follow_up"),
    }


def _with_the_law(ev: Evidence, turns: Sequence[Turn], *moves: str) -> List[Dict]:
    """Evidence that cites a correct statement of the customer's rights first, then the other turns."""
    stated = [{"turn": i, "quote": hits[0].quote[:QUOTE_LIMIT]} for i, hits in sorted(ev.affirmed.items())]
    others = ev.cite([t for t in turns if t.index not in ev.affirmed], *moves)
    return (stated + others)[:3]


def _assurance(ev: Evidence) -> Dict:
    """Knowledge that gives confidence: owning the problem, explaining it, or stating the customer's rights
    correctly. A wrong statement of the law, blame or dismissal spoils it."""
    turns = ev.with_move("take_ownership", "explain")
    spoiled = ev.all_with_move("blame", "dismiss") or ev.legal
    met = bool(turns or ev.affirmed) and not spoiled
    return {"met": met, "evidence": _with_the_law(ev, turns, "take_ownership", "explain")}


def _explain(ev: Evidence) -> Dict:
    turns = ev.with_move("explain")
    return {"met": bool(turns or ev.affirmed), "evidence": _with_the_law(ev, turns, "explain")}


def _tangibles(ev: Evidence) -> Dict:
    """Something concrete and checkable given to the customer: a reference, a written confirmation, a date or an amount.

    The specific part must sit in a sentence that gives something (an offer, a timeline, an
    explanation...), so an apology that mentions the order number, or a question asking the
    customer for theirs, does not count; the quote is that sentence.
    """
    cited = []
    for t in ev.credited:
        quote = _tangible_quote(t)
        if quote:
            cited.append({"turn": t.index, "quote": quote})
    return {"met": bool(cited), "evidence": cited[:3]}


def _tangible_quote(t: Turn) -> Optional[str]:
    if not t.hits:  # moves given without sentence positions: judge the whole message
        concrete = set(t.moves) & GIVING_MOVES and (_SPECIFIC.search(t.norm) or _WRITTEN.search(t.norm))
        return t.text[:QUOTE_LIMIT] if concrete else None
    for hit in t.hits:
        quote = hit.get("quote") or ""
        norm = normalise(quote)
        if hit.get("move") in GIVING_MOVES and (_SPECIFIC.search(norm) or _WRITTEN.search(norm)):
            return quote[:QUOTE_LIMIT]
    return None


def _empathy(ev: Evidence) -> Dict:
    turns = [t for t in ev.with_move("empathize") if ev.situational(t)]
    return _step(ev, turns, "empathize")


def _responsiveness(ev: Evidence) -> Dict:
    actions = ev.action_turns()
    if not actions or actions[0].index > 4:
        return {"met": False, "evidence": []}
    times = [t.time for t in ev.turns if t.time is not None]
    start = ev.attempt.start_time
    gaps = [b - a for a, b in zip([start] + times[:-1], times) if a is not None and b is not None]
    if gaps and statistics.median(gaps) > 120:
        return {"met": False, "evidence": []}
    return _step(ev, actions[:1], *ACTION_MOVES)


def _evaluate_options(ev: Evidence) -> Dict:
    turns = [t for t in ev.with_move("offer_solution") if t.offer and t.offer.get("choice")]
    if not turns:  # options weighed over two messages ("...or, if you'd rather, ...")
        offering = [t for t in ev.with_move("offer_solution") if t.offer and t.offer.get("remedies")]
        offered = {r for t in offering for r in t.offer.get("remedies", [])}  # type: ignore[union-attr]
        if len(offered) >= 2 and len(offering) >= 2:
            turns = offering[:2]
    return _step(ev, turns, "offer_solution")


def _justify(ev: Evidence) -> Dict:
    """A reason given next to a remedy: in the same message, or the one before or after it."""
    remedy_turns = {t.index for t in ev.with_move("offer_solution", "escalate")}
    turns = [
        t
        for t in ev.with_move("explain")
        if {t.index - 1, t.index, t.index + 1} & remedy_turns or {"take_ownership", "set_expectations"} & set(t.moves)
    ]
    return _step(ev, turns, "explain")


def _implement(ev: Evidence) -> Dict:
    return _resolve(ev)


def _identify(ev: Evidence) -> Dict:
    turns = [
        t
        for t in ev.credited
        if "ask_question" in t.moves and any(r.revealed for r in ev.attempt.turns if r.index == t.index)
    ] or ev.with_move("acknowledge")
    return _step(ev, turns, "ask_question", "acknowledge")


def _agree_standard(ev: Evidence) -> Dict:
    """What the colleague will get and when, committed to, in a conversation where they accepted it."""
    resolved = ev.resolution_turn()
    if resolved is None or ev.attempt.outcome == "escalated":
        return {"met": False, "evidence": []}
    moves = ("offer_solution", "set_expectations", "take_ownership")
    turns = [t for t in ev.with_move(*moves, before=resolved + 2) if _SPECIFIC.search(t.norm)]
    return _step(ev, turns, *moves)


STEP_RULES: Dict[str, Dict[str, Callable[[Evidence], Dict]]] = {
    "HEAT": {
        "hear": lambda ev: _step(ev, ev.with_move("acknowledge", "ask_question"), "acknowledge", "ask_question"),
        "empathise": lambda ev: _step(ev, ev.with_move("empathize"), "empathize"),
        "apologise": lambda ev: _step(ev, ev.with_move("apologize"), "apologize"),
        "take_action": lambda ev: _step(ev, ev.action_turns(), *ACTION_MOVES),
    },
    "LATER": {
        "listen": lambda ev: _step(ev, ev.with_move("acknowledge", "ask_question"), "acknowledge", "ask_question"),
        "apologise": lambda ev: _step(ev, ev.with_move("apologize"), "apologize"),
        "thank": lambda ev: _step(ev, ev.with_move("thank"), "thank"),
        "explain": _explain,
        "resolve": _resolve,
    },
    "AAA": {
        "acknowledge": lambda ev: _step(ev, ev.with_move("acknowledge", "empathize"), "acknowledge", "empathize"),
        "apologise": lambda ev: _step(ev, ev.with_move("apologize"), "apologize"),
        "act": lambda ev: _step(ev, ev.action_turns(), *ACTION_MOVES),
    },
    "LURC": {
        "listen": lambda ev: _step(ev, ev.with_move("ask_question"), "ask_question"),
        "understand": _understand,
        "resolve": _resolve,
        "confirm": lambda ev: _after_resolution(ev, "check_satisfaction"),
    },
    "RATER": {
        "reliability": _reliability,
        "assurance": _assurance,
        "tangibles": _tangibles,
        "empathy": _empathy,
        "responsiveness": _responsiveness,
    },
    "CYCLE": {
        "listen": lambda ev: _step(ev, ev.with_move("acknowledge", "ask_question"), "acknowledge", "ask_question"),
        "empathise": lambda ev: _step(ev, ev.with_move("empathize"), "empathize"),
        "act": lambda ev: _step(ev, ev.action_turns(), *ACTION_MOVES),
        "follow_up": lambda ev: _after_resolution(ev, "follow_up", "set_expectations", "check_satisfaction"),
    },
    "SOLVE": {
        "identify": _identify,
        "evaluate_options": _evaluate_options,
        "justify": _justify,
        "implement": _implement,
        "review": lambda ev: _after_resolution(ev, "check_satisfaction", "follow_up"),
    },
    "INTERNAL": {
        "agree_standard": _agree_standard,
        "confirm_handover": lambda ev: _after_resolution(ev, "check_satisfaction", "acknowledge"),
        "follow_up": lambda ev: _after_resolution(ev, "follow_up"),
    },
}


def _model_score(steps: List[StepResult], ordered: bool) -> int:
    return round(sum(model_score(steps, ordered)))


# -- flags ------------------------------------------------------------------------------
def _flag_action_before_empathy(ev: Evidence) -> Optional[List[int]]:
    for t in ev.turns:
        acting = set(t.moves) & (ACTION_MOVES | {"explain"})
        if not acting:
            continue
        heard_before = any(
            set(p.moves) & {"acknowledge", "empathize", "apologize"} for p in ev.turns if p.index < t.index
        )
        if heard_before:
            return None
        heard_here = [h["start"] for h in t.hits if h.get("move") in ("acknowledge", "empathize", "apologize")]
        acting_here = [h["start"] for h in t.hits if h.get("move") in acting]
        if heard_here and (not acting_here or min(heard_here) <= min(acting_here)):
            return None
        if not t.hits and set(t.moves) & {"acknowledge", "empathize", "apologize"}:
            return None
        return [t.index]
    return None


def _flag_scripted_apology(ev: Evidence) -> Optional[List[int]]:
    apologies = ev.all_with_move("apologize")
    quotes = [normalise(t.quote("apologize")) for t in apologies]
    repeated = [t.index for t, q in zip(apologies, quotes) if quotes.count(q) > 1]
    if len(apologies) >= 3:
        return [t.index for t in apologies]
    if repeated:
        return repeated
    formulaic = [t.index for t in apologies if _FORMULAIC.search(t.norm)]
    if formulaic and not ev.all_with_move("acknowledge", "empathize"):
        return formulaic
    return None


def _flag_moves(*moves: str) -> Callable[[Evidence], Optional[List[int]]]:
    def check(ev: Evidence) -> Optional[List[int]]:
        turns = ev.all_with_move(*moves)
        return [t.index for t in turns] or None

    return check


def _flag_negative_language(ev: Evidence) -> Optional[List[int]]:
    counts = {t.index: len(_NEGATIVE.findall(t.norm)) for t in ev.turns}
    bare = [t.index for t in ev.turns if counts[t.index] and "offer_solution" not in t.moves]
    if len(bare) >= 2 or sum(counts.values()) >= 3:
        return [i for i, n in counts.items() if n]
    return None


def _flag_over_promise(ev: Evidence) -> Optional[List[int]]:
    turns = [t.index for t in ev.turns if t.offer and t.offer.get("over_promises")]
    return turns or None


def _flag_unnecessary_escalation(ev: Evidence) -> Optional[List[int]]:
    if ev.scenario.escalation.rule != "unnecessary":
        return None
    return [t.index for t in ev.all_with_move("escalate")] or None


def _flag_missed_escalation(ev: Evidence) -> Optional[List[int]]:
    if ev.scenario.escalation.rule != "required":
        return None
    return None if ev.with_move("escalate") else []


def _flag_no_expectations_set(ev: Evidence) -> Optional[List[int]]:
    return None if ev.with_move("set_expectations") else []


def _flag_no_satisfaction_check(ev: Evidence) -> Optional[List[int]]:
    first_action = ev.action_turns()
    after = first_action[0].index if first_action else 0
    return None if ev.with_move("check_satisfaction", "follow_up", after=after) else []


def _flag_details_not_captured(ev: Evidence) -> Optional[List[int]]:
    revealed = set(ev.attempt.customer.revealed)
    missing = [f for f in ev.scenario.required_facts if f.id not in revealed]
    return [] if missing else None


def _flag_history_not_reviewed(ev: Evidence) -> Optional[List[int]]:
    if not ev.scenario.history:
        return None
    checks = ev.attempt.history_checks
    for t in ev.all_with_move("escalate"):
        if not any(after < t.index for after in checks):
            return [t.index]
    return None


def _flag_not_documented(ev: Evidence) -> Optional[List[int]]:
    if not ev.notes.strip():
        return []
    text = normalise(ev.notes)
    problem = any(
        re.search(r"(?<![a-z0-9])" + re.escape(k.lower()) + r"(?![a-z0-9])", text) for k in ev.scenario.problem_keywords
    )
    action = bool(_ACTION_WORDS.search(text))
    outcome = bool(_OUTCOME_WORDS.search(text))
    rationale = ev.attempt.outcome != "escalated" or bool(_RATIONALE_WORDS.search(text))
    return None if (problem and action and outcome and rationale and not ev.notes_miss_root_cause) else []


def _flag_customer_not_involved(ev: Evidence) -> Optional[List[int]]:
    offers = ev.all_with_move("offer_solution")
    if not offers:
        return None
    if any(t.offer and t.offer.get("choice") for t in offers):
        return None
    first = offers[0].index
    agreed = [
        t for t in ev.turns if first <= t.index <= first + 1 and set(t.moves) & {"check_satisfaction", "ask_question"}
    ]
    return None if agreed else [first]


def _legal_flag(flag_id: str) -> Callable[[Evidence], Optional[List[int]]]:
    """The turns with a contradiction of the customer's rights that raises ``flag_id``."""

    def check(ev: Evidence) -> Optional[List[int]]:
        return sorted({i for i, _ in ev.legal_findings(flag_id)}) or None

    return check


def _flag_off_track_message(ev: Evidence) -> Optional[List[int]]:
    """Turns that neither the detector nor the customer could read as doing anything for the complaint."""
    lost = {r.index for r in ev.attempt.turns if r.reply_kind in LOST_CUSTOMER_REPLIES}
    turns = [t.index for t in ev.turns if t.index in lost and not set(t.moves) - NEGATIVE_MOVES]
    return turns or None


FLAG_RULES: Dict[str, Callable[[Evidence], Optional[List[int]]]] = {
    "action_before_empathy": _flag_action_before_empathy,
    "scripted_apology": _flag_scripted_apology,
    "blamed_customer": _flag_moves("blame"),
    "dismissive_language": _flag_moves("dismiss", "rude"),
    "negative_language": _flag_negative_language,
    "over_promise": _flag_over_promise,
    "unnecessary_escalation": _flag_unnecessary_escalation,
    "missed_escalation": _flag_missed_escalation,
    "no_expectations_set": _flag_no_expectations_set,
    "no_satisfaction_check": _flag_no_satisfaction_check,
    "details_not_captured": _flag_details_not_captured,
    "history_not_reviewed": _flag_history_not_reviewed,
    "not_documented": _flag_not_documented,
    "customer_not_involved": _flag_customer_not_involved,
    "off_track_message": _flag_off_track_message,
    "legal_inaccuracy": _legal_flag("legal_inaccuracy"),
    "data_protection_breach": _legal_flag("data_protection_breach"),
    "symptom_as_root_cause": lambda ev: [] if ev.review and ev.review.verdict in SHALLOW else None,
}


def _flag_message(flag_id: str, ev: Evidence, base: str) -> str:
    if flag_id in LEGAL_FLAGS:
        found = ev.legal_findings(flag_id)
        said = "; ".join(f'turn {i}: "{h.quote}" goes against {right(h.right).cited()}' for i, h in found[:3])
        return f"{base} {said[0].upper() + said[1:]}."
    if flag_id == "details_not_captured":
        missing = [f.label for f in ev.scenario.required_facts if f.id not in set(ev.attempt.customer.revealed)]
        return f"{base} Never asked for: {', '.join(missing)}."
    if flag_id == "over_promise":
        reasons = [r for t in ev.turns if t.offer for r in t.offer.get("over_promises", [])]
        return f"{base} You {'; '.join(reasons)}."
    if flag_id == "not_documented" and ev.notes_miss_root_cause:
        return f"{base} Your notes don't record the root cause: {ev.scenario.links('root_cause')[0].label}."
    if flag_id == "symptom_as_root_cause" and ev.review:
        return f"{base} You named {ev.review.named}."
    if flag_id == "missed_escalation":
        return f"{base} {ev.scenario.escalation.reason}"
    if flag_id == "unnecessary_escalation":
        return f"{base} {ev.scenario.escalation.reason}"
    return base


_SPOILED_BY = {"blame": "blamed someone", "dismiss": "was dismissive", "rude": "was rude"}


def _spoiled_note(ev: Evidence, step: StepResult) -> Optional[str]:
    """When every message cited for a met step also blames, dismisses or is rude: say so (it earns no praise)."""
    moves = {t.index: set(t.moves) for t in ev.turns}
    bad = [moves.get(e.turn, set()) & NEGATIVE_MOVES for e in step.evidence]
    if not step.evidence or not all(bad):
        return None
    what = " and ".join(_SPOILED_BY[m] for m in sorted(set().union(*bad)))
    turns = ", ".join(str(e.turn) for e in step.evidence)
    where = f"message (turn {turns})" if len(step.evidence) == 1 else f"messages (turns {turns})"
    return f"Counted, but the same {where} {what}, so it is not praised as a strength."


def _model_results(spec, ev: Evidence, phrasing: Dict[str, str]) -> Dict[str, ModelResult]:
    return model_results(
        spec, ev.scenario, lambda model, step: STEP_RULES[model][step](ev), phrasing, lambda e: _spoiled_note(ev, e)
    )


def _flag_results(spec, ev: Evidence) -> List[FlagResult]:
    rules = {flag_id: partial(check, ev) for flag_id, check in FLAG_RULES.items()}
    return flag_results(spec, rules, lambda flag_id, base: _flag_message(flag_id, ev, base))


def summed_card(
    attempt, spec, models: Dict[str, ModelResult], flags: List[FlagResult], cap: Optional[int]
) -> Scorecard:
    """The scorecard's frame, shared by complaints and coaching: the set-up, the outcome, the models and flags,
    the overall score as their sum, the mood trace and, in assessment mode, the verdict."""
    outcome = attempt.outcome or "unsatisfied"
    breakdown = course_sum(spec, models, flags, outcome, cap=cap)
    card = Scorecard(
        scenario=attempt.setup.scenario,
        persona=attempt.setup.persona,
        difficulty=attempt.setup.difficulty,
        outcome=outcome,
        overall=int(breakdown.overall),
        models=models,
        flags=flags,
        mood=attempt.mood_trace(),
        breakdown=breakdown,
    )
    if attempt.setup.mode == "assessment":
        mark = pass_mark()
        card.assessment = AssessmentResult(pass_mark=mark, passed=card.overall >= mark, attempt=attempt.number)
    return card


def score_attempt(attempt) -> Scorecard:
    """The scorecard for one attempt: models, flags, the overall score and feedback."""
    spec = rubrics()
    ev = Evidence(attempt)
    phrasing = attempt.scenario.better_phrasings
    models = _model_results(spec, ev, phrasing)
    flags = _flag_results(spec, ev)
    generic = bool(ev.credited) and not any(ev.situational(t) for t in ev.credited) and not ev.attempt.customer.revealed
    card = summed_card(attempt, spec, models, flags, cap=spec.generic_cap if generic else None)
    if generic:
        card.notes = [
            "Nothing you wrote was about this customer's situation, so the overall score is "
            f"capped at {spec.generic_cap}."
        ]
    card.feedback = feedback(card, ev)
    if ev.review:
        card.root_cause = ev.review
    card.kpis = service_kpis(
        card.outcome,
        final_mood=attempt.customer.mood,
        flags=flags,
        escalation_rule=attempt.scenario.escalation.rule,
        times=(attempt.start_time, attempt.times),
        turns=len(attempt.turns),
        lines=(spec.kpis.ratings, spec.kpis.reasons),
    )
    return card
