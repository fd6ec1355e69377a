"""What goes into a session and what comes out of it: one learner message, one reply."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from bot.domain.session.commands import Command

COACH = "Coach: "  # the prefix of everything the coach (not the customer) says


@dataclass
class LearnerInput:
    """One learner message as the coach sees it."""

    text: str
    moves: List[str] = field(default_factory=list)
    hits: List[Dict[str, Any]] = field(default_factory=list)
    command: Optional[Command] = None
    trusted: bool = True  # False when Rasa read the text as a "/intent" command: plain text, no credit
    metadata: Dict[str, Any] = field(default_factory=dict)
    time: Optional[float] = None


@dataclass
class Output:
    speaker: str  # "customer" or "coach"
    text: str
    custom: Optional[Dict[str, Any]] = None
    buttons: List[Dict[str, str]] = field(default_factory=list)
