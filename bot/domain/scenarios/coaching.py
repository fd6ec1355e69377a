"""The coaching scenario format (``kind: coaching``): the learner is a team leader coaching an agent.

A coaching scenario is not a complaint: there is no customer to satisfy, no remedy and no
escalation. The coach plays the agent (the *coachee*) who handled a complaint badly; the
transcript of that handling is shown at the start. See ``data/scenarios/README.md`` §3.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Dict, List

from pydantic import Field, constr, root_validator, validator

from bot.domain.scenarios.schema import CauseLink, Id, Keyword80, Label, Line, PersonaName, Strict, Text160

if TYPE_CHECKING:
    Speaker = str
    Kind = str
else:
    Speaker = constr(regex=r"^(customer|agent)$")
    Kind = constr(regex=r"^coaching$")

# How the agent takes coaching: a course persona maps to one of these styles.
STYLES = ("defensive", "unsure")
ANXIOUS_PERSONAS = frozenset({"anxious"})  # the other personas play a defensive agent

# What the agent can say, by what the team leader's message did. Every kind needs lines for both styles.
COACHING_REPLY_KINDS = (
    "criticised",  # the leader judged the agent as a person
    "told",  # the leader gave the answer: compliance, not ownership
    "praised",  # recognition of something done well
    "feedback_open",  # specific feedback, taken on board
    "feedback_guarded",  # specific feedback while still guarded: a defence
    "guarded",  # an open question while still guarded: a short, closed answer
    "options",  # asked what they could do differently: the agent's own ideas
    "no_more",  # asked again when everything is already said
    "action_agreed",  # an action with a date: the agent commits
    "action_when",  # an action without a date: the agent asks by when
    "proposes",  # asked what they will do and by when: the agent names their own actions and a start
    "delegated",  # authority within limits: the agent plays it back
    "played_back",  # asked to check understanding after an agreement: says back what was agreed
    "nothing_agreed",  # asked to check understanding before anything was agreed
    "goal_heard",  # the leader said what the conversation is for
    "neutral",  # none of the above
    "closing_agreed",  # the leader closes after an agreement
    "closing_open",  # the leader closes with nothing agreed
    "leave",  # pushed too far: the agent ends the conversation
)


class TranscriptLine(Strict):
    speaker: Speaker
    text: Line


class Agent(Strict):
    name: Label
    role: Line = Field(..., description="Who the agent is, in one sentence, as the learner sees it.")


class RealityPoint(Strict):
    """Something the agent explains when asked the right way: what got in the way."""

    id: Id
    label: Label
    cues: List[Keyword80] = Field(
        default_factory=list, description="Words in a question that steer to this point, matched on lemmas."
    )
    replies: Dict[str, List[Line]]

    @validator("replies")
    def every_style(cls, replies):
        return _every_style(replies)


def _every_style(lines: Dict[str, List[Line]]) -> Dict[str, List[Line]]:
    missing = [style for style in STYLES if not lines.get(style)]
    unknown = sorted(set(lines) - set(STYLES))
    if missing or unknown:
        raise ValueError(f"needs lines for exactly the styles {list(STYLES)}: missing {missing}, unknown {unknown}")
    return lines


class CoachingScenario(Strict):
    id: Id
    kind: Kind
    title: Label
    description: Text160 = Field(..., description="One line for `coach scenarios`.")
    organisation: Label
    agent: Agent
    brief: Line = Field(..., description="What the learner is told at the start: who they are, what happened.")
    transcript: List[TranscriptLine] = Field(..., min_items=2)
    standard: Line = Field(..., description="The team's standard for handling a complaint.")
    opening: Dict[str, List[Line]]
    reality: List[RealityPoint] = Field(..., min_items=1)
    replies: Dict[str, Dict[str, List[Line]]]
    better_phrasings: Dict[str, Line] = Field(
        default_factory=dict, description="Model answers for advice, keyed by step or flag id."
    )
    default_persona: PersonaName = "angry"
    patience: int = Field(2, ge=1, le=10, description="Person-criticisms the agent takes before ending the talk.")
    cause_chain: List[CauseLink] = Field(
        default_factory=list, description="Why the call went wrong, for the root-cause review."
    )

    @validator("opening")
    def opening_styles(cls, opening):
        return _every_style(opening)

    @validator("replies")
    def every_reply_kind(cls, replies):
        missing = [kind for kind in COACHING_REPLY_KINDS if kind not in replies]
        unknown = sorted(set(replies) - set(COACHING_REPLY_KINDS))
        if missing or unknown:
            raise ValueError(f"reply kinds: missing {missing}, unknown {unknown}")
        for kind, lines in replies.items():
            try:
                _every_style(lines)
            except ValueError as exc:
                raise ValueError(f"reply kind '{kind}' {exc}")
        return replies

    @root_validator(skip_on_failure=True)
    def unique_points(cls, values):
        ids = [point.id for point in values.get("reality", [])]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"reality: duplicate id(s) {duplicates}")
        return values

    # What code shared with complaint scenarios reads.
    internal: ClassVar[bool] = False
    root_cause_in_notes: ClassVar[bool] = False

    @property
    def history(self) -> list:
        return []

    @property
    def counterpart(self) -> str:
        return self.agent.name

    def links(self, level: str) -> List[CauseLink]:
        return [link for link in self.cause_chain if link.level == level]

    @staticmethod
    def style_for(persona: str) -> str:
        return "unsure" if persona in ANXIOUS_PERSONAS else "defensive"
