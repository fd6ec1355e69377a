"""Tutor comments and overrides. The automatic result is never changed: each override is an
audit row (who, what, when, before, after, why) and the effective result is recomputed from them."""

from __future__ import annotations

import json
import time
from typing import Any, Dict, Optional

from sqlalchemy import insert, select
from sqlalchemy.engine import Engine

from bot.domain.vocabulary import FLAG_IDS
from bot.tutor.db import attempts, comments, overrides
from bot.tutor.indexer import refresh_effective

MAX_COMMENT = 5000
MAX_REASON = 1000
KINDS = ("overall", "overall_reset", "flag_add", "flag_remove")


class RecordError(ValueError):
    pass


def known_flags():
    return FLAG_IDS


def add_comment(engine: Engine, attempt_id: int, tutor: str, text: str) -> None:
    text = (text or "").strip()
    if not text:
        raise RecordError("The comment is empty.")
    if len(text) > MAX_COMMENT:
        raise RecordError(f"A comment can have at most {MAX_COMMENT:,} characters.")
    with engine.begin() as db:
        if db.execute(select(attempts.c.id).where(attempts.c.id == attempt_id)).first() is None:
            raise RecordError("No such conversation.")
        db.execute(insert(comments).values(attempt_id=attempt_id, tutor=tutor, text=text, created_at=time.time()))


def override(
    engine: Engine, attempt_id: int, tutor: str, kind: str, value: Optional[str] = None, reason: str = ""
) -> Dict[str, Any]:
    """Record one override and return the new effective result."""
    reason = (reason or "").strip()[:MAX_REASON]
    value = (value or "").strip()
    if kind not in KINDS:
        raise RecordError("Unknown change.")
    with engine.begin() as db:
        row = db.execute(
            select(attempts.c.overall, attempts.c.overall_auto, attempts.c.flags).where(attempts.c.id == attempt_id)
        ).first()
        if row is None:
            raise RecordError("No such conversation.")
        if row.overall_auto is None:
            raise RecordError("This attempt has no scorecard yet, so there is nothing to override.")
        flags = json.loads(row.flags or "[]")
        if kind == "overall":
            try:
                number = int(value)
            except ValueError:
                raise RecordError("The score must be a whole number from 0 to 100.")
            if not 0 <= number <= 100:
                raise RecordError("The score must be a whole number from 0 to 100.")
            before, after, value = str(row.overall), str(number), str(number)
        elif kind == "overall_reset":
            before, after, value = str(row.overall), str(row.overall_auto), ""
        else:
            if value not in known_flags():
                raise RecordError(f"Unknown flag '{value}'.")
            if kind == "flag_add" and value in flags:
                raise RecordError(f"The flag {value} is already set.")
            if kind == "flag_remove" and value not in flags:
                raise RecordError(f"The flag {value} is not set.")
            new = flags + [value] if kind == "flag_add" else [f for f in flags if f != value]
            before, after = json.dumps(flags), json.dumps(new)
        db.execute(
            insert(overrides).values(
                attempt_id=attempt_id,
                tutor=tutor,
                kind=kind,
                value=value,
                reason=reason,
                value_before=before,
                value_after=after,
                created_at=time.time(),
            )
        )
        return refresh_effective(db, attempt_id)


def _flag_list(value: str, vocabulary) -> str:
    """A stored JSON list of flag ids as labels ("none" for the empty list)."""
    try:
        ids = json.loads(value or "[]")
    except ValueError:
        return value
    if not isinstance(ids, list):
        return value
    return ", ".join(vocabulary.flag_label(str(i)) for i in ids) or "none"


def describe_override(change: Dict[str, Any], vocabulary) -> Dict[str, str]:
    """One audit row in plain words: what changed, and the result before and after, with flag labels."""
    kind, value = change["kind"], change["value"]
    before, after = change["value_before"], change["value_after"]
    if kind == "overall":
        return {"what": f"Set the overall score to {value}", "before": before, "after": after}
    if kind == "overall_reset":
        return {"what": "Went back to the automatic overall score", "before": before, "after": after}
    verb = "Added" if kind == "flag_add" else "Removed"
    return {
        "what": f"{verb} flag: {vocabulary.flag_label(value)}",
        "before": _flag_list(before, vocabulary),
        "after": _flag_list(after, vocabulary),
    }
