"""Learner tools typed in chat: ``check history``, ``notes: ...``, ``hint``, ``end``, ``restart``, ``help``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

TOOLS = ("check_history", "notes", "hint", "end", "restart", "help")

_PATTERNS = [
    ("notes", re.compile(r"^\s*(?:case\s*)?notes?\s*[:\-]\s*(?P<arg>.*\S)\s*$", re.I | re.S)),
    (
        "check_history",
        re.compile(
            r"^\s*(?:check|show|view|see|review)\s+(?:the\s+)?(?:customer'?s?\s+)?(?:contact\s+)?history\s*[.!]?\s*$",
            re.I,
        ),
    ),
    ("hint", re.compile(r"^\s*(?:hint|tip|give me a hint|coach hint)\s*[.!?]?\s*$", re.I)),
    (
        "end",
        re.compile(r"^\s*(?:end|end chat|end conversation|finish|done|score|scorecard|end practice)\s*[.!]?\s*$", re.I),
    ),
    ("restart", re.compile(r"^\s*(?:restart|start again|start over|new scenario|new practice|menu)\s*[.!]?\s*$", re.I)),
    ("help", re.compile(r"^\s*(?:help|commands|tools|\?)\s*[.!]?\s*$", re.I)),
]


@dataclass(frozen=True)
class Command:
    name: str
    arg: str = ""

    def as_dict(self):
        return {"name": self.name, "arg": self.arg}


def parse_command(text: str) -> Optional[Command]:
    """The tool a message invokes, or None for a message to the customer."""
    if not text or len(text) > 20000:
        return None
    for name, pattern in _PATTERNS:
        match = pattern.match(text)
        if match:
            return Command(name, match.groupdict().get("arg") or "")
    return None


HELP_TEXT = (
    "Tools you can type at any time:\n"
    "- check history: see the customer's earlier contacts\n"
    "- notes: <text>: record case notes (problem, action taken, outcome)\n"
    "- hint: a coaching tip (practice mode only)\n"
    "- end: finish and get your scorecard\n"
    "- restart: choose another scenario\n"
    "- help: this list"
)
