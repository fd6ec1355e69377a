"""The one assessment vocabulary: every move, model, step and flag, with its id, label and description.

Ids are the contract with the scorecard JSON, the test sets and the tutor database, so they
are fixed here in code. Labels and descriptions of models, steps and flags are course
content: they come from the rubric file (``data/course/rubrics.yml``), which is validated
against the ids below. Scoring, feedback, hints, exports, the dashboard, the channels and
the web page all read labels through :func:`bot.domain.assessment.rubrics.vocabulary`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Mapping, Tuple


@dataclass(frozen=True)
class Term:
    id: str
    label: str
    description: str


# The learner moves (spec/moves.md). Order is the order every table and payload lists them in.
MOVE_TERMS: Tuple[Term, ...] = (
    Term("greet", "Greet", "Opens the contact: hello, who you are, an offer of help."),
    Term("acknowledge", "Acknowledge", "Shows the facts were heard: restates or recognises the situation."),
    Term("apologize", "Apologise", "Says sorry or expresses regret for the problem."),
    Term("empathize", "Empathise", "Names or validates the customer's feelings or the impact on them."),
    Term("thank", "Thank", "Thanks the customer: for patience, details, raising it, loyalty."),
    Term("ask_question", "Ask", "Asks for information or clarification, or requests details."),
    Term("explain", "Explain", "Explains what happened or why, a policy, a process."),
    Term("take_ownership", "Take ownership", "Commits personally to handling the problem."),
    Term("offer_solution", "Offer a solution", "Proposes a concrete remedy, fix, compensation or a choice."),
    Term("set_expectations", "Set expectations", "States a timeline, the next steps, what happens when."),
    Term("escalate", "Escalate", "Refers the case to a manager, specialist, another team or channel."),
    Term(
        "check_satisfaction", "Check satisfaction", "Checks the resolution works, or whether anything else is needed."
    ),
    Term("follow_up", "Follow up", "Promises to come back later, or asks the customer to report back."),
    Term("close", "Close", "Ends the contact politely."),
    Term("blame", "Blame", "Blames the customer, a colleague or a third party."),
    Term("dismiss", "Dismiss", "Minimises the problem or the feelings, or refuses without help."),
    Term("rude", "Rude", "Insults, sarcasm, hostility."),
)
MOVES: Tuple[str, ...] = tuple(term.id for term in MOVE_TERMS)
# The coaching moves a team leader makes in a coaching scenario (``kind: coaching``; docs/coaching.md).
COACHING_MOVE_TERMS: Tuple[Term, ...] = (
    Term("open_question", "Open question", "Asks an open question that lets the agent think, describe or reflect."),
    Term("specific_feedback", "Specific feedback", "Describes a specific thing the agent did or said, and its effect."),
    Term("praise", "Recognise", "Recognises something the agent did well."),
    Term("agree_action", "Agree an action", "Agrees a concrete action or standard going forward, usually with a date."),
    Term("delegate", "Give authority", "Gives the agent authority to act, within stated limits."),
    Term(
        "check_understanding", "Check understanding", "Asks the agent to play back, or checks they understand or agree."
    ),
    Term("criticise_person", "Criticise the person", "Judges or labels the agent as a person, not the behaviour."),
    Term("tell_instead_of_ask", "Tell instead of ask", "Tells the agent the answer instead of letting them find it."),
)
COACHING_MOVES: Tuple[str, ...] = tuple(term.id for term in COACHING_MOVE_TERMS)
# Detected too, but outside the label set: the purpose named (GROW goal), options asked for, a time given,
# the talk closed.
COACHING_EXTRA_MOVES: Tuple[str, ...] = ("set_goal", "ask_options", "time_given", "close_talk")
NEGATIVE_COACHING_MOVES = frozenset({"criticise_person", "tell_instead_of_ask"})

# Moves that make things worse; the rest are service moves.
NEGATIVE_MOVES = frozenset({"blame", "dismiss", "rude"})
# Moves that act on the problem (HEAT "take action", AAA "act").
ACTION_MOVES = frozenset({"offer_solution", "take_ownership", "escalate"})

# The complaint-handling models and their steps, in scorecard order.
MODEL_STEPS: Dict[str, Tuple[str, ...]] = {
    "HEAT": ("hear", "empathise", "apologise", "take_action"),
    "LATER": ("listen", "apologise", "thank", "explain", "resolve"),
    "AAA": ("acknowledge", "apologise", "act"),
    "LURC": ("listen", "understand", "resolve", "confirm"),
    "RATER": ("reliability", "assurance", "tangibles", "empathy", "responsiveness"),
    "CYCLE": ("listen", "empathise", "act", "follow_up"),
    "SOLVE": ("identify", "evaluate_options", "justify", "implement", "review"),
    "INTERNAL": ("agree_standard", "confirm_handover", "follow_up"),
    "GROW": ("goal", "reality", "options", "will"),
    "COACHING": ("ask", "feedback", "recognise", "authority", "check"),
}
MODEL_IDS: Tuple[str, ...] = tuple(MODEL_STEPS)
# Models scored only for some scenarios: model id -> the scenario field that must be true.
# The internal-service points apply when the customer is a colleague (``internal: true``).
SCENARIO_MODELS: Dict[str, str] = {"INTERNAL": "internal"}
# The scenario kinds and the models each scores: a coaching conversation is not a complaint.
KIND_MODELS: Dict[str, Tuple[str, ...]] = {
    "complaint": ("HEAT", "LATER", "AAA", "LURC", "RATER", "CYCLE", "SOLVE", "INTERNAL"),
    "coaching": ("GROW", "COACHING"),
}


def model_applies(model_id: str, scenario: Any) -> bool:
    """Is the model scored for this scenario: the models of its kind, less one whose condition it lacks?"""
    kind = getattr(scenario, "kind", "complaint")
    if model_id not in KIND_MODELS.get(kind, ()):
        return False
    condition = SCENARIO_MODELS.get(model_id)
    return not condition or bool(getattr(scenario, condition))


# The flags the coach raises, in scorecard order.
FLAG_IDS: Tuple[str, ...] = (
    "action_before_empathy",
    "scripted_apology",
    "blamed_customer",
    "dismissive_language",
    "negative_language",
    "over_promise",
    "unnecessary_escalation",
    "missed_escalation",
    "no_expectations_set",
    "no_satisfaction_check",
    "details_not_captured",
    "history_not_reviewed",
    "not_documented",
    "customer_not_involved",
    "off_track_message",
    "legal_inaccuracy",
    "data_protection_breach",
    "symptom_as_root_cause",
    "criticised_person",
    "told_not_asked",
    "no_action_agreed",
)
# The flags each kind of scenario can raise.
COACHING_FLAGS: Tuple[str, ...] = ("criticised_person", "told_not_asked", "no_action_agreed", "symptom_as_root_cause")


@dataclass(frozen=True)
class ModelTerm:
    id: str
    label: str
    ordered: bool
    steps: Dict[str, Term] = field(default_factory=dict)


@dataclass(frozen=True)
class Vocabulary:
    """Every id with its label and description; built from the validated rubric file."""

    moves: Dict[str, Term]
    models: Dict[str, ModelTerm]
    flags: Dict[str, Term]

    @classmethod
    def from_rubrics(cls, rubrics: Any) -> "Vocabulary":
        models = {
            m.id: ModelTerm(m.id, m.name, m.ordered, {s.id: Term(s.id, s.name, s.counts) for s in m.steps})
            for m in rubrics.models
        }
        flags = {flag_id: Term(flag_id, spec.label, spec.message) for flag_id, spec in rubrics.flags.items()}
        moves = {term.id: term for term in MOVE_TERMS + COACHING_MOVE_TERMS}
        return cls(moves, models, flags)

    def model_labels(self) -> Dict[str, Dict[str, Any]]:
        """{model id: {"name": label, "steps": {step id: label}}}, as the web page and channels show them."""
        return {
            m.id: {"name": m.label, "steps": {s.id: s.label for s in m.steps.values()}} for m in self.models.values()
        }

    def flag_label(self, flag_id: str) -> str:
        term = self.flags.get(flag_id)
        return term.label if term else flag_id.replace("_", " ")

    def move_label(self, move_id: str) -> str:
        term = self.moves.get(move_id)
        return term.label if term else move_id.replace("_", " ")


def check_ids(found_models: Mapping[str, Tuple[str, ...]], found_flags: Tuple[str, ...]) -> None:
    """Raise ValueError naming what a rubric file lacks or adds against the fixed ids."""
    for model_id, steps in MODEL_STEPS.items():
        if tuple(found_models.get(model_id, ())) != steps:
            raise ValueError(f"model {model_id} must have steps {list(steps)}, found {found_models.get(model_id)}")
    missing = set(FLAG_IDS) - set(found_flags)
    unknown = set(found_flags) - set(FLAG_IDS)
    if missing or unknown:
        raise ValueError(
            f"flags must be exactly {list(FLAG_IDS)}: missing {sorted(missing)}, unknown {sorted(unknown)}"
        )
