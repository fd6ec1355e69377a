"""Reading learner messages out of Rasa tracker events (plain dicts; no Rasa import).

Used by the custom actions on every turn and by ``coach score`` on a tracker export.
"""

from __future__ import annotations

import hashlib
from typing import Any, Dict, Iterable, List

from bot.domain.session.commands import Command
from bot.domain.session.messages import LearnerInput

# Intents Rasa maps to its built-in actions when typed as "/restart", "/back" or "/session_start".
SLASH_INTENTS = ("restart", "back", "session_start")
# The action server logs one line per turn starting with this (read by `coach bench-load --profile`).
TIMING_MARK = "turn timing "


def learner_input(event: Dict[str, Any]) -> LearnerInput:
    """One ``user`` event as the coach sees it.

    Only a parse made by the coach's NLU component (it carries ``moves``) is
    trusted. A ``/intent{...}`` message is parsed by Rasa itself and arrives
    without it: it stays plain text, with no moves, no tool and no menu choice.
    """
    parse = event.get("parse_data") or {}
    trusted = isinstance(parse.get("moves"), list)
    command = parse.get("coach_command") if trusted else None
    metadata = event.get("metadata") or parse.get("metadata") or {}
    return LearnerInput(
        text=event.get("text") or "",
        moves=[m for m in parse.get("moves", []) if isinstance(m, str)] if trusted else [],
        hits=[h for h in parse.get("move_hits", []) if isinstance(h, dict)] if trusted else [],
        command=Command(command["name"], command.get("arg", "")) if isinstance(command, dict) else None,
        trusted=trusted,
        metadata=metadata if isinstance(metadata, dict) else {},
        time=event.get("timestamp"),
    )


def learner_inputs(events: Iterable[Dict[str, Any]]) -> List[LearnerInput]:
    return [learner_input(e) for e in events if isinstance(e, dict) and e.get("event") == "user"]


def conversation_key(conversation_id: str) -> str:
    """How a conversation is named in the action server's timing log: a hash, so the log holds no id."""
    return hashlib.sha256(conversation_id.encode()).hexdigest()[:16]
