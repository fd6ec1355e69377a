"""The scenario format that course authors write in YAML (pydantic v1 models).

See ``data/scenarios/README.md`` for a guide with the full schema.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List, Optional

from pydantic import BaseModel, Extra, Field, confloat, conint, constr, root_validator, validator

# mypy cannot read pydantic's ``constr(...)``/``confloat(...)``/``conint(...)`` calls as types,
# so it sees the plain types they validate to; pydantic sees the constrained ones.
if TYPE_CHECKING:
    Id = str
    Line = str
    Label = str
    Text2000 = str
    Text200 = str
    Text160 = str
    Short40 = str
    Keyword40 = str
    Keyword60 = str
    Keyword80 = str
    Currency = str
    EscalationRule = str
    CauseLevel = str
    PersonaName = str
    NonNegFloat = float
    MoodLevel = float
    Factor = float
    MoodOffset = float
    Calming = int
    Patience = int
    QuestionTolerance = int
    HeardNeeded = int
else:
    Id = constr(regex=r"^[a-z][a-z0-9_]*$", min_length=2, max_length=40)
    Line = constr(min_length=1, max_length=600)
    Label = constr(min_length=1, max_length=80)
    Text2000 = constr(min_length=1, max_length=2000)
    Text200 = constr(min_length=1, max_length=200)
    Text160 = constr(min_length=1, max_length=160)
    Short40 = constr(min_length=1, max_length=40)
    Keyword40 = constr(min_length=2, max_length=40)
    Keyword60 = constr(min_length=2, max_length=60)
    Keyword80 = constr(min_length=2, max_length=80)
    Currency = constr(min_length=1, max_length=3)
    EscalationRule = constr(regex=r"^(required|allowed|unnecessary)$")
    CauseLevel = constr(regex=r"^(symptom|immediate_cause|root_cause|prevention)$")
    PersonaName = constr(regex=r"^(angry|anxious|impatient|demanding)$")
    NonNegFloat = confloat(ge=0)
    MoodLevel = confloat(ge=0, le=10)
    Factor = confloat(gt=0, le=3)
    MoodOffset = confloat(ge=-3, le=3)
    Calming = conint(ge=0, le=10)
    Patience = conint(ge=1, le=10)
    QuestionTolerance = conint(ge=0, le=20)
    HeardNeeded = conint(ge=0, le=5)

# Kinds of customer reply a scenario can word. Missing kinds fall back to the course defaults.
REPLY_KINDS = (
    "greeted",  # the learner only said hello
    "heard_high",  # apology/empathy/acknowledgement while still very upset
    "heard_low",  # the same once calmer
    "inflamed",  # blame, dismissal or rudeness
    "unclear",  # no recognisable move
    "asked_other",  # a question that is not about any fact the customer holds
    "already_told",  # asked again for a fact already given
    "explained",  # an explanation and nothing else
    "ownership",  # ownership or expectations but no remedy yet
    "offer_vague",  # an offer the customer cannot recognise
    "offer_too_soon",  # a fair offer before the customer feels heard
    "offer_declined",  # an offer that does not meet what the customer wants
    "accepted",  # a fair offer accepted
    "after_accept",  # anything after the customer accepted, before closing
    "satisfied_close",  # satisfaction check or close after acceptance: the customer leaves happy
    "not_resolved",  # satisfaction check or close before anything is resolved
    "escalation_pushback",  # escalation the customer does not (yet) accept
    "escalation_accept",  # escalation accepted: the customer is handed over
    "demand_manager",  # upset for too long: asks for a manager
    "leave",  # pushed too far: leaves
    "clarify",  # the first message the customer cannot read: a question back, no mood change
    "story",  # an open question once every fact is told: the gist again
    "confirmed",  # the learner reads back a fact already given
    "choice_made",  # of several options offered, the one they pick ({option}: the learner's words for it)
    "wants_compensation",  # a fair remedy, but this customer wants something for the trouble too
    "accepted_grudgingly",  # accepted without the compensation they pushed for
    "needs_facts",  # a fair offer before the learner has taken the key facts
    "pending",  # asked to agree while a fair offer is still on hold
    "ask_when",  # accepted, but nobody has said when it happens
    "handover_when",  # handed over, but nobody has said who calls or when
    "handover_close",  # satisfaction check or close after a handover
)


class Strict(BaseModel):
    class Config:
        extra = Extra.forbid
        anystr_strip_whitespace = True


class Customer(Strict):
    name: Label
    profile: Line = Field(..., description="Who the customer is, in one or two sentences.")
    story: Text2000 = Field(..., description="What happened, from their side.")


class Fact(Strict):
    id: Id
    label: Label
    value: Text200
    ask_keywords: List[Keyword60] = Field(
        ..., min_items=1, description="Words in a learner's question that draw this fact out."
    )
    replies: List[Line] = Field(..., min_items=1)
    required: bool = Field(True, description="The learner must capture it (flag details_not_captured).")
    concepts: List[Id] = Field(
        default_factory=list, description="Course-lexicon concepts it is about (default: those its label names)."
    )


class Remedy(Strict):
    id: Id
    label: Label
    keywords: List[Label] = Field(..., min_items=1)
    within_policy: bool = True
    needs_manager: bool = Field(False, description="Only a manager may grant it.")
    satisfies: bool = Field(..., description="Meets what the customer wants on its own.")
    value: Optional[NonNegFloat] = None
    compensation: Optional[bool] = Field(
        None, description="Counts as compensation for a customer who wants some (default: it has a value)."
    )
    accepted: List[Line] = Field(default_factory=list, description="Replies when accepted.")
    declined: List[Line] = Field(default_factory=list, description="Replies when it does not satisfy.")
    concepts: List[Id] = Field(
        default_factory=list, description="Course-lexicon concepts that name it (default: those its label names)."
    )


class Authority(Strict):
    goodwill_max: NonNegFloat = Field(0, description="Largest credit, voucher or discount without a manager.")
    currency: Currency = "£"
    can_refund: bool = True
    can_replace: bool = True


class Policy(Strict):
    summary: Text2000
    authority: Authority = Authority()
    cannot_promise: List[Keyword80] = Field(
        default_factory=list, description="Phrases the learner must not promise (checked as over_promise)."
    )


class Escalation(Strict):
    rule: EscalationRule
    reason: Line
    handover_to: Label = "a manager"


class Contact(Strict):
    date: Short40
    channel: Short40
    summary: Line
    outcome: Line


CUE_JOIN = "+"  # "no + check": every term in one sentence


class CauseLink(Strict):
    """One link of the cause chain the root-cause review checks a learner's answer against.

    ``cues`` are how an answer names it: each cue is one or more terms joined by ``+`` that must
    all appear in one sentence, matched on lemmas (``...`` in a term stands for up to three words).
    """

    level: CauseLevel
    label: Line = Field(..., description="The link in a sentence, as feedback and the tutor show it.")
    why: Optional[Line] = Field(None, description="The next 'why' to ask, suggested when an answer stops here.")
    cues: List[Keyword80] = Field(..., min_items=1)

    @validator("cues", each_item=True)
    def cue_terms(cls, cue):
        if any(not term.strip() for term in cue.split(CUE_JOIN)):
            raise ValueError(f"cue {cue!r} has an empty term (terms are joined by ' + ')")
        return cue


class Scenario(Strict):
    id: Id
    kind: str = Field("complaint", regex=r"^complaint$", description="complaint (this format) or coaching.")
    title: Label
    description: Text160 = Field(..., description="One line for `coach scenarios`.")
    organisation: Label
    problem: Line = Field(..., description="The problem in a few words, used in advice and case-note checks.")
    problem_keywords: List[Keyword40] = Field(..., min_items=1)
    customer: Customer
    opening: List[Line] = Field(..., min_items=1)
    wants: Line
    facts: List[Fact] = Field(default_factory=list)
    remedies: List[Remedy] = Field(..., min_items=1)
    policy: Policy
    escalation: Escalation
    history: List[Contact] = Field(default_factory=list)
    replies: Dict[str, List[Line]] = Field(default_factory=dict)
    better_phrasings: Dict[str, Line] = Field(
        default_factory=dict, description="Model answers for advice, keyed by step or flag id."
    )
    rights: List[Id] = Field(
        default_factory=list, description="The customer's legal rights that apply (ids in data/course/law.yml)."
    )
    default_persona: PersonaName = "angry"
    calm_needed: Calming = Field(0, description="Extra calming the customer needs before accepting.")
    internal: bool = Field(False, description="The customer is a colleague: the internal-service model applies.")
    cause_chain: List[CauseLink] = Field(
        default_factory=list, description="Symptom, immediate cause, root cause and prevention, for the review."
    )
    root_cause_in_notes: bool = Field(False, description="Case notes must record the root cause (not_documented).")

    @validator("replies")
    def known_reply_kinds(cls, replies):
        unknown = sorted(set(replies) - set(REPLY_KINDS))
        if unknown:
            raise ValueError(f"unknown reply kind(s) {unknown}; known kinds: {', '.join(REPLY_KINDS)}")
        for kind, lines in replies.items():
            if not lines:
                raise ValueError(f"reply kind '{kind}' has no lines")
        return replies

    @root_validator(skip_on_failure=True)
    def unique_ids(cls, values):
        for name in ("facts", "remedies"):
            ids = [item.id for item in values.get(name, [])]
            duplicates = sorted({i for i in ids if ids.count(i) > 1})
            if duplicates:
                raise ValueError(f"{name}: duplicate id(s) {duplicates}")
        if (
            not any(r.satisfies and r.within_policy and not r.needs_manager for r in values["remedies"])
            and values["escalation"].rule != "required"
        ):
            raise ValueError(
                "remedies: no remedy both satisfies the customer and is within the "
                "learner's authority, and escalation is not required"
            )
        return values

    @validator("cause_chain")
    def chain_has_a_root(cls, chain):
        levels = {link.level for link in chain}
        if chain and not {"symptom", "root_cause"} <= levels:
            raise ValueError("a cause chain needs at least a symptom and a root_cause link")
        for link in chain:
            if link.level in ("symptom", "immediate_cause") and not link.why:
                raise ValueError(f"the {link.level} link {link.label!r} needs a 'why' (the next question to ask)")
        return chain

    @root_validator(skip_on_failure=True)
    def notes_need_a_chain(cls, values):
        if values.get("root_cause_in_notes") and not values.get("cause_chain"):
            raise ValueError("root_cause_in_notes: needs a cause_chain with a root_cause link")
        return values

    def links(self, level: str) -> List[CauseLink]:
        return [link for link in self.cause_chain if link.level == level]

    @property
    def counterpart(self) -> str:
        """Who the learner talks to."""
        return self.customer.name

    @property
    def required_facts(self) -> List[Fact]:
        return [fact for fact in self.facts if fact.required]


class Persona(Strict):
    id: Id
    description: Line
    start_mood: MoodLevel
    calm_factor: Factor = 1.0
    inflame_factor: Factor = 1.0
    patience: Patience = Field(3, description="Turns at boiling point before asking for a manager.")
    question_tolerance: QuestionTolerance = Field(6, description="Questions before more of them annoy.")
    wants_compensation: bool = False
    knows_rights: bool = Field(False, description="Pushes back, citing the law, when told something wrong about it.")
    asides: List[Line] = Field(default_factory=list, description="Lines added now and then when upset.")


class Difficulty(Strict):
    id: Id
    description: Line
    mood_offset: MoodOffset = 0
    calm_factor: Factor = 1.0
    inflame_factor: Factor = 1.0
    accept_at: MoodLevel = Field(..., description="Highest upset level at which a fair offer is accepted.")
    heard_needed: HeardNeeded = Field(1, description="Apologies/empathy/acknowledgements needed first.")
    facts_needed: bool = Field(False, description="All required facts must be asked before accepting.")


class PreventionWords(Strict):
    """How a root-cause answer says what should change: a sentence with one of ``fixes`` that names a link."""

    fixes: List[Keyword40] = Field(default_factory=list, description="Forward-looking words: should, next time...")
    not_fixes: List[Keyword40] = Field(
        default_factory=list, description="Hindsight that is not a fix: should have, could have..."
    )


class Course(Strict):
    """Course-wide defaults: personas, difficulties and fallback replies."""

    personas: List[Persona]
    difficulties: List[Difficulty]
    replies: Dict[str, List[Line]]
    prevention: PreventionWords = PreventionWords()

    @validator("replies")
    def all_reply_kinds(cls, replies):
        missing = [kind for kind in REPLY_KINDS if not replies.get(kind)]
        if missing:
            raise ValueError(f"course replies must word every kind; missing: {missing}")
        return replies
